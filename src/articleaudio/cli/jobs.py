"""``articleaudio jobs``: the library's jobs (with ``--broker``: the broker's queues and
workers), and ``jobs retry`` for a failed one."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..jobs import Ran, retry_job
from ..library import Job, JobState, open_job_store
from .common import OUTPUT_OPTION, catalogue_option, echo_built, echo_json, progress_bar

if TYPE_CHECKING:
    from ..jobs import BrokerStatus


@click.group(invoke_without_command=True)
@catalogue_option
@OUTPUT_OPTION
@click.option(
    "--state",
    type=click.Choice([s.value for s in JobState]),
    help="Only the jobs in this state.",
)
@click.option(
    "--broker",
    metavar="URL",
    help="Show this Redis broker's queue depths, workers' heartbeats and the running "
    "jobs instead; with --state failed, the jobs it gave up on (its dead letters). Not "
    "read from ARTICLEAUDIO_BROKER: without it, jobs lists the library's jobs.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per job per line.")
@click.pass_context
def jobs(
    ctx: click.Context, output: Path, state: str | None, broker: str | None, as_json: bool
) -> None:
    """List the library's jobs, oldest first: every build asked of it, and how it went.

    Each line: id, state, attempts, created, source, then the episode's slug or the
    error line. With --broker: a line per priority queue (waiting, delayed and dead
    messages), per worker (last heartbeat, the job it builds) and per running job
    (its owner); with --broker and --state failed, a line per dead letter, as above.

    \b
    Example: articleaudio jobs -o output --state failed --json
    Example: articleaudio jobs -o output --state failed --broker redis://127.0.0.1:6379/0
    """
    if ctx.invoked_subcommand is not None:
        return
    if broker is not None:
        _echo_broker(output, broker, state, as_json)
        return
    with open_job_store(output, create=False) as store:
        _echo_jobs(store.jobs(JobState(state) if state else None), as_json)


def _echo_jobs(found: list[Job], as_json: bool) -> None:
    for job in found:
        if as_json:
            echo_json(job.to_dict())
        else:
            click.echo(_line(job))


def _echo_broker(output: Path, url: str, state: str | None, as_json: bool) -> None:
    """``jobs --broker``: the broker's status, or (``--state failed``) its dead letters."""
    if state not in (None, JobState.FAILED.value):
        raise click.UsageError("--broker lists only --state failed (its dead letters)")
    from ..jobs import broker_settings, broker_status, dead_letters  # Dramatiq loads here only

    settings = broker_settings(url)
    if state is None:
        _echo_status(broker_status(output, settings), as_json)
        return
    for letter in dead_letters(output, settings):
        echo_json(letter.to_dict()) if as_json else click.echo(_line(letter.job))


def _line(job: Job) -> str:
    created = job.created.strftime("%Y-%m-%d %H:%M:%S") if job.created else "-"
    result = job.slug if job.state is JobState.DONE else job.error or ""
    return f"{job.id}\t{job.state.value}\t{job.attempts}\t{created}\t{job.location}\t{result}"


def _echo_status(status: BrokerStatus, as_json: bool) -> None:
    """Queues, then workers, then running jobs: one line (or JSON object) each."""
    if as_json:
        for q in status.queues:
            echo_json(q.to_dict())
        for w in status.workers:
            echo_json(w.to_dict())
        for job in status.running:
            echo_json({**job.to_dict(), "row": "running"})
        return
    for q in status.queues:
        click.echo(f"queue\t{q.priority}\t{q.queued} queued\t{q.delayed} delayed\t{q.dead} dead")
    for w in status.workers:
        beat = w.last_heartbeat.strftime("%Y-%m-%d %H:%M:%S")
        alive = "alive" if w.alive else "silent"
        doing = f"building {w.building}" if w.building else "idle"
        click.echo(f"worker\t{w.owner}\t{beat} ({w.age_s:.1f} s ago)\t{alive}\t{doing}")
    for job in status.running:
        started = job.started.strftime("%Y-%m-%d %H:%M:%S") if job.started else "-"
        click.echo(f"running\t{job.id}\t{job.owner or '-'}\t{started}\t{job.location}")


@jobs.command()
@catalogue_option
@click.argument("job_id", metavar="ID")
@OUTPUT_OPTION
@click.option("--no-run", is_flag=True, help="Only queue it, for a running runner to take.")
@click.option("--json", "as_json", is_flag=True, help="Print the episode (or job) as JSON.")
def retry(job_id: str, output: Path, no_run: bool, as_json: bool) -> None:
    """Queue failed job ID again and run it here, as 'build' would.

    Prints the episode as 'build' does, or the job's new error line (exit 1).

    Example: articleaudio jobs retry 3f2a9c0e5b7d4e1f8a6b2c4d9e0f1a2b -o output
    """
    with progress_bar("Synthesising", not as_json) as progress:
        result = retry_job(output, job_id, run=not no_run, progress=progress)
    if not isinstance(result, Ran):
        echo_json(result.to_dict()) if as_json else click.echo(f"queued {result.id}")
        return
    if result.built is not None:
        echo_built(result.job.location, result.built, as_json)
        return
    click.echo(f"Error: {result.job.error}", err=True)
    sys.exit(1)
