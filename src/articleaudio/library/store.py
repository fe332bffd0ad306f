"""The episode library's catalogue: one row per episode.

The catalogue is the SQLite file ``DIR/articleaudio.sqlite`` unless the library names
a PostgreSQL database (:mod:`articleaudio.library.database`: tables, migrations, where
it lives); the code below is the same for both. The GUID is fixed when an article
first enters the library; rebuilding the same article (same slug, or same canonical
URL) updates its row in place and keeps it, and keeps the publish date too unless the
article now gives another (see :func:`publish_date`), so podcast apps never list a
rebuilt episode as new (RSS 2.0 ``guid``: "a string that uniquely identifies the
item"; Apple: "never change an episode's GUID").

Every method is one short transaction. SQLite runs in WAL mode so ``episodes`` can
read while a build writes; writers additionally hold the library's writers lock
(:func:`articleaudio.library.database.writers_lock`, taken in
:mod:`articleaudio.library.publish`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping

from ..errors import PublishError
from ..layout import CATALOGUE_NAME
from ..models import Episode
from .database import (
    SCHEMA_VERSION,
    catalogue_url,
    describe,
    episodes,
    in_use,
    is_embedded,
    memory_engine,
    migrate,
)

__all__ = ["SCHEMA_VERSION", "Catalogue", "Entry", "Upserted", "open_catalogue"]

GUID_NAMESPACE = uuid.UUID("3f4d1f52-7c3a-5b7e-9d1e-6a0f0c4e8b21")
"""Fixed namespace for episode GUIDs, so a lost catalogue re-derives the same ones."""


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

    def __init__(self, db: Engine) -> None:
        self._db = db

    def get(self, slug: str) -> Entry | None:
        """The entry with this slug, if any."""
        with self._db.connect() as conn:
            return _get(conn, slug)

    def entries(self) -> list[Entry]:
        """Every entry, newest publication first (ties by slug, for stable output)."""
        with self._db.connect() as conn:
            return _entries(conn)

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
        with self._db.begin() as conn:
            old = _find_same_article(conn, episode)
            now = _utc(episode.built_at)
            guid = old.guid if old else _fresh_guid(conn, episode)
            published = publish_date(episode, old)
            stale = {episode.slug} | ({old.slug} if old else set())
            conn.execute(sa.delete(episodes).where(episodes.c.slug.in_(stale)))
            entry = Entry(guid, published, now, dict(file_sizes), episode)
            conn.execute(sa.insert(episodes).values(_entry_to_row(entry)))
            if before_commit is not None:
                before_commit(_entries(conn))
        replaced = old.slug if old and old.slug != episode.slug else None
        return Upserted(entry, old is None, replaced)

    def remove(self, slug: str) -> Entry | None:
        """Delete the entry with this slug; returns what was removed."""
        with self._db.begin() as conn:
            old = _get(conn, slug)
            conn.execute(sa.delete(episodes).where(episodes.c.slug == slug))
        return old


def _get(conn: Connection, slug: str) -> Entry | None:
    row = conn.execute(sa.select(episodes).where(episodes.c.slug == slug)).mappings().first()
    return _row_to_entry(row) if row else None


def _entries(conn: Connection) -> list[Entry]:
    query = sa.select(episodes).order_by(episodes.c.published.desc(), episodes.c.slug.asc())
    return [_row_to_entry(row) for row in conn.execute(query).mappings()]


def _fresh_guid(conn: Connection, episode: Episode) -> str:
    guid = episode_guid(episode)
    taken = conn.execute(sa.select(episodes.c.slug).where(episodes.c.guid == guid)).first()
    # Taken only when an entry's URL changed and a new article reuses the old URL.
    return str(uuid.uuid4()) if taken else guid


def _find_same_article(conn: Connection, episode: Episode) -> Entry | None:
    # The slug names the folder the build just replaced, so it wins over the URL.
    same = _get(conn, episode.slug)
    if same is None and episode.article.url:
        query = (
            sa.select(episodes)
            .where(episodes.c.url == episode.article.url)
            .order_by(episodes.c.published)
            .limit(1)
        )
        row = conn.execute(query).mappings().first()
        same = _row_to_entry(row) if row else None
    return same


@contextmanager
def open_catalogue(output_dir: Path, *, create: bool = True) -> Iterator[Catalogue]:
    """Open (and create or migrate) the catalogue of the library in ``output_dir``."""
    with catalogue_engine(output_dir, create=create) as db:
        yield Catalogue(db)


def catalogue_name(output_dir: Path) -> str:
    """The catalogue as messages name it: its file, or its database URL without password."""
    if is_embedded(output_dir):
        return str(output_dir / CATALOGUE_NAME)
    return describe(catalogue_url(output_dir))


@contextmanager
def catalogue_engine(output_dir: Path, *, create: bool = True) -> Iterator[Engine]:
    """The catalogue's engine, migrated to :data:`SCHEMA_VERSION`.

    ``create=False`` on a folder without a catalogue file (and no catalogue
    database named) gives an empty one in memory, so readers list nothing rather
    than leave a file behind. Database errors inside become :class:`PublishError`.
    """
    embedded, name = is_embedded(output_dir), catalogue_name(output_dir)
    if embedded and not create and not (output_dir / CATALOGUE_NAME).exists():
        yield memory_engine()
        return
    try:
        if embedded:
            output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PublishError(f"cannot open the catalogue {name}: {exc}; check -o") from exc
    with in_use(catalogue_url(output_dir)) as db:
        _open(db, output_dir, name)
        try:
            yield db
        except sa.exc.OperationalError as exc:
            raise PublishError(f"cannot update the catalogue {name}: {_reason(exc)}") from exc
        except sa.exc.DatabaseError as exc:
            raise _damaged(output_dir, name, exc) from exc


def _open(db: Engine, output_dir: Path, name: str) -> None:
    """Connect and migrate; :class:`PublishError` saying what to check if that fails."""
    try:
        with db.begin() as conn:
            migrate(conn, name)
    except sa.exc.OperationalError as exc:
        hint = "check -o" if is_embedded(output_dir) else "check --catalogue and its server"
        raise PublishError(f"cannot open the catalogue {name}: {_reason(exc)}; {hint}") from exc
    except sa.exc.DatabaseError as exc:
        raise _damaged(output_dir, name, exc) from exc


def _reason(exc: BaseException) -> str:
    """The database's own words, without SQLAlchemy's statement dump."""
    orig = getattr(exc, "orig", None)
    text = str(orig if orig is not None else exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _damaged(output_dir: Path, name: str, exc: sa.exc.DatabaseError) -> PublishError:
    return PublishError(
        f"the catalogue {name} is damaged ({_reason(exc)}); move it aside and run "
        f"'articleaudio feed -o {output_dir}' to rebuild it from the episode folders"
    )


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0)


def _entry_to_row(entry: Entry) -> dict[str, Any]:
    ep = entry.episode
    return {
        "slug": ep.slug,
        "guid": entry.guid,
        "url": ep.article.url,
        "title": ep.article.title,
        "published": entry.published.isoformat(),
        "updated": entry.updated.isoformat(),
        "duration": ep.audio.duration,
        "audio_bytes": entry.file_sizes.get("audio", ep.audio.bytes),
        "input_sha256": ep.input_sha256,
        "file_sizes": json.dumps(entry.file_sizes, sort_keys=True),
        "episode": json.dumps(ep.to_dict(), ensure_ascii=False, sort_keys=True),
    }


def _row_to_entry(row: RowMapping) -> Entry:
    return Entry(
        guid=row["guid"],
        published=datetime.fromisoformat(row["published"]),
        updated=datetime.fromisoformat(row["updated"]),
        file_sizes=json.loads(row["file_sizes"]),
        episode=Episode.from_dict(json.loads(row["episode"])),
    )
