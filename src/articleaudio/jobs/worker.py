"""``articleaudio worker``: Dramatiq worker processes that build the jobs a broker carries.

Each process runs one Dramatiq worker thread, so one job at a time, through one
:class:`~articleaudio.jobs.Runner` that keeps its voice and synthesis processes warm
between jobs, as the embedded runner does. It fetches one message per priority queue
at a time (prefetch 1): a message waiting in a busy worker is a message an idle worker
cannot take.

What a delivered message becomes (:meth:`Builder.build`):

- its job done or failed already (a message delivered again after it ran): nothing;
- its job running under a worker that still beats: nothing (that worker has it);
- its job running under a silent worker (killed, its machine lost): queued again, then
  built here, or failed when it has used up its attempts (a job that kills its worker
  every time must not kill every worker);
- its library at its limit of builds at once (``--max-concurrent N``, a Redis-backed
  :class:`~dramatiq.rate_limits.ConcurrentRateLimiter` keyed by the library's id):
  sent again a moment later as a new message, so waiting costs no attempt;
- a transient failure (a fetch timeout): the job waits in the store and the message
  is given back to Dramatiq with the runner's backoff (:class:`dramatiq.Retry`);
- bad input, or any failure for good: the job fails once with its error line, and
  the message goes to Dramatiq's dead-letter queue at once (no retry), where
  ``articleaudio jobs --state failed --broker URL`` finds it;
- a bug (any other exception): retried by Dramatiq; when Dramatiq gives the message
  up, its job fails in the store too (:class:`GivenUp`).
"""

from __future__ import annotations

import logging
import multiprocessing
import random
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dramatiq
from dramatiq.broker import Broker
from dramatiq.middleware import Middleware
from dramatiq.rate_limits import ConcurrentRateLimiter
from dramatiq.rate_limits.backends import RedisBackend

from ..errors import ArticleAudioError, JobError, JobFailedError, JobNotFoundError
from ..library import Job, JobState, JobStore, library_id, open_job_store, use_catalogue
from ..synth import Synthesizer
from .broker import actor_name, open_broker, owner_alive
from .queues import PRIORITIES, RESULT_TTL_S, BrokerSettings, result_key, slot_key
from .runner import PATIENT, Ran, Runner, bug_line, owner_id

log = logging.getLogger(__name__)

WORKER_TIMEOUT_MS = 250
"""How often an idle worker looks at its queues again (Dramatiq's default: 1000)."""
STOP_WAIT_MS = 10_000
"""How long stopping waits for the job being built; one cut short is delivered again."""
SLOT_TTL_S = 60.0
"""A build slot lapses this long after its holder last renewed it (every third of it):
a killed worker's slot comes back within a minute."""
SLOT_WAIT_S = 1.0
"""A job that finds its library's slots taken is sent again after 1 to 2 times this."""


@dataclass(frozen=True)
class WorkerSettings:
    """What ``articleaudio worker`` runs."""

    broker: BrokerSettings
    library: Path
    """The library every job is built into (the shared folder as this machine mounts it)."""
    processes: int = 1
    """Worker processes, each building one job at a time with its own synthesis pool."""
    jobs: int | None = None
    """Synthesis processes of each worker process; None: the cores, as ``build``."""
    synthesizer: Synthesizer | None = None
    """Instead of the jobs' Piper voice (tests, benchmarks)."""
    catalogue: str | None = None
    """The library's catalogue database URL (None: its SQLite file); passed on because
    the worker processes are spawned and do not inherit this process's bindings."""
    child_setup: Callable[[], None] | None = None
    """Run first in each spawned worker process: the command's logging set-up (a spawned
    process starts with none, and would drop every line below a warning)."""
    max_concurrent: int | None = None
    """At most this many builds at once into the library, across every worker of every
    machine given the same limit; None: no limit."""


