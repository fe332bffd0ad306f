"""Encode stage: the mastered episode → MP3 (or M4A, Opus) with tags, chapters and sidecars.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .art import Art
    from .encoder import FORMATS, EncodeSettings, encode
    from .sidecars import to_chapters_json, to_transcript_json, to_vtt
    from .tags import TagInfo, write_tags

__all__ = [
    "FORMATS",
    "Art",
    "EncodeSettings",
    "TagInfo",
    "encode",
    "to_chapters_json",
    "to_transcript_json",
    "to_vtt",
    "write_tags",
]

__getattr__ = exports(
    __name__,
    {
        "Art": ".art",
        "EncodeSettings": ".encoder",
        "FORMATS": ".encoder",
        "TagInfo": ".tags",
        "encode": ".encoder",
        "to_chapters_json": ".sidecars",
        "to_transcript_json": ".sidecars",
        "to_vtt": ".sidecars",
        "write_tags": ".tags",
    },
)
