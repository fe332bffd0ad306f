"""Article metadata from an HTML page's head: JSON-LD first, then ``<meta>`` tags.

JSON-LD (schema.org ``NewsArticle``) and Open Graph carry full timestamps with
offsets, author names and the canonical URL; they are more reliable than
anything guessed from the visible page.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from .meta import parse_date, split_names

META_FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("og:title", "twitter:title"),
    "description": ("og:description", "description", "twitter:description"),
    "image": ("og:image", "twitter:image"),
    "url": ("og:url",),
    "publisher": ("og:site_name", "application-name"),
    "published": ("article:published_time", "datepublished", "date", "dc.date", "pubdate"),
    "author": ("author", "article:author", "dc.creator", "byl"),
    "keywords": ("news_keywords", "keywords", "article:tag"),
    "language": ("og:locale", "content-language", "language", "dc.language"),
}
"""Article field → <meta name/property> keys, first match wins (Open Graph, then HTML)."""


def page_metadata(tree: Any) -> dict[str, Any]:
    """Title, authors, date, URL, image, publisher, tags and language from the page head."""
    metas = _meta_tags(tree)
    ld = _json_ld(tree)
    first = {
        field: next((metas[k] for k in keys if metas.get(k)), None)
        for field, keys in META_FIELDS.items()
    }
    published = parse_date(str(ld.get("datePublished") or first["published"] or ""))
    canonical = next(
        (link.get("href") for link in tree.iter("link") if link.get("rel") == "canonical"), None
    )
    return {
        "title": _clean(ld.get("headline")) or first["title"],
        "description": first["description"],
        "image": _ld_image(ld.get("image")) or first["image"],
        "url": canonical or first["url"],
        "publisher": _ld_name(ld.get("publisher")) or first["publisher"],
        "published": published,
        "authors": _ld_authors(ld.get("author")) or _meta_authors(first["author"]),
        "tags": _keywords(ld.get("keywords") or first["keywords"]),
        "language": tree.get("lang") or first["language"] or ld.get("inLanguage"),
    }


def _meta_tags(tree: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("http-equiv") or "").lower()
        content = (meta.get("content") or "").strip()
        if key and content and key not in found:
            found[key] = content
    return found


ARTICLE_TYPES = frozenset(
    {"NewsArticle", "Article", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle"}
)


def _json_ld(tree: Any) -> dict[str, Any]:
    """The first JSON-LD object whose @type is an article (schema.org/NewsArticle)."""
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for node in _ld_nodes(data):
            kind = node.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if ARTICLE_TYPES.intersection(k for k in kinds if isinstance(k, str)):
                return node
    return {}


def _ld_nodes(data: Any) -> Iterator[dict[str, Any]]:
    if isinstance(data, list):
        for entry in data:
            yield from _ld_nodes(entry)
    elif isinstance(data, dict):
        yield data
        yield from _ld_nodes(data.get("@graph", []))


def _clean(value: Any) -> str | None:
    return re.sub(r"\s+", " ", value).strip() or None if isinstance(value, str) else None


def _ld_name(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _clean(value.get("name"))
    return _clean(value)


def _ld_image(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        return _clean(value.get("url"))
    return _clean(value)


def _ld_authors(value: Any) -> tuple[str, ...]:
    entries = value if isinstance(value, list) else [value]
    names = [_ld_name(entry) for entry in entries]
    return tuple(name for name in names if name and not name.startswith("http"))


def _meta_authors(value: str | None) -> tuple[str, ...]:
    if not value or value.startswith("http"):
        return ()
    return split_names(value)


CMS_SWITCH = re.compile(r"[a-z0-9]+(_[a-z0-9]+)+")
"""A keyword that is a CMS switch (``autoplay_video``), not a topic."""


def _keywords(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    tags = (str(item).strip() for item in items)
    # CMS switches such as 'autoplay_video' ride along in keywords; they are not topics.
    return tuple(dict.fromkeys(t for t in tags if t and not CMS_SWITCH.fullmatch(t)))
