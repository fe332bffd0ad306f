"""The editor's item rules: URL globs, categories, dates, drafts, links and word counts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from articleaudio.errors import ConfigError
from articleaudio.sources import Item, ItemFilter, skip_reason, split_items, text_skip_reason

NOV_30 = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _item(
    url: str | None = "https://gazette.example/news/bridge",
    *,
    draft: bool = False,
    published: datetime | None = None,
    updated: datetime | None = None,
    categories: tuple[str, ...] = (),
) -> Item:
    return Item(
        id=url or "no-link",
        url=url,
        source="feed.xml",
        draft=draft,
        published=published,
        updated=updated,
        categories=categories,
    )


def test_the_defaults_pass_every_published_item() -> None:
    assert skip_reason(_item(), ItemFilter()) is None
    assert skip_reason(_item(published=NOV_30, categories=("Sport",)), ItemFilter()) is None


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (_item(draft=True), "marked as a draft in the feed"),
        (_item(None), "has no link to an article page"),
        (_item("news/bridge.html"), "its link 'news/bridge.html' is not an http(s) URL"),
        (_item("mailto:desk@gazette.example"), "is not an http(s) URL"),
    ],
)
def test_drafts_and_link_less_items_are_skipped_with_a_reason(item: Item, reason: str) -> None:
    found = skip_reason(item, ItemFilter())
    assert found is not None and reason in found


def test_url_globs_include_and_exclude() -> None:
    rules = ItemFilter(include=("https://gazette.example/news/*",), exclude=("*/news/live-*",))
    assert skip_reason(_item("https://gazette.example/news/bridge"), rules) is None
    assert skip_reason(_item("https://gazette.example/sport/derby"), rules) == (
        "URL matches none of the include patterns (https://gazette.example/news/*)"
    )
    assert skip_reason(_item("https://gazette.example/news/live-election"), rules) == (
        "URL matches the exclude pattern */news/live-*"
    )
    # Globs match the whole URL, case-sensitively: a path differing in case is another page.
    assert skip_reason(_item("https://gazette.example/NEWS/bridge"), rules) is not None


def test_categories_compare_without_case() -> None:
    rules = ItemFilter(categories=("local news", "Transport"), exclude_categories=("Sponsored",))
    assert skip_reason(_item(categories=("Local News",)), rules) is None
    assert skip_reason(_item(categories=("Sport",)), rules) == (
        "in none of the categories local news, Transport"
    )
    assert skip_reason(_item(categories=("Transport", " sponsored ")), rules) == (
        "in the excluded category Sponsored"
    )
    assert skip_reason(_item(), rules) is not None  # no category at all is in none of them


def test_since_uses_the_published_date_else_the_updated_one() -> None:
    rules = ItemFilter(since=datetime(2026, 11, 30, tzinfo=UTC))
    assert skip_reason(_item(published=NOV_30), rules) is None
    old = skip_reason(_item(published=datetime(2026, 11, 29, 23, tzinfo=UTC)), rules)
    assert old == "dated 2026-11-29T23:00:00+00:00, before 2026-11-30T00:00:00+00:00"
    assert skip_reason(_item(updated=NOV_30), rules) is None
    # Published long ago though updated since: the publication date decides.
    assert skip_reason(_item(published=datetime(2025, 1, 1, tzinfo=UTC), updated=NOV_30), rules)
    assert (
        skip_reason(_item(), rules) == "has no date to compare with since 2026-11-30T00:00:00+00:00"
    )


def test_split_items_keeps_order_and_gives_each_skip_its_reason() -> None:
    items = [
        _item("https://g.example/1"),
        _item("https://g.example/2", draft=True),
        _item(None),
        _item("https://g.example/3"),
    ]
    kept, skipped = split_items(items, ItemFilter())
    assert [i.url for i in kept] == ["https://g.example/1", "https://g.example/3"]
    assert [(s.item.id, s.reason) for s in skipped] == [
        ("https://g.example/2", "marked as a draft in the feed"),
        ("no-link", "has no link to an article page"),
    ]


def test_minimum_word_count_applies_to_the_extracted_text() -> None:
    rules = ItemFilter(min_words=120)
    assert text_skip_reason("word " * 119, rules) == "has 119 words, fewer than the minimum of 120"
    assert text_skip_reason("word " * 120, rules) is None


def test_bad_rules_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="time zone"):
        ItemFilter(since=datetime(2026, 11, 30))
    with pytest.raises(ConfigError, match="0 or more"):
        ItemFilter(min_words=-1)
