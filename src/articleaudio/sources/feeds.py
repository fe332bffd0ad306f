"""RSS and Atom feeds → listings, read with feedparser.

feedparser applies ``xml:base`` and the feed's own URL to relative links, turns every
date format feeds use into UTC, sanitises the HTML of summaries and content, and keeps
elements it does not know under their prefixed names (``app_draft``, ``wp_status``),
which is where CMS feeds mark drafts.
"""

from __future__ import annotations

import calendar
import re
import time
import urllib.parse
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
from lxml import etree
from lxml import html as lxml_html

from .items import Item, Listing, ListingKind

DRAFT_STATUSES = frozenset({"draft", "pending", "private", "future", "unpublished"})
"""Status values a CMS gives items that are not (yet) public; WordPress names the first four."""
DRAFT_MARKS: dict[str, frozenset[str]] = {
    # Atom Publishing Protocol (RFC 5023 §13.1.1): <app:control><app:draft>yes
    "app_draft": frozenset({"yes"}),
    "draft": frozenset({"yes", "true", "1"}),
    "status": DRAFT_STATUSES,
    "wp_status": DRAFT_STATUSES,
    "wp_post_status": DRAFT_STATUSES,
    "post_status": DRAFT_STATUSES,
}
"""feedparser entry key → the values that mark the item as a draft."""

FULL_CONTENT_MIN_WORDS = 100
"""Fewer words than this and a feed's content is a teaser, however it compares."""
TRUNCATED_ENDING = re.compile(
    r"(?:\u2026|\.\.\.|\[\s*(?:\u2026|\.\.\.)\s*\]|read more|continue reading|"
    r"the post .{1,200} appeared first on .{1,200})\W*$",
    re.IGNORECASE,
)
"""How teasers end: an ellipsis, a "read more" link, WordPress's "The post … appeared first"."""

FEED_KINDS: dict[str, ListingKind] = {"atom": ListingKind.ATOM}
"""feedparser's version prefix → kind; every other version is an RSS dialect."""


def parse_feed(data: bytes, root: etree._Element, location: str) -> Listing:
    """Parse RSS or Atom bytes already checked to be well-formed XML (``root`` is unused)."""
    headers = {"content-type": "application/xml"}
    if urllib.parse.urlsplit(location).scheme in {"http", "https"}:
        headers["content-location"] = location  # relative RSS links resolve against it
    parsed = feedparser.parse(data, response_headers=headers)
    version = str(parsed.get("version") or "")
    kind = next((k for prefix, k in FEED_KINDS.items() if version.startswith(prefix)), None)
    items = tuple(_entry_item(entry, location) for entry in parsed.entries)
    title = parsed.feed.get("title") or None
    return Listing(kind=kind or ListingKind.RSS, location=location, title=title, items=items)


def _entry_item(entry: dict[str, Any], location: str) -> Item:
    link = _link(entry)
    summary = entry.get("summary") or None
    content = _content(entry)
    return Item(
        id=str(entry.get("id") or link or ""),
        url=link,
        source=location,
        title=entry.get("title") or None,
        # dict.get: feedparser's own get() answers "updated" with the published date
        # when there is none (a deprecated fallback, feedparser issue 310).
        published=_date(dict.get(entry, "published_parsed")),
        updated=_date(dict.get(entry, "updated_parsed")),
        categories=tuple(
            dict.fromkeys(t["term"].strip() for t in entry.get("tags", ()) if t.get("term"))
        ),
        draft=is_draft(entry),
        summary=summary,
        content=content,
        content_is_full=content is not None and looks_full(content, summary),
    )


def _link(entry: Mapping[str, Any]) -> str | None:
    links = entry.get("links", ())
    alternate = [x["href"] for x in links if x.get("rel", "alternate") == "alternate"]
    href = alternate[0] if alternate else entry.get("link")
    return (str(href).strip() or None) if href else None


def _content(entry: Mapping[str, Any]) -> str | None:
    for part in entry.get("content", ()):
        if part.get("type", "text/html") in {"text/html", "application/xhtml+xml", "text/plain"}:
            value = str(part.get("value") or "").strip()
            if value:
                return value
    return None


def _date(value: time.struct_time | None) -> datetime | None:
    # feedparser gives every date as a UTC struct_time, whatever zone the feed wrote.
    if value is None:
        return None
    return datetime.fromtimestamp(calendar.timegm(value), tz=UTC)


def is_draft(entry: Mapping[str, Any]) -> bool:
    """Whether a feedparser entry carries one of the :data:`DRAFT_MARKS`.

    >>> is_draft({"app_draft": "yes"}), is_draft({"wp_status": "publish"})
    (True, False)
    """
    return any(
        str(entry.get(key, "")).strip().lower() in values for key, values in DRAFT_MARKS.items()
    )


def looks_full(content: str, summary: str | None) -> bool:
    """Whether feed content looks like the whole article, not a teaser.

    It must have :data:`FULL_CONTENT_MIN_WORDS`, be no shorter than the description
    (an excerpt feed repeats the excerpt as content) and not end like a teaser.

    >>> body = "<p>" + "word " * 150 + "</p>"
    >>> looks_full(body, "<p>Short excerpt</p>"), looks_full(body + "<p>Read more</p>", None)
    (True, False)
    """
    text = html_text(content)
    words = len(text.split())
    if words < FULL_CONTENT_MIN_WORDS or TRUNCATED_ENDING.search(text):
        return False
    return summary is None or words >= len(html_text(summary).split())


def html_text(fragment: str) -> str:
    """The text of an HTML fragment, tags dropped.

    >>> html_text("<p>Two <b>words</b></p>")
    'Two words'
    """
    if "<" not in fragment:
        return fragment
    try:
        return str(lxml_html.fragment_fromstring(fragment, create_parent="div").text_content())
    except (etree.ParserError, ValueError):
        return fragment
