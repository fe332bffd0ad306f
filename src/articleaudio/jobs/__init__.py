"""Jobs stage: every build asked of a library is a job, run by one runner.

``build`` makes its sources jobs and runs them here; ``watch`` and the web API
queue jobs in the library's catalogue for a long-running runner. The job record
and its store are in :mod:`articleaudio.library` (the catalogue's owner); this
stage runs them through :mod:`articleaudio.pipeline`, so it sits above it.

With ``--broker`` the same jobs go to Dramatiq's Redis broker instead
(:mod:`.broker`) and ``articleaudio worker`` processes build them (:mod:`.worker`);
:mod:`.status` reads the broker's queues and heartbeats. Those three modules, and
only they, import Dramatiq and Redis.

The names below are this stage's public face; its modules are private by convention.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .broker import Dispatcher, await_jobs, enqueue_sources, open_broker, send_job
    from .build import build_sources, retry_job, submit_source
    from .codec import settings_from_json, settings_to_json
    from .queues import DEFAULT_PRIORITY, PRIORITIES, BrokerSettings, broker_settings
    from .runner import (
        BACKOFF_S,
        MAX_ATTEMPTS,
        ONCE,
        PATIENT,
        Ran,
        RetryPolicy,
        Runner,
        owner_id,
        owner_is_dead,
    )
    from .sources import article_key, payload_given, payload_key, read_payload, text_payload
    from .status import (
        BrokerStatus,
        DeadLetter,
        QueueDepth,
        WorkerBeat,
        broker_status,
        dead_letters,
    )
    from .watch import (
        INTERVAL_S,
        Watcher,
        WatchEvent,
        WatchSettings,
        open_watcher,
        since_date,
    )
    from .worker import WorkerSettings, run_worker

__all__ = [
    "BACKOFF_S",
    "DEFAULT_PRIORITY",
    "INTERVAL_S",
    "MAX_ATTEMPTS",
    "ONCE",
    "PATIENT",
    "PRIORITIES",
    "BrokerSettings",
    "BrokerStatus",
    "DeadLetter",
    "Dispatcher",
    "QueueDepth",
    "Ran",
    "RetryPolicy",
    "Runner",
    "WatchEvent",
    "WatchSettings",
    "Watcher",
    "WorkerBeat",
    "WorkerSettings",
    "article_key",
    "await_jobs",
    "broker_settings",
    "broker_status",
    "build_sources",
    "dead_letters",
    "enqueue_sources",
    "open_broker",
    "open_watcher",
    "owner_id",
    "owner_is_dead",
    "payload_given",
    "payload_key",
    "read_payload",
    "retry_job",
    "run_worker",
    "send_job",
    "settings_from_json",
    "settings_to_json",
    "since_date",
    "submit_source",
    "text_payload",
]

__getattr__ = exports(
    __name__,
    {
        "BACKOFF_S": ".runner",
        "DEFAULT_PRIORITY": ".queues",
        "PRIORITIES": ".queues",
        "BrokerSettings": ".queues",
        "broker_settings": ".queues",
        # Dramatiq and Redis load with these only, when a broker is named
        "Dispatcher": ".broker",
        "await_jobs": ".broker",
        "enqueue_sources": ".broker",
        "open_broker": ".broker",
        "send_job": ".broker",
        "WorkerSettings": ".worker",
        "BrokerStatus": ".status",
        "QueueDepth": ".status",
        "WorkerBeat": ".status",
        "broker_status": ".status",
        "DeadLetter": ".status",
        "dead_letters": ".status",
        "run_worker": ".worker",
        "INTERVAL_S": ".watch",
        "WatchEvent": ".watch",
        "WatchSettings": ".watch",
        "Watcher": ".watch",
        "open_watcher": ".watch",
        "since_date": ".watch",
        "MAX_ATTEMPTS": ".runner",
        "ONCE": ".runner",
        "PATIENT": ".runner",
        "Ran": ".runner",
        "RetryPolicy": ".runner",
        "Runner": ".runner",
        "article_key": ".sources",
        "build_sources": ".build",
        "owner_id": ".runner",
        "owner_is_dead": ".runner",
        "payload_given": ".sources",
        "payload_key": ".sources",
        "read_payload": ".sources",
        "retry_job": ".build",
        "settings_from_json": ".codec",
        "settings_to_json": ".codec",
        "submit_source": ".build",
        "text_payload": ".sources",
    },
)
