"""Episodes built by the real pipeline (fake voice for speed) published into one feed."""

from __future__ import annotations

import io
from pathlib import Path

import feedparser
import podcastparser

from articleaudio.config import PodcastConfig
from articleaudio.library.publish import list_episodes, publish_episode, validate
from articleaudio.pipeline import build_episode
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
