"""``articleaudio embed`` and ``articleaudio serve``: thin click wrappers.

The lead registers them on the group with ``cli.add_command(...)``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import click

from ..library import library_config
from ..web import PlayerSettings, embed_snippet, publish_embed, script_snippet
from .common import OUTPUT_OPTION


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
def embed(slug: str, output: Path, base_url: str, disclosure_url: str | None, script: bool) -> None:
    """Write the episode's player page and print the snippet to paste into the article.

    \b
    Example: articleaudio embed harbour-bridge-reopens --base-url https://example.org/audio/
    """
    settings = PlayerSettings(disclosure_url=disclosure_url)
    _, episode = publish_embed(output, slug, settings)
    base_url = base_url or library_config(output).base_url
    if script:
        click.echo(script_snippet(episode, base_url, settings))
    else:
        click.echo(embed_snippet(episode, base_url))


@click.command()
@OUTPUT_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="TCP port (0 picks a free one).",
)
def serve(output: Path, host: str, port: int) -> None:
    """Serve the output folder (feed, audio, transcripts, players) over HTTP until Ctrl+C.

    Podcast apps get byte ranges, ETags and the right content types.

    Example: articleaudio serve -o output --port 8000
    """
    from ..web import bind_socket, make_server  # Starlette and Uvicorn load only for this command

    http_server = make_server(output)
    sock = bind_socket(host, port)
    name, bound_port = sock.getsockname()[:2]
    shown = f"[{name}]" if ":" in name else name
    click.echo(f"Serving {output} at http://{shown}:{bound_port}/ (Ctrl+C to stop)", err=True)
    with contextlib.suppress(KeyboardInterrupt):  # Uvicorn re-raises Ctrl+C after shutting down
        http_server.run(sockets=[sock])
    click.echo("Stopped.", err=True)
