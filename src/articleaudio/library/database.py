"""Where a library's catalogue lives, its tables, and the lock its feed writers share.

By default the catalogue is the SQLite file ``DIR/articleaudio.sqlite`` next to the
episodes. A library shared by many machines (episode folders on NFS, EFS or SMB)
names a PostgreSQL database instead (``--catalogue postgresql://...``), because
SQLite must not be shared over a network file system (https://sqlite.org/useovernet.html).
Both go through one code path: the tables below in SQLAlchemy Core, and the
same statements for either database. What differs per database is data, in the
tables :data:`_ENGINE_OPTIONS`, :data:`_VERSIONS` and :data:`_LOCKS`: how
to connect, where the schema version is kept, and how feed writers and the swaps of
one episode's folder are serialised.

A process says once which catalogue a library folder uses (:func:`use_catalogue`,
called by the CLI); every reader and writer of that folder then finds it with
:func:`catalogue_url`.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Column, Float, Index, Integer, MetaData, Table, Text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import StaticPool
from sqlalchemy.schema import CreateIndex, CreateTable

from ..errors import ConfigError, PublishError
from ..layout import CATALOGUE_NAME, LOCK_TIMEOUT_S, library_lock

SCHEMA_VERSION = 4
"""The catalogue's schema version; bump it with a row in :data:`MIGRATIONS`."""
BUSY_TIMEOUT_S = 60.0
"""How long a SQLite connection waits for another process's write to finish."""
ENV_CATALOGUE = "ARTICLEAUDIO_CATALOGUE"
"""The environment variable the CLI reads when ``--catalogue`` is not given."""
DRIVERS = {"postgresql": "postgresql+psycopg", "postgres": "postgresql+psycopg", "sqlite": "sqlite"}
"""URL scheme a user writes → the SQLAlchemy driver that serves it."""


def lock_key(name: str) -> int:
    """A PostgreSQL advisory lock's 64-bit key for ``name`` (one library per database).

    >>> lock_key("articleaudio feed") == lock_key("articleaudio feed") != lock_key("x")
    True
    """
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


FEED_LOCK_KEY = lock_key("articleaudio feed")
"""The PostgreSQL advisory lock of a catalogue's feed writers."""
MIGRATION_LOCK_KEY = FEED_LOCK_KEY ^ 1
"""The PostgreSQL advisory lock held while a catalogue's tables are created."""

metadata = MetaData()

episodes = Table(
    "episodes",
    metadata,
    Column("slug", Text, primary_key=True),
    Column("guid", Text, nullable=False, unique=True),
    Column("url", Text),
    Column("title", Text, nullable=False),
    Column("published", Text, nullable=False),
    Column("updated", Text, nullable=False),
    Column("duration", Float, nullable=False),
    Column("audio_bytes", Integer, nullable=False),
    Column("input_sha256", Text, nullable=False),
    Column("file_sizes", Text, nullable=False),
    Column("episode", Text, nullable=False),
    Index("episodes_url", "url"),
)
"""Version 1: one row per episode (see :mod:`articleaudio.library.store`). Times are
ISO 8601 text, so they sort as the times do and old SQLite files keep their rows."""

