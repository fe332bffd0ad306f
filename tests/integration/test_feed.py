"""The feed as podcast apps read it: parsed back with feedparser and gPodder's podcastparser."""

from __future__ import annotations

import functools
import http.server
import io
import json
import threading
import urllib.request
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import unquote

import feedparser
import podcastparser
import pytest
import webvtt
from lxml import etree

from articleaudio.config import FeedSelection, PodcastConfig
from articleaudio.library.feed import ITUNES_NS, PODCAST_NS, podcast_guid
from articleaudio.library.publish import list_episodes, publish_episode, regenerate_feed, validate

from ..support.audio import mp3_info
from ..support.episodes import DISCLOSURE, make_episode

NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}
CONFIG = PodcastConfig(
    title="The Daily Read",
    description="Our articles, read aloud.",
    base_url="https://news.example.org/podcast/",
    link="https://news.example.org/",
    author="Example News",
    owner_name="Jane Editor",
    owner_email="jane@news.example.org",
    explicit=False,
)
ARTICLES = [
    ("city-budget", "City council approves the budget", ("Ada Reporter",), 2.0, 1),
    ("river-flood", "River floods the old town", ("Bo Writer", "Cy Editor"), 3.0, 2),
    ("school-tests", "Schools drop spring tests", ("Di Journalist",), 2.5, 3),
    ("bridge-opens", "New bridge opens to cyclists", (), 1.5, 4),
]


def _build_library(output: Path, config: PodcastConfig = CONFIG) -> dict[str, Path]:
    folders = {}
    for slug, title, authors, seconds, day in ARTICLES:
        episode = make_episode(
            output,
            slug,
            title,
            url=f"https://news.example.org/{slug}",
            authors=authors,
            seconds=seconds,
            frequency=300 + 100 * day,
            built_at=datetime(2026, 11, day, 8, 30, tzinfo=UTC),
            description=f"Summary of {title.lower()}.",
        )
        publish_episode(output, episode, config)
        folders[slug] = output / "episodes" / slug
    return folders


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("library")
    _build_library(output)
    return output


def _local(url: str, output: Path) -> Path:
    assert url.startswith(CONFIG.base_url), url
    return output / unquote(url[len(CONFIG.base_url) :])


def _xml(output: Path, name: str = "feed.xml") -> etree._Element:
    return etree.fromstring((output / name).read_bytes())


def test_feedparser_reads_every_episode_without_errors(library: Path) -> None:
    parsed = feedparser.parse((library / "feed.xml").read_bytes())
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    channel = parsed.feed
    assert channel.title == "The Daily Read"
    assert channel.link == "https://news.example.org/"
    assert channel.language == "en"
    # feedparser maps only the old yes/clean values, so itunes:explicit is checked below
    # with podcastparser, which knows Apple's true/false.
    assert channel.publisher_detail == {"name": "Jane Editor", "email": "jane@news.example.org"}
    assert channel.image.href.startswith(CONFIG.base_url + "artwork-")
    assert channel.tags[0].term == "News"
    titles = [e.title for e in parsed.entries]
    # Newest publication first.
    assert titles == [title for _, title, *_ in reversed(ARTICLES)]
    for entry in parsed.entries:
        assert entry.id and entry.guidislink is False
        assert entry.published_parsed is not None
        assert DISCLOSURE in entry.summary
        assert f'href="{entry.link}"' in entry.summary
        assert entry.itunes_episodetype == "full"


