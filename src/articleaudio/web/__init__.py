"""Web stage: the embeddable player page and the local server.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .player import PlayerSettings, publish_embed, write_embed

__all__ = [
    "PlayerSettings",
    "publish_embed",
    "write_embed",
]

__getattr__ = exports(
    __name__,
    {
        "PlayerSettings": ".player",
        "publish_embed": ".player",
        "write_embed": ".player",
    },
)
