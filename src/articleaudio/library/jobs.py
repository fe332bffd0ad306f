"""Jobs: one record for every piece of work asked of a library, and where they are kept.

``build``, ``watch`` and the API all ask for the same thing, an article narrated into a
library, so they all make a :class:`Job` and hand it to one runner
(:mod:`articleaudio.jobs`). A job carries everything a worker needs: the source as a
self-contained payload (a URL, or the text read with its kind) and the build settings
as JSON, never a path only the caller has, so a later runner on another machine
(issue 17) can take it as it is.

A job's life::

    queued ──claim──▶ running ──▶ done
       ▲                 │ └────▶ failed ──retry──▶ queued
       └──requeue────────┘ (a transient error, or its runner died)

The runner talks to a :class:`JobStore`, a small protocol; :class:`CatalogueJobStore`
keeps the jobs in the library's catalogue (table ``jobs`` of ``articleaudio.sqlite``
or of the library's PostgreSQL database, schema in :mod:`articleaudio.library.database`).
Every change is one short transaction
whose ``WHERE state = ...`` is the transition's guard, so two runners never both
claim a job, and a queued or running job with the same key is one job (a partial
unique index).
"""

from __future__ import annotations

import enum
import functools
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, RowMapping

from ..errors import JobError, JobNotFoundError
from .database import jobs as jobs_table
from .database import library_facts, memory_engine
from .publish import require_library
from .store import catalogue_engine


class JobState(enum.StrEnum):
    """Where a job is in its life (see the module docstring)."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


ACTIVE_STATES = (JobState.QUEUED, JobState.RUNNING)
"""States in which a key names one job only."""


@dataclass(frozen=True)
class Job:
    """One piece of work asked of a library; JSON as it is (:meth:`to_record`)."""

    id: str
    """A random hex id (uuid4), stable for the job's life."""
    source: dict[str, Any]
    """What to read: ``{"url": ...}``, or ``{"location", "kind", "text"}`` already read."""
    settings: dict[str, Any]
    """The build settings as JSON (see :mod:`articleaudio.jobs`)."""
    key: str
    """Idempotency key: a queued or running job with the same key is this job."""
    requested_by: str
    """Who asked: ``cli``, ``watch:<source>``, ``api:<token name>``."""
    kind: str = "build"
    """What to do with the source; ``build`` is the only kind so far."""
    state: JobState = JobState.QUEUED
    attempts: int = 0
    """How many times a runner has started it."""
    created: datetime | None = None
    started: datetime | None = None
    """When the latest attempt started (UTC)."""
    finished: datetime | None = None
    not_before: datetime | None = None
    """A queued job waiting out its backoff is not started before this (UTC)."""
    error: str | None = None
    """The one ``Error:`` line of the latest failure (without ``Error: ``)."""
    slug: str | None = None
    """The episode's slug, once built."""
    owner: str | None = None
    """``host:pid`` of the runner holding it while running."""

    @property
    def location(self) -> str:
        """The source as a person named it: its URL or file path (``-``: stdin)."""
        return str(self.source.get("url") or self.source.get("location") or "?")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready summary for ``articleaudio jobs --json``: the source by its name."""
        summary = self.to_record()
        del summary["settings"]
        return {**summary, "source": self.location}

    def to_record(self) -> dict[str, Any]:
        """The whole job as JSON values, payload and settings included (a broker's message)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state.value,
            "source": self.source,
            "settings": self.settings,
            "key": self.key,
            "requested_by": self.requested_by,
            "attempts": self.attempts,
            "created": _iso(self.created),
            "started": _iso(self.started),
            "finished": _iso(self.finished),
            "not_before": _iso(self.not_before),
            "error": self.error,
            "slug": self.slug,
            "owner": self.owner,
        }

    @classmethod
    def from_record(cls, data: dict[str, Any]) -> Job:
        """The job :meth:`to_record` gave."""
        times = ("created", "started", "finished", "not_before")
        values = {**data, "state": JobState(data["state"])}
        return cls(**{**values, **{name: _time(data.get(name)) for name in times}})


def new_job(source: dict[str, Any], settings: dict[str, Any], key: str, requested_by: str) -> Job:
    """A queued job created now, with a fresh id."""
    return Job(uuid.uuid4().hex, source, settings, key, requested_by, created=utc_now())


def utc_now() -> datetime:
    """The current time in UTC (microseconds kept: jobs created together stay in order)."""
    return datetime.now(UTC)


