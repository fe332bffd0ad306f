"""The ``articleaudio`` command: a thin click layer over the library.

Each command parses options, calls one library function and prints. Library
errors (:class:`ArticleAudioError`) become one ``Error: …`` line and exit 1 in
:class:`_Group`, so commands never catch them themselves.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from . import __version__
from .errors import ArticleAudioError

OUTPUT_OPTION = click.option(
    "-o",
    "--output",
    "output",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("output"),
    show_default=True,
    help="Output library folder (episodes, feed, catalogue).",
)


class _Group(click.Group):
    """Maps the library's error tree to ``Error: …`` in one place."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ArticleAudioError as exc:
            raise click.ClickException(str(exc)) from exc


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="articleaudio")
@click.option("-v", "--verbose", count=True, help="Log more (-v info, -vv debug).")
def cli(verbose: int) -> None:
    """Turn news articles into narrated podcast episodes with a local Piper voice."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


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


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="articleaudio")
