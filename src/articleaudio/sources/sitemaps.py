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
    items = tuple(
        item for url in _children(root, "url") if (item := _url_item(url, location)) is not None
    )
    news = any(_child(url, "news") is not None for url in _children(root, "url"))
    kind = ListingKind.NEWS_SITEMAP if news else ListingKind.SITEMAP
    return Listing(kind=kind, location=location, items=items)


def parse_index(data: bytes, root: etree._Element, location: str) -> Listing:
    """A ``<sitemapindex>``: the sitemaps it points at, no items."""
    refs = tuple(
        SitemapRef(url=loc, lastmod=parse_w3c_date(_text(entry, "lastmod")))
        for entry in _children(root, "sitemap")
        if (loc := _text(entry, "loc"))
    )
    return Listing(kind=ListingKind.SITEMAP_INDEX, location=location, sitemaps=refs)


def _url_item(url: etree._Element, location: str) -> Item | None:
    loc = _text(url, "loc")
    if not loc:
        return None
    news = _child(url, "news")
    title = published = None
    categories: tuple[str, ...] = ()
    if news is not None:
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


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [
        child
        for child in element
        if isinstance(child.tag, str) and etree.QName(child).localname == name
    ]


def _child(element: etree._Element, name: str) -> etree._Element | None:
    found = _children(element, name)
    return found[0] if found else None


def _text(element: etree._Element, name: str) -> str | None:
    child = _child(element, name)
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
