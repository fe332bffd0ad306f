"""Jobs on a task engine: Dramatiq with its Redis broker, when ``--broker URL`` is named.

The same :class:`~articleaudio.library.Job` the embedded runner builds travels whole in
one message (payload, build settings and id: nothing on the sender's disk), so any
``articleaudio worker`` on any machine can build it. The library's job store stays the
record of every job; the broker only carries them.

Delivery is Dramatiq's: a message is acknowledged after its job has run, so a worker
killed mid-job leaves it unacknowledged. The Redis broker keeps a heartbeat per worker
(``<namespace>:__heartbeats__``, refreshed by every broker command) and, in its
maintenance pass, puts back on the queue the unacknowledged messages of a worker whose
heartbeat is older than ``heartbeat_timeout`` (dramatiq/brokers/redis/dispatch.lua).
Maintenance runs on a random share of commands (``maintenance_chance`` per million),
so both are settings of the broker URL (:func:`broker_settings`).

A message delivered twice builds its job once: the job's state in the store decides
(done or failed: nothing to do; running under a live worker: that worker has it), and
a build that does run twice meets the episode lock and the unchanged-episode check of
:mod:`articleaudio.library` (one folder, one feed item).

Only this module, :mod:`articleaudio.jobs.worker` and :mod:`articleaudio.jobs.status`
import Dramatiq and Redis, and only when a broker is named: the embedded default needs
neither installed.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import Middleware, Retries

from ..errors import ArticleAudioError, BrokerError, ConfigError, JobFailedError
from ..layout import episode_dir
from ..library import (
    BuildStatus,
    Built,
    Job,
    JobState,
    JobStore,
    open_catalogue,
    open_job_store,
)
from ..pipeline import Outcome
from ..settings import BuildSettings
from .build import CLI, submit_source
from .queues import (
    DEFAULT_PRIORITY,
    NAMESPACE,
    PER_MILLION,
    PRIORITIES,
    BrokerSettings,
    result_key,
)
from .runner import BACKOFF_S, MAX_ATTEMPTS, Ran

log = logging.getLogger(__name__)


Build = Callable[[dict[str, Any], str], None]
"""What a worker does with a job's record, sent at a priority level."""


def open_broker(
    settings: BrokerSettings,
    owner: str | None = None,
    build: Build | None = None,
    middleware: Sequence[Middleware] = (),
) -> RedisBroker:
    """A Redis broker with every priority's actor declared (``owner``: this worker's id
    in the heartbeats, the same ``host:pid`` its running jobs name; ``build``: what a
    worker does with a job's record; ``middleware``: a worker's, after the retries).

    An actor raising :class:`~articleaudio.errors.JobFailedError` (its job failed for
    good) is not retried: Dramatiq puts its message on the dead-letter queue at once.
    """
    retries = Retries(max_retries=MAX_ATTEMPTS, min_backoff=int(BACKOFF_S * 1000))
    broker = RedisBroker(  # type: ignore[no-untyped-call]  # dramatiq leaves it untyped
        url=settings.url,
        namespace=NAMESPACE,
        # No TimeLimit: a long article must not be cut at 10 minutes.
        middleware=[retries, *middleware],
        heartbeat_timeout=int(settings.heartbeat_timeout_s * 1000),
        maintenance_chance=max(1, round(settings.maintenance_share * PER_MILLION)),
    )
    if owner is not None:
        broker.broker_id = owner
    for name, level in PRIORITIES.items():
        declare = dramatiq.actor(
            broker=broker,
            actor_name=actor_name(name),
            queue_name=level.queue,
            priority=level.order,
            throws=(JobFailedError,),
        )
        declare(_at(build, name) if build else _not_here)
    return broker


def _at(build: Build, priority: str) -> Callable[[dict[str, Any]], None]:
    """The actor of one priority level: ``build`` told which level its message came on."""

    def actor(record: dict[str, Any]) -> None:
        build(record, priority)

    return actor


def actor_name(priority: str) -> str:
    """The Dramatiq actor of a priority level."""
    return f"articleaudio_build_{priority}"


def _not_here(record: dict[str, Any]) -> None:
    """Senders declare the actors only to name them; a worker replaces this function."""
    raise RuntimeError("this process only sends jobs; 'articleaudio worker' builds them")


def send_job(broker: RedisBroker, job: Job, priority: str = DEFAULT_PRIORITY) -> str:
    """Put ``job`` (whole) on its priority's queue; the message's id."""
    level = PRIORITIES.get(priority)
    if level is None:
        raise ConfigError(f"priority {priority!r} unknown; say one of {', '.join(PRIORITIES)}")
    actor = broker.get_actor(actor_name(priority))
    message = actor.send(job.to_record())
    log.info("job %s (%s) sent to %s", job.id, job.location, level.queue)
    return str(message.message_id)


def heartbeat_age_s(broker: RedisBroker, owner: str) -> float | None:
    """Seconds since ``owner`` last spoke to the broker; None if it is not known (dead
    and cleared by maintenance, or never a worker)."""
    score = broker.client.zscore(f"{broker.namespace}:__heartbeats__", owner)
    return None if score is None else max(time.time() - float(score) / 1000, 0.0)


def owner_alive(broker: RedisBroker, owner: str | None) -> bool:
    """Whether the worker holding a running job still beats (within the timeout)."""
    age = heartbeat_age_s(broker, owner) if owner else None
    return age is not None and age * 1000 < broker.heartbeat_timeout


