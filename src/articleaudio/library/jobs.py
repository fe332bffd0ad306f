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

The runner talks to a :class:`JobStore`, a small protocol; :class:`SqliteJobStore`
keeps the jobs in the library's catalogue (``articleaudio.sqlite``, table ``jobs``,
schema in :mod:`articleaudio.library.store`). Every change is one short transaction
whose ``WHERE state = ...`` is the transition's guard, so two runners never both
claim a job, and a queued or running job with the same key is one job (a partial
unique index).
"""

from __future__ import annotations

import enum
import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from ..errors import JobError, JobNotFoundError
from .publish import require_library
from .store import catalogue_connection, memory_connection


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
    """Where jobs are kept; the runner needs nothing else (SQLite now, PostgreSQL later)."""

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


_COLUMNS = (
    "id, kind, source, settings, key, requested_by, state, attempts, created, started, "
    "finished, not_before, error, slug, owner"
)


class SqliteJobStore:
    """A :class:`JobStore` in a catalogue connection (the library's, or one in memory)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def add(self, job: Job) -> Job:
        with self._db:
            same = self._active(job.key)
            if same is not None:
                return same
            try:
                self._insert(job, "INSERT")
            except sqlite3.IntegrityError:
                # Another process queued the same key between the look and the insert.
                found = self._active(job.key)
                if found is None:
                    raise
                return found
        return job

    def put(self, job: Job) -> None:
        # An upsert on the id alone: another job holding the same active key still
        # conflicts (OR REPLACE would delete that job to make room).
        names = [c.strip() for c in _COLUMNS.split(",")]
        updates = ", ".join(f"{c} = excluded.{c}" for c in names if c != "id")
        with self._db:
            self._insert(job, "INSERT", f"ON CONFLICT(id) DO UPDATE SET {updates}")

    def get(self, job_id: str) -> Job:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise JobNotFoundError(
                f"no job {job_id} in this library; 'articleaudio jobs -o LIBRARY' lists them"
            )
        return _row_to_job(row)

    def jobs(self, state: JobState | None = None) -> list[Job]:
        where, args = ("WHERE state = ?", (state.value,)) if state else ("", ())
        query = f"SELECT {_COLUMNS} FROM jobs {where} ORDER BY created, id"
        return [_row_to_job(row) for row in self._db.execute(query, args)]

    def claim(self, job_id: str, owner: str) -> Job | None:
        changed = self._move(
            job_id,
            (JobState.QUEUED,),
            "state = 'running', attempts = attempts + 1, owner = ?, started = ?, finished = NULL",
            (owner, _iso(utc_now())),
        )
        return self.get(job_id) if changed else None

    def finish(self, job_id: str, slug: str) -> Job:
        sets = "state = 'done', slug = ?, error = NULL, owner = NULL, finished = ?"
        return self._must_move(job_id, (JobState.RUNNING,), sets, (slug, _iso(utc_now())))

    def fail(self, job_id: str, error: str) -> Job:
        sets = "state = 'failed', error = ?, owner = NULL, finished = ?"
        return self._must_move(job_id, ACTIVE_STATES, sets, (error, _iso(utc_now())))

    def requeue(
        self, job_id: str, owner: str, error: str | None, not_before: datetime | None
    ) -> Job:
        # The owner is part of the guard: a runner recovering a dead one's job must not
        # take back the job a live runner has claimed since.
        sets = "state = 'queued', error = ?, owner = NULL, not_before = ?"
        args = (error, _iso(not_before))
        return self._must_move(job_id, (JobState.RUNNING,), sets, args, owner=owner)

    def retry(self, job_id: str) -> Job:
        sets = "state = 'queued', attempts = 0, finished = NULL, not_before = NULL"
        return self._must_move(job_id, (JobState.FAILED,), sets, ())

    def _active(self, key: str) -> Job | None:
        marks = ",".join("?" * len(ACTIVE_STATES))
        query = f"SELECT {_COLUMNS} FROM jobs WHERE key = ? AND state IN ({marks})"
        row = self._db.execute(query, (key, *ACTIVE_STATES)).fetchone()
        return _row_to_job(row) if row else None

    def _insert(self, job: Job, verb: str, conflict: str = "") -> None:
        marks = ",".join("?" * len(_COLUMNS.split(",")))
        query = f"{verb} INTO jobs ({_COLUMNS}) VALUES ({marks}) {conflict}"
        self._db.execute(query, _job_to_row(job))

    def _move(
        self,
        job_id: str,
        states: Sequence[JobState],
        sets: str,
        args: tuple[Any, ...],
        owner: str | None = None,
    ) -> bool:
        """One transition in one statement: its ``WHERE`` is the guard."""
        marks = ",".join("?" * len(states))
        where = f"id = ? AND state IN ({marks})" + (" AND owner = ?" if owner else "")
        guard = (job_id, *states, *((owner,) if owner else ()))
        with self._db:
            cursor = self._db.execute(f"UPDATE jobs SET {sets} WHERE {where}", (*args, *guard))
        return cursor.rowcount == 1

    def _must_move(
        self,
        job_id: str,
        states: Sequence[JobState],
        sets: str,
        args: tuple[Any, ...],
        owner: str | None = None,
    ) -> Job:
        if not self._move(job_id, states, sets, args, owner):
            job = self.get(job_id)  # JobNotFoundError when there is none
            allowed = " or ".join(s.value for s in states)
            held = f" held by {owner}" if owner else ""
            raise JobError(f"job {job_id} is {job.state.value}, not {allowed}{held}")
        return self.get(job_id)


@contextmanager
def open_job_store(output_dir: Path, *, create: bool = True) -> Iterator[SqliteJobStore]:
    """The jobs of the library in ``output_dir`` (``create=False``: an existing library only,
    else :class:`~articleaudio.errors.LibraryNotFoundError`)."""
    if not create:
        require_library(output_dir)
    with catalogue_connection(output_dir, create=create) as db:
        yield SqliteJobStore(db)


def memory_job_store() -> SqliteJobStore:
    """Jobs kept in memory only: ``build`` holds its jobs here until it changes the library."""
    return SqliteJobStore(memory_connection())


def _iso(moment: datetime | None) -> str | None:
    # Always with microseconds, so the text sorts as the times do.
    return moment.isoformat(timespec="microseconds") if moment is not None else None


def _time(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _job_to_row(job: Job) -> tuple[Any, ...]:
    return (
        job.id,
        job.kind,
        json.dumps(job.source, ensure_ascii=False, sort_keys=True),
        json.dumps(job.settings, ensure_ascii=False, sort_keys=True),
        job.key,
        job.requested_by,
        job.state.value,
        job.attempts,
        _iso(job.created or utc_now()),
        _iso(job.started),
        _iso(job.finished),
        _iso(job.not_before),
        job.error,
        job.slug,
        job.owner,
    )


def _row_to_job(row: sqlite3.Row) -> Job:
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
