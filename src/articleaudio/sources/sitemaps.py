"""Sitemaps (sitemaps.org 0.9), Google News sitemaps and sitemap indexes → listings.

Elements are matched by local name, so a sitemap that forgets its namespace still
reads; only direct children are looked at, so ``<image:loc>`` inside ``<image:image>``
is never taken for the page's ``<loc>``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import etree

from .items import Item, Listing, ListingKind, SitemapRef


def parse_urlset(data: bytes, root: etree._Element, location: str) -> Listing:
    """A ``<urlset>``: one :class:`Item` per ``<url>`` with a ``<loc>``."""
    urls = [_fields(url) for url in _children(root, "url")]
    items = tuple(item for fields in urls if (item := _url_item(fields, location)) is not None)
    news = any("news" in fields for fields in urls)
    kind = ListingKind.NEWS_SITEMAP if news else ListingKind.SITEMAP
    return Listing(kind=kind, location=location, items=items)


def parse_index(data: bytes, root: etree._Element, location: str) -> Listing:
    """A ``<sitemapindex>``: the sitemaps it points at, no items."""
    entries = [_fields(entry) for entry in _children(root, "sitemap")]
    refs = tuple(
        SitemapRef(url=loc, lastmod=parse_w3c_date(_text(fields, "lastmod")))
        for fields in entries
        if (loc := _text(fields, "loc"))
    )
    return Listing(kind=ListingKind.SITEMAP_INDEX, location=location, sitemaps=refs)


_Fields = dict[str, etree._Element]
"""An element's direct children by local name, the first of each name."""


def _url_item(url: _Fields, location: str) -> Item | None:
    loc = _text(url, "loc")
    if not loc:
        return None
    title = published = None
    categories: tuple[str, ...] = ()
    if "news" in url:
        news = _fields(url["news"])
        title = _text(news, "title")
        published = parse_w3c_date(_text(news, "publication_date"))
        keywords = _text(news, "keywords") or ""
        categories = tuple(word.strip() for word in keywords.split(",") if word.strip())
    return Item(
        id=loc,
        url=loc,
        source=location,
        title=title,
        published=published,
        updated=parse_w3c_date(_text(url, "lastmod")),
        categories=categories,
    )


def _localname(element: etree._Element) -> str | None:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else None  # comments have no name


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _localname(child) == name]


def _fields(element: etree._Element) -> _Fields:
    fields: _Fields = {}
    for child in element:
        name = _localname(child)
        if name is not None:
            fields.setdefault(name, child)
    return fields


def _text(fields: _Fields, name: str) -> str | None:
    child = fields.get(name)
    text = (child.text or "").strip() if child is not None else ""
    return text or None


def parse_w3c_date(value: str | None) -> datetime | None:
    """A W3C Datetime (the sitemap date format) as an aware datetime; None if unreadable.

    A date without a time or zone is taken as midnight UTC.

    >>> parse_w3c_date("2026-11-30T10:15:00+01:00").isoformat()
    '2026-11-30T10:15:00+01:00'
    >>> parse_w3c_date("2026-11-30").isoformat(), parse_w3c_date("2026-11")
    ('2026-11-30T00:00:00+00:00', None)
    """
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)