class Dispatcher:
    """The runner ``watch`` and ``serve --api`` use with a broker: queued jobs are sent,
    not built here; their states come back through the store as workers build them.

    Each queued job is sent once by this process; one sent twice (a process started
    again) is built once all the same.
    """

    def __init__(
        self,
        store: JobStore,
        settings: BrokerSettings,
        *,
        priority: str = DEFAULT_PRIORITY,
        priorities: MutableMapping[str, str] | None = None,
    ) -> None:
        self.store, self.priority = store, priority
        self.priorities = priorities if priorities is not None else {}
        """Job id → priority for jobs that have their own (API posts)."""
        self.broker = open_broker(settings)
        self._sent: set[str] = set()

    def recover(self) -> list[Job]:
        """Nothing to do: the broker gives a dead worker's jobs to another."""
        return []

    def warm(self, settings: BuildSettings) -> None:
        """Nothing is built here; the broker is asked once whether it answers."""
        reach(self.broker)

    def run(self, ids: Sequence[str] | None = None) -> list[Ran]:
        """Send the queued jobs not sent yet (those with these ids, else all); none
        finishes here, so the list is empty."""
        wanted = set(ids) if ids is not None else None
        for job in self.store.jobs(JobState.QUEUED):
            if job.id in self._sent or (wanted is not None and job.id not in wanted):
                continue
            send_job(self.broker, job, self.priorities.pop(job.id, self.priority))
            self._sent.add(job.id)
        return []

    def close(self, *, now: bool = False) -> None:
        """Close the broker's connections."""
        self.broker.close()

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close(now=kind is not None)


def enqueue_sources(
    locations: Sequence[str],
    settings: BuildSettings,
    broker_settings: BrokerSettings,
    *,
    priority: str = DEFAULT_PRIORITY,
) -> list[tuple[Job, ArticleAudioError | None]]:
    """``build --broker``: each source a job in the library's store, sent to the broker.

    Nothing is built here. A file is read now (the job carries its text); one that
    cannot be read gives a job failed at once, and its error. A source queued already
    is that job, sent again (a worker builds it once).
    """
    broker = open_broker(broker_settings)
    try:
        reach(broker)
        with open_job_store(settings.output) as store:
            submitted = [submit_source(store, where, settings, CLI) for where in locations]
            for job in sorted((j for j, _ in submitted), key=_longest_first):
                if job.state is JobState.QUEUED:
                    send_job(broker, job, priority)
    finally:
        broker.close()
    return submitted


def _longest_first(job: Job) -> float:
    """Send order of a batch: the longest text first (a URL, not read yet, before all).

    Workers take jobs in the order sent, so a long article sent last would be built
    by one worker while the others stand idle; longest first, the batch ends with short
    ones and finishes sooner (10 articles on two workers: 44.7 s in the order given,
    about 39 s longest first).
    """
    text = job.source.get("text")
    return -len(text) if isinstance(text, str) else -math.inf


def reach(broker: RedisBroker) -> None:
    """Ask the broker whether it answers; :class:`BrokerError` saying how to fix it if not."""
    try:
        broker.client.ping()
    except redis.RedisError as exc:
        where = broker.client.connection_pool.connection_kwargs
        host = where.get("path") or f"{where.get('host')}:{where.get('port')}"
        raise BrokerError(
            f"the broker at {host} does not answer ({exc}); start redis-server there "
            "or check --broker"
        ) from exc


WAIT_POLL_S = 0.5
"""How often ``build --broker`` looks at the job store while it waits."""


def await_jobs(
    output: Path, jobs: Sequence[Job], settings: BrokerSettings, *, poll_s: float = WAIT_POLL_S
) -> Iterator[Outcome]:
    """``build --broker`` waiting: each job's outcome as it ends, in the order they end.

    The job store (which every worker writes) says when a job has ended and how: done,
    with its episode as the catalogue holds it, or failed, with its error line. The
    worker's word on what the build did (built, rebuilt, unchanged) is kept in the
    broker's Redis (:func:`~articleaudio.jobs.queues.result_key`).
    """
    pending = {job.id: job for job in jobs}
    broker = open_broker(settings)
    try:
        while pending:
            with open_job_store(output) as store:
                ended = [now for i in pending if (now := store.get(i)).state in _ENDED]
            for job in ended:
                del pending[job.id]
                yield _outcome(output, job, broker)
            if pending:
                time.sleep(poll_s)
    finally:
        broker.close()


_ENDED = (JobState.DONE, JobState.FAILED)


def _outcome(output: Path, job: Job, broker: RedisBroker) -> Outcome:
    failed = JobFailedError(job.error or "failed", job_id=job.id)
    if job.state is JobState.FAILED or job.slug is None:
        return Outcome(job.location, error=failed)
    with open_catalogue(output) as catalogue:
        entry = catalogue.get(job.slug)
    if entry is None:  # removed (articleaudio rm) since it was built
        return Outcome(job.location, error=JobFailedError(f"{job.slug} is gone", job_id=job.id))
    word = broker.client.get(result_key(job.id))
    # Without the worker's word (an older worker, or kept past its time): built.
    said = word.decode() if isinstance(word, bytes) else word
    status = BuildStatus(said) if said else BuildStatus.BUILT
    return Outcome(job.location, built=Built(entry.episode, episode_dir(output, job.slug), status))
