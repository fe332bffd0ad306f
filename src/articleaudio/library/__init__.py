"""Library stage: episode folders, the catalogue, the feed and where a library keeps its settings.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .database import ENV_CATALOGUE, bound_catalogue, use_catalogue
    from .jobs import (
        CatalogueJobStore,
        Job,
        JobState,
        JobStore,
        SqliteJobStore,
        library_id,
        memory_job_store,
        new_job,
        open_job_store,
        utc_now,
    )
    from .publish import (
        feed_entries,
        is_listed,
        list_episodes,
        publish_episode,
        regenerate_feed,
        unpublish,
        validate,
    )
    from .settings import given_config, library_config, placeholders, resolve
    from .store import Entry, open_catalogue
    from .watched import WATCH_QUEUED, SeenItem, WatchLog, open_watch_log
    from .write import (
        BuildStatus,
        Built,
        Encoded,
        build_key,
        free_slug,
        previous_gain,
        reusable_episode,
        write_episode,
    )

__all__ = [
    "ENV_CATALOGUE",
    "WATCH_QUEUED",
    "BuildStatus",
    "Built",
    "CatalogueJobStore",
    "Encoded",
    "Entry",
    "Job",
    "JobState",
    "JobStore",
    "SeenItem",
    "SqliteJobStore",
    "WatchLog",
    "bound_catalogue",
    "build_key",
    "feed_entries",
    "free_slug",
    "given_config",
    "is_listed",
    "library_config",
    "library_id",
    "list_episodes",
    "memory_job_store",
    "new_job",
    "open_catalogue",
    "open_job_store",
    "open_watch_log",
    "placeholders",
    "previous_gain",
    "publish_episode",
    "regenerate_feed",
    "resolve",
    "reusable_episode",
    "unpublish",
    "use_catalogue",
    "utc_now",
    "validate",
    "write_episode",
]

__getattr__ = exports(
    __name__,
    {
        "BuildStatus": ".write",
        "Encoded": ".write",
        "Built": ".write",
        "build_key": ".write",
        "Job": ".jobs",
        "JobState": ".jobs",
        "JobStore": ".jobs",
        "SeenItem": ".watched",
        "WATCH_QUEUED": ".watched",
        "CatalogueJobStore": ".jobs",
        "SqliteJobStore": ".jobs",
        "WatchLog": ".watched",
        "feed_entries": ".publish",
        "given_config": ".settings",
        "is_listed": ".publish",
        "library_config": ".settings",
        "list_episodes": ".publish",
        "memory_job_store": ".jobs",
        "library_id": ".jobs",
        "open_catalogue": ".store",
        "Entry": ".store",
        "new_job": ".jobs",
        "open_job_store": ".jobs",
        "open_watch_log": ".watched",
        "placeholders": ".settings",
        "free_slug": ".write",
        "previous_gain": ".write",
        "publish_episode": ".publish",
        "regenerate_feed": ".publish",
        "resolve": ".settings",
        "reusable_episode": ".write",
        "unpublish": ".publish",
        "use_catalogue": ".database",
        "bound_catalogue": ".database",
        "ENV_CATALOGUE": ".database",
        "utc_now": ".jobs",
        "validate": ".publish",
        "write_episode": ".write",
    },
)
