"""Synthesize stage: spoken text → mono float32 PCM, one :class:`Piece` per segment.

:class:`PiperSynthesizer` is the real path. :class:`FakeSynthesizer` makes
deterministic tones of text-dependent length for fast tests of stitching and
timing; it is never used by the CLI.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

import numpy as np

from .errors import SynthesisError, VoiceError
from .voices import Voice

log = logging.getLogger(__name__)

INNER_SENTENCE_GAP = 0.25
"""Seconds between sentences when Piper splits one segment into several."""


@dataclass(frozen=True)
class SynthesisSettings:
    """How the voice speaks."""

    length_scale: float | None = None
    """Phoneme duration factor: > 1 slower, < 1 faster (None: the voice's default)."""
    noise_scale: float | None = None
    """Voice variation (None: the voice's default)."""
    noise_w_scale: float | None = None
    """Phoneme width variation (None: the voice's default)."""
    speaker: int | None = None
    """Speaker id for multi-speaker voices."""
    threads: int = 0
    """ONNX Runtime intra-op threads per process (0: let it decide)."""

    def to_dict(self) -> dict[str, Any]:
        """Stable form used in cache keys and metadata."""
        return {
            "length_scale": self.length_scale,
            "noise_scale": self.noise_scale,
            "noise_w_scale": self.noise_w_scale,
            "speaker": self.speaker,
        }


@dataclass(frozen=True)
class Piece:
    """Audio for one segment."""

    audio: np.ndarray
    """Mono float32 samples in [-1, 1]."""
    sample_rate: int
    """Hz."""


class Synthesizer(Protocol):
    """Anything that turns one segment's spoken text into audio."""

    @property
    def sample_rate(self) -> int:
        """Output sample rate."""
        ...

    def synthesize(self, text: str) -> Piece:
        """Speak ``text``."""
        ...


class PiperSynthesizer:
    """The real voice, loaded lazily so constructing it is cheap."""

    def __init__(self, voice: Voice, settings: SynthesisSettings | None = None) -> None:
        self.voice = voice
        self.settings = settings or SynthesisSettings()

    @property
    def sample_rate(self) -> int:
        return self.voice.sample_rate

    @cached_property
    def _piper(self) -> Any:
        # Built by hand rather than with PiperVoice.load, which takes no thread
        # option: parallel workers each pin their own ONNX Runtime thread count.
        import onnxruntime
        from piper import PiperVoice
        from piper.config import PiperConfig

        options = onnxruntime.SessionOptions()
        if self.settings.threads:
            options.intra_op_num_threads = self.settings.threads
            options.inter_op_num_threads = 1
        try:
            import json

            config = PiperConfig.from_dict(
                json.loads(self.voice.config_path.read_text(encoding="utf-8"))
            )
            session = onnxruntime.InferenceSession(
                str(self.voice.model_path), sess_options=options, providers=["CPUExecutionProvider"]
            )
        except Exception as exc:  # onnxruntime raises its own untyped errors
            raise VoiceError(
                f"cannot load voice '{self.voice.name}' from {self.voice.model_path}: {exc}; "
                "the .onnx file may be corrupt or not match its .onnx.json",
                voice=self.voice.name,
            ) from exc
        return PiperVoice(session=session, config=config)

    @cached_property
    def _config(self) -> Any:
        from piper import SynthesisConfig

        s = self.settings
        # Piper's per-sentence peak normalisation swings loudness by ~7 dB between
        # sentences; the master stage normalises the whole episode once instead.
        return SynthesisConfig(
            speaker_id=s.speaker,
            length_scale=s.length_scale,
            noise_scale=s.noise_scale,
            noise_w_scale=s.noise_w_scale,
            normalize_audio=False,
        )

    def synthesize(self, text: str) -> Piece:
        try:
            chunks = [c.audio_float_array for c in self._piper.synthesize(text, self._config)]
        except (VoiceError, SynthesisError):
            raise
        except Exception as exc:
            raise SynthesisError(f"Piper failed on {text[:60]!r}: {exc}", text=text) from exc
        return Piece(join_chunks(chunks, self.sample_rate), self.sample_rate)


def join_chunks(chunks: list[np.ndarray], sample_rate: int) -> np.ndarray:
    """Concatenate Piper's per-sentence chunks with a short gap between them."""
    if not chunks:
        return np.zeros(0, dtype=np.float32)
    gap = np.zeros(int(INNER_SENTENCE_GAP * sample_rate), dtype=np.float32)
    parts: list[np.ndarray] = []
    for i, chunk in enumerate(chunks):
        if i:
            parts.append(gap)
        parts.append(np.asarray(chunk, dtype=np.float32).reshape(-1))
    return np.concatenate(parts)


class FakeSynthesizer:
    """Deterministic stand-in: a tone of 60 ms per character with silent margins.

    Only for unit tests of stitching, timing and file writing.
    """

    def __init__(self, sample_rate: int = 22050, seconds_per_char: float = 0.06) -> None:
        self._rate = sample_rate
        self.seconds_per_char = seconds_per_char
        self.calls: list[str] = []

    @property
    def sample_rate(self) -> int:
        return self._rate

    def synthesize(self, text: str) -> Piece:
        self.calls.append(text)
        n = int(len(text) * self.seconds_per_char * self._rate)
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")
        freq = 120 + seed % 200
        t = np.arange(n, dtype=np.float64) / self._rate
        # Syllable-like amplitude modulation so loudness gating sees speech-like bursts.
        envelope = 0.5 * (1 - np.cos(2 * np.pi * 4 * t))
        tone = (0.2 * envelope * np.sin(2 * np.pi * freq * t)).astype(np.float32)
        margin = np.zeros(int(0.3 * self._rate), dtype=np.float32)
        return Piece(np.concatenate([margin, tone, margin]), self._rate)
