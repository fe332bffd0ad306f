"""``articleaudio worker``: build the jobs a broker carries, on this machine."""

from __future__ import annotations

import functools
from pathlib import Path

import click

from .common import OUTPUT_OPTION, catalogue_option, configure_logging, with_options

WORKER_OPTIONS = (
    click.option(
        "--broker",
        metavar="URL",
        envvar="ARTICLEAUDIO_BROKER",
        required=True,
        help="The Redis broker the jobs come from: redis://HOST:PORT/DB "
        "[env: ARTICLEAUDIO_BROKER].",
    ),
    OUTPUT_OPTION,
    click.option(
        "--processes",
        type=click.IntRange(1, 64),
        default=1,
        show_default=True,
        help="Worker processes, each building one job at a time.",
    ),
    click.option(
        "-j",
        "--jobs",
        type=click.IntRange(1, 64),
        help="Synthesis processes of each worker process [default: cores].",
    ),
    click.option(
        "--max-concurrent",
        type=click.IntRange(1),
        metavar="N",
        help="At most N builds at once into this library, across all workers given the "
        "same N (a job finding none free waits, without costing an attempt) "
        "[default: no limit].",
    ),
    click.option("-v", "--verbose", count=True, help="Log more: -vv debug (info is always shown)."),
)
"""``worker``'s options in ``--help`` order."""


@click.command()
@catalogue_option
@with_options(WORKER_OPTIONS)
def worker(
    *,
    broker: str,
    output: Path,
    processes: int,
    jobs: int | None,
    max_concurrent: int | None,
    verbose: int,
) -> None:
    """Build the jobs sent with --broker (by build, watch, serve --api) until Ctrl-C.

    Start any number, on any number of machines, each with the shared library
    folder as -o. A job whose worker dies is given to another; one delivered
    twice is built once. The voice and synthesis processes stay warm between jobs.

    \b
    Example: articleaudio worker --broker redis://10.0.0.5:6379/0 -o /mnt/library --processes 2 -j 1
    Example: articleaudio worker --broker redis://10.0.0.5:6379/0 -o /mnt/library --max-concurrent 4
    """
    from ..jobs import WorkerSettings, broker_settings, run_worker  # Dramatiq loads here only
    from ..library import bound_catalogue

    verbosity = max(verbose, 1)
    configure_logging(verbosity)
    settings = WorkerSettings(
        broker_settings(broker),
        output,
        processes=processes,
        jobs=jobs,
        catalogue=bound_catalogue(output),
        child_setup=functools.partial(configure_logging, verbosity),
        max_concurrent=max_concurrent,
    )
    run_worker(settings)
