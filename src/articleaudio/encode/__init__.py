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
    from .art import Art, art_bytes, episode_art, make_art
    from .encoder import (
        FORMATS,
        PROBE_SECONDS,
        EncodeSettings,
        SinkOpener,
        decoded_true_peak,
        encode,
        level_change,
    )
    from .ffmpeg import decode_audio
    from .levels import EncoderLevels
    from .mp3frames import BITRATES, MP3_RATE, SpanStore, frame_grid
    from .sidecars import to_chapters_json, to_transcript_json, to_vtt
    from .tags import TagInfo, write_tags

__all__ = [
    "BITRATES",
    "FORMATS",
    "MP3_RATE",
    "PROBE_SECONDS",
    "Art",
    "EncodeSettings",
    "EncoderLevels",
    "SinkOpener",
    "SpanStore",
    "TagInfo",
    "art_bytes",
    "decode_audio",
    "decoded_true_peak",
    "encode",
    "episode_art",
    "frame_grid",
    "level_change",
    "make_art",
    "to_chapters_json",
    "to_transcript_json",
    "to_vtt",
    "write_tags",
]

__getattr__ = exports(
    __name__,
    {
        "Art": ".art",
        "BITRATES": ".mp3frames",
        "EncodeSettings": ".encoder",
        "EncoderLevels": ".levels",
        "FORMATS": ".encoder",
        "MP3_RATE": ".mp3frames",
        "PROBE_SECONDS": ".encoder",
        "SinkOpener": ".encoder",
        "SpanStore": ".mp3frames",
        "TagInfo": ".tags",
        "art_bytes": ".art",
        "decode_audio": ".ffmpeg",
        "decoded_true_peak": ".encoder",
        "encode": ".encoder",
        "episode_art": ".art",
        "frame_grid": ".mp3frames",
        "level_change": ".encoder",
        "make_art": ".art",
        "to_chapters_json": ".sidecars",
        "to_transcript_json": ".sidecars",
        "to_vtt": ".sidecars",
        "write_tags": ".tags",
    },
)
