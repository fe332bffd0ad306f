"""ID3 tags written and read back with mutagen, for any text an article may hold."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mutagen.id3 import ID3

from articleaudio.encode.encoder import encode
from articleaudio.encode.tags import TagInfo, clean, write_tags
from articleaudio.models import Article, Chapter, Timeline

HOSTILE = [
    "<script>alert('x')</script> & \"quotes\" ]]> \u202eevil\u202c",
    "Emoji 🎧📰 and a very long word " + "x" * 10_000,
    "Control\x01\x07chars\ttab",
]


def _mp3(folder: Path) -> Path:
    path = folder / "t.mp3"
    encode([np.zeros(22050, dtype=np.float32)], 22050, path, "mp3", 64)
    return path


def _check(path: Path, title: str, authors: tuple[str, ...], chapters: list[str]) -> None:
    article = Article(title, (), authors, datetime(2024, 6, 12, 14, 51), "https://example.org/a")
    timeline = Timeline(
        (), tuple(Chapter(c, n, n + 1.0) for n, c in enumerate(chapters)), float(len(chapters))
    )
    write_tags(
        path,
        TagInfo(article, "Gazette & Co", "This audio is created with AI assistance."),
        timeline,
    )
    tags = ID3(path)
    assert tags["TIT2"].text == [clean(title)] if clean(title) else "TIT2" not in tags
    if authors and any(clean(a) for a in authors):
        assert [t for t in tags.getall("TPE1")[0].text if t] == [
            clean(a) for a in authors if clean(a)
        ]
    # ID3v2.4 (id3v2.4.0-structure §4) writes a timestamp as yyyy-MM-ddTHH:mm:ss; mutagen
    # reads it into an ID3TimeStamp whose text joins date and time with a space.
    assert str(tags["TDRC"]) == "2024-06-12 14:51:00"
    assert b"TDRC" in path.read_bytes() and b"2024-06-12T14:51:00" in path.read_bytes()
    toc = tags.getall("CTOC")
    if chapters:
        ids = toc[0].child_element_ids
        titles = [tags[f"CHAP:{i}"].sub_frames.getall("TIT2") for i in ids]
        assert [t[0].text[0] if t else "" for t in titles] == [clean(c) for c in chapters]
    assert tags.getall("COMM")[0].text == ["This audio is created with AI assistance."]


def test_hostile_text_round_trips(tmp_path: Path) -> None:
    path = _mp3(tmp_path)
    for text in HOSTILE:
        _check(path, text, (text[:50], "B"), [text[:200], "Next"])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(st.characters(exclude_categories=["Cs"]), min_size=1),
    authors=st.lists(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="/"), min_size=1),
        max_size=3,
    ),
    chapters=st.lists(
        st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\x00"), min_size=1),
        max_size=4,
    ),
)
def test_any_unicode_round_trips(
    tmp_path: Path, title: str, authors: list[str], chapters: list[str]
) -> None:
    _check(_mp3(tmp_path), title, tuple(authors), chapters)
