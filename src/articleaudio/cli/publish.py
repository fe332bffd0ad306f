"""Library commands: ``episodes``, ``rm``, ``feed`` and ``validate``.

Thin click wrappers over :mod:`articleaudio.library.publish`; the group registered in
:mod:`articleaudio.cli.app` turns library errors into one ``Error: …`` line.
"""

from __future__ import annotations

from pathlib import Path

import click

from ..config import load_config
from ..library import (
    feed_entries,
    library_config,
    list_episodes,
    placeholders,
    regenerate_feed,
    unpublish,
    validate,
)
from .common import OUTPUT_OPTION, echo_json

CONFIG_OPTION = click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Podcast settings file; the library keeps a copy [default: the library's own "
    "settings, else ./articleaudio.toml, else built-in defaults].",
)


@click.command()
@OUTPUT_OPTION
@click.option("--json", "as_json", is_flag=True, help="One JSON object per episode per line.")
def episodes(output: Path, as_json: bool) -> None:
    """List the episodes in the library, newest first.

    Example: articleaudio episodes -o output --json
    """
    for entry in list_episodes(output):
        if as_json:
            echo_json(entry.to_dict())
            continue
        minutes, seconds = divmod(round(entry.episode.audio.duration), 60)
        day = entry.published.date().isoformat()
        click.echo(f"{entry.slug}\t{minutes}:{seconds:02d}\t{day}\t{entry.episode.article.title}")


@click.command()
@click.argument("slug")
@OUTPUT_OPTION
@CONFIG_OPTION
def rm(slug: str, output: Path, config_file: Path | None) -> None:
    """Remove episode SLUG: its files and its feed entry.

    Example: articleaudio rm city-council-approves-budget -o output
    """
    unpublish(output, slug, load_config(config_file) if config_file else None)
    click.echo(f"Removed {slug}")


@click.command()
@OUTPUT_OPTION
@CONFIG_OPTION
def feed(output: Path, config_file: Path | None) -> None:
    """Write the podcast feed again from the library (and catalogue new episode folders).

    Example: articleaudio feed -o output --config articleaudio.toml
    """
    path = regenerate_feed(output, load_config(config_file) if config_file else None)
    config = library_config(output)
    count = len(feed_entries(output, list_episodes(output)))
    noun = "episode" if count == 1 else "episodes"
    click.echo(f"Wrote {path} ({count} {noun}); subscribe at {config.feed_url}")
    for selection in config.feeds:
        url = config.for_selection(selection).feed_url
        click.echo(f"Wrote {output / selection.feed_file} ({selection.label}); subscribe at {url}")


@click.command(name="validate")
@OUTPUT_OPTION
@CONFIG_OPTION
@click.option("--strict", is_flag=True, help="Fail on placeholder settings too.")
@click.pass_context
def validate_cmd(ctx: click.Context, output: Path, config_file: Path | None, strict: bool) -> None:
    """Check the feed and its files; exit 1 and list the problems if any.

    Checks artwork size and type, required tags, enclosure lengths against the
    files, unique GUIDs, durations against the MP3s, transcripts and chapters.
    Placeholder settings (a local base URL, an example.invalid address) are
    warnings, and problems with --strict.

    Example: articleaudio validate -o output --strict
    """
    config = library_config(output, config_file)
    problems = [str(p) for p in validate(output, config)]
    warnings = placeholders(config)
    if strict:
        problems += warnings
    for line in problems:
        click.echo(line)
    for warning in [] if strict else warnings:
        click.echo(f"Warning: {warning}", err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) in {output / config.feed_file}", err=True)
        ctx.exit(1)
    click.echo(f"OK: {output / config.feed_file} has no problems")


COMMANDS = (episodes, rm, feed, validate_cmd)
"""For ``cli.add_command``: every command of this module."""
