"""What a broker holds now (``articleaudio jobs --broker``): each priority's queue depth,
each worker's last heartbeat, and the jobs being built and by whom.

Read from the keys Dramatiq's Redis broker keeps (dramatiq/brokers/redis/dispatch.lua):
``NS:QUEUE``, a list of the waiting messages' ids; ``NS:QUEUE.DQ``, the same for
delayed messages (retries waiting out their backoff); ``NS:QUEUE.XQ``, a sorted set of
dead-lettered ids; ``NS:__heartbeats__``, a sorted set of worker ids scored by the time
(ms) of each worker's latest broker command. Every broker that sends a command is in
that set, senders too: a worker is told apart by its id, its owner ``host:pid``
(:func:`~articleaudio.jobs.broker.open_broker`), where a sender keeps Dramatiq's random
UUID, which has no colon. Which job is running, and whose it is,
comes from the library's job store: the broker only knows that a message was fetched.

The dead letters (:func:`dead_letters`) are the messages of ``NS:QUEUE.XQ``, their data
in the hash ``NS:QUEUE.XQ.msgs``, each encoded as Dramatiq encodes a message (its
``args`` hold the job's record): what ``jobs --state failed --broker`` lists.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast

from dramatiq import Message
from dramatiq.brokers.redis import RedisBroker
from dramatiq.common import dq_name, xq_name

from ..errors import JobNotFoundError
from ..library import Job, JobState, JobStore, open_job_store
from .broker import open_broker, reach
from .queues import PRIORITIES, BrokerSettings


@dataclass(frozen=True)
class QueueDepth:
    """The messages of one priority level the broker holds."""

    priority: str
    """The ``--priority`` level."""
    queue: str
    """Its Dramatiq queue."""
    queued: int
    """Waiting for a worker."""
    delayed: int
    """Retries waiting out their backoff, not yet taken by a worker."""
    dead: int
    """Dead-lettered by Dramatiq (its retries used up)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``jobs --broker --json`` prints."""
        return {"row": "queue", **self.__dict__}


@dataclass(frozen=True)
class WorkerBeat:
    """One worker process, as the broker's heartbeats know it."""

    owner: str
    """Its id, ``host:pid``: the ``owner`` of the jobs it runs."""
    last_heartbeat: datetime
    """Its latest broker command (UTC)."""
    age_s: float
    """Seconds since then."""
    alive: bool
    """Younger than the heartbeat timeout: not yet taken for dead."""
    building: str | None
    """The id of the job it is building, if any."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``jobs --broker --json`` prints."""
        beat = self.last_heartbeat.isoformat(timespec="milliseconds")
        return {"row": "worker", **self.__dict__, "last_heartbeat": beat}


@dataclass(frozen=True)
class BrokerStatus:
    """Queues, workers and running jobs at one moment."""

    queues: tuple[QueueDepth, ...]
    """One per priority level, highest first."""
    workers: tuple[WorkerBeat, ...]
    """Every worker with a heartbeat, most recent first (a dead one stays until the
    broker's maintenance clears it)."""
    running: tuple[Job, ...]
    """The library's running jobs, each with its ``owner``."""


def broker_status(library: Path, settings: BrokerSettings) -> BrokerStatus:
    """What the broker of ``settings`` and the library's store say now."""
    broker = open_broker(settings)
    try:
        reach(broker)
        with open_job_store(library, create=False) as store:
            running = tuple(store.jobs(JobState.RUNNING))
        queues = tuple(_depth(broker, name, level.queue) for name, level in PRIORITIES.items())
        workers = _beats(broker, settings, {job.owner: job.id for job in running if job.owner})
    finally:
        broker.close()
    return BrokerStatus(queues, workers, running)


def _depth(broker: RedisBroker, priority: str, queue: str) -> QueueDepth:
    key = f"{broker.namespace}:{queue}"
    client = broker.client
    return QueueDepth(
        priority,
        queue,
        queued=int(client.llen(key)),
        delayed=int(client.llen(f"{broker.namespace}:{dq_name(queue)}")),
        dead=int(client.zcard(f"{broker.namespace}:{xq_name(queue)}")),
    )


def _beats(
    broker: RedisBroker, settings: BrokerSettings, building: dict[str, str]
) -> tuple[WorkerBeat, ...]:
    now = time.time()
    key = f"{broker.namespace}:__heartbeats__"
    beats = cast(list[tuple[bytes, float]], broker.client.zrevrange(key, 0, -1, withscores=True))
    found = []
    for raw, score in beats:
        owner = raw.decode() if isinstance(raw, bytes) else str(raw)
        if ":" not in owner:
            continue  # a sender (build, watch, serve --api), not a worker
        age = max(now - float(score) / 1000, 0.0)
        found.append(
            WorkerBeat(
                owner,
                datetime.fromtimestamp(float(score) / 1000, UTC),
                round(age, 3),
                alive=age < settings.heartbeat_timeout_s,
                building=building.get(owner),
            )
        )
    return tuple(found)


@dataclass(frozen=True)
class DeadLetter:
    """A failed job whose message Dramatiq gave up (its dead-letter queue)."""

    job: Job
    """The job as the library's store has it, with its error line (else as its message
    carried it, when the store has no such job)."""
    priority: str
    """The ``--priority`` level it was sent at."""
    dead_since: datetime
    """When Dramatiq gave it up (UTC); dead letters are kept for 7 days."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``jobs --state failed --broker --json`` prints."""
        when = self.dead_since.isoformat(timespec="milliseconds")
        return {**self.job.to_dict(), "priority": self.priority, "dead_lettered": when}


def dead_letters(library: Path, settings: BrokerSettings) -> list[DeadLetter]:
    """The broker's dead letters whose jobs are failed (one retried since is not),
    oldest first."""
    broker = open_broker(settings)
    try:
        reach(broker)
        with open_job_store(library, create=False) as store:
            found = [
                letter
                for name, level in PRIORITIES.items()
                for letter in _letters(broker, store, name, level.queue)
                if letter.job.state is JobState.FAILED
            ]
    finally:
        broker.close()
    return sorted(found, key=lambda letter: letter.dead_since)


def _letters(broker: RedisBroker, store: JobStore, priority: str, queue: str) -> list[DeadLetter]:
    key = f"{broker.namespace}:{xq_name(queue)}"
    dead = cast(list[tuple[bytes, float]], broker.client.zrange(key, 0, -1, withscores=True))
    if not dead:
        return []
    data = cast(list[bytes | None], broker.client.hmget(f"{key}.msgs", [i for i, _ in dead]))
    letters = []
    for (_, score), message in zip(dead, data, strict=True):
        if message is None:
            continue  # expired between the two reads
        record = Message.decode(message).args[0]  # as Dramatiq encodes a message
        when = datetime.fromtimestamp(float(score) / 1000, UTC)
        letters.append(DeadLetter(_stored(store, record), priority, when))
    return letters


def _stored(store: JobStore, record: dict[str, Any]) -> Job:
    try:
        return store.get(str(record["id"]))
    except JobNotFoundError:
        return Job.from_record(record)
