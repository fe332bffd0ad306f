"""Sources stage: a site's feeds and sitemaps → the :class:`Item` records a watch follows.

:func:`poll_source` reads an RSS or Atom feed, a (Google News) sitemap or a sitemap
index, from a URL through the polite :class:`~articleaudio.extract.Fetcher` or from a
file; :func:`parse_listing` is its pure parser; :class:`ItemFilter` holds the editor's
rules and :func:`split_items` applies them, giving each skipped item its reason.
The names below load on first use (:func:`articleaudio._lazy.exports`).
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .filters import ItemFilter, Skipped, skip_reason, split_items, text_skip_reason
    from .items import Item, Listing, ListingKind, SitemapRef
    from .parse import parse_listing
    from .poll import Document, Poll, poll_source

__all__ = [
    "Document",
    "Item",
    "ItemFilter",
    "Listing",
    "ListingKind",
    "Poll",
    "SitemapRef",
    "Skipped",
    "parse_listing",
    "poll_source",
    "skip_reason",
    "split_items",
    "text_skip_reason",
]

__getattr__ = exports(
    __name__,
    {
        "Document": ".poll",
        "Item": ".items",
        "ItemFilter": ".filters",
        "Listing": ".items",
        "ListingKind": ".items",
        "Poll": ".poll",
        "SitemapRef": ".items",
        "Skipped": ".filters",
        "parse_listing": ".parse",
        "poll_source": ".poll",
        "skip_reason": ".filters",
        "split_items": ".filters",
        "text_skip_reason": ".filters",
    },
)
