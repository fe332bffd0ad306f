"""Pieces every command module shares: the error-mapping group, common options, output helpers.

Kept apart from :mod:`articleaudio.cli.app` so command modules can import them
without importing the group that imports them.
"""

from __future__ import annotations

import functools
import json
import logging
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from ..errors import ArticleAudioError
from ..jobs import DEFAULT_PRIORITY, PRIORITIES
from ..library import ENV_CATALOGUE, Built, use_catalogue

F = TypeVar("F", bound=Callable[..., Any])
"""A click command's callback, as click's decorators take and return it."""

OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output library folder (episodes, feed, catalogue).",
)
_CATALOGUE_OPTION = click.option(
    "--catalogue",
    metavar="URL",
    envvar=ENV_CATALOGUE,
    help="Keep the library's catalogue in this PostgreSQL database "
    "(postgresql://USER@HOST:PORT/DB; env ARTICLEAUDIO_CATALOGUE) instead of "
    "the SQLite file in the folder: for a library shared by many machines.",
)


def catalogue_option(command: F) -> F:
    """``--catalogue URL``: the ``-o`` library's catalogue database, bound before the command."""

    @functools.wraps(command)
    def bound(*args: Any, catalogue: str | None, **kwargs: Any) -> Any:
        use_catalogue(kwargs["output"], catalogue)
        return command(*args, **kwargs)

    return _CATALOGUE_OPTION(bound)  # type: ignore[return-value]


LEXICON_OPTION = click.option(
    "--lexicon",
    "lexicons",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Pronunciation lexicon (TOML) on top of the built-in one; repeatable.",
)
BROKER_OPTION = click.option(
    "--broker",
    metavar="URL",
    envvar="ARTICLEAUDIO_BROKER",
    help="Send the jobs to this Redis broker (redis://HOST:PORT/DB) for 'articleaudio "
    "worker' processes to build, instead of building them here [env: ARTICLEAUDIO_BROKER].",
)
PRIORITY_OPTION = click.option(
    "--priority",
    type=click.Choice(list(PRIORITIES)),
    default=DEFAULT_PRIORITY,
    show_default=True,
    help="With --broker: the queue the jobs join (high goes ahead of what is queued).",
)


OWN_LOGGER = "articleaudio"
LOG_LEVELS: dict[int, tuple[int, int]] = {
    0: (logging.WARNING, logging.CRITICAL + 1),
    1: (logging.INFO, logging.WARNING),
    2: (logging.DEBUG, logging.DEBUG),
}
"""``-v`` count → (level shown for articleaudio's loggers, for other libraries').

Libraries log what they handle as errors: trafilatura says ``ERROR ... not valid
HTML`` for text it was given as HTML, and the extractor then reads it another
way. Their lines would read as failures, so they are shown only with ``-v``."""


class _LevelFilter(logging.Filter):
    """Passes articleaudio's records from one level and other libraries' from another."""

    def __init__(self, own: int, others: int) -> None:
        super().__init__()
        self.own, self.others = own, others

    def filter(self, record: logging.LogRecord) -> bool:
        ours = record.name == OWN_LOGGER or record.name.startswith(f"{OWN_LOGGER}.")
        return record.levelno >= (self.own if ours else self.others)


class _CliHandler(logging.StreamHandler):  # type: ignore[type-arg]
    """The one stderr handler the command installs (replaced on each invocation)."""


def configure_logging(verbose: int) -> None:
    """Log to stderr: articleaudio's warnings, other libraries' only with ``-v``."""
    own, others = LOG_LEVELS[min(verbose, max(LOG_LEVELS))]
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _CliHandler)]:
        root.removeHandler(old)  # an earlier invocation in this process (tests, scripts)
    handler = _CliHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_LevelFilter(own, others))
    root.addHandler(handler)
    root.setLevel(min(own, others))


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread so that it stops a command as Ctrl-C does.

    A KeyboardInterrupt so that ``except Exception`` never swallows it and every
    clean-up that runs on Ctrl-C (workers killed, temporary files removed) runs.
    """


def stop_on_sigterm() -> None:
    """Turn SIGTERM into :class:`Terminated` (the default would skip every clean-up)."""

    def handler(signum: int, frame: object) -> None:
        raise Terminated

    signal.signal(signal.SIGTERM, handler)


class _Interrupted(click.ClickException):
    """Ctrl-C: ``Error: interrupted``, exit 128 + SIGINT as shells report it."""

    exit_code = 128 + signal.SIGINT


class _TerminatedExit(click.ClickException):
    """SIGTERM: ``Error: terminated``, exit 128 + SIGTERM."""

    exit_code = 128 + signal.SIGTERM


class _Group(click.Group):
    """Maps the library's error tree (and Ctrl-C) to ``Error: …`` in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArticleAudioError as exc:
            raise click.ClickException(str(exc)) from exc
        except Terminated:
            raise _TerminatedExit("terminated") from None
        except KeyboardInterrupt:  # click itself would print "Aborted!" and exit 1
            raise _Interrupted("interrupted") from None


def echo_json(data: Any) -> None:
    """One JSON document per line, for scripts."""
    click.echo(json.dumps(data, ensure_ascii=False, sort_keys=True))


@contextmanager
def progress_bar(label: str, enabled: bool) -> Iterator[Any]:
    """A progress callback ``(done, total)``; a bar on a terminal, silent when piped."""
    if not enabled or not sys.stderr.isatty():
        yield lambda done, total: None
        return
    with click.progressbar(length=1, label=label, file=sys.stderr) as bar:

        def update(done: int, total: int) -> None:
            bar.length = max(total, 1)
            bar.update(done - bar.pos)

        yield update


def with_options(options: Sequence[Callable[[F], F]]) -> Callable[[F], F]:
    """Apply click options from a table, first row first in ``--help`` (as if stacked)."""

    def apply(function: F) -> F:
        for option in reversed(options):
            function = option(function)
        return function

    return apply


def echo_built(
    location: str, built: Built, as_json: bool, *, confidence: float | None = None
) -> None:
    """One line per episode: its status, MP3, length and loudness (or a JSON object, with
    the extraction's ``confidence``)."""
    if as_json:
        record = {**built.episode.to_dict(), "status": built.status.value}
        source = {"source": location, "confidence": confidence}
        echo_json({**source, "paths": built.paths(), **record})
        return
    audio = built.episode.audio
    click.echo(
        f"{built.status.value:<9}  {built.paths()['audio']}  ({audio.duration:.1f} s, "
        f"{audio.integrated_lufs:.1f} LUFS)"
    )
