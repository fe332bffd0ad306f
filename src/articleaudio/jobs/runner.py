"""The embedded job runner: queued jobs built one at a time, in this process.

It keeps one :class:`~articleaudio.pipeline.Batch` open between jobs with the same
build settings, so the voice, the worker processes and the lexicons are loaded once
however many jobs follow (a running ``watch`` pays for a one-sentence edit only
that sentence). As in a batch ``build``, the next job is read and its sentences
queued while the current one is mastered and written; one is made at a time.

Failures, by whose fault they are:

- the input's (a 404, no article in the page): the job fails once, with its error line;
- the network's (``transient``: a timeout, a refused connection, a 503): queued again
  with exponential backoff, up to :data:`MAX_ATTEMPTS` starts;
- everything's (:data:`~articleaudio.pipeline.FATAL_ERRORS`: the voice, ffmpeg, the
  output folder, or settings that cannot be used): the job fails and the error is
  raised, as every job like it would meet it; the jobs not started stay queued, and
  calling :meth:`Runner.run` again carries on with them;
- articleaudio's (a bug: any other exception): like the network's, queued again with
  backoff up to :data:`MAX_ATTEMPTS` starts (a bug in a race may pass), then failed with
  a one-line reason; the exception is raised each time, for its traceback, and a
  long-running caller (``serve --api``) logs it and carries on;
- the runner's own death (a crash, SIGKILL): at the next start, :meth:`Runner.recover`
  queues again the jobs a dead process on this host left ``running``.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import socket
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from ..errors import ArticleAudioError, JobError
from ..library import Built, Job, JobState, JobStore, utc_now
from ..pipeline import FATAL_ERRORS, Batch, Plan, confidence_warning, open_batch
from ..settings import BuildSettings
from ..synth import Progress, Synthesizer
from .codec import settings_from_json, settings_to_json
from .sources import error_line, payload_given

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""Starts of a job before a transient failure (or its runner dying) fails it for good."""
BACKOFF_S = 5.0
"""Wait before the second start; doubled before each later one."""


@dataclass(frozen=True)
class RetryPolicy:
    """How often a job may start, and how long a transient failure waits."""

    max_attempts: int = MAX_ATTEMPTS
    backoff_s: float = BACKOFF_S

    def delay(self, attempts: int) -> float:
        """Seconds before the next start of a job started ``attempts`` times.

        >>> RetryPolicy(backoff_s=2.0).delay(1), RetryPolicy(backoff_s=2.0).delay(2)
        (2.0, 4.0)
        """
        return float(self.backoff_s * 2 ** max(attempts - 1, 0))


PATIENT = RetryPolicy()
"""The default policy: :data:`MAX_ATTEMPTS` starts, backoff from :data:`BACKOFF_S`."""
ONCE = RetryPolicy(max_attempts=1)
"""``build``'s policy: a person is waiting, and sees the error at once, as before jobs."""


@dataclass(frozen=True)
class Ran:
    """A job that has finished, done or failed."""

    job: Job
    """The job as stored now."""
    built: Built | None = None
    """The episode, when done."""
    error: ArticleAudioError | None = None
    """Why it failed."""
    warnings: tuple[str, ...] = ()
    """What a person should look at (a low extraction confidence)."""
    confidence: float | None = None
    """The extraction's confidence, when the article was read."""


@dataclass(frozen=True)
class _Started:
    job: Job
    plan: Plan | ArticleAudioError


