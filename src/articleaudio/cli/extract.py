"""``articleaudio extract``: show exactly what will be read, before any synthesis."""

from __future__ import annotations

import click

from ..extract import SourceKind, load_article
from .common import echo_json


@click.command("extract")
@click.argument("source")
@click.option(
    "--format",
    "kind",
    type=click.Choice([k.value for k in SourceKind]),
    default=None,
    help="Treat SOURCE as this format instead of guessing from its name or content.",
)
@click.option(
    "--json",
    "as_json",
    is_flag=True,
    help="Print the article, its metadata and its extraction confidence as JSON.",
)
def extract_command(source: str, kind: str | None, as_json: bool) -> None:
    """Print the article found in SOURCE: the title, a blank line, then its paragraphs.

    SOURCE is a file (HTML, Markdown, text, CMS JSON), an http(s) URL, or - for
    standard input. Menus, captions, banners and related-story links are left
    out, so this is exactly what an episode will read. With --json, "confidence"
    (0..1) says how far to trust the extraction: `build` warns below 0.60.

    Example: articleaudio extract https://example.org/news/story.html
    """
    article = load_article(source, kind=SourceKind(kind) if kind else None)
    if as_json:
        echo_json({**article.to_dict(), "confidence": article.confidence})
    else:
        click.echo(article.body_text)


COMMANDS = (extract_command,)
"""Commands this module adds to the ``articleaudio`` group."""