def test_podcastparser_sees_the_itunes_part(library: Path) -> None:
    feed_url = CONFIG.feed_url
    parsed = podcastparser.parse(feed_url, io.BytesIO((library / "feed.xml").read_bytes()))
    assert parsed["title"] == "The Daily Read"
    assert parsed["cover_url"].startswith(CONFIG.base_url + "artwork-")
    assert parsed["type"] == "episodic"
    assert parsed["explicit"] is False
    assert parsed["itunes_author"] == "Example News"
    assert parsed["itunes_categories"] == [["News", "Daily News"]]
    assert len(parsed["episodes"]) == len(ARTICLES)
    by_title = {e["title"]: e for e in parsed["episodes"]}
    for slug, title, _, _, _ in ARTICLES:
        episode = by_title[title]
        (enclosure,) = episode["enclosures"]
        mp3 = library / "episodes" / slug / f"{slug}.mp3"
        assert enclosure["url"] == f"{CONFIG.base_url}episodes/{slug}/{slug}.mp3"
        assert enclosure["file_size"] == mp3.stat().st_size
        assert enclosure["mime_type"] == "audio/mpeg"
        measured = mp3_info(mp3).length
        assert abs(episode["total_time"] - measured) <= 1.0
        assert episode["guid"]
        assert episode["explicit"] is False


def test_channel_has_every_required_element(library: Path) -> None:
    channel = _xml(library).find("channel")
    assert channel is not None
    required = {
        "atom:link[@rel='self']/@href": CONFIG.feed_url,
        "itunes:explicit/text()": "false",
        "itunes:author/text()": "Example News",
        "itunes:owner/itunes:email/text()": "jane@news.example.org",
        "itunes:owner/itunes:name/text()": "Jane Editor",
        "itunes:type/text()": "episodic",
        "itunes:category/@text": "News",
        "itunes:category/itunes:category/@text": "Daily News",
        "podcast:guid/text()": podcast_guid(CONFIG.feed_url),
        "podcast:locked/text()": "yes",
        "podcast:locked/@owner": "jane@news.example.org",
        "podcast:medium/text()": "podcast",
        "podcast:txt[@purpose='ai-content']/text()": "true",
        "language/text()": "en",
    }
    for path, value in required.items():
        assert channel.xpath(path, namespaces=NS) == [value], path
    (image,) = channel.xpath("itunes:image/@href", namespaces=NS)
    assert _local(image, library).is_file()


def test_items_carry_transcripts_chapters_persons_and_disclosure(library: Path) -> None:
    items = _xml(library).findall("channel/item")
    assert len(items) == len(ARTICLES)
    authors = {title: names for _, title, names, _, _ in ARTICLES}
    for item in items:
        title = item.findtext("title")
        assert item.xpath("itunes:explicit/text()", namespaces=NS) == ["false"]
        assert item.xpath("podcast:txt[@purpose='ai-content']/text()", namespaces=NS) == ["true"]
        persons = item.xpath("podcast:person", namespaces=NS)
        assert [p.text for p in persons] == list(authors[title])
        assert all(p.get("role") == "author" and p.get("group") == "writing" for p in persons)
        duration = item.xpath("itunes:duration/text()", namespaces=NS)[0]
        assert duration.isdigit()
        types = item.xpath("podcast:transcript/@type", namespaces=NS)
        assert sorted(types) == ["application/json", "text/vtt"]


def test_transcript_and_chapter_urls_name_files_that_parse(library: Path) -> None:
    checked = 0
    for item in _xml(library).findall("channel/item"):
        audio = _local(item.find("enclosure").get("url"), library)
        duration = mp3_info(audio).length
        for node in item.xpath("podcast:transcript | podcast:chapters", namespaces=NS):
            path = _local(node.get("url"), library)
            kind = node.get("type")
            if kind == "text/vtt":
                captions = webvtt.read(str(path)).captions
                assert len(captions) >= 2
                assert all(c.end_in_seconds <= duration + 0.01 for c in captions)
            elif kind == "application/json":
                segments = json.loads(path.read_text())["segments"]
                assert segments and all(s["body"] for s in segments)
            else:
                assert kind == "application/json+chapters"
                doc = json.loads(path.read_text())
                assert doc["version"].startswith("1.")
                starts = [c["startTime"] for c in doc["chapters"]]
                assert starts == sorted(starts) and starts[0] == 0
            checked += 1
    assert checked == 3 * len(ARTICLES)


