"""check.json's one model (check_report.py), which the check writes and the review page
reads: good reports, the JSON both ways, other versions and every kind of wrong field,
each one error that names it."""

from __future__ import annotations

import copy
import json
import math
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from articleaudio import layout
from articleaudio.check_report import (
    Against,
    CheckReport,
    Flag,
    FlagKind,
    SentenceScore,
    read_check_report,
)
from articleaudio.errors import CheckReportError, InputError
from articleaudio.models import Cue, Role, Timeline

from ..support.check_reports import flag_record, report_record, write_report

SLUG = "nato-summit"
TIMELINE = Timeline(
    cues=(
        Cue(0, Role.TITLE, "NATO summit ends", 0.3, 2.0),
        Cue(1, Role.SENTENCE, "NATO leaders met in Vilnius.", 2.2, 4.6, 0),
        Cue(2, Role.SENTENCE, "The summit cost 12 million euros.", 4.8, 7.5, 0),
    ),
    chapters=(),
    duration=8.0,
)


def good_record() -> dict[str, Any]:
    flags = [
        flag_record(1, TIMELINE, score=0.82, suggestion="NATO=Nay-toe"),
        flag_record(2, TIMELINE, kind="number", against="article", score=0.4, heard=""),
    ]
    return report_record(SLUG, TIMELINE, flags)


def read(tmp_path: Path, record: Any) -> CheckReport:
    write_report(tmp_path, record)
    return read_check_report(tmp_path, SLUG)


def test_a_good_report_reads_into_typed_values(tmp_path: Path) -> None:
    report = read(tmp_path, good_record())
    assert report.slug == SLUG and report.model == "tiny.en"
    assert report.checked == datetime(2026, 12, 1, 17, 0, tzinfo=UTC)
    assert (report.sentences, report.wer) == (3, 0.031)
    assert report.flags[0] == Flag(
        index=1,
        start=2.2,
        end=4.6,
        text="NATO leaders met in Vilnius.",
        meant="nato leaders met in vilnius",
        heard="something else entirely",
        against=Against.SPOKEN,
        kind=FlagKind.NAME,
        score=0.82,
        suggestion="NATO=Nay-toe",
    )
    assert (report.flags[1].kind, report.flags[1].against) == (FlagKind.NUMBER, Against.ARTICLE)
    assert report.flags[1].heard == "" and report.flags[1].suggestion is None
    assert report.scores[1] == SentenceScore(1, 2.2, 4.6, 0.82, True)
    assert [s.flagged for s in report.scores] == [False, True, True]
    assert report.flag_index_error(len(TIMELINE.cues)) is None
    with pytest.raises(AttributeError):
        report.slug = "other"  # type: ignore[misc]


def test_fields_the_schema_does_not_name_are_ignored(tmp_path: Path) -> None:
    record = good_record() | {"recogniser_seconds": 4.2}
    record["flags"][0]["words"] = [["nado", 2.3, 2.6]]
    assert read(tmp_path, record).flags[0].index == 1


def test_whole_numbers_are_numbers_and_an_empty_report_is_good(tmp_path: Path) -> None:
    record = report_record(SLUG, TIMELINE, [], wer=0) | {"sentences": 0, "scores": []}
    report = read(tmp_path, record)
    assert (report.flags, report.scores, report.wer) == ((), (), 0.0)


@pytest.mark.parametrize("version", [0, 2, "1", 1.0, True, None])
def test_another_version_is_one_error_naming_it(tmp_path: Path, version: Any) -> None:
    record = good_record() | {"version": version}
    with pytest.raises(CheckReportError) as caught:
        read(tmp_path, record)
    message = str(caught.value)
    assert message.startswith(f"{tmp_path / layout.CHECK_FILE} is not a check report ")
    assert message.endswith(f"; run articleaudio check {SLUG} again")
    if isinstance(version, int) and not isinstance(version, bool):
        assert f"(version {version}; this articleaudio reads version 1)" in message
    else:
        assert "(version is " in message


def test_a_report_without_a_version_says_so(tmp_path: Path) -> None:
    record = good_record()
    del record["version"]
    with pytest.raises(CheckReportError, match=r"\(no field version\)"):
        read(tmp_path, record)


