"""Bytes of a feed or sitemap → :class:`~articleaudio.sources.items.Listing` (pure).

lxml checks the document is well-formed XML and names its root element, which decides
the parser: feedparser for RSS and Atom (it knows their dialects, dates, ``xml:base``
and HTML sanitising), :mod:`.sitemaps` for sitemaps. A feed that is not well-formed
XML is refused with the line and column of the first fault: RSS and Atom are XML,
and a lenient parser reading a truncated download would silently lose items.
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Callable

from lxml import etree

from ..errors import SourceError
from . import feeds, sitemaps
from .items import Listing

GZIP_MAGIC = b"\x1f\x8b"
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
"""Largest unzipped sitemap (the sitemaps.org limit is 50 MB), so a zip bomb stops early."""

_Parser = Callable[[bytes, "etree._Element", str], Listing]

ROOT_PARSERS: dict[str, _Parser] = {
    "rss": feeds.parse_feed,
    "feed": feeds.parse_feed,
    "RDF": feeds.parse_feed,  # RSS 1.0
    "urlset": sitemaps.parse_urlset,
    "sitemapindex": sitemaps.parse_index,
}
"""Root element's local name → parser."""


def parse_listing(data: bytes, *, location: str) -> Listing:
    """Parse a feed, sitemap or sitemap index (gzipped or not) read from ``location``.

    ``location`` is the URL (relative links resolve against it) or path it came from.
    Raises :class:`~articleaudio.errors.SourceError` for anything that is not one.
    """
    if data.startswith(GZIP_MAGIC):
        data = _gunzip(data, location)
    if not data.strip():
        raise SourceError(f"{location} is empty: no feed or sitemap in it", source=location)
    root = _xml_root(data, location)
    name = etree.QName(root).localname
    parser = ROOT_PARSERS.get(name)
    if parser is None:
        raise SourceError(_not_a_listing(location, name), source=location)
    return parser(data, root, location)


def _xml_root(data: bytes, location: str) -> etree._Element:
    # No entity expansion, no network, no huge trees: a listing needs none of them.
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise SourceError(
            f"{location} is not well-formed XML (line {line}, column {column}: {exc.msg}); "
            "a feed or sitemap must be XML: check it with an XML validator",
            source=location,
        ) from exc
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        # feedparser would expand them (a "billion laughs" document); feeds need none.
        raise SourceError(f"{location} declares XML entities; feeds need none", source=location)
    return tree.getroot()


def _not_a_listing(location: str, root: str) -> str:
    if root.lower() == "html":
        return (
            f"{location} is a web page, not a feed or sitemap; give the address of the "
            "site's RSS or Atom feed or its sitemap.xml"
        )
    return f"{location} is XML with a <{root}> root, not an RSS or Atom feed or a sitemap"


def _gunzip(data: bytes, location: str) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(MAX_UNZIPPED_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise SourceError(f"{location} is a damaged gzip file ({exc})", source=location) from exc
    if len(out) > MAX_UNZIPPED_BYTES:
        raise SourceError(f"{location} unzips to more than 50 MB", source=location)
    return out
