"""Read a source (a feed or sitemap URL or file) once: its items, and what to send next time.

A URL is fetched with the validators of the last poll, so a source that has not
changed costs one ``304 Not Modified``; a sitemap index is followed to the sitemaps
it lists (each fetched conditionally too, and skipped when the index says it has not
changed since ``since``).
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..errors import SourceError
from ..extract import Fetcher, Validators, is_url, read_bytes
from .items import Item, Listing, ListingKind
from .parse import parse_listing

log = logging.getLogger(__name__)

LISTING_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.8"
)
"""The ``Accept`` header for feeds and sitemaps (a server with several forms picks a feed)."""


@dataclass(frozen=True)
class Document:
    """One feed, sitemap or sitemap index read during a poll."""

    location: str
    """Its URL or path."""
    not_modified: bool
    """Whether the server answered ``304 Not Modified`` (nothing was parsed)."""
    validators: Validators
    """What to send next time for this URL (empty for a file)."""
    status: int | None = None
    """The HTTP status (None for a file)."""
    elapsed: float = 0.0
    """Seconds the fetch took."""
    kind: ListingKind | None = None
    """What it turned out to be (None when not modified)."""


@dataclass(frozen=True)
class Poll:
    """What one read of a source found."""

    location: str
    """The source as given (URL or path)."""
    items: tuple[Item, ...]
    """The items of every document that changed, each id once, in document order."""
    documents: tuple[Document, ...]
    """Every document read, the source itself first; keep their validators for next time."""
    title: str | None = None
    """The feed's title, when it has one and was read."""

    @property
    def not_modified(self) -> bool:
        """Whether the source itself answered ``304 Not Modified``."""
        return self.documents[0].not_modified

    @property
    def kind(self) -> ListingKind | None:
        """What the source is (None when it was not modified)."""
        return self.documents[0].kind

    def validators(self) -> dict[str, Validators]:
        """URL → validators, to pass to the next :func:`poll_source` of this source."""
        return {d.location: d.validators for d in self.documents if d.status is not None}


def poll_source(
    location: str,
    fetcher: Fetcher,
    *,
    validators: Mapping[str, Validators] | None = None,
    since: datetime | None = None,
) -> Poll:
    """Read the feed, sitemap or sitemap index at ``location`` (an http(s) URL or a path).

    ``validators`` are what the last poll's :meth:`Poll.validators` returned. Raises
    :class:`~articleaudio.errors.SourceError` for a malformed source and
    :class:`~articleaudio.errors.FetchError` when a URL cannot be fetched.
    """
    known = validators or {}
    top, listing = _read(location, fetcher, known)
    if listing is None:
        return Poll(location=location, items=(), documents=(top,))
    documents = [top]
    items = list(listing.items)
    for ref in listing.sitemaps:
        if since is not None and ref.lastmod is not None and ref.lastmod < since:
            continue  # the index says nothing in it changed since the date asked for
        document, child = _read(child_location(location, ref.url), fetcher, known)
        documents.append(document)
        if child is not None:
            _refuse_nested(location, child)
            items.extend(child.items)
    unique: dict[str, Item] = {}
    for item in items:
        unique.setdefault(item.id, item)  # a URL in two sitemaps is one item, the first
    return Poll(
        location=location,
        items=tuple(unique.values()),
        documents=tuple(documents),
        title=listing.title,
    )


def _read(
    location: str, fetcher: Fetcher, known: Mapping[str, Validators]
) -> tuple[Document, Listing | None]:
    if not is_url(location):
        listing = parse_listing(read_bytes(location), location=location)
        return Document(location, False, Validators(), kind=listing.kind), listing
    result = fetcher.get(location, validators=known.get(location), accept=LISTING_ACCEPT)
    if result.not_modified:
        log.debug("%s not modified", location)
        document = Document(location, True, result.validators, result.status, result.elapsed)
        return document, None
    listing = parse_listing(result.body, location=result.final_url)
    document = Document(
        location, False, result.validators, result.status, result.elapsed, listing.kind
    )
    return document, listing


def child_location(index: str, loc: str) -> str:
    """Where a sitemap an index lists is: a URL for a fetched index, never a local file.

    A local index may list files beside it; a fetched one only http(s) URLs (relative
    ones resolve against it), so a site cannot make a watch read the machine's files.

    >>> child_location("https://g.example/sitemaps/index.xml", "news.xml")
    'https://g.example/sitemaps/news.xml'
    >>> child_location("https://g.example/index.xml", "/etc/passwd")
    'https://g.example/etc/passwd'
    >>> child_location("site/index.xml", "news.xml")
    'site/news.xml'
    """
    if not is_url(index):
        return loc if is_url(loc) else str(Path(index).parent / loc)
    child = urllib.parse.urljoin(index, loc)
    if not is_url(child):
        raise SourceError(
            f"the sitemap index {index} lists {loc!r}, which is not an http(s) URL",
            source=index,
        )
    return child


def _refuse_nested(index: str, child: Listing) -> None:
    # sitemaps.org: an index lists sitemaps, not other indexes.
    if child.kind is ListingKind.SITEMAP_INDEX:
        raise SourceError(
            f"{child.location}, listed in the sitemap index {index}, is itself an index; "
            "an index may list only sitemaps",
            source=index,
        )