_ACTIVE = sa.text("state IN ('queued', 'running')")
jobs = Table(
    "jobs",
    metadata,
    Column("id", Text, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("source", Text, nullable=False),
    Column("settings", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("requested_by", Text, nullable=False),
    Column("state", Text, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created", Text, nullable=False),
    Column("started", Text),
    Column("finished", Text),
    Column("not_before", Text),
    Column("error", Text),
    Column("slug", Text),
    Column("owner", Text),
    sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name="jobs_state_known"),
    # Partial: a queued or running job with the same key is one job, whoever inserts it.
    Index("jobs_active_key", "key", unique=True, sqlite_where=_ACTIVE, postgresql_where=_ACTIVE),
    Index("jobs_state", "state", "created"),
)
"""Version 2: the job queue (see :mod:`articleaudio.library.jobs`)."""

watch_items = Table(
    "watch_items",
    metadata,
    Column("source", Text, primary_key=True),
    Column("item_id", Text, primary_key=True),
    Column("url", Text),
    Column("content_hash", Text),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("status", Text, nullable=False),
    Column("job_id", Text),
    Column("first_seen", Text, nullable=False),
    Column("checked", Text, nullable=False),
    Index("watch_items_job", "job_id"),
)
watch_sources = Table(
    "watch_sources",
    metadata,
    Column("source", Text, primary_key=True),
    Column("validators", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("polled", Text, nullable=False),
)
"""Version 3: what ``watch`` has seen (see :mod:`articleaudio.library.watched`)."""

library_facts = Table(
    "library",
    metadata,
    Column("name", Text, primary_key=True),
    Column("value", Text, nullable=False),
)
"""Version 4: facts about the library itself, a row each: its ``id``, which names it to
a broker whatever path each machine mounts it at (see :func:`~articleaudio.library.library_id`)."""

MIGRATIONS: dict[int, tuple[Table, ...]] = {
    1: (episodes,),
    2: (jobs,),
    3: (watch_items, watch_sources),
    4: (library_facts,),
}
"""Schema version → the tables it added. Creating a table checks first, so a migration
cut short by a crash runs again whole, and a file of any older version opens."""

_bindings: dict[Path, str] = {}
_engines: dict[tuple[str, int], Engine] = {}
_engines_lock = threading.Lock()


def use_catalogue(output_dir: Path, url: str | None) -> None:
    """Keep the catalogue of the library in ``output_dir`` at ``url`` (None: its SQLite file).

    For this process; :class:`ConfigError` if the URL names no database articleaudio
    can keep a catalogue in.
    """
    key = output_dir.resolve()
    if url is None:
        _bindings.pop(key, None)
        return
    _bindings[key] = _driver_url(url).render_as_string(hide_password=False)


def bound_catalogue(output_dir: Path) -> str | None:
    """The database URL :func:`use_catalogue` bound to ``output_dir``, if any (to pass on)."""
    return _bindings.get(output_dir.resolve())


def catalogue_url(output_dir: Path) -> str:
    """The SQLAlchemy URL of the library's catalogue."""
    bound = _bindings.get(output_dir.resolve())
    if bound is not None:
        return bound
    # Built, not formatted: a folder name may hold "?" or "#", which a URL would cut.
    own = URL.create("sqlite", database=str(output_dir / CATALOGUE_NAME))
    return own.render_as_string(hide_password=False)


def is_embedded(output_dir: Path) -> bool:
    """True when the catalogue is the library's own SQLite file (the default)."""
    return output_dir.resolve() not in _bindings


def describe(url: str) -> str:
    """The URL as a user writes it (no driver, no password), for messages."""
    parsed = make_url(url)
    return parsed.set(drivername=parsed.get_backend_name()).render_as_string(hide_password=True)


def _driver_url(url: str) -> URL:
    try:
        parsed = make_url(url)
    except sa.exc.ArgumentError as exc:
        raise ConfigError(f"--catalogue {url!r} is not a database URL; {_CATALOGUE_HINT}") from exc
    driver = DRIVERS.get(parsed.drivername.split("+")[0])
    if driver is None:
        raise ConfigError(f"--catalogue {describe(url)}: unknown database; {_CATALOGUE_HINT}")
    return parsed.set(drivername=driver)


_CATALOGUE_HINT = "give postgresql://USER@HOST:PORT/DATABASE"


def engine(url: str) -> Engine:
    """The process's engine for ``url`` (one per process: pooled connections never cross a fork)."""
    key = (url, os.getpid())
    with _engines_lock:
        found = _engines.get(key)
        if found is None:
            found = _engines[key] = _create_engine(url)
        return found


@contextmanager
def in_use(url: str) -> Iterator[Engine]:
    """An engine for one open of the catalogue at ``url``.

    A SQLite file's engine lives as long as the open, as ``sqlite3.connect`` did, so
    no file stays open between the commands of a long-running process; a database
    server's is the process's shared pool (:func:`engine`).
    """
    if _SHARED_ENGINES[make_url(url).get_backend_name()]:
        yield engine(url)
        return
    made = _create_engine(url)
    try:
        yield made
    finally:
        made.dispose()


def _forget_engines_in_child() -> None:
    # A forked child (a synthesis worker) must not use, nor close, its parent's pooled
    # connections: closing them would end the parent's sessions on the shared sockets
    # (SQLAlchemy, "Using Connection Pools with Multiprocessing or os.fork()").
    global _engines_lock
    _engines_lock = threading.Lock()  # another thread may have held it at the fork
    for inherited in _engines.values():
        inherited.dispose(close=False)
    _engines.clear()


os.register_at_fork(after_in_child=_forget_engines_in_child)


def memory_engine() -> Engine:
    """A new, empty catalogue in memory, of the current schema."""
    made = _create_engine("sqlite://")
    with made.begin() as conn:
        migrate(conn)
    return made


def _create_engine(url: str) -> Engine:
    parsed = make_url(url)
    options = _ENGINE_OPTIONS[parsed.get_backend_name()]
    try:
        made = sa.create_engine(parsed, **options(parsed))
    except ModuleNotFoundError as exc:
        raise ConfigError(
            f"the catalogue {describe(url)} needs the {exc.name} package; "
            "install it with pip install 'articleaudio[distributed]'"
        ) from exc
    setup = _CONNECTION_SETUP.get(parsed.get_backend_name())
    if setup is not None:
        sa.event.listen(made, "connect", setup)
    return made


def _sqlite_options(url: URL) -> dict[str, Any]:
    if url.database in (None, "", ":memory:"):
        # One connection is the whole in-memory database, shared by whoever holds it.
        return {"poolclass": StaticPool, "connect_args": {"check_same_thread": False}}
    # Pooled for one open of the catalogue (see in_use): a connection per statement
    # would close the file each time, and the last close checkpoints the WAL.
    return {"pool_size": 2, "connect_args": {"timeout": BUSY_TIMEOUT_S}}


def _postgres_options(url: URL) -> dict[str, Any]:
    return {"pool_pre_ping": True, "pool_size": 2, "max_overflow": 4}


def _sqlite_setup(dbapi_connection: Any, record: object) -> None:
    # WAL: readers never block the writer and a crash mid-write leaves the last commit
    # intact (https://sqlite.org/wal.html). NORMAL sync is durable across app crashes.
    dbapi_connection.execute("PRAGMA journal_mode=WAL")
    dbapi_connection.execute("PRAGMA synchronous=NORMAL")


_ENGINE_OPTIONS: dict[str, Callable[[URL], dict[str, Any]]] = {
    "sqlite": _sqlite_options,
    "postgresql": _postgres_options,
}
_CONNECTION_SETUP: dict[str, Callable[[Any, object], None]] = {"sqlite": _sqlite_setup}
_SHARED_ENGINES = {"sqlite": False, "postgresql": True}
"""Whether one engine (and its pool) serves every open of a catalogue in the process."""


@dataclass(frozen=True)
class _VersionStore:
    """Where a database keeps the catalogue's schema version."""

    read: Callable[[Connection], int]
    write: Callable[[Connection, int], None]
    serialise: Callable[[Connection], None]
    """Make concurrent first opens of one catalogue migrate one after the other."""


_version_table = Table("articleaudio_schema", MetaData(), Column("version", Integer))


def _table_version(conn: Connection) -> int:
    if not sa.inspect(conn).has_table(_version_table.name):
        return 0
    return int(conn.execute(sa.select(sa.func.max(_version_table.c.version))).scalar() or 0)


def _write_table_version(conn: Connection, version: int) -> None:
    _create(conn, _version_table)
    conn.execute(sa.delete(_version_table))
    conn.execute(sa.insert(_version_table).values(version=version))


def _pragma_version(conn: Connection) -> int:
    return int(conn.exec_driver_sql("PRAGMA user_version").scalar() or 0)


def _write_pragma_version(conn: Connection, version: int) -> None:
    conn.exec_driver_sql(f"PRAGMA user_version = {int(version)}")


def _nothing(conn: Connection) -> None:
    # SQLite takes its write lock for each schema change, and IF NOT EXISTS re-checks
    # under it, so concurrent migrations of one file cannot collide.
    pass


def _migration_lock(conn: Connection) -> None:
    # Two PostgreSQL sessions creating one table at once can both pass IF NOT EXISTS
    # and collide in the system catalogue; the second waits here until the first
    # commits. A transaction lock: it ends with the migration's transaction.
    conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK_KEY)))


