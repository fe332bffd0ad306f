"""``articleaudio script``: the dry run of the text stages (registered by cli/app.py)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import click

from ..text import script_article
from .common import LEXICON_OPTION


@click.command()
@click.argument("source")
@LEXICON_OPTION
@click.option(
    "--voice", help="Voice name or path to a .onnx model (checks lexicon IPA against it)."
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object per segment.")
def script(source: str, lexicons: tuple[Path, ...], voice: str | None, as_json: bool) -> None:
    """Print exactly what the voice will say for SOURCE, segment by segment.

    Runs extraction, sentence splitting, normalisation and the lexicon, but
    not synthesis. Lexicon entries that match nothing are reported on stderr.

    Example: articleaudio script article.html --lexicon names.toml
    """
    # No -o here: the voice is looked up in the default library, as `say` does.
    result = script_article(source, lexicons, voice=voice, library=Path("output"))
    for seg in result.segments:
        if as_json:
            row = dataclasses.asdict(seg)
            click.echo(json.dumps(row, ensure_ascii=False, sort_keys=True))
        else:
            click.echo(f"{seg.index:>3} {seg.role.value:<10} {seg.spoken}")
    for entry in result.unmatched:
        click.echo(
            f"Warning: lexicon entry {entry.word!r} ({entry.source}) matched nothing", err=True
        )
