"""The header of a page copy's article: byline, date, publisher, tags and dek, from the
lines around the headline (see :mod:`.text` for how the headline and body are found)."""

from __future__ import annotations

import re
from datetime import datetime

from ..models import Article
from .copy_lines import Kind, Line
from .headline import HEADLINE_MIN_WORDS, is_byline_or_date, title_shaped
from .meta import (
    BYLINE_PREFIX,
    byline_name,
    desk_publisher,
    is_date_line,
    parse_byline,
    parse_date,
    split_names,
)

COPYRIGHT = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:©\s*)?(?:\d{4}\s*)?"
    r"(?P<name>[^\W\d_][\w&.' -]{1,40}?)(?:[.,](?=\s|$)|\s+\d{4}|$)",
    re.I,
)


def dek(lines: list[Line], title_at: int, start: int) -> str | None:
    """The dek lines right under the headline (stopping at the byline, date or a label)."""
    found: list[str] = []
    for line in lines[title_at + 1 : start]:
        if not _is_dek(line):
            break
        found.append(line.text)
    return " ".join(found) or None


def _is_dek(line: Line) -> bool:
    """Prose under the headline, or a title-shaped sentence that is not a byline or date."""
    return line.kind is Kind.GOOD or (
        title_shaped(line.text)
        and len(line.text.split()) >= HEADLINE_MIN_WORDS
        and not is_byline_or_date(line.text)
    )


def split_standfirst(lines: list[Line], start: int, end: int) -> tuple[str | None, int]:
    """Prose before a byline or date line at the top of the body is the standfirst,
    unless a time stamp also opens the body (a live blog: every entry has one)."""
    if start > 0 and is_date_line(lines[start - 1].text):
        return None, start
    for i in range(start, min(end, start + 4)):
        text = lines[i].text
        if (BYLINE_PREFIX.match(text) and parse_byline(text)) or is_date_line(text):
            before = [line.text for line in lines[start:i] if line.kind is Kind.GOOD]
            return (" ".join(before) or None), i + 1
    return None, start


NAME_AND_DATE = re.compile(r"^(?P<name>[^|·•–—]{3,60}?)\s*[|·•–—]\s*(?P<rest>.+)$")
"""'Ann Lee | 12 March 2024', 'Лида Буслаева·11 октября 2018': a byline without 'By'."""


def _name_part(text: str) -> str:
    """The name of a 'NAME | date' line; other lines as they are (a date alone is no name).

    >>> _name_part("Ann Lee | 12 March 2024"), _name_part("12 March 2024")
    ('Ann Lee', '')
    """
    if not is_date_line(text):
        return text
    match = NAME_AND_DATE.match(text)
    return match["name"] if match and parse_date(match["rest"]) else ""


def text_metadata(lines: list[Line], title_at: int, start: int) -> Article:
    """Authors, date, publisher and tags from the lines around the headline
    (an Article with no title or body yet)."""
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    publisher: str | None = None
    near = lines[title_at + 1 : max(start, title_at + 1) + 3]
    for line in near:
        if not authors and (byline := parse_byline(line.text)):
            authors, published, publisher = byline[0], byline[1] or published, byline[2]
        elif published is None and is_date_line(line.text):
            published = parse_date(line.text)
    if published is None:
        above = [line.text for line in lines[max(0, title_at - 2) : title_at]]
        published = next((parse_date(t) for t in above if is_date_line(t)), None)
    names = [byline_name(_name_part(line.text)) for line in near[:3]]
    if not authors and (name := next((n for n in names if n), None)):
        authors = (name,)
    return Article(
        title="",
        blocks=(),
        authors=authors,
        published=published,
        publisher=publisher or desk_publisher(authors) or _copyright_holder(lines),
        tags=_tags(lines, title_at),
    )


def _copyright_holder(lines: list[Line]) -> str | None:
    for line in reversed(lines):
        match = COPYRIGHT.search(line.text)
        if match:
            return match["name"].strip()
    return None


def _tags(lines: list[Line], title_at: int) -> tuple[str, ...]:
    """A comma-separated list of short topics just above the headline; items that are
    also menu entries elsewhere on the page (their own line) are sections, not tags."""
    labels = {line.text.lower() for line in lines}
    for line in lines[max(0, title_at - 6) : title_at]:
        items = split_names(line.text) if line.text.count(",") >= 2 else ()
        if items and all(len(item.split()) <= 4 for item in items):
            return tuple(item for item in items if item.lower() not in labels)
    return ()
