"""Ingest stage: read a source (file, stdin, URL) into text and guess its kind.

This is the only place that touches the file system or network for input;
:func:`articleaudio.extract.extract` is pure and works on what this returns.
"""

from __future__ import annotations

import enum
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError, SourceNotFoundError

MAX_SOURCE_BYTES = 20 * 1024 * 1024
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

LEGACY_ENCODINGS = ("cp1252",)
"""Tried in order when a file is not UTF-8; cp1252 decodes any byte but 5."""


def read_source(location: str, *, kind: SourceKind | None = None) -> Source:
    """Read ``location`` (a path or ``-`` for stdin) and decide its kind."""
    data = _read_bytes(location)
    text = decode_bytes(data, location)
    if not text.strip():
        raise InputError(f"{location} is empty: there is no article to read", source=location)
    suffix_kind = SUFFIX_KINDS.get(Path(location).suffix.lower())
    return Source(text=text, kind=kind or suffix_kind or sniff_kind(text), location=location)


def _read_bytes(location: str) -> bytes:
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
        raise InputError(f"{location} is larger than {limit} MB", source=location)
    return data


def decode_bytes(data: bytes, location: str) -> str:
    """Decode UTF-8 (with or without BOM), falling back to a legacy code page.

    Binary data (NUL bytes, or mostly control characters) is refused.
    """
    if b"\x00" in data[:8192]:
        raise InputError(f"{location} looks like binary data, not text", source=location)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in LEGACY_ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(
        f"{location} is not valid UTF-8 and its encoding could not be detected; "
        "convert it to UTF-8",
        source=location,
    )


def sniff_kind(text: str) -> SourceKind:
    """Guess the kind of text with no file suffix to go by.

    >>> sniff_kind("<!doctype html><html><p>x</p></html>")
    <SourceKind.HTML: 'html'>
    >>> sniff_kind("# Title\\n\\nBody")
    <SourceKind.MARKDOWN: 'markdown'>
    >>> sniff_kind('{"title": "x"}')
    <SourceKind.JSON: 'json'>
    """
    head = text.lstrip()[:2048].lower()
    if head.startswith("{"):
        return SourceKind.JSON
    if head.startswith(("<!doctype html", "<html", "<?xml")) or "<body" in head:
        return SourceKind.HTML
    if head.startswith("#") or "\n#" in head[:400]:
        return SourceKind.MARKDOWN
    return SourceKind.TEXT
