"""What ``watch`` has seen, kept in the library's catalogue so a restart resumes.

Two tables (schema in :mod:`articleaudio.library.database`): ``watch_items``, one row per
(source, item id) with the hash of the extracted text last queued for narration, the
page's ``ETag`` / ``Last-Modified`` and how the item last ended; and ``watch_sources``,
the validators of each source's feeds and sitemaps, saved only once every item they
listed has been handled, so a watch stopped in the middle of a poll reads the feed
again rather than taking its ``304`` for "nothing new".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine, RowMapping

from .database import watch_items, watch_sources
from .jobs import CatalogueJobStore, utc_now
from .store import catalogue_engine

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


class WatchLog:
    """The watch tables in a catalogue; the same catalogue serves the jobs."""

    def __init__(self, db: Engine) -> None:
        self._db = db
        self.jobs = CatalogueJobStore(db)
        """The library's jobs, in the same catalogue."""

    def item(self, source: str, item_id: str) -> SeenItem | None:
        """The item as last recorded, if ever."""
        c = watch_items.c
        query = sa.select(watch_items).where(c.source == source, c.item_id == item_id)
        with self._db.connect() as conn:
            row = conn.execute(query).mappings().first()
        return _row_to_item(row) if row else None

    def items(self, source: str | None = None) -> list[SeenItem]:
        """Every item recorded (of one source), in the order first seen."""
        c = watch_items.c
        query = sa.select(watch_items).order_by(c.first_seen, c.item_id)
        if source:
            query = query.where(c.source == source)
        with self._db.connect() as conn:
            return [_row_to_item(row) for row in conn.execute(query).mappings()]

    def record(self, item: SeenItem) -> SeenItem:
        """Store ``item``, keeping when it was first seen; ``checked`` is now."""
        now = utc_now()
        old = self.item(item.source, item.item_id)
        first = old.first_seen if old and old.first_seen else now
        row = {
            "source": item.source,
            "item_id": item.item_id,
            "url": item.url,
            "content_hash": item.content_hash,
            "etag": item.etag,
            "last_modified": item.last_modified,
            "status": item.status,
            "job_id": item.job_id,
            "first_seen": _iso(first),
            "checked": _iso(now),
        }
        c = watch_items.c
        with self._db.begin() as conn:
            conn.execute(
                sa.delete(watch_items).where(c.source == item.source, c.item_id == item.item_id)
            )
            conn.execute(sa.insert(watch_items).values(row))
        return self.item(item.source, item.item_id) or item

    def validators(self, source: str) -> dict[str, tuple[str | None, str | None]]:
        """URL → (ETag, Last-Modified) of the source's documents at its last whole poll."""
        found = self._source_column(source, watch_sources.c.validators)
        if found is None:
            return {}
        return {url: (pair[0], pair[1]) for url, pair in json.loads(found).items()}

    def save_source(
        self, source: str, validators: dict[str, tuple[str | None, str | None]], status: str
    ) -> None:
        """Remember a source's validators after a poll whose items were all handled."""
        data = json.dumps({url: list(pair) for url, pair in validators.items()}, sort_keys=True)
        row = {"source": source, "validators": data, "status": status, "polled": _iso(utc_now())}
        with self._db.begin() as conn:
            conn.execute(sa.delete(watch_sources).where(watch_sources.c.source == source))
            conn.execute(sa.insert(watch_sources).values(row))

    def source_status(self, source: str) -> str | None:
        """How the source's last whole poll ended (None: never polled whole)."""
        return self._source_column(source, watch_sources.c.status)

    def _source_column(self, source: str, column: sa.Column[str]) -> str | None:
        query = sa.select(column).where(watch_sources.c.source == source)
        with self._db.connect() as conn:
            found = conn.execute(query).scalar()
        return None if found is None else str(found)


@contextmanager
def open_watch_log(output_dir: Path) -> Iterator[WatchLog]:
    """The watch tables (and jobs) of the library in ``output_dir``, created if need be."""
    with catalogue_engine(output_dir) as db:
        yield WatchLog(db)


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="microseconds")


def _row_to_item(row: RowMapping) -> SeenItem:
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
