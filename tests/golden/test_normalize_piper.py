"""The normalised golden snippets through the real Piper voice's phonemizer (espeak-ng)."""

from __future__ import annotations

import pytest
from piper import PiperVoice

from articleaudio.synth.synthesize import PiperSynthesizer, espeak_text
from articleaudio.synth.voices import find_voice
from articleaudio.text.normalize import to_spoken

from ..support.paths import DATA

GOLDEN = DATA / "normalize" / "en.tsv"
ROWS = [
    tuple(line.split("\t"))
    for line in GOLDEN.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]


def test_every_spoken_snippet_stays_one_sentence_for_piper(voice: PiperVoice) -> None:
    """Piper ends a sentence after "Dr.", "Jan." or "U.S."; the spoken form must not."""
    split = [spoken for _, spoken in ROWS if len(voice.phonemize(spoken)) != 1]
    assert split == []


def test_raw_text_would_have_been_split(voice: PiperVoice) -> None:
    """The trap is real: the written forms of these rows do break apart in Piper."""
    broken = [written for written, _ in ROWS if len(voice.phonemize(written)) > 1]
    assert len(broken) >= 20
    assert "Dr. Patel will lead the study." in broken


def test_spoken_letters_are_letter_names(voice: PiperVoice) -> None:
    """espeak reads a lone "A" as the article; hyphen-joined letters come out as names."""
    assert "".join(voice.phonemize("the U-A-E")[0]).count("ɐ") == 1  # the trap
    spelled = "".join(voice.phonemize(espeak_text(to_spoken("the UAE and the IAEA")))[0])
    assert "ɐ" not in spelled
    assert spelled.count("eɪ") == 3  # U-A-E has one A, I-A-E-A two


def test_a_final_a_reads_like_a_first_a(voice: PiperVoice) -> None:
    """The script shows "E-H-A" as it shows "A-I", and the voice says both As as "ay"."""
    script = to_spoken("The EHA said the AI model failed.")
    assert script == "The E-H-A said the A-I model failed."
    heard = "".join(voice.phonemize(espeak_text(script))[0])
    assert heard.startswith("ðɪʲ ˈiːʲˈeɪtʃˈeɪ sˈɛd ðɪʲ ˈeɪaɪ mˈɑːdəl")
    assert "ɐ" not in heard


@pytest.mark.parametrize(
    "written", ["The Q&A ran late.", "The AAA rating held.", "The NAACP and the M&A team met."]
)
def test_set_readings_show_the_letter_a_and_say_its_name(voice: PiperVoice, written: str) -> None:
    script = to_spoken(written)
    assert "eh" not in script
    said = "".join(voice.phonemize(script)[0])
    heard = "".join(voice.phonemize(espeak_text(script))[0])
    assert "ɐ" in said  # the trap: espeak would say "uh"
    assert "ɐ" not in heard


def test_the_piper_synthesizer_sends_the_respelling() -> None:
    """What PiperSynthesizer gives the voice for a spelled A: the letter name, not the
    schwa (the phonemes of Piper's own alignments)."""
    piece = PiperSynthesizer(find_voice(None)).synthesize("The U-S-A said.")
    spoken = " ".join(word.text for word in piece.words)
    assert "ɐ" not in spoken and spoken.count("eɪ") == 1


def test_a_phone_group_reaches_the_voice_as_separate_digits(voice: PiperVoice) -> None:
    """The script groups a phone number's digits with hyphens; espeak would take such a
    group as one word and say it in one breath, so the voice gets one word per digit."""
    script = to_spoken("Call 0800 555 0123 today.")
    assert "five-five-five" in script
    said = "".join(voice.phonemize(script)[0])
    heard = "".join(voice.phonemize(espeak_text(script))[0])
    assert "fˈaɪvfˈaɪvfˈaɪv" in said  # the trap: no boundary between the digits
    assert "fˈaɪv fˈaɪv fˈaɪv" in heard
    assert heard.count(" ") == said.count(" ") + 3 + 2 + 3  # 0800, 555, 0123


@pytest.mark.parametrize("words", ["a one-off payment", "twenty-one guns", "a one-two punch"])
def test_only_digit_groups_lose_their_hyphens(words: str) -> None:
    expected = words.replace("one-two", "one two")
    assert espeak_text(words) == expected
