"""``articleaudio watch``: follow feeds and sitemaps, narrating what is new or edited."""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from ..extract import FetchSettings
from ..jobs import INTERVAL_S, WatchEvent, WatchSettings, open_watcher, since_date
from ..settings import BuildSettings
from ..sources import ItemFilter
from .common import OUTPUT_OPTION, catalogue_option, configure_logging, echo_json

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
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per finished job.")
@click.option("-v", "--verbose", count=True, help="Log more: -v info, -vv debug.")
def watch(
    sources: tuple[str, ...], output: Path, once: bool, as_json: bool, **options: Any
) -> None:
    """Follow RSS/Atom feeds and sitemaps; narrate each new or edited article.

    SOURCES are feed or sitemap URLs or files. Each poll fetches every listed
    page conditionally: an unchanged one costs one request and nothing else, an
    edited one is rebuilt (same GUID and date). Ctrl-C stops it; started again it
    resumes where it was.

    Example: articleaudio watch https://example.org/feed.xml -o output --once
    """
    verbose = options.pop("verbose")
    if verbose:
        configure_logging(verbose)
    settings = _settings(sources, output, options)
    report = _printer(as_json)
    with open_watcher(settings, report=report) as watcher:
        failures = watcher.run(once=once)
    if failures:
        sys.exit(1)


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
    )


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
