"""Jobs stage: every build asked of a library is a job, run by one runner.

``build`` makes its sources jobs and runs them here; ``watch`` and the web API
queue jobs in the library's catalogue for a long-running runner. The job record
and its store are in :mod:`articleaudio.library` (the catalogue's owner); this
stage runs them through :mod:`articleaudio.pipeline`, so it sits above it.

The names below are this stage's public face; its modules are private by convention.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .build import build_sources, retry_job, submit_source
    from .codec import settings_from_json, settings_to_json
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
    from .watch import (
        INTERVAL_S,
        Watcher,
        WatchEvent,
        WatchSettings,
        open_watcher,
        since_date,
    )

__all__ = [
    "BACKOFF_S",
    "INTERVAL_S",
    "MAX_ATTEMPTS",
    "ONCE",
    "PATIENT",
    "Ran",
    "RetryPolicy",
    "Runner",
    "WatchEvent",
    "WatchSettings",
    "Watcher",
    "article_key",
    "build_sources",
    "open_watcher",
    "owner_id",
    "owner_is_dead",
    "payload_given",
    "payload_key",
    "read_payload",
    "retry_job",
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
