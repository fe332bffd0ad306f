"""Episodes built by the real pipeline (fake voice for speed) published into one feed."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import podcastparser

from articleaudio.config import PodcastConfig
from articleaudio.library.publish import list_episodes, publish_episode, validate
from articleaudio.pipeline import (
    build_episode,
    make_episode,
    open_synthesis,
    plan_episode,
    read_article,
)
from articleaudio.settings import BuildSettings

from ..support.audio import mp3_info
from ..support.fake_synthesizer import FakeSynthesizer

ARTICLES = {
    "council.md": "# Council backs the new bus lanes\n\nBy Ada Reporter\n\n"
    "The council voted for bus lanes. Work starts in May.\n",
    "harbour.md": '# Harbour & <ferry> "fares" rise ]]>\n\nBy Bo Writer\n\n'
    "Ferry fares rise by ten percent. Commuters are unhappy.\n",
}


def test_built_episodes_publish_into_a_valid_feed(tmp_path: Path) -> None:
    config = PodcastConfig()
    settings = BuildSettings(output=tmp_path / "out")
    built = []
    for name, text in ARTICLES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        built.append(build_episode(str(tmp_path / name), settings, synthesizer=FakeSynthesizer()))
        publish_episode(settings.output, built[-1].episode, config)
    guids = {e.slug: e.guid for e in list_episodes(settings.output)}
    assert set(guids) == {b.episode.slug for b in built}
    data = (settings.output / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert {e.title for e in parsed.entries} == {
        "Council backs the new bus lanes",
        'Harbour & <ferry> "fares" rise ]]>',
    }
    episodes = podcastparser.parse(config.feed_url, io.BytesIO(data))["episodes"]
    for item in episodes:
        (enclosure,) = item["enclosures"]
        path = settings.output / enclosure["url"][len(config.base_url) :]
        assert enclosure["file_size"] == path.stat().st_size
        assert abs(item["total_time"] - mp3_info(path).length) <= 1.0
    assert validate(settings.output, config) == []
    # Rebuilding the same article keeps its GUID.
    again = build_episode(str(tmp_path / "council.md"), settings, synthesizer=FakeSynthesizer())
    publish_episode(settings.output, again.episode, config)
    assert {e.slug: e.guid for e in list_episodes(settings.output)} == guids


def _briefing(path: Path, url: str, news: str) -> str:
    path.write_text(
        f'<html><head><title>Morning briefing</title><link rel="canonical" href="{url}">'
        f"</head><body><article><h1>Morning briefing</h1><p>{news} The council met on "
        "Tuesday and voted for the new bus lanes after a long debate.</p><p>Work on the "
        "lanes starts in May and should end before the winter.</p></article></body></html>",
        encoding="utf-8",
    )
    return str(path)


def test_two_articles_of_one_title_are_two_episodes_and_a_rebuild_finds_its_own(
    tmp_path: Path,
) -> None:
    config, settings = PodcastConfig(), BuildSettings(output=tmp_path / "out")
    monday = _briefing(tmp_path / "mon.html", "https://news.example/mon", "Rain is coming.")
    tuesday = _briefing(tmp_path / "tue.html", "https://news.example/tue", "Sun at last.")
    slugs = []
    for page in (monday, tuesday, monday):  # Monday's rebuilt after Tuesday's came
        built = build_episode(page, settings, synthesizer=FakeSynthesizer())
        publish_episode(settings.output, built.episode, config)
        slugs.append(built.episode.slug)
    assert slugs == ["morning-briefing", "morning-briefing-2", "morning-briefing"]
    entries = {e.slug: e for e in list_episodes(settings.output)}
    assert {s: e.episode.article.url for s, e in entries.items()} == {
        "morning-briefing": "https://news.example/mon",
        "morning-briefing-2": "https://news.example/tue",
    }
    assert len({e.guid for e in entries.values()}) == 2
    parsed = feedparser.parse((settings.output / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 2


def test_an_article_whose_slug_another_took_meanwhile_takes_the_next_and_loses_none(
    tmp_path: Path,
) -> None:
    """Monday's build chose the free slug; Tuesday's (same title, another URL, another
    worker) published there before Monday's was written. Monday's must not replace it."""
    settings = BuildSettings(output=tmp_path / "out")
    monday = _briefing(tmp_path / "mon.html", "https://news.example/mon", "Rain is coming.")
    tuesday = _briefing(tmp_path / "tue.html", "https://news.example/tue", "Sun at last.")
    with open_synthesis(settings, FakeSynthesizer()) as synthesis:
        article = read_article(monday, settings)
        planned = plan_episode(monday, article, settings, synthesis)
        assert planned.slug == "morning-briefing"
        taken = build_episode(tuesday, settings, synthesis=synthesis)
        assert taken.episode.slug == "morning-briefing"
        built = make_episode(planned, settings, synthesis)
    assert built.episode.slug == "morning-briefing-2"
    entries = {e.slug: e.episode.article.url for e in list_episodes(settings.output)}
    assert entries == {
        "morning-briefing": "https://news.example/tue",
        "morning-briefing-2": "https://news.example/mon",
    }
    folders = sorted(p.name for p in (settings.output / "episodes").iterdir())
    assert folders == ["morning-briefing", "morning-briefing-2"]  # no staging left behind
    assert validate(settings.output, PodcastConfig()) == []
    parsed = feedparser.parse((settings.output / "feed.xml").read_bytes())
    assert parsed.bozo == 0 and len(parsed.entries) == 2
