"""Library stage: episode folders, the catalogue, the feed and where a library keeps its settings.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .publish import list_episodes, publish_episode, regenerate_feed, unpublish
    from .settings import resolve
    from .write import BuildStatus, Built, write_episode

__all__ = [
    "BuildStatus",
    "Built",
    "list_episodes",
    "publish_episode",
    "regenerate_feed",
    "resolve",
    "unpublish",
    "write_episode",
]

__getattr__ = exports(
    __name__,
    {
        "BuildStatus": ".write",
        "Built": ".write",
        "list_episodes": ".publish",
        "publish_episode": ".publish",
        "regenerate_feed": ".publish",
        "resolve": ".settings",
        "unpublish": ".publish",
        "write_episode": ".write",
    },
)