class _Later(Exception):
    """The runner would wait out a backoff: Dramatiq waits it out instead."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry in {seconds:.1f} s")
        self.seconds = seconds


class GivenUp(Middleware):
    """When Dramatiq gives a message up (its retries used up on a bug), its job fails in
    the store too, with its latest error line: ``jobs --state failed`` lists it, and
    ``build --broker`` waiting on it hears of it."""

    def __init__(self, library: Path) -> None:
        self.library = library

    def after_process_message(
        self,
        broker: Broker,
        message: Any,
        *,
        result: object = None,
        exception: BaseException | None = None,
    ) -> None:
        if exception is None or not message.failed or isinstance(exception, JobFailedError):
            return
        job = Job.from_record(message.args[0])
        with open_job_store(self.library) as store:
            try:
                line = store.get(job.id).error or bug_line(job.location, exception)
                store.fail(job.id, line)
            except JobError:
                return  # ended meanwhile, or not this library's
        log.error("job %s given up by the broker: %s", job.id, line)


class Builder:
    """One worker process's job store, warm runner and broker."""

    def __init__(self, settings: WorkerSettings) -> None:
        self.settings, self.owner = settings, owner_id()
        self.broker = open_broker(
            settings.broker, self.owner, self.build, middleware=[GivenUp(settings.library)]
        )
        self._runner_: Runner | None = None
        self._building: str | None = None
        """The id of the job being built, if one is."""
        self._slots: ConcurrentRateLimiter | None = None
        if settings.max_concurrent is not None:
            backend = RedisBackend(client=self.broker.client)
            key = slot_key(library_id(settings.library))
            ttl, limit = int(SLOT_TTL_S * 1000), settings.max_concurrent
            # dramatiq leaves it untyped
            self._slots = ConcurrentRateLimiter(backend, key, limit=limit, ttl=ttl)  # type: ignore[no-untyped-call]

    def build(self, record: dict[str, Any], priority: str) -> None:
        """The actor: build the job of one message (see the module docstring)."""
        job = Job.from_record(record)
        # The store is opened for each message, in the worker thread that uses it; the
        # runner, and so the voice and the synthesis processes, stay from one to the next.
        with open_job_store(self.settings.library) as store:
            runner = self._runner(store)
            try:
                taken = self._take(store, job)
            except JobFailedError:
                raise  # failed for good here: its message goes to the dead letters
            except JobError as exc:  # another worker moved it first
                log.info("job %s: %s", job.id, exc)
                return
            if taken is None:
                return
            with self._slot() as slotted:
                if slotted:
                    self._run(runner, taken)
                else:
                    self._send_later(record, priority)

    def _run(self, runner: Runner, job: Job) -> None:
        log.info("job %s (%s) building, attempt %d", job.id, job.location, job.attempts + 1)
        self._building = job.id
        try:
            finished = runner.run([job.id])
        except _Later as later:
            raise dramatiq.Retry(str(later), delay=int(later.seconds * 1000)) from None
        except ArticleAudioError as exc:  # the voice, ffmpeg, the folder: failed, said once
            log.error("job %s: %s", job.id, exc)
            runner.close(now=True)
            raise JobFailedError(str(exc), job_id=job.id) from exc
        finally:
            self._building = None
        for ran in finished:
            self._ended(ran)

    def _ended(self, ran: Ran) -> None:
        """Log how a job ended; keep what its build did for a sender waiting on it, or
        give a failed job's message up to the dead letters."""
        job = ran.job
        log.info("job %s %s %s", job.id, job.state.value, job.error or "")
        if ran.built is not None:
            word = ran.built.status.value
            self.broker.client.set(result_key(job.id), word, ex=int(RESULT_TTL_S))
        elif job.state is JobState.FAILED:
            raise JobFailedError(job.error or "failed", job_id=job.id)

    @contextmanager
    def _slot(self) -> Iterator[bool]:
        """One of the library's build slots, renewed while held; False: none is free."""
        if self._slots is None:
            yield True
            return
        with self._slots.acquire(raise_on_failure=False) as acquired:
            if not acquired:
                yield False
                return
            done = threading.Event()
            renew = threading.Thread(target=self._renew, args=(done,), daemon=True)
            renew.start()
            try:
                yield True
            finally:
                done.set()
                renew.join()

    def _renew(self, done: threading.Event) -> None:
        # A build may outlast the slot's time to live; renewing it while the build runs
        # keeps the slot, and a killed worker's slot lapses within SLOT_TTL_S.
        assert self._slots is not None
        while not done.wait(SLOT_TTL_S / 3):
            self.broker.client.pexpire(self._slots.key, int(SLOT_TTL_S * 1000))

    def _send_later(self, record: dict[str, Any], priority: str) -> None:
        """Send the job again in a moment, as a new message: this one ends here, and
        neither the job's attempts nor the message's retries count the wait."""
        delay = SLOT_WAIT_S * (1 + random.random())  # spread out the workers' next tries
        actor = self.broker.get_actor(actor_name(priority))
        actor.send_with_options(args=(record,), delay=int(delay * 1000))
        limit = self.settings.max_concurrent
        log.info(
            "job %s waits for a build slot (%s at once); again in %.1f s",
            record["id"],
            limit,
            delay,
        )

    def _runner(self, store: JobStore) -> Runner:
        if self._runner_ is None:
            self._runner_ = Runner(
                store,
                policy=PATIENT,
                library=self.settings.library,
                jobs=self.settings.jobs,
                synthesizer=self.settings.synthesizer,
                sleep=_later,
            )
            self._runner_.owner = self.owner
        self._runner_.store = store
        return self._runner_

    def _take(self, store: JobStore, job: Job) -> Job | None:
        """The job, queued in the store for this worker to claim; None: nothing to do."""
        try:
            current = store.get(job.id)
        except JobNotFoundError:
            current = store.add(job)  # sent by a process without this library's store
        if current.id != job.id or current.state in (JobState.DONE, JobState.FAILED):
            log.info("job %s is %s already", job.id, current.state.value)
            return None
        if current.state is JobState.QUEUED:
            return current
        if current.owner != self.owner and owner_alive(self.broker, current.owner):
            log.info("job %s is being built by %s", job.id, current.owner)
            return None
        if current.attempts >= PATIENT.max_attempts:
            line = f"gave up after {current.attempts} attempts: its worker stopped each time"
            store.fail(current.id, line)
            raise JobFailedError(line, job_id=current.id)
        note = f"its worker {current.owner} stopped while building it"
        log.info("job %s: %s; building it again", job.id, note)
        return store.requeue(current.id, current.owner or "", note, None)

    def close(self) -> None:
        """Stop the synthesis processes, unless a job is being built: stopping them under
        it would fail it, while leaving it unacknowledged gives it to another worker
        (this process's synthesis processes end with it)."""
        if self._building is not None:
            log.warning("job %s cut short; the broker gives it to another worker", self._building)
        elif self._runner_ is not None:
            self._runner_.close(now=True)
        self.broker.close()


