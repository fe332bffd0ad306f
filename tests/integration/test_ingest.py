"""Ingest: files, kinds, charsets, and http(s) URLs served by a real local HTTP server."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from articleaudio.errors import FetchError, InputError, SourceNotFoundError
from articleaudio.extract import ingest
from articleaudio.extract.article import extract_source
from articleaudio.extract.ingest import SourceKind, decode_bytes, read_source

from ..support.servers import Route, serving

PAGE = (
    "<!doctype html><html lang='en'><head><title>Bridge stays shut</title></head><body>"
    "<article><h1>Bridge stays shut for six more weeks</h1>"
    "<p>The council said on Monday that the bridge would stay closed for six more weeks "
    "while engineers examine the cracks found in two of its steel supports.</p>"
    "<p>About 28,000 vehicles crossed the bridge each day before it closed in April, and "
    "shop owners on both banks say the diversion has cost them customers.</p>"
    "</article></body></html>"
)
ROUTES: dict[str, Route] = {
    "/article.html": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE.encode()),
    "/old": (301, {"Location": "/article.html"}, b""),
    "/loop": (302, {"Location": "/loop"}, b""),
    "/missing": (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"),
    "/photo.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff\xe0" + b"\x00" * 64),
    "/cyrillic.txt": (
        200,
        {"Content-Type": "text/plain; charset=windows-1251"},
        "Заголовок статті\n\nТекст статті про місто.".encode("cp1251"),
    ),
    "/big.html": (200, {"Content-Type": "text/html"}, b"<p>" + b"a" * 5000 + b"</p>"),
    "/empty": (200, {"Content-Type": "text/html"}, b""),
}


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with serving(ROUTES) as url:
        yield url


def test_url_is_fetched_and_extracted(server: str) -> None:
    source = read_source(f"{server}/article.html")
    assert source.kind is SourceKind.HTML
    assert source.url == f"{server}/article.html"
    article = extract_source(source)
    assert article.title == "Bridge stays shut for six more weeks"
    assert article.url == f"{server}/article.html"
    assert len(article.paragraphs) == 2


def test_redirect_is_followed_and_final_url_kept(server: str) -> None:
    source = read_source(f"{server}/old")
    assert source.url == f"{server}/article.html"


def test_redirect_loop_is_a_fetch_error(server: str) -> None:
    with pytest.raises(FetchError, match="redirect"):
        read_source(f"{server}/loop")


def test_http_error_names_the_status(server: str) -> None:
    with pytest.raises(FetchError, match="HTTP 404"):
        read_source(f"{server}/missing")


def test_non_text_content_type_is_refused(server: str) -> None:
    with pytest.raises(FetchError, match="image/jpeg"):
        read_source(f"{server}/photo.jpg")


def test_timeout_is_a_fetch_error(server: str) -> None:
    start = time.monotonic()
    with pytest.raises(FetchError, match="timeout"):
        ingest.fetch_url(f"{server}/slow", timeout=0.5)
    assert time.monotonic() - start < 2.5


def test_size_limit_applies_to_urls(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ingest, "MAX_SOURCE_BYTES", 1000)
    with pytest.raises(FetchError, match="more than"):
        read_source(f"{server}/big.html")


def test_empty_response_is_a_fetch_error(server: str) -> None:
    with pytest.raises(FetchError, match="empty"):
        read_source(f"{server}/empty")


def test_header_charset_decodes_windows_1251(server: str) -> None:
    source = read_source(f"{server}/cyrillic.txt")
    assert source.kind is SourceKind.TEXT
    assert source.text.startswith("Заголовок статті")


def test_unreachable_host_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="cannot fetch"):
        ingest.fetch_url("http://127.0.0.1:9/nothing", timeout=2)


def test_format_forces_the_kind(server: str, tmp_path: Path) -> None:
    assert read_source(f"{server}/article.html", kind=SourceKind.TEXT).kind is SourceKind.TEXT
    path = tmp_path / "page.txt"
    path.write_text(PAGE, encoding="utf-8")
    assert read_source(str(path)).kind is SourceKind.TEXT
    assert read_source(str(path), kind=SourceKind.HTML).kind is SourceKind.HTML


@pytest.mark.parametrize(
    ("name", "content", "kind"),
    [
        ("a.htm", "<p>x</p>", SourceKind.HTML),
        ("a.md", "# T\n\nx", SourceKind.MARKDOWN),
        ("a.json", '{"title": "x"}', SourceKind.JSON),
        ("noext", "<!doctype html><html><body><p>x</p></body></html>", SourceKind.HTML),
        ("noext2", '  {"title": "x", "body": "y"}', SourceKind.JSON),
        ("noext3", "Title\n\nBody text.", SourceKind.TEXT),
    ],
)
def test_kind_from_suffix_or_content(
    tmp_path: Path, name: str, content: str, kind: SourceKind
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert read_source(str(path)).kind is kind


def test_missing_file_and_directory(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="does not exist"):
        read_source(str(tmp_path / "nope.html"))
    with pytest.raises(SourceNotFoundError, match="not a file"):
        read_source(str(tmp_path))


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Grüße aus Köln".encode("utf-8-sig"), "Grüße aus Köln"),
        ("Grüße aus Köln".encode("utf-16"), "Grüße aus Köln"),
        ("Ціни на хліб зросли".encode("cp1251"), "Ціни на хліб зросли"),
        ("Цены на хлеб выросли".encode("cp1251"), "Цены на хлеб выросли"),
        ("Cijene kruha su porasle, kažu trgovci".encode("cp1250"), None),
        ("Ça coûte très cher à Genève".encode("latin-1"), "Ça coûte très cher à Genève"),
        (
            b'<meta charset="windows-1251"><p>\xcf\xf0\xe8\xe2\xb3\xf2</p>',
            '<meta charset="windows-1251"><p>Привіт</p>',
        ),
    ],
)
def test_decoding(data: bytes, expected: str | None) -> None:
    text = decode_bytes(data, "x")
    if expected is not None:
        assert text == expected
    else:
        assert "Cijene kruha su porasle" in text  # ASCII survives whatever the code page


def test_control_characters_mean_binary() -> None:
    with pytest.raises(InputError, match="binary"):
        decode_bytes(bytes(range(1, 32)) * 100, "x")