_VERSIONS = {
    # SQLite files of every earlier articleaudio keep it in the header's user_version.
    "sqlite": _VersionStore(_pragma_version, _write_pragma_version, _nothing),
    "postgresql": _VersionStore(_table_version, _write_table_version, _migration_lock),
}


def _create(conn: Connection, table: Table) -> None:
    """Create ``table`` and its indexes unless they exist (idempotent, race-free)."""
    conn.execute(CreateTable(table, if_not_exists=True))
    for index in sorted(table.indexes, key=lambda i: str(i.name)):
        conn.execute(CreateIndex(index, if_not_exists=True))


def migrate(conn: Connection, where: str = "the catalogue") -> None:
    """Bring the catalogue to :data:`SCHEMA_VERSION`; refuse one a newer articleaudio wrote."""
    versions = _VERSIONS[conn.dialect.name]
    version = versions.read(conn)
    if version > SCHEMA_VERSION:
        raise PublishError(
            f"{where} was written by a newer articleaudio (schema {version}); upgrade articleaudio"
        )
    if version == SCHEMA_VERSION:
        return
    versions.serialise(conn)
    for _target, tables in sorted(MIGRATIONS.items()):
        # Every table is created if missing (not only those after ``version``): a
        # migration cut short by a crash, or an empty file, ends with all of them.
        for table in tables:
            _create(conn, table)
    versions.write(conn, SCHEMA_VERSION)


