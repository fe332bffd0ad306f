"""Ingest stage: read a source (file, stdin, http(s) URL) into text and guess its kind.

This is the only place that touches the file system or network for input;
:func:`articleaudio.extract.article.extract` is pure and works on what this returns.
"""

from __future__ import annotations

import codecs
import dataclasses
import enum
import os
import re
import sys
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from ..errors import FetchError, InputError, SourceNotFoundError
from .fetch import FETCH_TIMEOUT, MAX_FETCH_BYTES, Fetcher, FetchResult, FetchSettings

MAX_SOURCE_BYTES = MAX_FETCH_BYTES
"""Largest source we read; bigger inputs are refused rather than parsed slowly."""


class SourceKind(enum.StrEnum):
    """How the source text is encoded."""

    HTML = "html"
    MARKDOWN = "markdown"
    TEXT = "text"
    JSON = "json"


@dataclass(frozen=True)
class Source:
    """Raw input, decoded to text."""

    text: str
    """The decoded text."""
    kind: SourceKind
    """Detected or forced format."""
    location: str
    """Path, URL or ``-`` for stdin; used in messages."""
    url: str | None = None
    """The URL the text came from, when fetched."""


SUFFIX_KINDS: dict[str, SourceKind] = {
    ".html": SourceKind.HTML,
    ".htm": SourceKind.HTML,
    ".xhtml": SourceKind.HTML,
    ".md": SourceKind.MARKDOWN,
    ".markdown": SourceKind.MARKDOWN,
    ".txt": SourceKind.TEXT,
    ".text": SourceKind.TEXT,
    ".json": SourceKind.JSON,
}
"""File suffix → kind; anything else is sniffed from the content."""

FETCH_TIMEOUT_ENV = "ARTICLEAUDIO_FETCH_TIMEOUT"
"""Overrides :data:`FETCH_TIMEOUT` (seconds) for slow newsroom networks, or tests."""
COMMAND_LINE_FETCH = FetchSettings(allow_private=True, host_delay=0.0, accept="text/html,*/*")
"""How a URL given on the command line is fetched: whoever types it may read their own
network (an intranet CMS, a test server), unlike a feed item or a webhook."""

CONTENT_TYPE_KINDS: dict[str, SourceKind] = {
    "text/html": SourceKind.HTML,
    "application/xhtml+xml": SourceKind.HTML,
    "text/plain": SourceKind.TEXT,
    "text/markdown": SourceKind.MARKDOWN,
    "text/x-markdown": SourceKind.MARKDOWN,
    "application/json": SourceKind.JSON,
}
"""HTTP Content-Type → kind; other types (images, PDF, audio) are refused."""

CYRILLIC_WORD_SHARE = 0.6
"""In Windows-1251 text, words with non-ASCII bytes are wholly non-ASCII (Cyrillic); in
Latin-1/Windows-1252 text they are accented letters inside otherwise ASCII words."""


def read_source(location: str, *, kind: SourceKind | None = None) -> Source:
    """Read ``location`` (a path, an http(s) URL, or ``-`` for stdin) and decide its kind.

    ``kind`` forces the format (``--format``); otherwise the file suffix, the
    HTTP Content-Type or the content itself decides.
    """
    if is_url(location):
        return fetch_url(location, kind=kind)
    data = read_bytes(location)
    text = decode_bytes(data, location)
    if not text.strip():
        raise InputError(f"{location} is empty: there is no article to read", source=location)
    suffix_kind = SUFFIX_KINDS.get(Path(location).suffix.lower())
    return Source(text=text, kind=kind or suffix_kind or sniff_kind(text), location=location)


def is_url(location: str) -> bool:
    """Whether ``location`` is an http(s) URL.

    >>> is_url("https://example.org/a"), is_url("page.html")
    (True, False)
    """
    return urllib.parse.urlsplit(location).scheme.lower() in {"http", "https"}


def fetch_url(
    url: str,
    *,
    kind: SourceKind | None = None,
    timeout: float | None = None,
    settings: FetchSettings | None = None,
) -> Source:
    """GET ``url`` with a timeout, a size limit and a redirect limit; decode by its charset.

    ``settings`` defaults to :data:`COMMAND_LINE_FETCH`; a webhook or a watch passes its
    own, which refuses private addresses.
    """
    settings = settings or dataclasses.replace(COMMAND_LINE_FETCH, max_bytes=MAX_SOURCE_BYTES)
    if timeout is None:
        try:
            timeout = float(os.environ.get(FETCH_TIMEOUT_ENV) or FETCH_TIMEOUT)
        except ValueError:
            timeout = FETCH_TIMEOUT
    result = Fetcher(dataclasses.replace(settings, timeout=timeout)).get(url)
    return source_from_result(result, kind=kind)


def source_from_result(result: FetchResult, *, kind: SourceKind | None = None) -> Source:
    """The :class:`Source` a fetched page makes: its kind from ``Content-Type``, decoded."""
    url = result.url
    # No Content-Type at all: the text itself decides, as for a file without a suffix.
    declared = _kind_from_type(url, result.content_type) if result.content_type else None
    found_kind = kind or declared
    text = decode_bytes(result.body, url, declared=result.charset)
    if not text.strip():
        raise FetchError(f"{url} returned an empty page", source=url)
    return Source(
        text=text, kind=found_kind or sniff_kind(text), location=url, url=result.final_url
    )


