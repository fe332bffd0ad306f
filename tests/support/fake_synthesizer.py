"""A deterministic synthesizer for fast tests of stitching, timing and file writing.

It is never instead of the real path: the tests that use the real Piper voice are
marked ``slow`` (see the house style's "Tests"). ``benchmarks/bench_build.py`` builds
a very long article with it too, to measure memory without hours of synthesis.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

from articleaudio.models import WordTime
from articleaudio.synth.synthesize import Piece
from articleaudio.synth.voices import Voice

FAKE_VOICE = "fake"
"""The voice name the fake gives an episode's metadata."""


class FakeSynthesizer:
    """A tone of 60 ms per character with silent margins, its words spread evenly.

    A :class:`~articleaudio.synth.synthesize.Synthesizer` with no Piper voice, so a
    build uses it for every article whatever its language, and checks no lexicon IPA.
    """

    def __init__(self, sample_rate: int = 22050, seconds_per_char: float = 0.06) -> None:
        self._rate = sample_rate
        self.seconds_per_char = seconds_per_char

    @property
    def voice_name(self) -> str:
        return FAKE_VOICE

    @property
    def voice(self) -> Voice | None:
        return None

    @property
    def sample_rate(self) -> int:
        return self._rate

    @property
    def identity(self) -> dict[str, Any]:
        return {"fake": self.seconds_per_char, "rate": self._rate}

    def load(self) -> None:
        """Nothing to open."""

    def synthesize(self, text: str) -> Piece:
        n = int(len(text) * self.seconds_per_char * self._rate)
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
        freq = 120 + seed % 200
        t = np.arange(n, dtype=np.float64) / self._rate
        # Syllable-like amplitude modulation so loudness gating sees speech-like bursts.
        envelope = 0.5 * (1 - np.cos(2 * np.pi * 4 * t))
        tone = (0.2 * envelope * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        margin = np.zeros(int(0.3 * self._rate), dtype=np.float32)
        words = text.split()
        step = n / self._rate / max(len(words), 1)
        times = tuple(
            WordTime(w, 0.3 + k * step, 0.3 + (k + 1) * step) for k, w in enumerate(words)
        )
        return Piece(np.concatenate([margin, tone, margin]), self._rate, times)