def _advisory_lock(output_dir: Path, url: str, key: int, what: str) -> Iterator[None]:
    # A session lock on a connection of its own: held across the catalogue's short
    # transactions, and released by the server if this process dies holding it.
    with engine(url).connect() as conn:
        conn.exec_driver_sql(f"SET lock_timeout = '{int(LOCK_TIMEOUT_S)}s'")
        try:
            conn.execute(sa.select(sa.func.pg_advisory_lock(key)))
        except sa.exc.OperationalError as exc:
            raise PublishError(
                f"another articleaudio process has held {what} of {describe(url)} "
                f"for {LOCK_TIMEOUT_S:.0f} s; wait for it to finish and try again"
            ) from exc
        conn.commit()
        try:
            yield
        finally:
            conn.execute(sa.select(sa.func.pg_advisory_unlock(key)))
            conn.commit()


def _file_lock(output_dir: Path, url: str, key: int, what: str) -> Iterator[None]:
    # One lock file for the whole library: a SQLite catalogue is on one machine, where
    # flock holds, and its writers are few.
    with library_lock(output_dir):
        yield


_LOCKS: dict[str, Callable[[Path, str, int, str], Iterator[None]]] = {
    "sqlite": _file_lock,
    "postgresql": _advisory_lock,
}
"""How each database's catalogue serialises a library's writers (the key names what is
locked: the feed, or one episode's folder)."""


def _locked(output_dir: Path, key: int, what: str) -> Iterator[None]:
    url = catalogue_url(output_dir)
    yield from _LOCKS[make_url(url).get_backend_name()](output_dir, url, key, what)


@contextmanager
def writers_lock(output_dir: Path) -> Iterator[None]:
    """Serialise the library's catalogue-and-feed writers, across processes and machines.

    The lock is held in the catalogue's own database: a PostgreSQL advisory lock for a
    PostgreSQL catalogue (file locks on a network folder do not hold between
    machines), the library's lock file for the embedded SQLite one. Hold it for one
    catalogue change and the feed write that follows, never longer.
    """
    yield from _locked(output_dir, FEED_LOCK_KEY, "the feed lock")


@contextmanager
def episode_lock(output_dir: Path, slug: str) -> Iterator[None]:
    """Serialise the swaps of one episode's folder (two builds of one slug), across
    processes and machines: the episode's own advisory lock with a PostgreSQL
    catalogue, the library's lock file with the embedded SQLite one.

    flock on a shared folder is not to be trusted between machines: an NFS mount with
    ``nolock`` or ``local_lock=flock``, or an SMB client that keeps it local, lets
    two machines hold it at once. Hold it for the folder swap only.
    """
    yield from _locked(output_dir, lock_key(f"articleaudio episode {slug}"), f"the lock of {slug}")
