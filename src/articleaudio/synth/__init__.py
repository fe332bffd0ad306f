"""Synthesis stage: segments → audio pieces with word times (Piper, voices, workers, cache).

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .cache import DEFAULT_MAX_BYTES, Cache, SegmentCache, default_cache_dir
    from .synthesize import Piece, PiperSynthesizer, SynthesisSettings, Synthesizer, usable_cores
    from .voice_choice import VoicePool, choose_voice
    from .voices import Voice, find_voice, list_voices, shown, voice_folders
    from .workers import Progress, Synthesis, WorkerPool, default_jobs

__all__ = [
    "DEFAULT_MAX_BYTES",
    "Cache",
    "Piece",
    "PiperSynthesizer",
    "Progress",
    "SegmentCache",
    "Synthesis",
    "SynthesisSettings",
    "Synthesizer",
    "Voice",
    "VoicePool",
    "WorkerPool",
    "choose_voice",
    "default_cache_dir",
    "default_jobs",
    "find_voice",
    "list_voices",
    "shown",
    "usable_cores",
    "voice_folders",
]

__getattr__ = exports(
    __name__,
    {
        "Cache": ".cache",
        "DEFAULT_MAX_BYTES": ".cache",
        "Piece": ".synthesize",
        "default_cache_dir": ".cache",
        "PiperSynthesizer": ".synthesize",
        "Progress": ".workers",
        "SegmentCache": ".cache",
        "Synthesis": ".workers",
        "SynthesisSettings": ".synthesize",
        "Synthesizer": ".synthesize",
        "Voice": ".voices",
        "VoicePool": ".voice_choice",
        "WorkerPool": ".workers",
        "choose_voice": ".voice_choice",
        "default_jobs": ".workers",
        "find_voice": ".voices",
        "list_voices": ".voices",
        "shown": ".voices",
        "usable_cores": ".synthesize",
        "voice_folders": ".voices",
    },
)
