"""The episode library: a SQLite catalogue at ``DIR/articleaudio.sqlite``.

One row per episode. The GUID is fixed when an article first enters the
library; rebuilding the same article (same slug, or same canonical URL) updates
its row in place and keeps it, and keeps the publish date too unless the article
now gives another (see :func:`publish_date`), so podcast apps never list a
rebuilt episode as new (RSS 2.0 ``guid``: "a string that uniquely
identifies the item"; Apple: "never change an episode's GUID").

The database runs in WAL mode so ``episodes`` can read while a build writes;
writers additionally hold the library lock (see :mod:`articleaudio.library.publish`).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..errors import PublishError
from ..layout import CATALOGUE_NAME
from ..models import Episode

SCHEMA_VERSION = 3
"""``PRAGMA user_version`` of the catalogue; bump with a row in :data:`_MIGRATIONS`."""
BUSY_TIMEOUT_S = 60.0
"""How long a connection waits for another process's write to finish."""
GUID_NAMESPACE = uuid.UUID("3f4d1f52-7c3a-5b7e-9d1e-6a0f0c4e8b21")
"""Fixed namespace for episode GUIDs, so a lost catalogue re-derives the same ones."""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS episodes (
    slug TEXT PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    url TEXT,
    title TEXT NOT NULL,
    published TEXT NOT NULL,
    updated TEXT NOT NULL,
    duration REAL NOT NULL,
    audio_bytes INTEGER NOT NULL,
    input_sha256 TEXT NOT NULL,
    file_sizes TEXT NOT NULL,
    episode TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS episodes_url ON episodes(url);
"""

_JOBS_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    settings TEXT NOT NULL,
    key TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts INTEGER NOT NULL,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT,
    not_before TEXT,
    error TEXT,
    slug TEXT,
    owner TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_active_key ON jobs(key)
    WHERE state IN ('queued', 'running');
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state, created);
"""
"""Version 2: the job queue (see :mod:`articleaudio.library.jobs`). The partial unique
index makes a queued or running job with the same key one job, whoever inserts it."""

_WATCH_SCHEMA = """
CREATE TABLE IF NOT EXISTS watch_items (
    source TEXT NOT NULL,
    item_id TEXT NOT NULL,
    url TEXT,
    content_hash TEXT,
    etag TEXT,
    last_modified TEXT,
    status TEXT NOT NULL,
    job_id TEXT,
    first_seen TEXT NOT NULL,
    checked TEXT NOT NULL,
    PRIMARY KEY (source, item_id)
);
CREATE INDEX IF NOT EXISTS watch_items_job ON watch_items(job_id);
CREATE TABLE IF NOT EXISTS watch_sources (
    source TEXT PRIMARY KEY,
    validators TEXT NOT NULL,
    status TEXT NOT NULL,
    polled TEXT NOT NULL
);
"""
"""Version 3: what ``watch`` has seen (see :mod:`articleaudio.library.watched`): each
item's last narrated version and its page's validators, and each source's validators."""

_MIGRATIONS: dict[int, str] = {2: _JOBS_SCHEMA, 3: _WATCH_SCHEMA}
"""Schema version → the script that brings the version before it there. Each script is
idempotent (``IF NOT EXISTS``), so a migration cut short by a crash runs again whole."""


@dataclass(frozen=True)
class Entry:
    """One episode as the library holds it."""

    guid: str
    """Item GUID, fixed at first publication."""
    published: datetime
    """The article's date, else its first build (UTC); the feed's ``pubDate``."""
    updated: datetime
    """Last rebuild (UTC)."""
    file_sizes: dict[str, int]
    """Purpose → size in bytes of each file, measured when catalogued."""
    episode: Episode
    """The episode record (``episode.json``)."""

    @property
    def slug(self) -> str:
        """The episode's folder name."""
        return self.episode.slug

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for ``articleaudio episodes --json``."""
        ep = self.episode
        return {
            "slug": ep.slug,
            "guid": self.guid,
            "title": ep.article.title,
            "url": ep.article.url,
            "published": self.published.isoformat(),
            "updated": self.updated.isoformat(),
            "duration": ep.audio.duration,
            "audio_bytes": self.file_sizes.get("audio", ep.audio.bytes),
            "input_sha256": ep.input_sha256,
            "files": dict(ep.files),
        }


@dataclass(frozen=True)
class Upserted:
    """What :meth:`Catalogue.upsert` did."""

    entry: Entry
    """The row as stored now."""
    created: bool
    """True when the article is new to the library."""
    replaced_slug: str | None
    """The old slug when the same URL came back under a new slug."""


def episode_guid(episode: Episode) -> str:
    """A GUID for an article entering the library: from its URL, else its slug."""
    key = episode.article.url or f"slug:{episode.slug}"
    return str(uuid.uuid5(GUID_NAMESPACE, key))


def publish_date(episode: Episode, old: Entry | None) -> datetime:
    """The item's ``pubDate``: the article's own date when it has one, else the first build's.

    Podcast apps order and label episodes by ``pubDate`` (RSS 2.0 ``pubDate``: "when
    the item was published"), so a batch must not share one build second and a 2019
    story must not appear as new. An undated article keeps its first build's date
    across rebuilds. A rebuild whose article carries a different date (a correction,
    or a date line added) takes it: the GUID stays, so apps re-sort the episode
    rather than list it again. A date after the build (a wrong time zone, an
    embargo) is held at the build time, as apps hide items dated in the future.
    """
    built = _utc(episode.built_at)
    if episode.article.published is not None:
        return min(_utc(episode.article.published), built)
    return old.published if old else built


class Catalogue:
    """An open catalogue; use :func:`open_catalogue`."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def get(self, slug: str) -> Entry | None:
        """The entry with this slug, if any."""
        row = self._db.execute("SELECT * FROM episodes WHERE slug = ?", (slug,)).fetchone()
        return _row_to_entry(row) if row else None

    def entries(self) -> list[Entry]:
        """Every entry, newest publication first (ties by slug, for stable output)."""
        rows = self._db.execute("SELECT * FROM episodes ORDER BY published DESC, slug ASC")
        return [_row_to_entry(row) for row in rows]

    def upsert(
        self,
        episode: Episode,
        file_sizes: dict[str, int],
        before_commit: Callable[[list[Entry]], object] | None = None,
    ) -> Upserted:
        """Add the episode, or update the same article in place keeping its GUID and date.

        ``before_commit`` gets every entry, the new one included, inside the
        transaction: writing the feed there means a crash leaves the catalogue and
        the feed apart only for the instant of the commit, and a failed feed write
        rolls the catalogue back.
        """
        with self._db:
            old = self._find_same_article(episode)
            now = _utc(episode.built_at)
            guid = old.guid if old else self._fresh_guid(episode)
            published = publish_date(episode, old)
            if old and old.slug != episode.slug:
                self._db.execute("DELETE FROM episodes WHERE slug = ?", (old.slug,))
            entry = Entry(guid, published, now, dict(file_sizes), episode)
            self._db.execute(
                "INSERT OR REPLACE INTO episodes VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                _entry_to_row(entry),
            )
            if before_commit is not None:
                before_commit(self.entries())
        replaced = old.slug if old and old.slug != episode.slug else None
        return Upserted(entry, old is None, replaced)

    def remove(self, slug: str) -> Entry | None:
        """Delete the entry with this slug; returns what was removed."""
        with self._db:
            old = self.get(slug)
            self._db.execute("DELETE FROM episodes WHERE slug = ?", (slug,))
        return old

    def _fresh_guid(self, episode: Episode) -> str:
        guid = episode_guid(episode)
        taken = self._db.execute("SELECT 1 FROM episodes WHERE guid = ?", (guid,)).fetchone()
        # Taken only when an entry's URL changed and a new article reuses the old URL.
        return str(uuid.uuid4()) if taken else guid

    def _find_same_article(self, episode: Episode) -> Entry | None:
        # The slug names the folder the build just replaced, so it wins over the URL.
        same = self.get(episode.slug)
        if same is None and episode.article.url:
            row = self._db.execute(
                "SELECT * FROM episodes WHERE url = ? ORDER BY published LIMIT 1",
                (episode.article.url,),
            ).fetchone()
            same = _row_to_entry(row) if row else None
        return same


@contextmanager
def open_catalogue(output_dir: Path, *, create: bool = True) -> Iterator[Catalogue]:
    """Open (and create or migrate) ``output_dir/articleaudio.sqlite``."""
    with catalogue_connection(output_dir, create=create) as db:
        yield Catalogue(db)


@contextmanager
def catalogue_connection(output_dir: Path, *, create: bool = True) -> Iterator[sqlite3.Connection]:
    """The catalogue's connection, migrated to :data:`SCHEMA_VERSION`; closed on leaving.

    ``create=False`` on a folder without a catalogue gives an empty one in memory,
    so readers list nothing rather than leave a file behind.
    """
    path = output_dir / CATALOGUE_NAME
    if not create and not path.exists():
        yield _empty_connection()
        return
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
    except (OSError, sqlite3.Error) as exc:
        raise PublishError(f"cannot open the catalogue {path}: {exc}; check -o") from exc
    try:
        _prepare(db, path)
        yield db
    except sqlite3.OperationalError as exc:
        raise PublishError(f"cannot update the catalogue {path}: {exc}") from exc
    except sqlite3.DatabaseError as exc:
        raise PublishError(
            f"the catalogue {path} is damaged ({exc}); move it aside and run "
            f"'articleaudio feed -o {output_dir}' to rebuild it from the episode folders"
        ) from exc
    finally:
        db.close()


def _prepare(db: sqlite3.Connection, path: Path) -> None:
    db.row_factory = sqlite3.Row
    # WAL: readers never block the writer and a crash mid-write leaves the last commit
    # intact (https://sqlite.org/wal.html). NORMAL sync is durable across app crashes.
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise PublishError(
            f"{path} was written by a newer articleaudio (schema {version}); upgrade articleaudio"
        )
    with db:
        _migrate(db, version)


def _migrate(db: sqlite3.Connection, version: int) -> None:
    """Bring a catalogue of schema ``version`` (0: a new file) to :data:`SCHEMA_VERSION`."""
    db.executescript(_SCHEMA)
    for target, script in sorted(_MIGRATIONS.items()):
        if version < target:
            db.executescript(script)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _empty_connection() -> sqlite3.Connection:
    db = sqlite3.connect(":memory:")
    db.row_factory = sqlite3.Row
    _migrate(db, 0)
    return db


def memory_connection() -> sqlite3.Connection:
    """A catalogue of the current schema in memory, for work not (yet) kept in a library."""
    return _empty_connection()


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _entry_to_row(entry: Entry) -> tuple[Any, ...]:
    ep = entry.episode
    return (
        ep.slug,
        entry.guid,
        ep.article.url,
        ep.article.title,
        entry.published.isoformat(),
        entry.updated.isoformat(),
        ep.audio.duration,
        entry.file_sizes.get("audio", ep.audio.bytes),
        ep.input_sha256,
        json.dumps(entry.file_sizes, sort_keys=True),
        json.dumps(ep.to_dict(), ensure_ascii=False, sort_keys=True),
    )


def _row_to_entry(row: sqlite3.Row) -> Entry:
    return Entry(
        guid=row["guid"],
        published=datetime.fromisoformat(row["published"]),
        updated=datetime.fromisoformat(row["updated"]),
        file_sizes=json.loads(row["file_sizes"]),
        episode=Episode.from_dict(json.loads(row["episode"])),
    )
