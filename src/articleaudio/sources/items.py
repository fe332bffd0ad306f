"""The sources stage's vocabulary: the items a feed or sitemap lists, and the listing."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class ListingKind(enum.StrEnum):
    """What kind of document a source is."""

    RSS = "rss"
    """RSS 2.0 (or 0.9x / 1.0, which feedparser reads the same way)."""
    ATOM = "atom"
    """Atom 1.0 (RFC 4287)."""
    SITEMAP = "sitemap"
    """A sitemaps.org ``<urlset>``."""
    NEWS_SITEMAP = "news-sitemap"
    """A ``<urlset>`` whose URLs carry Google News ``<news:news>`` entries."""
    SITEMAP_INDEX = "sitemap-index"
    """A sitemaps.org ``<sitemapindex>``: a list of sitemaps, no articles."""


@dataclass(frozen=True)
class Item:
    """One article a feed or sitemap lists."""

    id: str
    """Stable identity: the RSS ``guid``, the Atom ``id`` or the sitemap ``loc``, else the link."""
    url: str | None
    """The article page, absolute (``xml:base`` and the feed's URL applied); None if none."""
    source: str
    """The feed or sitemap (URL after redirects, or path) that listed it."""
    title: str | None = None
    """The item's title, if the listing gives one."""
    published: datetime | None = None
    """When it was first published (timezone-aware)."""
    updated: datetime | None = None
    """When it was last changed (timezone-aware; a sitemap's ``lastmod``)."""
    categories: tuple[str, ...] = ()
    """Its categories or tags (RSS ``category``, Atom ``category``, news ``keywords``)."""
    draft: bool = False
    """Whether the listing marks it as not published (``app:draft``, a draft status)."""
    summary: str | None = None
    """The description or summary, HTML."""
    content: str | None = None
    """The full body when the feed carries one (``content:encoded``, Atom ``content``), HTML."""
    content_is_full: bool = False
    """Whether :attr:`content` looks like the whole article rather than a teaser."""

    @property
    def date(self) -> datetime | None:
        """The date the item is known by: published, else updated."""
        return self.published or self.updated


@dataclass(frozen=True)
class SitemapRef:
    """One sitemap a sitemap index points at."""

    url: str
    """Where the sitemap is."""
    lastmod: datetime | None = None
    """When the index says it last changed (timezone-aware)."""


@dataclass(frozen=True)
class Listing:
    """A parsed feed or sitemap."""

    kind: ListingKind
    """What the document is."""
    location: str
    """The URL or path it was read from."""
    title: str | None = None
    """The feed's title (sitemaps have none)."""
    items: tuple[Item, ...] = ()
    """The articles it lists, in document order."""
    sitemaps: tuple[SitemapRef, ...] = ()
    """For a sitemap index, the sitemaps it points at."""
