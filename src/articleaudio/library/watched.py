"""What ``watch`` has seen, kept in the library's catalogue so a restart resumes.

Two tables (schema in :mod:`articleaudio.library.store`): ``watch_items``, one row per
(source, item id) with the hash of the extracted text last queued for narration, the
page's ``ETag`` / ``Last-Modified`` and how the item last ended; and ``watch_sources``,
the validators of each source's feeds and sitemaps, saved only once every item they
listed has been handled, so a watch stopped in the middle of a poll reads the feed
again rather than taking its ``304`` for "nothing new".
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from .jobs import SqliteJobStore, utc_now
from .store import catalogue_connection

WATCH_QUEUED = "queued"
"""The status of an item whose job has not finished yet."""


@dataclass(frozen=True)
class SeenItem:
    """One item of one source, as the watch last left it."""

    source: str
    """The source (feed or sitemap URL or path) as the watch was given it."""
    item_id: str
    """The item's id in the listing (GUID, Atom id, sitemap loc)."""
    url: str | None = None
    """The article page."""
    content_hash: str | None = None
    """sha256 of the extracted text last queued for narration (None: never queued)."""
    etag: str | None = None
    """The page's ``ETag`` when that text was read."""
    last_modified: str | None = None
    """The page's ``Last-Modified`` when that text was read."""
    status: str = WATCH_QUEUED
    """``queued``, ``built``, ``unchanged``, ``skipped: REASON`` or ``failed: ERROR``."""
    job_id: str | None = None
    """The job that narrates (or narrated) :attr:`content_hash`."""
    first_seen: datetime | None = None
    checked: datetime | None = None
    """When the watch last looked at it."""


_ITEM_COLUMNS = (
    "source, item_id, url, content_hash, etag, last_modified, status, job_id, first_seen, checked"
)


class WatchLog:
    """The watch tables in a catalogue connection; the same connection serves the jobs."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection
        self.jobs = SqliteJobStore(connection)
        """The library's jobs, through the same connection."""

    def item(self, source: str, item_id: str) -> SeenItem | None:
        """The item as last recorded, if ever."""
        row = self._db.execute(
            f"SELECT {_ITEM_COLUMNS} FROM watch_items WHERE source = ? AND item_id = ?",
            (source, item_id),
        ).fetchone()
        return _row_to_item(row) if row else None

    def items(self, source: str | None = None) -> list[SeenItem]:
        """Every item recorded (of one source), in the order first seen."""
        where, args = ("WHERE source = ?", (source,)) if source else ("", ())
        query = f"SELECT {_ITEM_COLUMNS} FROM watch_items {where} ORDER BY first_seen, item_id"
        return [_row_to_item(row) for row in self._db.execute(query, args)]

    def record(self, item: SeenItem) -> SeenItem:
        """Store ``item``, keeping when it was first seen; ``checked`` is now."""
        now = utc_now()
        old = self.item(item.source, item.item_id)
        first = old.first_seen if old and old.first_seen else now
        marks = ",".join("?" * 10)
        row = (
            item.source,
            item.item_id,
            item.url,
            item.content_hash,
            item.etag,
            item.last_modified,
            item.status,
            item.job_id,
            _iso(first),
            _iso(now),
        )
        with self._db:
            self._db.execute(f"INSERT OR REPLACE INTO watch_items VALUES ({marks})", row)
        return self.item(item.source, item.item_id) or item

    def validators(self, source: str) -> dict[str, tuple[str | None, str | None]]:
        """URL → (ETag, Last-Modified) of the source's documents at its last whole poll."""
        row = self._db.execute(
            "SELECT validators FROM watch_sources WHERE source = ?", (source,)
        ).fetchone()
        if row is None:
            return {}
        return {url: (pair[0], pair[1]) for url, pair in json.loads(row["validators"]).items()}

    def save_source(
        self, source: str, validators: dict[str, tuple[str | None, str | None]], status: str
    ) -> None:
        """Remember a source's validators after a poll whose items were all handled."""
        data = json.dumps({url: list(pair) for url, pair in validators.items()}, sort_keys=True)
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO watch_sources VALUES (?, ?, ?, ?)",
                (source, data, status, _iso(utc_now())),
            )

    def source_status(self, source: str) -> str | None:
        """How the source's last whole poll ended (None: never polled whole)."""
        row = self._db.execute(
            "SELECT status FROM watch_sources WHERE source = ?", (source,)
        ).fetchone()
        return str(row["status"]) if row else None


@contextmanager
def open_watch_log(output_dir: Path) -> Iterator[WatchLog]:
    """The watch tables (and jobs) of the library in ``output_dir``, created if need be."""
    with catalogue_connection(output_dir) as db:
        yield WatchLog(db)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _row_to_item(row: sqlite3.Row) -> SeenItem:
    return SeenItem(
        source=row["source"],
        item_id=row["item_id"],
        url=row["url"],
        content_hash=row["content_hash"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        status=row["status"],
        job_id=row["job_id"],
        first_seen=datetime.fromisoformat(row["first_seen"]),
        checked=datetime.fromisoformat(row["checked"]),
    )
