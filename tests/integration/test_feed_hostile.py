"""Hostile article text must give valid XML that says the same text (issue 8)."""

from __future__ import annotations

import html
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import feedparser
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from articleaudio.config import PodcastConfig
from articleaudio.library.feed import PODCAST_NS, build_feed, one_line, xml_text
from articleaudio.library.publish import publish_episode, validate
from articleaudio.library.store import Entry
from articleaudio.models import Article

from ..support.episodes import make_episode
from ..support.strategies import ANY_CHAR

CONFIG = PodcastConfig()
NS = {"podcast": PODCAST_NS}
HOSTILE_TITLE = (
    '<script>alert("x")</script> & "quotes" \'apos\' ]]> \x00\x07\x1b\x7f '
    "\u202eevil\u202c \U0001f600 end " + "W" * 10_000
)
HOSTILE_AUTHORS = ("Eve <eve@evil.example>", 'O\'Brien & "Sons" ]]>', "\x0b\u200f")


def test_hostile_episode_gives_a_valid_feed(tmp_path: Path) -> None:
    episode = make_episode(
        tmp_path,
        "hostile",
        HOSTILE_TITLE,
        url='https://evil.example/a?b="c"&d=<e>\'',
        authors=HOSTILE_AUTHORS,
        description="Standfirst with ]]> and <img src=x onerror=alert(1)> 😀",
    )
    publish_episode(tmp_path, episode, CONFIG)
    data = (tmp_path / "feed.xml").read_bytes()
    item = etree.fromstring(data).find("channel/item")
    assert item is not None
    expected_title = one_line(HOSTILE_TITLE)
    assert item.findtext("title") == expected_title
    assert "\x00" not in expected_title and "\u202e" in expected_title
    persons = [p.text for p in item.xpath("podcast:person", namespaces=NS)]
    assert persons == ["Eve <eve@evil.example>", 'O\'Brien & "Sons" ]]>']
    # The description is HTML: article text arrives in it escaped, never as markup.
    notes = item.findtext("description") or ""
    assert "<img" not in notes and html.escape("<img src=x") in notes
    assert 'href="https://evil.example/a?b=%22c%22&amp;d=%3Ce%3E&#x27;"' in notes
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.entries[0].title == expected_title
    assert validate(tmp_path, CONFIG) == []


def test_non_web_article_links_are_dropped(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "js", "Click me", url="javascript:alert(1)")
    publish_episode(tmp_path, episode, CONFIG)
    item = etree.fromstring((tmp_path / "feed.xml").read_bytes()).find("channel/item")
    assert item is not None
    assert item.find("link") is None
    assert "javascript" not in (item.findtext("description") or "")


def _entry(template: Entry, article: Article, disclosure: str) -> Entry:
    episode = replace(template.episode, article=article, disclosure=disclosure)
    return replace(template, episode=episode)


_TEMPLATE: list[Entry] = []


def _template(tmp_path: Path) -> Entry:
    if not _TEMPLATE:
        episode = make_episode(tmp_path, "template", "Template")
        published = datetime(2026, 11, 1, tzinfo=UTC)
        _TEMPLATE.append(Entry("guid-1", published, published, {"audio": 1234}, episode))
    return _TEMPLATE[0]


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    title=st.text(),
    authors=st.lists(st.text(max_size=40), max_size=4),
    description=st.none() | st.text(),
    publisher=st.none() | st.text(max_size=40),
    url=st.none() | st.text(max_size=60).map(lambda s: "https://example.org/" + s),
    disclosure=st.text(max_size=80),
    language=st.sampled_from(["en", "de", "pt-BR"]),
)
def test_any_unicode_gives_well_formed_xml_with_the_same_text(
    tmp_path: Path,
    title: str,
    authors: list[str],
    description: str | None,
    publisher: str | None,
    url: str | None,
    disclosure: str,
    language: str,
) -> None:
    template = _template(tmp_path)
    article = Article(
        title=title,
        blocks=template.episode.article.blocks,
        authors=tuple(authors),
        url=url,
        publisher=publisher,
        description=description,
        language=language,
    )
    data = build_feed([_entry(template, article, disclosure)], CONFIG, CONFIG.base_url + "a.png")
    root = etree.fromstring(data)  # strict parser: raises on anything not well-formed
    item = root.find("channel/item")
    assert item is not None
    assert item.findtext("title") == (one_line(title) or "template")
    names = [one_line(a) for a in authors]
    expected_people = [n for n in names if any(c.isalnum() for c in n)]
    people = [p.text for p in item.xpath("podcast:person", namespaces=NS)]
    assert people == list(dict.fromkeys(expected_people))
    notes = item.findtext("description") or ""
    assert html.escape(one_line(xml_text(disclosure)), quote=True) in notes
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert len(parsed.entries) == 1


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(title=st.text(ANY_CHAR), author=st.text(ANY_CHAR, max_size=40), notes=st.text(ANY_CHAR))
def test_any_code_point_gives_a_feed_lxml_parses(
    tmp_path: Path, title: str, author: str, notes: str
) -> None:
    """Lone surrogates, noncharacters and open bidi controls too (st.text() has none)."""
    template = _template(tmp_path)
    article = replace(template.episode.article, title=title, authors=(author,), description=notes)
    data = build_feed([_entry(template, article, notes)], CONFIG, CONFIG.base_url + "a.png")
    item = etree.fromstring(data).find("channel/item")  # strict: raises if not well-formed
    assert item is not None
    assert item.findtext("title") == (one_line(title) or "template")


def test_long_standfirst_is_shortened_in_the_show_notes(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "long", "Long", description="word " * 2000)
    publish_episode(tmp_path, episode, CONFIG)
    item = etree.fromstring((tmp_path / "feed.xml").read_bytes()).find("channel/item")
    assert item is not None
    notes = item.findtext("description") or ""
    assert len(notes) < 4000 and "word word…</p>" in notes
