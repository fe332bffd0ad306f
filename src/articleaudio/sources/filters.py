"""Which listed items to narrate: the editor's rules, each skip with its reason.

URL patterns are shell-style globs (:func:`fnmatch.fnmatchcase`) matched against the
whole URL, so ``*/opinion/*`` names a section and ``https://example.org/*`` a site.
Categories compare without regard to case or surrounding spaces.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from ..errors import ConfigError
from ..extract import is_url
from .items import Item


@dataclass(frozen=True)
class ItemFilter:
    """The rules an item must pass to be narrated; the defaults pass every published item."""

    include: tuple[str, ...] = ()
    """URL globs; when given, an item's URL must match one."""
    exclude: tuple[str, ...] = ()
    """URL globs; an item whose URL matches one is skipped."""
    categories: tuple[str, ...] = ()
    """When given, an item must be in one of these categories."""
    exclude_categories: tuple[str, ...] = ()
    """An item in one of these categories is skipped."""
    min_words: int = 0
    """Articles whose extracted text has fewer words are skipped (see :func:`text_skip_reason`)."""
    since: datetime | None = None
    """Items published (else updated) before this are skipped, and so are undated ones."""

    def __post_init__(self) -> None:
        if self.since is not None and self.since.tzinfo is None:
            raise ConfigError("the since date needs a time zone (say 2026-11-01T00:00Z)")
        if self.min_words < 0:
            raise ConfigError(f"the minimum word count must be 0 or more, not {self.min_words}")


@dataclass(frozen=True)
class Skipped:
    """An item left out, and why."""

    item: Item
    """The item."""
    reason: str
    """Why, in words for a log line."""


def _draft(item: Item, rules: ItemFilter) -> str | None:
    return "marked as a draft in the feed" if item.draft else None


def _no_link(item: Item, rules: ItemFilter) -> str | None:
    if item.url is None:
        return "has no link to an article page"
    return None if is_url(item.url) else f"its link {item.url!r} is not an http(s) URL"


def _not_included(item: Item, rules: ItemFilter) -> str | None:
    if not rules.include or _matches(item.url or "", rules.include):
        return None
    return f"URL matches none of the include patterns ({', '.join(rules.include)})"


def _excluded(item: Item, rules: ItemFilter) -> str | None:
    pattern = _matches(item.url or "", rules.exclude)
    return f"URL matches the exclude pattern {pattern}" if pattern else None


def _not_in_category(item: Item, rules: ItemFilter) -> str | None:
    if not rules.categories or _shared(item.categories, rules.categories):
        return None
    return f"in none of the categories {', '.join(rules.categories)}"


def _excluded_category(item: Item, rules: ItemFilter) -> str | None:
    shared = _shared(item.categories, rules.exclude_categories)
    return f"in the excluded category {shared}" if shared else None


def _too_old(item: Item, rules: ItemFilter) -> str | None:
    if rules.since is None:
        return None
    if item.date is None:
        return f"has no date to compare with since {rules.since.isoformat()}"
    if item.date < rules.since:
        return f"dated {item.date.isoformat()}, before {rules.since.isoformat()}"
    return None


CHECKS: tuple[Callable[[Item, ItemFilter], str | None], ...] = (
    _draft,
    _no_link,
    _not_included,
    _excluded,
    _not_in_category,
    _excluded_category,
    _too_old,
)
"""The item rules in the order they are asked; the first that objects gives the reason."""


def skip_reason(item: Item, rules: ItemFilter) -> str | None:
    """Why ``item`` is not narrated under ``rules``, or None when it is."""
    return next((reason for check in CHECKS if (reason := check(item, rules))), None)


def split_items(
    items: Iterable[Item], rules: ItemFilter
) -> tuple[tuple[Item, ...], tuple[Skipped, ...]]:
    """The items to narrate, and the ones skipped with their reasons, each in order."""
    kept: list[Item] = []
    skipped: list[Skipped] = []
    for item in items:
        reason = skip_reason(item, rules)
        if reason is None:
            kept.append(item)
        else:
            skipped.append(Skipped(item, reason))
    return tuple(kept), tuple(skipped)


def text_skip_reason(text: str, rules: ItemFilter) -> str | None:
    """Why an article with this extracted text is not narrated (too short), or None.

    >>> text_skip_reason("Only four words here.", ItemFilter(min_words=5))
    'has 4 words, fewer than the minimum of 5'
    >>> text_skip_reason("Only four words here.", ItemFilter()) is None
    True
    """
    words = len(text.split())
    if words < rules.min_words:
        return f"has {words} words, fewer than the minimum of {rules.min_words}"
    return None


def _matches(url: str, patterns: tuple[str, ...]) -> str | None:
    return next((p for p in patterns if fnmatch.fnmatchcase(url, p)), None)


def _shared(categories: tuple[str, ...], wanted: tuple[str, ...]) -> str | None:
    have = {c.strip().casefold() for c in categories}
    return next((w for w in wanted if w.strip().casefold() in have), None)
