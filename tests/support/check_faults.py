"""One episode for the listening check: clean news sentences and sentences with planted
faults, built with the real voice.

Faults of two kinds. At the voice: the voice is given a wrong text (a number read as
digits, a dropped clause or word, a wrong name, an acronym read as a word) while the
episode records the right one, as a voice that garbled its text would. In meaning: the
voice says what it was given, but what it was given is wrong: a lexicon entry with a
wrong respelling, and a normalisation rule that reads a score as a range.

Shared by the slow check tests (``tests/integration/test_check.py``) and the check
benchmark (``benchmarks/bench_check.py``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from articleaudio import Built
from articleaudio.models import Spoken
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from articleaudio.synth import Piece, PiperSynthesizer, Synthesizer, find_voice
from articleaudio.text import load_lexicon, make_spoken

from .paths import DATA

CLEAN_FILE = DATA / "check" / "clean.txt"


def clean_sentences(count: int | None = None) -> list[str]:
    """The clean sentences (the first ``count`` of them)."""
    lines = CLEAN_FILE.read_text(encoding="utf-8").splitlines()
    found = [line for line in lines if line and not line.startswith("#")]
    return found[:count]


@dataclass(frozen=True)
class Fault:
    """A sentence with a planted fault, and what the check should call it."""

    sentence: str
    """The article's sentence."""
    kind: str
    """The flag's expected kind."""
    against: str
    """``spoken`` (planted at the voice) or ``article`` (planted in the meaning)."""
    voice_gets: tuple[str, str] | None = None
    """(the right spoken words, the wrong ones the voice is given instead)."""


FAULTS = (
    Fault(
        "The council approved 1,200 new homes on the edge of town.",
        "number",
        "spoken",
        ("one thousand two hundred", "one two zero zero"),
    ),
    Fault(
        "Turnout in the election reached 64% on Thursday.",
        "number",
        "spoken",
        ("sixty-four percent", "six four percent"),
    ),
    Fault(
        "The minister resigned on Friday, saying she had lost the trust of her own party.",
        "unheard",
        "spoken",
        (", saying she had lost the trust of her own party", ""),
    ),
    Fault(
        "The old bridge will not reopen until the repairs are finished.",
        "missing",
        "spoken",
        ("will not reopen", "will reopen"),
    ),
    Fault(
        "Officials in Lisbon confirmed the agreement late on Monday.",
        "name",
        "spoken",
        ("Lisbon", "Chicago"),
    ),
    Fault(
        "The striker Marcus Rashford scored twice in the second half.",
        "name",
        "spoken",
        ("Marcus Rashford", "Harry Kane"),
    ),
    Fault(
        "Observers from the OSCE arrived on Sunday.",
        "name",
        "spoken",
        ("O-S-C-E", "Osce"),
    ),
    Fault(
        "Inspectors from the IAEA visited the plant.",
        "name",
        "spoken",
        ("I-A-E-A", "Iaea"),
    ),
    Fault(
        "The company expects its profits to rise this year.",
        "extra",
        "spoken",
        ("to rise this year", "to rise sharply this year"),
    ),
    Fault("The summit in Helsinki ended without a deal.", "name", "article"),
    Fault("Flights from Toronto were delayed by the storm.", "name", "article"),
    Fault("United beat City 3-1 in front of a record crowd.", "number", "article"),
    Fault("The home side won 4-2 after extra time.", "number", "article"),
)
"""Thirteen faults of five kinds: nine at the voice, four in meaning."""

WRONG_LEXICON = """\
# Respellings that change the word: the check must hear the difference.
[[entry]]
word = "Helsinki"
say = "Hel-sing-borg"

[[entry]]
word = "Toronto"
say = "Tor-kay"
"""

_SCORE = re.compile(r"(?<=\d)-(?=\d)")


def score_as_range(lexicon_file: Path) -> Spoken:
    """The real normalisation and lexicon, with a planted rule that reads every score
    ("3-1") as a range ("three to one")."""
    real = make_spoken(load_lexicon([lexicon_file]))

    def spoken(text: str, language: str) -> str:
        return real(_SCORE.sub(" to ", text), language)

    return spoken


def article_markdown(clean: list[str]) -> str:
    """The episode's article: clean sentences and faulty ones, one paragraph each."""
    faults = [f.sentence for f in FAULTS]
    lines = [*clean[: len(clean) // 2], *faults, *clean[len(clean) // 2 :]]
    return "# Listening check\n\n" + "\n\n".join(lines) + "\n"


@dataclass
class MisspeakingSynthesizer:
    """The real voice, given the wrong words of :data:`FAULTS` where they appear."""

    inner: Synthesizer
    swaps: tuple[tuple[str, str], ...] = tuple(f.voice_gets for f in FAULTS if f.voice_gets)
    used: set[str] = field(default_factory=set)

    @property
    def voice_name(self) -> str:
        return self.inner.voice_name

    @property
    def voice(self) -> Any:
        return self.inner.voice

    @property
    def sample_rate(self) -> int:
        return self.inner.sample_rate

    @property
    def identity(self) -> dict[str, Any]:
        return {**self.inner.identity, "misspeaking": True}

    def load(self) -> None:
        self.inner.load()

    def synthesize(self, text: str) -> Piece:
        for right, wrong in self.swaps:
            if right in text:
                text = text.replace(right, wrong)
                self.used.add(right)
        return self.inner.synthesize(text)


def build_faulty(folder: Path, clean: list[str]) -> tuple[Built, Path]:
    """The episode of ``clean`` and the faulty sentences, built with the real voice in
    ``folder/library``; (the episode, the wrong lexicon's file)."""
    lexicon = folder / "wrong.toml"
    lexicon.write_text(WRONG_LEXICON, encoding="utf-8")
    article = folder / "listening-check.md"
    article.write_text(article_markdown(clean), encoding="utf-8")
    settings = BuildSettings(output=folder / "library", lexicons=(lexicon,), jobs=1)
    voice = MisspeakingSynthesizer(PiperSynthesizer(find_voice(None)))
    built = build_episode(str(article), settings, synthesizer=voice, spoken=score_as_range(lexicon))
    missing = {right for right, _ in voice.swaps} - voice.used
    assert not missing, f"voice faults not planted: {missing}"
    return built, lexicon
