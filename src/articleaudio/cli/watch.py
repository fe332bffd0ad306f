"""``articleaudio watch``: follow feeds and sitemaps, narrating what is new or edited."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

import click

from ..extract import FetchSettings
from ..jobs import INTERVAL_S, WatchEvent, WatchSettings, broker_settings, open_watcher, since_date
from ..settings import BuildSettings
from ..sources import ItemFilter
from .common import (
    BROKER_OPTION,
    OUTPUT_OPTION,
    PRIORITY_OPTION,
    catalogue_option,
    configure_logging,
    echo_json,
)

UNITS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0}
"""``--interval`` suffix → seconds."""


def parse_interval(text: str) -> float:
    """Seconds in an interval such as ``90``, ``30s``, ``10m`` or ``1h``.

    >>> parse_interval("10m"), parse_interval("90"), parse_interval("1.5h")
    (600.0, 90.0, 5400.0)
    """
    found = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text.lower())
    if found is None:
        raise click.BadParameter(f"{text!r} is not an interval; say 90, 30s, 10m or 1h")
    return float(found[1]) * UNITS[found[2]]


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return since_date(text)
    except ValueError:
        raise click.BadParameter(
            f"{text!r} is not a date; say 2026-11-01 or 2026-11-01T09:00Z"
        ) from None


@click.command()
@catalogue_option
@click.argument("sources", nargs=-1, required=True)
@OUTPUT_OPTION
@click.option("--once", is_flag=True, help="Poll once and exit (for cron); exit 1 if any failed.")
@click.option(
    "--interval",
    metavar="DURATION",
    default="10m",
    show_default=True,
    help="Time between the starts of two polls: 90, 30s, 10m, 1h.",
)
@click.option("--max-new", type=click.IntRange(1), help="New articles narrated per poll at most.")
@click.option(
    "--since", metavar="DATE", help="Narrate items dated from DATE (the back catalogue) on."
)
@click.option("--include", multiple=True, help="Only URLs matching this glob (repeatable).")
@click.option("--exclude", multiple=True, help="Skip URLs matching this glob (repeatable).")
@click.option("--category", multiple=True, help="Only items in this category (repeatable).")
@click.option("--min-words", type=click.IntRange(0), default=0, help="Skip shorter articles.")
@click.option(
    "--allow-private", is_flag=True, help="Allow loopback and private addresses (intranet CMS)."
)
@BROKER_OPTION
@PRIORITY_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per finished job.")
@click.option("-v", "--verbose", count=True, help="Log more: -v info, -vv debug.")
def watch(
    sources: tuple[str, ...], output: Path, once: bool, as_json: bool, **options: Any
) -> None:
    """Follow RSS/Atom feeds and sitemaps; narrate each new or edited article.

    SOURCES are feed or sitemap URLs or files. Each poll fetches every listed
    page conditionally: an unchanged one costs one request and nothing else, an
    edited one is rebuilt (same GUID and date). Ctrl-C stops it; started again it
    resumes where it was. On a terminal it shows the step it is on (polling,
    building X with a progress bar, waiting until HH:MM:SS) on one line; piped, it
    prints one line per event. With --broker the jobs go to the workers, and each
    poll reports those they finished since.

    \b
    Example: articleaudio watch https://example.org/feed.xml -o output --once
    Example: articleaudio watch https://example.org/feed.xml -o output --broker redis://127.0.0.1:6379/0
    """
    verbose = options.pop("verbose")
    if verbose:
        configure_logging(verbose)
    settings = _settings(sources, output, options)
    if _watch(settings, once=once, as_json=as_json):
        sys.exit(1)


def _watch(settings: WatchSettings, *, once: bool, as_json: bool) -> int:
    """Run the watch, shown as :class:`Terminal` on a terminal, else line by line."""
    screen = Terminal(sys.stderr, as_json) if sys.stderr.isatty() else None
    report = screen.report if screen else _printer(as_json)
    progress = screen.progress if screen else None
    try:
        with open_watcher(settings, report=report, progress=progress) as watcher:
            return watcher.run(once=once)
    finally:
        if screen:
            screen.close()


def _settings(sources: tuple[str, ...], output: Path, options: dict[str, Any]) -> WatchSettings:
    rules = ItemFilter(
        include=tuple(options["include"]),
        exclude=tuple(options["exclude"]),
        categories=tuple(options["category"]),
        min_words=int(options["min_words"]),
        since=_since(options["since"]),
    )
    return WatchSettings(
        sources=sources,
        build=BuildSettings(output=output),
        rules=rules,
        fetch=FetchSettings(allow_private=bool(options["allow_private"])),
        max_new=options["max_new"],
        interval_s=parse_interval(options["interval"]) if options["interval"] else INTERVAL_S,
        broker=broker_settings(options["broker"]) if options["broker"] else None,
        priority=options["priority"],
    )


STATUS_KINDS = frozenset({"polling", "not-modified", "unchanged", "building", "started", "waiting"})
"""Events a terminal shows on its one status line, each replacing the one before; the
others (what was found, built or failed) stay on screen as lines."""
BAR_WIDTH = 24
"""Characters in the progress bar of the job being built."""
CLEAR_LINE = "\r\x1b[K"
"""Back to the start of the line, and erase it (ECMA-48 EL)."""


class Terminal:
    """What a watch shows on a terminal: lasting events as lines (as piped), and the
    step it is on (polling, building X with a progress bar, waiting until HH:MM:SS)
    on one status line on ``stream``, rewritten in place."""

    def __init__(self, stream: TextIO, as_json: bool) -> None:
        self.stream, self.as_json = stream, as_json
        self._print = _printer(as_json)
        self._building = ""

    def report(self, event: WatchEvent) -> None:
        """Show an event: on the status line, or as a line that stays."""
        if event.kind not in STATUS_KINDS:
            self.close()
            self._print(event)
            return
        if event.kind == "started":
            self._building = f"building {event.url}"
        self._status(event_line(event))

    def progress(self, done: int, total: int) -> None:
        """The job being built: its sentences synthesised, as a bar."""
        filled = BAR_WIDTH * done // max(total, 1)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self._status(f"{self._building} [{bar}] {done}/{total}")

    def close(self) -> None:
        """Erase the status line (before a lasting line, and at the end)."""
        self.stream.write(CLEAR_LINE)
        self.stream.flush()

    def _status(self, text: str) -> None:
        # Cut to the terminal's width: a line that wraps cannot be rewritten in place.
        width = shutil.get_terminal_size().columns - 1
        self.stream.write(CLEAR_LINE + text[: max(width, 20)])
        self.stream.flush()


def _printer(as_json: bool) -> Callable[[WatchEvent], None]:
    """One line per event (on stderr with ``--json``, whose stdout is the finished jobs)."""

    def report(event: WatchEvent) -> None:
        if as_json and event.ran is not None:
            echo_json({**event.ran.job.to_dict(), "url": event.url, "watch": event.source})
            return
        click.echo(event_line(event), err=as_json or event.failed)

    return report


def event_line(event: WatchEvent) -> str:
    """``HH:MM:SS kind where: message``; ``where`` (the page, else the source) is left
    out when the message names it already (error lines do)."""
    where = event.url or event.source
    if where and where in event.message:
        where = ""
    text = f"{datetime.now():%H:%M:%S} {event.kind:<12} {where}".rstrip()
    return f"{text}: {event.message}" if event.message else text