class JobStore(Protocol):
    """Where jobs are kept; the runner needs nothing else."""

    def add(self, job: Job) -> Job:
        """Queue ``job``, or return the queued or running job that has its key."""

    def put(self, job: Job) -> None:
        """Store ``job`` exactly as it is (moving jobs between stores)."""

    def get(self, job_id: str) -> Job:
        """The job with this id; :class:`JobNotFoundError` if none."""

    def jobs(self, state: JobState | None = None) -> list[Job]:
        """Every job (or those in ``state``), oldest first."""

    def claim(self, job_id: str, owner: str) -> Job | None:
        """queued → running for ``owner`` (attempts + 1); None if it was not queued."""

    def finish(self, job_id: str, slug: str) -> Job:
        """running → done, with the episode's slug."""

    def fail(self, job_id: str, error: str) -> Job:
        """running (or queued) → failed, with its error line."""

    def requeue(
        self, job_id: str, owner: str, error: str | None, not_before: datetime | None
    ) -> Job:
        """running (held by ``owner``) → queued, to start again no sooner than ``not_before``."""

    def retry(self, job_id: str) -> Job:
        """failed → queued with its attempts counted afresh; :class:`JobError` otherwise."""


class CatalogueJobStore:
    """A :class:`JobStore` in a catalogue (the library's SQLite or PostgreSQL one, or in memory)."""

    def __init__(self, db: Engine) -> None:
        self._db = db

    def add(self, job: Job) -> Job:
        try:
            with self._db.begin() as conn:
                same = _active(conn, job.key)
                if same is not None:
                    return same
                conn.execute(_INSERT, _job_to_row(job))
        except sa.exc.IntegrityError:
            # Another process queued the same key between the look and the insert.
            with self._db.connect() as conn:
                found = _active(conn, job.key)
            if found is None:
                raise
            return found
        return job

    def put(self, job: Job) -> None:
        # By id alone: another job holding the same active key still conflicts (a
        # delete-and-insert would have to remove that job to make room).
        row = _job_to_row(job)
        sets = {name: value for name, value in row.items() if name != "id"}
        update, params = _transition(job.id, (), sets)
        try:
            with self._db.begin() as conn:
                if conn.execute(update, params).rowcount == 0:
                    conn.execute(_INSERT, row)
        except sa.exc.IntegrityError as exc:
            # The database driver's own IntegrityError, as the table's constraint raised it.
            raise exc.orig from exc  # type: ignore[misc]

    def get(self, job_id: str) -> Job:
        with self._db.connect() as conn:
            return _get(conn, job_id)

    def jobs(self, state: JobState | None = None) -> list[Job]:
        query, params = (_ALL, {}) if state is None else (_IN_STATE, {"in_state": state.value})
        with self._db.connect() as conn:
            return [_row_to_job(row) for row in conn.execute(query, params).mappings()]

    def claim(self, job_id: str, owner: str) -> Job | None:
        sets = {
            "state": JobState.RUNNING.value,
            "attempts": ONE_MORE,
            "owner": owner,
            "started": _iso(utc_now()),
            "finished": None,
        }
        changed = self._move(job_id, (JobState.QUEUED,), sets)
        return self.get(job_id) if changed else None

    def finish(self, job_id: str, slug: str) -> Job:
        sets = {"state": "done", "slug": slug, "error": None, "owner": None}
        return self._must_move(job_id, (JobState.RUNNING,), {**sets, "finished": _iso(utc_now())})

    def fail(self, job_id: str, error: str) -> Job:
        sets = {"state": "failed", "error": error, "owner": None, "finished": _iso(utc_now())}
        return self._must_move(job_id, ACTIVE_STATES, sets)

    def requeue(
        self, job_id: str, owner: str, error: str | None, not_before: datetime | None
    ) -> Job:
        # The owner is part of the guard: a runner recovering a dead one's job must not
        # take back the job a live runner has claimed since.
        sets = {"state": "queued", "error": error, "owner": None, "not_before": _iso(not_before)}
        return self._must_move(job_id, (JobState.RUNNING,), sets, owner=owner)

    def retry(self, job_id: str) -> Job:
        sets = {"state": "queued", "attempts": 0, "finished": None, "not_before": None}
        return self._must_move(job_id, (JobState.FAILED,), sets)

    def _move(
        self,
        job_id: str,
        states: Sequence[JobState],
        sets: dict[str, Any],
        owner: str | None = None,
    ) -> bool:
        """One transition in one statement: its ``WHERE`` is the guard."""
        update, params = _transition(job_id, states, sets, owner)
        with self._db.begin() as conn:
            return conn.execute(update, params).rowcount == 1

    def _must_move(
        self,
        job_id: str,
        states: Sequence[JobState],
        sets: dict[str, Any],
        owner: str | None = None,
    ) -> Job:
        if not self._move(job_id, states, sets, owner):
            job = self.get(job_id)  # JobNotFoundError when there is none
            allowed = " or ".join(s.value for s in states)
            held = f" held by {owner}" if owner else ""
            raise JobError(f"job {job_id} is {job.state.value}, not {allowed}{held}")
        return self.get(job_id)


SqliteJobStore = CatalogueJobStore
"""The name of :class:`CatalogueJobStore` before the catalogue could be PostgreSQL."""


