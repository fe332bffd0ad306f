"""The broker's URL and queues: what a command needs to name a broker, without Dramatiq.

:mod:`articleaudio.jobs.broker` talks to the broker; this module only says where it is
and which queue each ``--priority`` is, so the command line can check and show them
with nothing more than the package installed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..errors import ConfigError

NAMESPACE = "articleaudio"
"""Prefix of every Redis key the broker writes (several libraries: several databases)."""
HEARTBEAT_TIMEOUT_S = 30.0
"""A worker silent for this long is dead and its unacknowledged jobs go to another."""
MAINTENANCE_SHARE = 0.01
"""Share of broker commands that also look for dead workers (Dramatiq's default is 0.001,
a dead worker's job then waits minutes; each look is one KEYS over the worker's acks)."""
PER_MILLION = 1_000_000
"""Dramatiq's scale for ``maintenance_chance``."""
RESULT_TTL_S = 86_400.0
"""How long a worker's word on a finished job (built, rebuilt, unchanged) is kept for a
``build --broker`` waiting on it."""


def result_key(job_id: str) -> str:
    """The Redis key of a finished job's outcome word (the job store has the rest)."""
    return f"{NAMESPACE}:result:{job_id}"


def slot_key(library_id: str) -> str:
    """The Redis key of a library's build slots (``worker --max-concurrent``)."""
    return f"{NAMESPACE}:builds:{library_id}"


@dataclass(frozen=True)
class Priority:
    """One ``--priority`` level: its own queue, so every worker takes it first."""

    queue: str
    """The Dramatiq queue (each worker consumes every level's queue)."""
    order: int
    """Dramatiq's actor priority: a worker holding messages of several levels runs the
    lowest first."""


PRIORITIES: dict[str, Priority] = {
    "high": Priority(f"{NAMESPACE}-high", 0),
    "normal": Priority(NAMESPACE, 50),
    "low": Priority(f"{NAMESPACE}-low", 100),
}
"""``--priority`` → its queue. The Redis broker's queues are first in, first out, and a
worker fetches from each queue it consumes; a level of its own is what puts a breaking
story ahead of a back catalogue already queued."""
DEFAULT_PRIORITY = "normal"


@dataclass(frozen=True)
class BrokerSettings:
    """Where the broker is and how soon a dead worker's jobs move on."""

    url: str
    """``redis://HOST:PORT/DB`` without articleaudio's own query parameters."""
    heartbeat_timeout_s: float = HEARTBEAT_TIMEOUT_S
    maintenance_share: float = MAINTENANCE_SHARE


_URL_SETTINGS: dict[str, Callable[[str], tuple[str, float]]] = {
    "heartbeat": lambda v: ("heartbeat_timeout_s", float(v)),
    "maintenance": lambda v: ("maintenance_share", float(v)),
}
"""The broker URL's own query parameters (``?heartbeat=5&maintenance=1``) → settings."""


def broker_settings(url: str) -> BrokerSettings:
    """The settings a ``--broker`` URL names; :class:`ConfigError` if it is no Redis URL.

    >>> broker_settings("redis://127.0.0.1:6390/2?heartbeat=5&maintenance=1")
    BrokerSettings(url='redis://127.0.0.1:6390/2', heartbeat_timeout_s=5.0, maintenance_share=1.0)
    """
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss", "unix") or not (parts.netloc or parts.path):
        raise ConfigError(f"--broker {url!r} is not a Redis URL; say redis://HOST:PORT/DB")
    ours, theirs = {}, []
    for name, value in parse_qsl(parts.query):
        if name not in _URL_SETTINGS:
            theirs.append((name, value))
            continue
        try:
            field, number = _URL_SETTINGS[name](value)
        except ValueError:
            raise ConfigError(f"--broker {url!r}: {name}={value!r} is not a number") from None
        ours[field] = number
    plain = urlunsplit(parts._replace(query=urlencode(theirs)))
    return BrokerSettings(plain, **ours)
