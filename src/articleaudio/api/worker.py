"""The API's one background runner: a thread that builds queued jobs, one at a time.

Every ``202`` the API gives is a queued job in the catalogue; this thread takes them
in order, so each one ends ``done`` or ``failed``. It recovers the jobs a dead server
left ``running`` as it starts, and keeps its voice and workers warm between jobs.
With a broker (``serve --api --broker``) the thread sends them to the workers instead.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from ..errors import ArticleAudioError
from ..jobs import DEFAULT_PRIORITY, PATIENT, BrokerSettings, RetryPolicy, Runner
from ..library import open_job_store
from ..synth import Synthesizer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..jobs import Dispatcher

log = logging.getLogger(__name__)

POLL_S = 1.0
"""How often the thread looks for jobs nobody woke it for (backoffs, other processes)."""
STOP_WAIT_S = 10.0
"""How long stopping waits for the job being built; a job cut short is recovered later."""


class _Stopped(Exception):
    """Raised out of the runner's backoff wait when the server stops."""


class JobWorker:
    """Runs the library's queued jobs in a daemon thread until :meth:`stop`."""

    def __init__(
        self,
        library: Path,
        *,
        synthesizer: Synthesizer | None = None,
        policy: RetryPolicy = PATIENT,
        broker: BrokerSettings | None = None,
    ) -> None:
        self.library, self.synthesizer = library, synthesizer
        self.policy, self.broker = policy, broker
        self.priorities: dict[str, str] = {}
        """Job id → ``priority`` of a posted job, until it is sent to the broker."""
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread = threading.Thread(target=self._loop, name="articleaudio-jobs", daemon=True)

    def start(self) -> None:
        """Start the thread (it recovers interrupted jobs first)."""
        self._thread.start()

    def wake(self, job_id: str | None = None, priority: str = DEFAULT_PRIORITY) -> None:
        """A job was queued (with a broker: to go to ``priority``'s queue): look now rather
        than at the next poll."""
        if job_id is not None and priority != DEFAULT_PRIORITY:
            self.priorities[job_id] = priority
        self._wake.set()

    def stop(self) -> None:
        """Stop after the job being built, waiting at most :data:`STOP_WAIT_S`."""
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT_S)

    def _sleep(self, seconds: float) -> None:
        if self._stop.wait(seconds):
            raise _Stopped

    def _loop(self) -> None:
        with open_job_store(self.library) as store:
            runner: Runner | Dispatcher
            if self.broker is None:
                runner = Runner(
                    store,
                    policy=self.policy,
                    synthesizer=self.synthesizer,
                    library=self.library,
                    sleep=self._sleep,
                    edit_voice=True,  # a CMS posts an article again on every edit
                )
            else:
                from ..jobs import Dispatcher  # imports Dramatiq: only when a broker is named

                runner = Dispatcher(store, self.broker, priorities=self.priorities)
            with runner:
                runner.recover()
                while not self._stop.is_set():
                    self._run_once(runner)
                    self._wake.wait(POLL_S)
                    self._wake.clear()

    def _run_once(self, runner: Runner | Dispatcher) -> None:
        try:
            ran = runner.run()
            for one in ran:
                log.info("job %s %s", one.job.id, one.job.state.value)
            if ran and isinstance(runner, Runner):
                runner.collect_garbage()  # the heap's turn, before the next job is waited for
        except _Stopped:
            return
        except ArticleAudioError as exc:
            # A fatal error (the voice, ffmpeg, the folder) failed its job; the others
            # stay queued and meet it, or its fix, on the next round.
            log.error("job runner: %s", exc)
            self._stop.wait(POLL_S)
        except Exception:
            # A bug: its job was queued again with backoff, or failed once out of
            # attempts (the runner's rules); keep serving, and say so loudly.
            log.exception("job runner failed")
            self._stop.wait(POLL_S)
