"""Sidecar writers: golden files plus escaping and property checks."""

from __future__ import annotations

import json
import os

import pytest
import webvtt
from hypothesis import given
from hypothesis import strategies as st

from articleaudio.encode.sidecars import (
    to_chapters_json,
    to_transcript_json,
    to_vtt,
    vtt_timestamp,
)
from articleaudio.models import Chapter, Cue, Role, Timeline, WordTime
from articleaudio.textclean import clean_text

from ..support.audio import parse_vtt
from ..support.paths import DATA
from ..support.strategies import ANY_CHAR

SIDECARS = DATA / "sidecars"

TIMELINE = Timeline(
    cues=(
        Cue(0, Role.TITLE, "Tom & Jerry <script>alert(1)</script>", 0.3, 2.5),
        Cue(1, Role.DISCLOSURE, "This audio is created with AI assistance.", 3.5, 5.25),
        Cue(
            2,
            Role.SENTENCE,
            "Prices --> up]]>",
            3725.5,
            3727.0,
            0,
            (
                WordTime("Prices", 3725.5, 3726.0),
                WordTime("-->", 3726.0, 3726.4),
                WordTime("up]]>", 3726.4, 3727.0),
            ),
        ),
    ),
    chapters=(Chapter("Introduction", 0.0, 3725.0), Chapter("Body", 3725.0, 3728.0)),
    duration=3728.0,
)

GOLDEN = {
    "timeline.vtt": lambda: to_vtt(TIMELINE),
    "timeline.transcript.json": lambda: to_transcript_json(TIMELINE),
    "timeline.chapters.json": lambda: to_chapters_json(TIMELINE, "A & B"),
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_golden(name: str) -> None:
    produced = GOLDEN[name]()
    path = SIDECARS / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(produced, encoding="utf-8")
    assert produced == path.read_text(encoding="utf-8")


def test_vtt_escapes_markup_and_arrows() -> None:
    text = to_vtt(TIMELINE)
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert text.count("-->") == len(TIMELINE.cues)  # only the timing lines
    assert "<01:02:06.000>--&gt;" in text  # word timestamp before the escaped word


def test_json_sidecars_parse() -> None:
    transcript = json.loads(to_transcript_json(TIMELINE))
    assert transcript["segments"][0]["body"] == TIMELINE.cues[0].text
    chapters = json.loads(to_chapters_json(TIMELINE))
    assert [c["startTime"] for c in chapters["chapters"]] == [0.0, 3725.0]


@given(st.lists(st.text(), min_size=1, max_size=10))
def test_vtt_stays_well_formed_for_any_text(texts: list[str]) -> None:
    cues = tuple(Cue(i, Role.SENTENCE, t, float(i), i + 0.5) for i, t in enumerate(texts))
    timeline = Timeline(cues, (Chapter("All", 0, len(texts)),), float(len(texts)))
    parsed = parse_vtt(to_vtt(timeline))
    assert [(s, e) for s, e, _ in parsed] == [(c.start, c.end) for c in cues]
    for _s, _e, payload in parsed:
        assert "\n" not in payload and "-->" not in payload and payload
    # The JSON transcript carries the text as the common cleaner leaves it.
    assert json.loads(to_transcript_json(timeline))["segments"][-1]["body"] == clean_text(texts[-1])


@given(st.lists(st.text(ANY_CHAR), min_size=1, max_size=10))
def test_vtt_from_any_code_points_parses_with_webvtt_py(texts: list[str]) -> None:
    cues = tuple(Cue(i, Role.SENTENCE, t, float(i), i + 0.5) for i, t in enumerate(texts))
    timeline = Timeline(cues, (Chapter("All", 0, len(texts)),), float(len(texts)))
    vtt = to_vtt(timeline)
    vtt.encode("utf-8")  # no lone surrogate reaches the file
    captions = webvtt.from_string(vtt).captions
    assert [(c.start, c.end) for c in captions] == [
        (vtt_timestamp(c.start), vtt_timestamp(c.end)) for c in cues
    ]
    for caption in captions:
        assert "\n" not in caption.raw_text and "-->" not in caption.raw_text