def owner_id() -> str:
    """``host:pid`` of this process, as a running job's owner."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_is_dead(owner: str | None) -> bool:
    """True when ``owner`` is a process of this host that no longer runs.

    A process of another host cannot be seen from here: it is never taken for dead
    (a distributed runner needs heartbeats for that, issue 17).
    """
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False  # alive, another user's
    return False


class Runner:
    """Runs a store's queued jobs here, keeping the voice and workers warm between them.

    A long-running caller (``watch``, ``serve --api``) calls :meth:`recover` once
    as it starts, then :meth:`run` whenever it has queued jobs. Use with ``with``:
    leaving stops the workers (at once on an exception).
    """

    def __init__(
        self,
        store: JobStore,
        *,
        policy: RetryPolicy = PATIENT,
        synthesizer: Synthesizer | None = None,
        progress: Progress | None = None,
        library: Path | None = None,
        jobs: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        started: Callable[[Job], None] | None = None,
        edit_voice: bool = False,
    ) -> None:
        self.store, self.policy, self.progress = store, policy, progress
        self.started = started
        """Told of each job as its making starts (a progress display names it)."""
        self.synthesizer = synthesizer
        """Instead of the settings' Piper voice (tests, benchmarks)."""
        self.library = library
        """The library the jobs are built into, whatever folder their settings name (a
        library moved, or mounted elsewhere, since the job was made); None: theirs."""
        self.edit_voice = edit_voice
        """Also keep the voice open in this process, on every core, for jobs with a few
        new sentences (a long-running caller's edits; see ``Batch.keep_edit_voice``)."""
        self.jobs = jobs
        """Synthesis processes, whatever the jobs' settings say (a worker knows its own
        cores, the machine that sent the job does not); None: theirs."""
        self.owner = owner_id()
        self._sleep = sleep
        self._batch: Batch | None = None
        self._batch_key: str | None = None

    def recover(self) -> list[Job]:
        """Queue again the jobs left ``running`` by a dead process of this host.

        A job that has used up its attempts fails instead: a job that kills its
        runner every time must not kill every runner after it.
        """
        recovered = []
        for job in self.store.jobs(JobState.RUNNING):
            if not owner_is_dead(job.owner):
                continue
            try:
                if job.attempts >= self.policy.max_attempts:
                    line = f"gave up after {job.attempts} attempts: its runner stopped each time"
                    recovered.append(self.store.fail(job.id, line))
                else:
                    note = f"its runner {job.owner} stopped while building it"
                    recovered.append(self.store.requeue(job.id, job.owner or "", note, None))
            except JobError:
                continue  # another runner recovered it first
            now = recovered[-1].state.value
            log.info("job %s (%s) left running by %s: %s", job.id, job.location, job.owner, now)
        return recovered

    def warm(self, settings: BuildSettings) -> None:
        """Open the voice and workers for jobs with these settings now, before any is read.

        What would fail every job (a bad option, voice or output folder) fails here.
        """
        self._open(settings, _settings_key(settings_to_json(settings)))

    def run(self, ids: Sequence[str] | None = None) -> list[Ran]:
        """Run these queued jobs in this order, or (no ids) the queue as it is now; wait
        out their backoffs until each has finished; returns each job that finished.

        Who runs what, as a newsroom expects: a command that made jobs (``build``,
        ``jobs retry ID``) gives their ids and runs those alone, whatever else is
        queued; a long-running runner (``watch``, ``serve --api``) runs the queue,
        whoever queued its jobs (``jobs retry --no-run``, the API, a runner that died).
        The queue is taken as it stands when the call starts: jobs queued meanwhile
        wait for the next call, so a ``watch`` that another process keeps feeding
        still goes back to its sources.
        """
        if ids is None:
            ids = [job.id for job in self.store.jobs(JobState.QUEUED)]
        finished: list[Ran] = []
        while True:
            ready, wait = self._ready(ids)
            if ready:
                finished.extend(self._run_all(ready))
            elif wait is None:
                return finished
            else:
                self._sleep(wait)

    def collect_garbage(self) -> None:
        """Collect garbage now rather than in the middle of the next job (see
        :func:`collect_and_freeze`): for a long-running caller, once a run has built something
        and before it waits for more."""
        collect_and_freeze()

    def close(self, *, now: bool = False) -> None:
        """Stop the workers (``now``: without finishing the sentences being synthesised)."""
        if self._batch is not None:
            self._batch.close(now=now)
        self._batch, self._batch_key = None, None

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(now=kind is not None)

    def _ready(self, ids: Sequence[str]) -> tuple[list[Job], float | None]:
        """The queued jobs to start now, and else how long until the soonest may start."""
        order = {job_id: n for n, job_id in enumerate(ids)}
        queued = self.store.jobs(JobState.QUEUED)
        queued = sorted((j for j in queued if j.id in order), key=lambda j: order[j.id])
        now = utc_now()
        ready = [j for j in queued if j.not_before is None or j.not_before <= now]
        waits = [(j.not_before - now).total_seconds() for j in queued if j.not_before]
        return ready, (max(min(waits), 0.0) if waits and not ready else None)

    def _run_all(self, jobs: list[Job]) -> list[Ran]:
        """Run these jobs in order, each read while the one before it is made."""
        pending, finished = deque(jobs), []
        ahead = self._start_next(pending, same_batch=False)
        while ahead is not None:
            current = ahead
            try:
                ahead = self._start_next(pending, same_batch=True)
                ran = self._finish(current)
            except BaseException:
                self._give_back(current, ahead)
                raise
            if ran is not None:
                finished.append(ran)
            if ahead is None:
                ahead = self._start_next(pending, same_batch=False)
        return finished

    def _start_next(self, pending: deque[Job], *, same_batch: bool) -> _Started | None:
        """Claim the next job and plan it (``same_batch``: only if the open batch fits it)."""
        while pending:
            job = pending[0]
            key = _settings_key(job.settings)
            if same_batch and key != self._batch_key:
                return None
            pending.popleft()
            claimed = self.store.claim(job.id, self.owner)
            if claimed is None:
                continue  # another runner took it
            try:
                batch = self._batch_for(claimed, key)
                return _Started(claimed, batch.plan(payload_given(claimed.source)))
            except ArticleAudioError as exc:
                self.store.fail(claimed.id, error_line(claimed.location, exc))
                raise
            except Exception as exc:
                self._bug(claimed, exc)
                raise
        return None

    def _batch_for(self, job: Job, key: str) -> Batch:
        if self._batch is None or key != self._batch_key:
            settings = settings_from_json(job.settings)
            if self.library is not None:
                settings = replace(settings, output=self.library)
            if self.jobs is not None:
                settings = replace(settings, jobs=self.jobs)
            self._open(settings, key)
        assert self._batch is not None
        return self._batch

    def _open(self, settings: BuildSettings, key: str) -> None:
        if self._batch is not None and key == self._batch_key:
            return
        self.close()
        self._batch = open_batch(settings, synthesizer=self.synthesizer)
        self._batch_key = key
        if self.edit_voice:
            self._batch.keep_edit_voice()

    def _finish(self, started: _Started) -> Ran | None:
        """Make a planned job; None when it failed for now and was queued again."""
        job, plan = started.job, started.plan
        if isinstance(plan, ArticleAudioError):
            return self._failed(job, plan)
        assert self._batch is not None
        if self.started is not None:
            self.started(job)
        try:
            built = self._batch.make(plan, self.progress)
        except FATAL_ERRORS as exc:
            self.store.fail(job.id, error_line(job.location, exc))
            raise
        except ArticleAudioError as exc:
            return self._failed(job, exc)
        except Exception as exc:
            self._bug(job, exc)
            raise
        warning = confidence_warning(plan.article, self._batch.settings)
        return Ran(
            self.store.finish(job.id, built.episode.slug),
            built=built,
            warnings=(warning,) if warning else (),
            confidence=plan.article.confidence,
        )

    def _failed(self, job: Job, error: ArticleAudioError) -> Ran | None:
        line = error_line(job.location, error)
        if error.transient and job.attempts < self.policy.max_attempts:
            delay = self.policy.delay(job.attempts)
            log.info("%s; trying again in %.0f s", line, delay)
            self.store.requeue(job.id, self.owner, line, utc_now() + timedelta(seconds=delay))
            return None
        log.info("job %s failed: %s", job.id, line)
        return Ran(self.store.fail(job.id, line), error=error)

    def _bug(self, job: Job, exc: Exception) -> None:
        """A job that met a bug: queued again with backoff while it has attempts left,
        else failed with a one-line reason (the traceback goes to the caller's log)."""
        line = bug_line(job.location, exc)
        try:
            if job.attempts < self.policy.max_attempts:
                delay = self.policy.delay(job.attempts)
                log.warning("%s; trying again in %.0f s", line, delay)
                not_before = utc_now() + timedelta(seconds=delay)
                self.store.requeue(job.id, self.owner, line, not_before)
            else:
                log.error("job %s failed: %s", job.id, line)
                self.store.fail(job.id, line)
        except JobError:
            return  # no longer ours (another runner recovered it)

    def _give_back(self, current: _Started, ahead: _Started | None) -> None:
        """Stopping (Ctrl-C, a fatal error): what was started but not finished is queued
        again, as if its runner had died (a job already failed stays failed)."""
        for started in (current, ahead):
            if started is None:
                continue
            try:
                self.store.requeue(started.job.id, self.owner, None, None)
            except (JobError, ArticleAudioError):
                continue


BUG_LINE_CHARS = 200
"""How much of a bug's message a job's error line keeps."""


def collect_and_freeze() -> None:
    """Collect all garbage now and exempt what survives from later full collections.

    A warm runner holds some 90,000 objects for as long as it runs (the voice, the
    libraries, the open batch), and Python's full collection walks every one: it
    came in the middle of an edit, taking 36 ms of its 0.95 s. Called between jobs,
    while nothing waits, it collects what earlier jobs left in cycles (the frozen
    objects rejoin the collection first), then freezes the survivors, so the
    collections during the next job walk only what that job makes.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()


def bug_line(location: str, exc: BaseException) -> str:
    """The one error line of a job that met a bug: the exception's type and first line.

    >>> bug_line("a.md", KeyError("title"))
    "a.md: articleaudio failed (KeyError: 'title'), a bug: please report it with the log"
    """
    message = (str(exc).splitlines() or [""])[0][:BUG_LINE_CHARS]
    what = f"{type(exc).__name__}: {message}" if message else type(exc).__name__
    return f"{location}: articleaudio failed ({what}), a bug: please report it with the log"


def _settings_key(settings: dict[str, object]) -> str:
    """Jobs whose settings give the same key share one open batch."""
    return json.dumps(settings, sort_keys=True)
