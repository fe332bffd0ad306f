"""Garbage in gives one clear error from the error tree, quickly: never a crash or a hang."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articleaudio.errors import (
    ArticleAudioError,
    EmptyArticleError,
    ExtractionError,
    InputError,
)
from articleaudio.extract.article import extract, extract_source
from articleaudio.extract.html import MAX_HTML_CHARS
from articleaudio.extract.ingest import MAX_SOURCE_BYTES, SourceKind, read_source

ARTICLE = (
    "Council delays bridge reopening after cracks are found\n\n"
    "The council said on Monday that the bridge would stay closed for six more weeks "
    "while engineers examine the cracks they found in two of its steel supports.\n\n"
    "About 28,000 vehicles used the bridge every day before it was closed in April, "
    "and shop owners on both banks say the long diversion has cost them customers.\n"
)


def _read(path: Path) -> object:
    return extract_source(read_source(str(path)))


def test_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    with pytest.raises(InputError, match="binary"):
        _read(path)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n ", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        _read(path)


def test_empty_html_page_has_no_article(tmp_path: Path) -> None:
    path = tmp_path / "blank.html"
    path.write_text("<!doctype html><html><head><title>x</title></head><body></body></html>")
    with pytest.raises(EmptyArticleError):
        _read(path)


def test_page_with_only_navigation_has_no_article() -> None:
    links = "".join(f'<li><a href="/s{i}">Section {i}</a></li>' for i in range(60))
    footer = "<footer>© 2024 Example Media</footer>"
    page = f"<html><body><nav><ul>{links}</ul></nav>{footer}</body></html>"
    with pytest.raises(ExtractionError):
        extract(page, kind=SourceKind.HTML)


def test_text_with_no_prose_has_no_article() -> None:
    menu = "\n".join(["Home", "News", "Sport", "Weather", "Sign in", "Subscribe", "Contact us"] * 5)
    with pytest.raises(ExtractionError):
        extract(menu, kind=SourceKind.TEXT)


def test_file_over_the_size_limit_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.html"
    with path.open("wb") as handle:
        handle.truncate(MAX_SOURCE_BYTES + 10)  # sparse: no 20 MB written to disk
    start = time.monotonic()
    with pytest.raises(InputError, match="larger than 20 MB"):
        _read(path)
    assert time.monotonic() - start < 5


def test_20_mb_of_html_gives_an_error_not_a_hang(tmp_path: Path) -> None:
    paragraph = "<p>The council said it would decide on the bridge next week, officials say.</p>\n"
    page = (
        "<html><body><h1>Big</h1>" + paragraph * (20_000_000 // len(paragraph)) + "</body></html>"
    )
    path = tmp_path / "twenty.html"
    path.write_text(page, encoding="utf-8")
    assert 19_000_000 < os.path.getsize(path) <= MAX_SOURCE_BYTES
    start = time.monotonic()
    with pytest.raises(ExtractionError, match="too large to be one article"):
        _read(path)
    assert time.monotonic() - start < 10
    assert len(page) > MAX_HTML_CHARS


def test_invalid_utf8_bytes_do_not_break_extraction(tmp_path: Path) -> None:
    data = ARTICLE.encode("utf-8")
    broken = data[:120] + b"\xff\xfe\xc3" + data[120:]  # stray bytes, a cut-off sequence
    path = tmp_path / "broken.txt"
    path.write_bytes(broken)
    article = extract_source(read_source(str(path)))
    assert article.title == "Council delays bridge reopening after cracks are found"
    assert "28,000 vehicles" in article.paragraphs[1]


def test_random_high_bytes_are_an_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "noise.txt"
    path.write_bytes(bytes((i * 37 + 128) % 256 | 0x80 for i in range(5000)))
    with pytest.raises(ArticleAudioError):
        _read(path)


def test_windows_1251_text_is_decoded_and_read(tmp_path: Path) -> None:
    text = (
        "Львів отримає двадцять нових трамваїв\n\n"
        "Львівська міська рада затвердила угоду про закупівлю двадцяти нових трамваїв, "
        "які мають вийти на маршрути до кінця цього року.\n\n"
        "Перші п'ять вагонів мають прибути вже у вересні, після чого їх випробовуватимуть "
        "на лінії до Сихова протягом кількох тижнів.\n"
    )
    path = tmp_path / "cp1251.txt"
    path.write_bytes(text.encode("cp1251"))
    article = _read(path)
    assert article.title == "Львів отримає двадцять нових трамваїв"  # type: ignore[attr-defined]
    assert article.language == "uk"  # type: ignore[attr-defined]


def test_latin1_text_is_decoded_and_read(tmp_path: Path) -> None:
    text = (
        "Die Bahn streicht im Winter Verbindungen\n\n"
        "Wegen Bauarbeiten fallen ab Dezember zahlreiche Verbindungen weg, teilte die Bahn "
        "am Montag mit; für Fahrgäste heißt das längere Reisezeiten.\n"
    )
    path = tmp_path / "latin1.txt"
    path.write_bytes(text.encode("latin-1"))
    article = _read(path)
    assert "für Fahrgäste heißt" in article.paragraphs[0]  # type: ignore[attr-defined]


def test_deeply_nested_html_does_not_crash() -> None:
    page = "<html><body>" + "<div>" * 50_000 + "<p>x</p>" + "</div>" * 50_000 + "</body></html>"
    with pytest.raises(ArticleAudioError):
        extract(page, kind=SourceKind.HTML)


def test_invalid_json_is_an_extraction_error() -> None:
    with pytest.raises(ExtractionError, match="invalid JSON"):
        extract('{"title": "x", ', kind=SourceKind.JSON)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.sampled_from(list(SourceKind)))
def test_any_text_gives_an_article_or_an_error_from_the_tree(text: str, kind: SourceKind) -> None:
    try:
        article = extract(text, kind=kind)
    except ArticleAudioError:
        return
    assert article.title.strip()
    assert article.blocks