def _kind_from_type(url: str, content_type: str) -> SourceKind | None:
    if content_type in CONTENT_TYPE_KINDS:
        return CONTENT_TYPE_KINDS[content_type]
    if content_type.startswith("text/"):
        return None
    raise FetchError(
        f"{url} is {content_type}, not a web page or text; give the URL of the article page",
        source=url,
    )


def read_bytes(location: str) -> bytes:
    """The bytes of a file or of stdin (``-``), refused past :data:`MAX_SOURCE_BYTES`."""
    if location == "-":
        data = sys.stdin.buffer.read(MAX_SOURCE_BYTES + 1)
    else:
        path = Path(location)
        if not path.exists():
            raise SourceNotFoundError(f"{location} does not exist", source=location)
        if not path.is_file():
            raise SourceNotFoundError(f"{location} is not a file", source=location)
        try:
            with path.open("rb") as handle:
                data = handle.read(MAX_SOURCE_BYTES + 1)
        except OSError as exc:
            raise InputError(f"cannot read {location}: {exc.strerror}", source=location) from exc
    if len(data) > MAX_SOURCE_BYTES:
        limit = MAX_SOURCE_BYTES // (1024 * 1024)
        raise InputError(
            f"{location} is larger than {limit} MB; save only the article page", source=location
        )
    return data


_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w-]+)", re.IGNORECASE)


def decode_bytes(data: bytes, location: str, *, declared: str | None = None) -> str:
    """Decode by BOM, declared charset (HTTP or ``<meta>``), UTF-8, then a detected code page.

    Binary data (NUL bytes, or many control characters) is refused.

    >>> decode_bytes("Привіт, світе".encode("cp1251"), "x")
    'Привіт, світе'
    >>> decode_bytes("Grüße aus Köln".encode("latin-1"), "x")
    'Grüße aus Köln'
    """
    _refuse_binary(data, location)
    if data.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-8-sig" if data[:1] == b"\xef" else "utf-16")
    meta = _META_CHARSET.search(data[:4096])
    for name in (declared, meta.group(1).decode("ascii") if meta else None, "utf-8"):
        text = _try_decode(data, name)
        if text is not None:
            return text
    if _mostly_utf8(data):
        return data.decode("utf-8", errors="replace")
    return data.decode(guess_legacy_encoding(data), errors="replace")


def _mostly_utf8(data: bytes) -> bool:
    """UTF-8 with a few broken sequences (a cut-off download, one bad paste), not a code page."""
    decoded = data.decode("utf-8", errors="replace")
    broken = decoded.count("\ufffd")
    # Some well-formed multi-byte characters must be there: a Latin-1 text with two
    # accented letters is two broken sequences and no valid ones.
    valid = sum(ord(ch) >= 0x80 for ch in decoded) - broken
    return valid > 0 and broken <= max(2, valid // 20)


def _refuse_binary(data: bytes, location: str) -> None:
    head = data[:8192]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a byte-order mark: its NUL bytes are text
    controls = sum(b < 32 and b not in (9, 10, 12, 13) for b in head)
    if b"\x00" in head or controls > len(head) * 0.05:
        raise InputError(f"{location} looks like binary data, not text", source=location)


def _try_decode(data: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        codecs.lookup(encoding)
        return data.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        return None


def guess_legacy_encoding(data: bytes) -> str:
    """Windows-1251 when non-ASCII words are wholly non-ASCII (Cyrillic), else Windows-1252.

    >>> guess_legacy_encoding("Київ і Львів".encode("cp1251"))
    'cp1251'
    >>> guess_legacy_encoding("Grüße aus Köln, café à côté".encode("cp1252"))
    'cp1252'
    """
    tokens = [t for t in re.findall(rb"[A-Za-z\x80-\xff]+", data) if re.search(rb"[\x80-\xff]", t)]
    if not tokens:
        return "cp1252"
    whole = sum(not re.search(rb"[A-Za-z]", t) for t in tokens)
    return "cp1251" if whole / len(tokens) >= CYRILLIC_WORD_SHARE else "cp1252"


FRONT_MATTER_START = re.compile(r"(?:---[ \t]*\n[\w-]+\s*:|\+\+\+[ \t]*\n[\w-]+\s*=)")
"""YAML or TOML front matter opening a static-site export: that is Markdown."""


def sniff_kind(text: str) -> SourceKind:
    """Guess the kind of text with no file suffix to go by.

    >>> sniff_kind("<!doctype html><html><p>x</p></html>")
    <SourceKind.HTML: 'html'>
    >>> sniff_kind("# Title\\n\\nBody")
    <SourceKind.MARKDOWN: 'markdown'>
    >>> sniff_kind('{"title": "x"}')
    <SourceKind.JSON: 'json'>
    >>> sniff_kind("---\\ntitle: Storms\\n---\\nBody"), sniff_kind("+++\\ntitle = 'x'\\n+++\\n")
    (<SourceKind.MARKDOWN: 'markdown'>, <SourceKind.MARKDOWN: 'markdown'>)
    """
    head = text.lstrip()[:2048].lower()
    if head.startswith("{"):
        return SourceKind.JSON
    if FRONT_MATTER_START.match(head):
        return SourceKind.MARKDOWN
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head:
        return SourceKind.HTML
    if head.startswith("#") or "\n#" in head[:400]:
        return SourceKind.MARKDOWN
    return SourceKind.TEXT