def _set(record: dict[str, Any], path: str, value: Any) -> None:
    keys: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    target: Any = record
    for key in keys[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value


_DELETE = object()
BAD_FIELDS = [
    ("slug", 7, "slug is a number, not a string"),
    ("model", None, "model is null, not a string"),
    ("checked", "yesterday", "checked is 'yesterday', not an ISO 8601 time"),
    ("sentences", -1, "sentences is -1, below 0"),
    ("sentences", 2.5, "sentences is a number, not a whole number"),
    ("sentences", True, "sentences is true or false, not a whole number"),
    ("wer", "3%", "wer is a string, not a number"),
    ("wer", math.nan, "wer is nan, outside 0 to inf"),
    ("flags", {}, "flags is an object, not a list"),
    ("flags.0", "NATO", "flags[0] is a string, not an object"),
    ("flags.0.index", "1", "flags[0].index is a string, not a whole number"),
    ("flags.1.start", None, "flags[1].start is null, not a number"),
    ("flags.0.end", 1.0, "flags[0].end is 1.0, before its start 2.2"),
    ("flags.0.text", ["NATO"], "flags[0].text is a list, not a string"),
    ("flags.0.heard", _DELETE, "no field flags[0].heard"),
    ("flags.0.against", "voice", "flags[0].against is 'voice', not one of 'spoken', 'article'"),
    ("flags.1.kind", "Name", "flags[1].kind is 'Name', not one of 'missing', 'extra'"),
    ("flags.0.score", 1.5, "flags[0].score is 1.5, outside 0 to 1.0"),
    ("flags.0.score", False, "flags[0].score is true or false, not a number"),
    ("flags.0.suggestion", 3, "flags[0].suggestion is a number, not a string or null"),
    ("scores.2.flagged", 1, "scores[2].flagged is a number, not true or false"),
    ("scores.0.score", -0.1, "scores[0].score is -0.1, outside 0 to 1.0"),
]


@pytest.mark.parametrize(("path", "value", "reason"), BAD_FIELDS, ids=[b[0] for b in BAD_FIELDS])
def test_a_field_of_the_wrong_type_or_range_is_one_error_naming_it(
    tmp_path: Path, path: str, value: Any, reason: str
) -> None:
    record = copy.deepcopy(good_record())
    _set(record, path, value)
    with pytest.raises(CheckReportError) as caught:
        read(tmp_path, record)
    error = caught.value
    assert isinstance(error, InputError)  # the CLI maps it to one "Error: ..." line
    assert error.path == tmp_path / layout.CHECK_FILE
    assert f"({reason}" in str(error), str(error)
    assert "\n" not in str(error)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"{not json", "Expecting property name"),
        (b"\xff\xfe\x00", "codec can't decode"),
        (b"[1, 2]", "the report is a list, not an object"),
        (b"", "Expecting value"),
    ],
    ids=["corrupt", "not-utf8", "a-list", "empty"],
)
def test_a_file_that_is_not_a_report_is_one_error(tmp_path: Path, data: bytes, reason: str) -> None:
    (tmp_path / layout.CHECK_FILE).write_bytes(data)
    with pytest.raises(CheckReportError, match=reason):
        read_check_report(tmp_path, SLUG)


def test_a_missing_report_says_which_command_makes_it(tmp_path: Path) -> None:
    with pytest.raises(CheckReportError) as caught:
        read_check_report(tmp_path, SLUG)
    assert str(caught.value) == f"no check report for {SLUG}; run articleaudio check {SLUG} first"
    assert caught.value.path == tmp_path / layout.CHECK_FILE


def test_the_report_of_another_episode_is_refused(tmp_path: Path) -> None:
    write_report(tmp_path, good_record() | {"slug": "other-story"})
    with pytest.raises(CheckReportError, match="it is the report of episode 'other-story'"):
        read_check_report(tmp_path, SLUG)


def test_sentences_the_episode_does_not_have_are_named() -> None:
    report = CheckReport.from_dict(json.loads(json.dumps(good_record())))
    assert report.flag_index_error(3) is None
    assert report.flag_index_error(2) == "it names sentence 2, but the episode has 2 (0 to 1)"


def test_a_report_written_reads_back_as_the_same_report(tmp_path: Path) -> None:
    report = CheckReport.from_dict(good_record() | {"seconds": 9.81, "build_key": "abc"})
    assert (report.seconds, report.build_key, report.flagged) == (9.81, "abc", 2)
    write_report(tmp_path, report.to_dict())
    assert read_check_report(tmp_path, SLUG) == report
    brief = report.to_dict(scores=False)  # check --json: the same without the scores
    assert "scores" not in brief and brief["flags"] == report.to_dict()["flags"]