def test_enclosure_lengths_equal_file_sizes(library: Path) -> None:
    for enclosure in _xml(library).iter("enclosure"):
        path = _local(enclosure.get("url"), library)
        assert int(enclosure.get("length")) == path.stat().st_size


def test_rebuild_keeps_guid_and_date_and_updates_enclosure(tmp_path: Path) -> None:
    _build_library(tmp_path)
    before = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    guids = {e.title: e.id for e in before.entries}
    dates = {e.title: e.published for e in before.entries}
    # Rebuild one article a week later with longer audio, and another one unchanged.
    make_episode(
        tmp_path,
        "river-flood",
        "River floods the old town",
        url="https://news.example.org/river-flood",
        seconds=4.0,
        built_at=datetime(2026, 11, 9, tzinfo=UTC),
    )
    publish_episode(tmp_path, _episode(tmp_path, "river-flood"), CONFIG)
    publish_episode(tmp_path, _episode(tmp_path, "city-budget"), CONFIG)
    after = feedparser.parse((tmp_path / "feed.xml").read_bytes())
    assert len(after.entries) == len(ARTICLES)
    assert {e.title: e.id for e in after.entries} == guids
    assert {e.title: e.published for e in after.entries} == dates
    flood = next(e for e in after.entries if e.title == "River floods the old town")
    mp3 = tmp_path / "episodes" / "river-flood" / "river-flood.mp3"
    assert int(flood.enclosures[0].length) == mp3.stat().st_size
    old = next(e for e in before.entries if e.title == flood.title)
    assert flood.enclosures[0].length != old.enclosures[0].length
    assert int(flood.itunes_duration) == round(mp3_info(mp3).length)


def test_same_url_under_a_new_slug_is_the_same_episode(tmp_path: Path) -> None:
    _build_library(tmp_path)
    guid = next(e.guid for e in list_episodes(tmp_path) if e.slug == "school-tests")
    moved = make_episode(
        tmp_path,
        "schools-drop-tests",
        "Schools drop spring tests (updated)",
        url="https://news.example.org/school-tests",
        built_at=datetime(2026, 11, 10, tzinfo=UTC),
    )
    publish_episode(tmp_path, moved, CONFIG)
    entries = {e.slug: e for e in list_episodes(tmp_path)}
    assert "school-tests" not in entries
    assert entries["schools-drop-tests"].guid == guid
    assert entries["schools-drop-tests"].published == datetime(2026, 11, 3, 8, 30, tzinfo=UTC)
    assert not (tmp_path / "episodes" / "school-tests").exists()
    items = _xml(tmp_path).findall("channel/item")
    assert [i.findtext("guid") for i in items].count(guid) == 1
    assert len(items) == len(ARTICLES)


def test_feed_is_deterministic(tmp_path: Path) -> None:
    _build_library(tmp_path / "a")
    _build_library(tmp_path / "b")
    first = (tmp_path / "a" / "feed.xml").read_bytes()
    assert (tmp_path / "b" / "feed.xml").read_bytes() == first
    regenerate_feed(tmp_path / "a", CONFIG)
    assert (tmp_path / "a" / "feed.xml").read_bytes() == first


def test_explicit_true_is_written_as_true(tmp_path: Path) -> None:
    config = PodcastConfig(explicit=True, locked=False)
    publish_episode(tmp_path, make_episode(tmp_path, "one", "One"), config)
    root = _xml(tmp_path)
    assert root.xpath("//itunes:explicit/text()", namespaces=NS) == ["true", "true"]
    assert root.xpath("//podcast:locked/text()", namespaces=NS) == ["no"]
    parsed = podcastparser.parse(config.feed_url, io.BytesIO((tmp_path / "feed.xml").read_bytes()))
    assert parsed["explicit"] is True
    assert parsed["episodes"][0]["explicit"] is True


