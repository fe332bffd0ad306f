"""Publishing, removing, regenerating and validating a library; the CLI commands."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree
from PIL import Image

from articleaudio.cli.common import _Group
from articleaudio.cli.publish import COMMANDS
from articleaudio.config import PodcastConfig
from articleaudio.errors import EpisodeNotFoundError, PublishError
from articleaudio.library.publish import (
    list_episodes,
    publish_episode,
    regenerate_feed,
    unpublish,
    validate,
)
from articleaudio.library.store import open_catalogue

from ..support.episodes import make_episode
from ..support.paths import ROOT

CONFIG = PodcastConfig()
SLUGS = ("alpha", "beta", "gamma")


def _library(output: Path) -> None:
    for day, slug in enumerate(SLUGS, start=1):
        episode = make_episode(
            output,
            slug,
            slug.title(),
            url=f"https://news.example.org/{slug}",
            seconds=1.0 + day,
            built_at=datetime(2026, 11, day, tzinfo=UTC),
        )
        publish_episode(output, episode, CONFIG)


def _feed_slugs(output: Path, feed_file: str = "feed.xml") -> list[str]:
    parsed = feedparser.parse((output / feed_file).read_bytes())
    assert parsed.bozo == 0
    return [e.enclosures[0].href.split("/")[-2] for e in parsed.entries]


def _cli() -> click.Group:
    group = _Group("articleaudio")
    for command in COMMANDS:
        group.add_command(command)
    return group


def test_publish_writes_catalogue_feed_and_artwork(tmp_path: Path) -> None:
    _library(tmp_path)
    assert [e.slug for e in list_episodes(tmp_path)] == ["gamma", "beta", "alpha"]
    assert _feed_slugs(tmp_path) == ["gamma", "beta", "alpha"]
    artwork = list(tmp_path.glob("artwork-*.png"))
    assert len(artwork) == 1
    with Image.open(artwork[0]) as image:
        assert image.size == (1400, 1400) and image.mode == "RGB"
    assert validate(tmp_path, CONFIG) == []
    assert not list(tmp_path.glob(".*.tmp"))


def test_publish_refuses_an_incomplete_episode_folder(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "half", "Half")
    (tmp_path / "episodes" / "half" / "half.vtt").unlink()
    with pytest.raises(PublishError, match=r"episode half is incomplete: .*half\.vtt is missing"):
        publish_episode(tmp_path, episode, CONFIG)
    assert not (tmp_path / "feed.xml").exists()


def test_unpublish_removes_files_and_feed_entry(tmp_path: Path) -> None:
    _library(tmp_path)
    removed = unpublish(tmp_path, "beta", CONFIG)
    assert removed is not None and removed.slug == "beta"
    assert not (tmp_path / "episodes" / "beta").exists()
    assert _feed_slugs(tmp_path) == ["gamma", "alpha"]
    with pytest.raises(EpisodeNotFoundError, match="no episode 'beta'"):
        unpublish(tmp_path, "beta", CONFIG)


def test_regenerate_catalogues_folders_built_without_a_catalogue(tmp_path: Path) -> None:
    for slug in SLUGS:
        make_episode(tmp_path, slug, slug.title())
    (tmp_path / "episodes" / ".alpha.tmp-staging").mkdir()  # a build's leftover staging dir
    path = regenerate_feed(tmp_path, CONFIG)
    assert path == tmp_path / "feed.xml"
    assert sorted(_feed_slugs(tmp_path)) == sorted(SLUGS)
    assert validate(tmp_path, CONFIG) == []


def test_failed_feed_write_keeps_the_previous_feed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _library(tmp_path)
    before = (tmp_path / "feed.xml").read_bytes()
    extra = make_episode(tmp_path, "delta", "Delta")

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("articleaudio.fsutil.os.fsync", disk_full)
    with pytest.raises(PublishError, match="No space left on device"):
        publish_episode(tmp_path, extra, CONFIG)
    assert (tmp_path / "feed.xml").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    monkeypatch.undo()
    regenerate_feed(tmp_path, CONFIG)  # the catalogue has delta; the next write lists it
    assert "delta" in _feed_slugs(tmp_path)


def _break(output: Path) -> dict[str, str]:
    """Damage the library in known ways; returns what validate should notice."""
    folder = output / "episodes"
    with (folder / "alpha" / "alpha.mp3").open("ab") as mp3:
        mp3.write(b"\0" * 100)
    (folder / "beta" / "beta.vtt").write_text("not a caption file")
    (folder / "gamma" / "gamma.chapters.json").write_text("{")
    feed = (output / "feed.xml").read_text()
    feed = feed.replace("<itunes:type>episodic</itunes:type>", "")
    three, thirty = "<itunes:duration>3</itunes:duration>", "<itunes:duration>30</itunes:duration>"
    feed = feed.replace(three, thirty)
    root = etree.fromstring(feed.encode())
    guids = root.findall("channel/item/guid")
    guids[1].text = guids[0].text
    (output / "feed.xml").write_bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
    artwork = next(output.glob("artwork-*.png"))
    Image.new("RGB", (600, 600)).save(artwork, format="PNG")
    return {
        "alpha.mp3": "enclosure length",
        "beta.vtt": "does not start with 'WEBVTT'",
        "gamma.chapters.json": "is not JSON with a 'chapters' list",
        "itunes:type": "itunes:type (itunes:type) is missing or empty",
        "duration": "itunes:duration 30 s but the MP3 lasts",
        "guid": "is used by 2 items; GUIDs must be unique",
        "artwork": "is 600x600 px; use 1400 to 3000 px on each side",
        "catalogue": "is in the catalogue but not in the feed",
    }


def test_validate_finds_each_problem(tmp_path: Path) -> None:
    _library(tmp_path)
    expected = _break(tmp_path)
    report = "\n".join(str(p) for p in validate(tmp_path, CONFIG))
    for what, message in expected.items():
        assert message in report, what


def test_validate_without_a_feed(tmp_path: Path) -> None:
    (problem,) = validate(tmp_path, CONFIG)
    assert str(problem) == "feed.xml: missing; run 'articleaudio feed' to write it"


def test_cli_episodes_feed_validate_rm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "out"
    for slug in SLUGS:
        make_episode(out, slug, slug.title(), seconds=2.0)
    runner = CliRunner()
    result = runner.invoke(_cli(), ["feed", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"Wrote {out / 'feed.xml'} (3 episodes); subscribe at http://127.0.0.1:8000/feed.xml\n"
    )
    result = runner.invoke(_cli(), ["episodes", "-o", str(out)])
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in result.output.splitlines()] == sorted(SLUGS)
    assert result.output.splitlines()[0].split("\t")[1:] == ["0:02", "2026-11-01", "Alpha"]
    result = runner.invoke(_cli(), ["episodes", "-o", str(out), "--json"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert {r["slug"] for r in rows} == set(SLUGS) and all(r["guid"] for r in rows)
    result = runner.invoke(_cli(), ["validate", "-o", str(out)])
    assert (result.exit_code, result.stdout) == (0, f"OK: {out / 'feed.xml'} has no problems\n")
    assert result.stderr.startswith("Warning: base_url http://127.0.0.1:8000/ is a local address")
    result = runner.invoke(_cli(), ["rm", "beta", "-o", str(out)])
    assert (result.exit_code, result.output) == (0, "Removed beta\n")
    assert sorted(_feed_slugs(out)) == ["alpha", "gamma"]


def test_cli_errors_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    result = runner.invoke(_cli(), ["rm", "nope", "-o", "out"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: out does not exist; give the folder that 'articleaudio build' wrote to with -o\n"
    )
    assert not (tmp_path / "out").exists()
    with open_catalogue(tmp_path / "lib"):
        pass
    result = runner.invoke(_cli(), ["rm", "nope", "-o", "lib"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: no episode 'nope' in lib; list them with 'articleaudio episodes -o lib'\n"
    )
    result = runner.invoke(_cli(), ["rm", "../../etc", "-o", "out"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: invalid slug '../../etc': slugs are lowercase")
    (tmp_path / "articleaudio.toml").write_text('[podcast]\ncategory = "Newz"\n')
    result = runner.invoke(_cli(), ["validate", "-o", "out"])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: {tmp_path / 'articleaudio.toml'}: category 'Newz' is not an Apple Podcasts "
        "category; use one of: Arts, Business,"
    )
    assert result.output.count("\n") == 1


def test_cli_validate_exits_1_and_lists_problems(tmp_path: Path) -> None:
    _library(tmp_path)
    shutil.rmtree(tmp_path / "episodes" / "beta")
    result = CliRunner().invoke(_cli(), ["validate", "-o", str(tmp_path)])
    assert result.exit_code == 1
    assert "episode 'Beta': enclosure" in result.output
    assert "problem(s) in" in result.output


def test_a_stale_record_publishes_the_build_now_on_disk(tmp_path: Path) -> None:
    # A slow build publishes after a faster rebuild of the same slug replaced its folder.
    stale = make_episode(
        tmp_path, "x", "X", seconds=1.0, built_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    fresh = make_episode(
        tmp_path, "x", "X", seconds=3.0, built_at=datetime(2026, 11, 2, tzinfo=UTC)
    )
    publish_episode(tmp_path, stale, CONFIG)
    (entry,) = list_episodes(tmp_path)
    assert entry.episode == fresh
    assert entry.file_sizes["audio"] == (tmp_path / "episodes" / "x" / "x.mp3").stat().st_size
    assert validate(tmp_path, CONFIG) == []


def test_shipped_default_artwork_is_the_drawn_one() -> None:
    from articleaudio.config import describe_artwork
    from articleaudio.library.publish import default_artwork

    script = ROOT / "scripts" / "draw_default_artwork.py"
    drawn = subprocess.run([sys.executable, str(script)], capture_output=True, check=True).stdout
    assert default_artwork() == drawn
    assert describe_artwork(default_artwork()) == (".png", 1400)
