"""The judge of the slow hearing test sees the hyphen Whisper wrote between numbers.

Whisper's English normaliser turns "4-5%" into "4 5%", so a voice that said "four to
five percent" and one that said "four five percent" looked the same to the range
pattern. These tests use the real normaliser, as the slow test does.
"""

from __future__ import annotations

import pytest

from ..support.hearing import heard_right, normalise_keeping_ranges

RANGE = r"\b4(?: ?%)? ?(?:to|-) ?5 ?%"


@pytest.fixture(scope="module")
def normalise() -> object:
    english = pytest.importorskip("whisper_normalizer.english", reason="needs the test extra")
    return english.EnglishTextNormalizer()


@pytest.mark.parametrize(
    ("written", "normalised"),
    [
        ("Rates could rise 4-5% next year.", "rates could rise 4-5% next year"),
        ("Liverpool won 4–2 at Anfield.", "liverpool won 4-2 at anfield"),
        ("Read chapters 3--5 today.", "read chapters 3-5 today"),
        ("Rates could rise four to five percent.", "rates could rise 4 to 5%"),
        ("Two F-15 fighters.", "2 f 15 fighters"),  # not between numbers: as before
    ],
)
def test_the_hyphen_between_numbers_is_kept(
    normalise: object, written: str, normalised: str
) -> None:
    assert normalise_keeping_ranges(normalise, written) == normalised  # type: ignore[arg-type]


def test_a_written_range_is_a_spoken_range_and_a_run_of_digits_is_not(normalise: object) -> None:
    said = normalise_keeping_ranges(normalise, "Rates could rise 4-5% next year.")  # type: ignore[arg-type]
    run_together = normalise_keeping_ranges(normalise, "Rates could rise 4 5% next year.")  # type: ignore[arg-type]
    assert heard_right(said, [RANGE]) == [True]
    assert heard_right(run_together, [RANGE]) == [False]


def test_a_pattern_written_for_the_spaced_spelling_still_matches() -> None:
    assert heard_right("the house voted 220-212", [r"\b220 212\b", r"\b220 ?-? ?212\b"]) == [
        True,
        True,
    ]
