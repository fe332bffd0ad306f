"""The listening check's text side: normalisation, word alignment, judging and scoring,
and the ``Error:`` line when the recogniser is not installed. No voice, no recogniser:
the transcripts here are written by hand. And ``build --check``'s parsing."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from click.testing import CliRunner

from articleaudio.check import FLAG_AT, Sentence, judge, normal_words
from articleaudio.check.align import align
from articleaudio.check.flags import score_difference
from articleaudio.check.listen import spans
from articleaudio.cli.app import cli
from articleaudio.models import Cue, Role


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("The council approved 1,200 new homes.", "the council approved twelve hundred new homes"),
        ("They raised £3m.", "They raised three million pounds."),
        ("Rates rose 4-5% in 2026.", "rates rose four to five percent in twenty twenty-six"),
        ("United won 3-1.", "United won three one."),
        ("United won 3-1.", "united won 3-1"),
        ("Leicester won 2-0.", "Leicester won two nil."),
        ("The UN and the U-S met at 10:30am.", "the U.N. and the US met at ten thirty AM"),
        ("It opens on 3 March.", "It opens on the 3rd of March."),
    ],
)
def test_written_and_said_forms_compare_equal(written: str, said: str) -> None:
    assert not align(normal_words(written), normal_words(said)).differences


@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "The council approved 1,200 new homes.",
            "the council approved one two zero zero new homes",
        ),
        ("United won 3-1.", "united won three to one"),
        ("The bridge will not reopen.", "the bridge will reopen"),
        ("Rates rose 4-5%.", "rates rose 45%"),
    ],
)
def test_changed_meaning_does_not_compare_equal(written: str, said: str) -> None:
    assert align(normal_words(written), normal_words(said)).differences


def test_normal_words_is_idempotent_on_its_output() -> None:
    for text in ("The 1,200 workers won 3-1; the U-N said £3m.", "Rates rose 4-5% in 2026."):
        once = normal_words(text)
        assert normal_words(" ".join(once)) == once


def test_alignment_counts_word_errors() -> None:
    found = align("a b c d e".split(), "a x c e f".split())
    assert found.edits == 3  # b→x, d lost, f added
    assert [(d.meant, d.heard) for d in found.differences] == [
        (("b",), ("x",)),
        (("d",), ()),
        ((), ("f",)),
    ]


def _sentence(text: str, spoken: str, heard: str) -> Sentence:
    return Sentence(3, 10.0, 13.5, text, spoken, heard)


def test_a_sentence_heard_as_meant_has_no_flag() -> None:
    text = "The council approved 1,200 new homes on Tuesday."
    spoken = "The council approved one thousand two hundred new homes on Tuesday."
    found = judge(_sentence(text, spoken, text))
    assert found.flags == () and found.score == 0.0 and found.edits == 0


def test_a_respelling_heard_as_the_real_name_is_no_fault() -> None:
    found = judge(_sentence("Troops left Kyiv.", "Troops left Keev.", "Troops left Kyiv."))
    assert found.flags == ()


def test_a_voice_fault_is_flagged_against_the_spoken_text() -> None:
    text = "The council approved 1,200 new homes."
    spoken = "The council approved one thousand two hundred new homes."
    found = judge(_sentence(text, spoken, "The council approved one two zero zero new homes."))
    (flag,) = found.flags
    assert (flag.against, flag.kind, flag.meant, flag.heard) == (
        "spoken",
        "number",
        "1200",
        "1 2 0 0",
    )
    assert (flag.index, flag.start, flag.end) == (3, 10.0, 13.5)


def test_a_changed_meaning_is_flagged_against_the_article() -> None:
    text = "United beat City 3-1 on Sunday."
    spoken = "United beat City three to one on Sunday."
    found = judge(_sentence(text, spoken, "United beat City 3 to 1 on Sunday."))
    (flag,) = found.flags
    assert (flag.against, flag.kind, flag.meant, flag.heard) == ("article", "number", "", "to")


def test_a_wrong_respelling_is_flagged_with_a_suggestion() -> None:
    text = "The summit in Helsinki ended."
    spoken, heard = "The summit in Hel-sing-borg ended.", "The summit in Helsingborg ended."
    found = judge(_sentence(text, spoken, heard))
    (flag,) = found.flags
    assert (flag.against, flag.kind) == ("article", "name")
    assert flag.suggestion is not None and flag.suggestion.startswith("Helsinki=")


def test_a_sentence_mostly_unheard_gets_one_unheard_flag() -> None:
    text = "The minister resigned on Friday after a long row with her party."
    found = judge(_sentence(text, text, "The minister"))
    assert [f.kind for f in found.flags] == ["unheard"]


def test_a_lost_article_scores_below_the_threshold_and_a_lost_not_above_it() -> None:
    lost_the = judge(_sentence("He saw the film.", "He saw the film.", "He saw film."))
    lost_not = judge(_sentence("It will not open.", "It will not open.", "It will open."))
    assert 0 < lost_the.score < FLAG_AT <= lost_not.score
    assert lost_not.flags[0].kind == "missing"


def test_scores_stay_between_zero_and_one() -> None:
    from articleaudio.check.align import Difference

    for kind in ("missing", "extra", "number", "name", "unheard"):
        for size in range(0, 12):
            difference = Difference(tuple("w" * size), ("x",), 0, 0)
            assert 0.0 <= score_difference(difference, kind) <= 1.0


def test_spans_are_padded_but_never_overlap() -> None:
    cues = [Cue(i, Role.SENTENCE, "x", 1.0 * i + 0.05, 1.0 * i + 0.9) for i in range(5)]
    found = spans(cues, 0.2)
    assert all(a[1] <= b[0] for a, b in itertools.pairwise(found))
    assert all(s <= c.start and e >= c.end for (s, e), c in zip(found, cues, strict=True))


@pytest.mark.parametrize(
    ("args", "sources", "mode"),
    [
        (["--check", "a.html"], ("a.html",), "warn"),
        (["a.html", "--check"], ("a.html",), "warn"),
        (["--check=strict", "a.html", "b.md"], ("a.html", "b.md"), "strict"),
        (["a.html", "--check=warn"], ("a.html",), "warn"),
        (["a.html"], ("a.html",), None),
        (["--", "--check=strict"], ("--check=strict",), None),  # after --, a source
    ],
)
def test_build_check_is_a_flag_and_takes_a_mode_only_after_equals(
    args: list[str], sources: tuple[str, ...], mode: str | None
) -> None:
    build = cli.commands["build"]
    params = build.make_context("build", ["-o", "out", *args]).params
    assert params["sources"] == sources
    assert (params["check_mode"] or ("warn" if params["check"] else None)) == mode


def test_build_check_before_a_source_builds_that_source(tmp_path: Path) -> None:
    missing = str(tmp_path / "a.html")
    result = CliRunner().invoke(cli, ["build", "--check", missing, "-o", str(tmp_path / "out")])
    assert result.exit_code == 1  # the source was looked for, not taken as the mode
    assert "a.html" in result.stderr and "--check" not in result.stderr


def test_build_check_with_another_mode_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["build", "--check=loud", "a.html", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "Error: --check is a flag, or --check=warn or --check=strict, not '--check=loud'" in (
        result.stderr
    )