def _later(seconds: float) -> None:
    raise _Later(seconds)


def run_worker(settings: WorkerSettings) -> None:
    """Run the worker processes until SIGTERM or Ctrl-C (raised as KeyboardInterrupt)."""
    if settings.processes <= 1:
        serve(settings)
        return
    context = multiprocessing.get_context("spawn")
    children = [
        context.Process(target=_child, args=(settings,), name=f"articleaudio-worker-{n}")
        for n in range(settings.processes)
    ]
    for child in children:
        child.start()
    try:
        for child in children:
            child.join()
    finally:
        for child in children:
            if child.is_alive():
                child.terminate()
        for child in children:
            child.join(STOP_WAIT_MS / 1000)


def _child(settings: WorkerSettings) -> None:
    signal.signal(signal.SIGTERM, _raise_interrupt)
    if settings.child_setup is not None:
        settings.child_setup()
    use_catalogue(settings.library, settings.catalogue)
    try:
        serve(settings)
    except KeyboardInterrupt:
        return


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(settings: WorkerSettings) -> None:
    """One worker process: a Dramatiq worker of one thread, until interrupted."""
    builder = Builder(settings)
    worker = dramatiq.Worker(builder.broker, worker_threads=1, worker_timeout=WORKER_TIMEOUT_MS)
    worker.queue_prefetch = 1
    worker.start()
    queues = ", ".join(level.queue for level in PRIORITIES.values())
    log.info("worker %s taking jobs from %s into %s", builder.owner, queues, settings.library)
    try:
        threading.Event().wait()
    finally:
        worker.stop(timeout=STOP_WAIT_MS)
        builder.close()