def test_podcast_guid_follows_the_spec_vectors() -> None:
    assert podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml") == (
        "917393e3-1b1e-5cef-ace4-edaa54e1f810"
    )
    assert podcast_guid("podnews.net/rss////") == "9b024349-ccf0-5f69-a609-6b82873eab3c"
    assert podcast_guid("http://podnews.net/rss") == podcast_guid("https://podnews.net/rss/")


def _episode(output: Path, slug: str):  # type: ignore[no-untyped-def]
    from articleaudio.models import Episode

    data = json.loads((output / "episodes" / slug / "episode.json").read_text())
    return Episode.from_dict(data)


def test_served_library_answers_every_feed_url(tmp_path: Path) -> None:
    """Serve the output folder over real HTTP, as `make demo` suggests, and follow every URL."""
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        config = PodcastConfig(base_url=base)
        _build_library(tmp_path, config)
        with urllib.request.urlopen(config.feed_url, timeout=10) as response:
            data = response.read()
        parsed = feedparser.parse(data)
        assert parsed.bozo == 0 and len(parsed.entries) == len(ARTICLES)
        root = etree.fromstring(data)
        urls = root.xpath("//enclosure/@url | //podcast:transcript/@url", namespaces=NS)
        urls += root.xpath("//podcast:chapters/@url | //itunes:image/@href", namespaces=NS)
        lengths = {e.get("url"): e.get("length") for e in root.iter("enclosure")}
        for url in urls:
            with urllib.request.urlopen(url, timeout=10) as response:
                body = response.read()
                assert response.status == 200
            if url in lengths:
                assert len(body) == int(lengths[url])
        assert len(urls) == 4 * len(ARTICLES) + 1
    finally:
        server.shutdown()
        server.server_close()


def test_item_links_to_the_player_page_when_the_article_has_no_url(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "no-url", "No URL")
    (tmp_path / "episodes" / "no-url" / "embed.html").write_text("<!doctype html><title>x</title>")
    with_embed = replace(episode, files={**episode.files, "embed": "embed.html"})
    publish_episode(tmp_path, with_embed, CONFIG)
    item = _xml(tmp_path).find("channel/item")
    assert item is not None
    assert item.findtext("link") == CONFIG.base_url + "episodes/no-url/embed.html"
    assert _local(item.findtext("link") or "", tmp_path).is_file()


def test_extra_feeds_select_by_tag_and_author(tmp_path: Path) -> None:
    politics = FeedSelection(feed_file="politics.xml", tag="politics")
    ada = FeedSelection(feed_file="ada.xml", title="Ada", author="Ada Reporter")
    config = replace(CONFIG, feeds=(politics, ada))
    stories: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
        ("vote", ("Politics",), ("Ada Reporter",)),
        ("rain", ("Weather",), ("Bo",)),
        ("poll", ("politics", "Polls"), ("Bo",)),
    ]
    for slug, tags, authors in stories:
        episode = make_episode(tmp_path, slug, slug.title(), tags=tags, authors=authors)
        publish_episode(tmp_path, episode, config)
    selected = {}
    for name in ("feed.xml", "politics.xml", "ada.xml"):
        parsed = feedparser.parse((tmp_path / name).read_bytes())
        assert parsed.bozo == 0
        selected[name] = sorted(e.title for e in parsed.entries)
    assert selected == {
        "feed.xml": ["Poll", "Rain", "Vote"],
        "politics.xml": ["Poll", "Vote"],
        "ada.xml": ["Vote"],
    }
    guids = {
        _xml(tmp_path, n).xpath("channel/podcast:guid/text()", namespaces=NS)[0] for n in selected
    }
    assert len(guids) == 3
    assert validate(tmp_path, config) == []
    (tmp_path / "ada.xml").unlink()
    assert [str(p) for p in validate(tmp_path, config)] == [
        "ada.xml: missing; run 'articleaudio feed' to write it"
    ]
