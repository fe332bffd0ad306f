"""``articleaudio embed`` and ``articleaudio serve``: thin click wrappers.

The lead registers them on the group with ``cli.add_command(...)``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..layout import REVIEW_FILE
from ..library import library_config
from ..web import PlayerSettings, embed_snippet, publish_embed, publish_review, script_snippet
from .common import BROKER_OPTION, OUTPUT_OPTION, catalogue_option

if TYPE_CHECKING:
    import uvicorn  # loads only for serve


_REVIEW_OPTION = click.option(
    "--review",
    "review",
    is_flag=True,
    help=f"Write the editors' review page ({REVIEW_FILE}) from the episode's check report "
    "instead: the player with the sentences `articleaudio check` flagged. Prints its "
    "file:// address; `serve` never serves it.",
)


@click.command()
@click.argument("slug")
@OUTPUT_OPTION
@click.option(
    "--base-url",
    default=None,
    help="Public address of the output folder (default: base_url of the library's settings, "
    "else http://127.0.0.1:8000/, where `serve` publishes it).",
)
@click.option(
    "--disclosure-url",
    default=None,
    help="Page explaining the AI assistance; the player's label links to it.",
)
@click.option(
    "--script",
    "script",
    is_flag=True,
    help="Print the script embed (<article-audio> web component) instead of the iframe.",
)
@_REVIEW_OPTION
def embed(
    slug: str,
    output: Path,
    base_url: str,
    disclosure_url: str | None,
    script: bool,
    *,
    review: bool,
) -> None:
    """Write the episode's player page and print the snippet to paste into the article.

    \b
    Example: articleaudio embed harbour-bridge-reopens --base-url https://example.org/audio/
    Example: articleaudio embed harbour-bridge-reopens -o output --review
    """
    settings = PlayerSettings(disclosure_url=disclosure_url)
    if review:
        click.echo(_review_page(output, slug, settings, script=script))
        return
    _, episode = publish_embed(output, slug, settings)
    base_url = base_url or library_config(output).base_url
    if script:
        click.echo(script_snippet(episode, base_url, settings))
    else:
        click.echo(embed_snippet(episode, base_url))


def _review_page(output: Path, slug: str, settings: PlayerSettings, *, script: bool) -> str:
    """``embed --review``: write the review page; its address, for a browser."""
    if script:
        raise click.UsageError("--review writes a page for editors, with no snippet; drop --script")
    return publish_review(output, slug, settings).resolve().as_uri()


@click.command()
@catalogue_option
@OUTPUT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0 picks a free one).",
)
@click.option(
    "--api",
    "api",
    is_flag=True,
    help="Also accept articles at /api/v1 (a CMS's publish hook) and build them here; "
    "needs a token in ARTICLEAUDIO_API_TOKENS or the library's [api] tokens.",
)
@click.option(
    "--api-allow-private",
    is_flag=True,
    help="Let posted URLs on loopback, link-local and private addresses be fetched "
    "(tests, an intranet CMS); refused otherwise.",
)
@BROKER_OPTION
def serve(
    output: Path, host: str, port: int, api: bool, api_allow_private: bool, *, broker: str | None
) -> None:
    """Serve the output folder (feed, audio, transcripts, players) over HTTP until Ctrl+C.

    Podcast apps get byte ranges, ETags and the right content types. With --api it
    also takes articles to narrate, each a job built here, one at a time, or with
    --broker sent to the workers (POST /api/v1/articles?priority=high goes first).

    \b
    Example: articleaudio serve -o output --port 8000
    Example: ARTICLEAUDIO_API_TOKENS=s3cret articleaudio serve -o output --api
    Example: articleaudio serve -o output --api --broker redis://127.0.0.1:6379/0
    """
    if api:
        _serve_api(output, host, port, allow_private=api_allow_private, broker=broker)
        return
    from ..web import make_server  # Starlette and Uvicorn load only for this command

    _run(make_server(output), output, host, port)


def _serve_api(
    output: Path, host: str, port: int, *, allow_private: bool, broker: str | None
) -> None:
    from ..api import ApiSettings, api_server, api_tokens
    from ..jobs import broker_settings

    settings = ApiSettings(
        tokens=api_tokens(output),
        allow_private=allow_private,
        broker=broker_settings(broker) if broker else None,
    )
    with api_server(output, settings) as http_server:
        _run(http_server, output, host, port)


def _run(http_server: uvicorn.Server, output: Path, host: str, port: int) -> None:
    from ..web import bind_socket

    sock = bind_socket(host, port)
    name, bound_port = sock.getsockname()[:2]
    shown = f"[{name}]" if ":" in name else name
    click.echo(f"Serving {output} at http://{shown}:{bound_port}/ (Ctrl+C to stop)", err=True)
    with contextlib.suppress(KeyboardInterrupt):  # Uvicorn re-raises Ctrl+C after shutting down
        http_server.run(sockets=[sock])
    click.echo("Stopped.", err=True)
