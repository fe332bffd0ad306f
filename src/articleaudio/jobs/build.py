"""What the commands ask of the runner: ``build``'s sources as jobs, and ``jobs retry``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from ..errors import ArticleAudioError, JobError
from ..library import Job, JobState, JobStore, memory_job_store, new_job, open_job_store, utc_now
from ..pipeline import Outcome
from ..settings import BuildSettings
from ..synth import Progress, Synthesizer
from .codec import settings_to_json
from .runner import ONCE, PATIENT, Ran, RetryPolicy, Runner
from .sources import error_line, payload_key, read_payload

CLI = "cli"
"""``requested_by`` of the jobs ``build`` makes."""


def build_sources(
    locations: Sequence[str],
    settings: BuildSettings,
    *,
    synthesizer: Synthesizer | None = None,
    progress: Progress | None = None,
) -> list[Outcome]:
    """``articleaudio build``: each source a job, run here by the runner, one outcome each.

    The jobs are held in memory while the build runs and kept in the library's
    catalogue only once the build has built something: a build that fails, or is
    stopped, leaves the library byte for byte as it was (its promise since issue 8,
    tests/test_robustness.py), its jobs included. ``build`` does not retry (a
    person is waiting for the error line); ``jobs retry`` runs a failed job again.
    """
    store = memory_job_store()
    with Runner(store, policy=ONCE, synthesizer=synthesizer, progress=progress) as runner:
        runner.warm(settings)  # a bad option or voice fails before any source is read
        submitted = [submit_source(store, location, settings, CLI) for location in locations]
        queued = [job.id for job, _ in submitted if job.state is JobState.QUEUED]
        finished = {ran.job.id: ran for ran in runner.run(queued)}
    outcomes = [
        _outcome(location, finished.get(job.id), error)
        for location, (job, error) in zip(locations, submitted, strict=True)
    ]
    if any(outcome.built for outcome in outcomes):
        with open_job_store(settings.output) as library:
            for job in store.jobs():
                library.put(job)
    return outcomes


def submit_source(
    store: JobStore, location: str, settings: BuildSettings, requested_by: str
) -> tuple[Job, ArticleAudioError | None]:
    """Queue a source as ``build`` names it: a URL as it is, a file read now.

    A file that cannot be read gives a job failed at once, and the error. A source
    queued or running already gives that job (one job per key).
    """
    as_json = settings_to_json(settings)
    try:
        payload = read_payload(location, settings.kind)
    except ArticleAudioError as exc:
        job = new_job({"location": location}, as_json, f"{location}#", requested_by)
        line = error_line(location, exc)
        failed = replace(job, state=JobState.FAILED, attempts=1, finished=utc_now(), error=line)
        store.put(failed)
        return failed, exc
    return store.add(new_job(payload, as_json, payload_key(payload), requested_by)), None


def _outcome(location: str, ran: Ran | None, error: ArticleAudioError | None) -> Outcome:
    if ran is None:
        assert error is not None, "a queued job always finishes, or the run raises"
        return Outcome(location, error=error)
    return Outcome(
        location, built=ran.built, error=ran.error, warnings=ran.warnings, confidence=ran.confidence
    )


def retry_job(
    output: Path,
    job_id: str,
    *,
    run: bool = True,
    synthesizer: Synthesizer | None = None,
    progress: Progress | None = None,
    policy: RetryPolicy = PATIENT,
) -> Ran | Job:
    """``articleaudio jobs retry``: queue a failed job again and (``run``) run it here.

    Returns the queued job when not run, else how its run ended.
    """
    with open_job_store(output, create=False) as store:
        state = store.get(job_id).state
        if state is not JobState.FAILED:
            raise JobError(f"job {job_id} is {state.value}: only a failed job can be retried")
        job = store.retry(job_id)
        if not run:
            return job
        runner = Runner(
            store, policy=policy, synthesizer=synthesizer, progress=progress, library=output
        )
        with runner:
            runner.recover()  # a runner starting here queues again what a dead one left
            (ran,) = runner.run([job.id])
        return ran
