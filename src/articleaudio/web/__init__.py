"""Web stage: the embeddable player page, the editors' review page and the local server.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .player import PlayerSettings, embed_snippet, publish_embed, script_snippet, write_embed
    from .review import publish_review, render_review
    from .server import app_server, bind_socket, create_app, make_server

__all__ = [
    "PlayerSettings",
    "app_server",
    "bind_socket",
    "create_app",
    "embed_snippet",
    "make_server",
    "publish_embed",
    "publish_review",
    "render_review",
    "script_snippet",
    "write_embed",
]

__getattr__ = exports(
    __name__,
    {
        "PlayerSettings": ".player",
        "app_server": ".server",
        "bind_socket": ".server",
        "create_app": ".server",
        "embed_snippet": ".player",
        "make_server": ".server",
        "publish_embed": ".player",
        "publish_review": ".review",
        "render_review": ".review",
        "script_snippet": ".player",
        "write_embed": ".player",
    },
)