ONE_MORE = "+1"
"""A transition's value for a counter it increments (``attempts``) in the same statement."""
_C = jobs_table.c
# Built once: the job store runs between every two steps of the runner, and making a
# statement costs more than SQLite takes to run it.
_INSERT = sa.insert(jobs_table)
_ALL = sa.select(jobs_table).order_by(_C.created, _C.id)
_IN_STATE = _ALL.where(_C.state == sa.bindparam("in_state"))
_BY_ID = sa.select(jobs_table).where(_C.id == sa.bindparam("job_id"))
_ACTIVE_BY_KEY = sa.select(jobs_table).where(
    _C.key == sa.bindparam("active_key"), _C.state.in_([s.value for s in ACTIVE_STATES])
)


def _transition(
    job_id: str, states: Sequence[JobState], sets: dict[str, Any], owner: str | None = None
) -> tuple[sa.Update, dict[str, Any]]:
    """The guarded ``UPDATE`` for ``sets`` and its parameters (the statement is made once)."""
    counted = tuple(name for name, value in sets.items() if value is ONE_MORE)
    columns = tuple(name for name in sets if name not in counted)
    update = _update(columns, counted, tuple(s.value for s in states), bool(owner))
    params = {f"set_{name}": sets[name] for name in columns}
    return update, {**params, "guard_id": job_id, "guard_owner": owner}


@functools.cache
def _update(
    columns: tuple[str, ...], counted: tuple[str, ...], states: tuple[str, ...], owned: bool
) -> sa.Update:
    guard = [_C.id == sa.bindparam("guard_id")]
    if states:
        guard.append(_C.state.in_(states))
    if owned:
        guard.append(_C.owner == sa.bindparam("guard_owner"))
    values: dict[str, Any] = {name: sa.bindparam(f"set_{name}") for name in columns}
    values.update({name: _C[name] + 1 for name in counted})
    return sa.update(jobs_table).where(*guard).values(values)


def _get(conn: Connection, job_id: str) -> Job:
    row = conn.execute(_BY_ID, {"job_id": job_id}).mappings().first()
    if row is None:
        raise JobNotFoundError(
            f"no job {job_id} in this library; 'articleaudio jobs -o LIBRARY' lists them"
        )
    return _row_to_job(row)


def _active(conn: Connection, key: str) -> Job | None:
    row = conn.execute(_ACTIVE_BY_KEY, {"active_key": key}).mappings().first()
    return _row_to_job(row) if row else None


@contextmanager
def open_job_store(output_dir: Path, *, create: bool = True) -> Iterator[CatalogueJobStore]:
    """The jobs of the library in ``output_dir`` (``create=False``: an existing library only,
    else :class:`~articleaudio.errors.LibraryNotFoundError`)."""
    if not create:
        require_library(output_dir)
    with catalogue_engine(output_dir, create=create) as db:
        yield CatalogueJobStore(db)


_ID_ROW = sa.select(library_facts.c.value).where(library_facts.c.name == "id")


def library_id(output_dir: Path) -> str:
    """The library's own id: a random hex made at its first use and kept in its
    catalogue, so every machine names the library alike whatever path it mounts it at
    (a broker's per-library limit is keyed by it)."""
    with catalogue_engine(output_dir) as db:
        with db.connect() as conn:
            found = conn.execute(_ID_ROW).scalar()
        if found is None:
            try:
                with db.begin() as conn:
                    conn.execute(sa.insert(library_facts).values(name="id", value=uuid.uuid4().hex))
            except sa.exc.IntegrityError:
                pass  # another process made it first: theirs is the id
            with db.connect() as conn:
                found = conn.execute(_ID_ROW).scalar_one()
    return str(found)


def memory_job_store() -> CatalogueJobStore:
    """Jobs kept in memory only: ``build`` holds its jobs here until it changes the library."""
    return CatalogueJobStore(memory_engine())


def _iso(moment: datetime | None) -> str | None:
    # Always with microseconds, so the text sorts as the times do.
    return moment.isoformat(timespec="microseconds") if moment is not None else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _job_to_row(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "source": json.dumps(job.source, ensure_ascii=False, sort_keys=True),
        "settings": json.dumps(job.settings, ensure_ascii=False, sort_keys=True),
        "key": job.key,
        "requested_by": job.requested_by,
        "state": job.state.value,
        "attempts": job.attempts,
        "created": _iso(job.created or utc_now()),
        "started": _iso(job.started),
        "finished": _iso(job.finished),
        "not_before": _iso(job.not_before),
        "error": job.error,
        "slug": job.slug,
        "owner": job.owner,
    }


def _row_to_job(row: RowMapping) -> Job:
    return Job(
        id=row["id"],
        kind=row["kind"],
        source=json.loads(row["source"]),
        settings=json.loads(row["settings"]),
        key=row["key"],
        requested_by=row["requested_by"],
        state=JobState(row["state"]),
        attempts=row["attempts"],
        created=_time(row["created"]),
        started=_time(row["started"]),
        finished=_time(row["finished"]),
        not_before=_time(row["not_before"]),
        error=row["error"],
        slug=row["slug"],
        owner=row["owner"],
    )
