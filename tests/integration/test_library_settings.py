"""The library keeps its podcast settings: the same library gives the same feed from any folder."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from articleaudio.api import api_tokens
from articleaudio.cli.app import cli
from articleaudio.config import FeedSelection, PodcastConfig, load_config
from articleaudio.library.publish import is_listed, publish_episode, regenerate_feed
from articleaudio.library.settings import resolve, settings_path, settings_text, toml_value

from ..support.episodes import make_episode

ARTICLEAUDIO = Path(sys.executable).parent / "articleaudio"

SETTINGS = """
[podcast]
title = "The Daily Read"
description = "Articles, read aloud."
base_url = "https://news.example.org/podcast/"
owner_email = "jane@news.example.org"
artwork = "art/cover.png"

[[feeds]]
feed_file = "tech.xml"
tag = "Tech"
"""

ARTICLE = {
    "title": "Harbour bridge reopens",
    "body": "The harbour bridge opened again on Monday.",
    "tags": ["Tech"],
    "published": "2026-11-02T08:00:00Z",
    "language": "en",
}


def _project(root: Path) -> Path:
    """A newsroom folder: settings, cover art and a one-sentence article."""
    (root / "art").mkdir(parents=True)
    Image.new("RGB", (1400, 1400), (200, 30, 30)).save(root / "art" / "cover.png")
    (root / "articleaudio.toml").write_text(SETTINGS, encoding="utf-8")
    (root / "bridge.json").write_text(json.dumps(ARTICLE), encoding="utf-8")
    return root


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [str(ARTICLEAUDIO), *args], cwd=cwd, capture_output=True, text=True, env=os.environ.copy()
    )
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.slow  # builds with the real voice, in subprocesses
def test_build_and_feed_from_another_folder_write_the_same_feed(tmp_path: Path) -> None:
    project = _project(tmp_path / "newsroom")
    elsewhere = tmp_path / "cron"
    elsewhere.mkdir()
    out = project / "out"
    feeds = ("feed.xml", "tech.xml")

    _run(project, "build", "bridge.json", "-o", "out", "-j", "1")
    first = {name: (out / name).read_bytes() for name in feeds}
    parsed = feedparser.parse(first["feed.xml"])
    assert parsed.feed.title == "The Daily Read"
    assert parsed.entries[0].enclosures[0].href.startswith("https://news.example.org/podcast/")

    # A cron job in another folder: the library's own settings apply, byte for byte.
    _run(elsewhere, "feed", "-o", str(out))
    assert {name: (out / name).read_bytes() for name in feeds} == first

    # A forced rebuild from elsewhere writes what the newsroom folder then writes too.
    _run(elsewhere, "build", str(project / "bridge.json"), "-o", str(out), "--force", "-j", "1")
    rebuilt = {name: (out / name).read_bytes() for name in feeds}
    assert rebuilt != first  # a new build date
    assert feedparser.parse(rebuilt["tech.xml"]).feed.title == "The Daily Read: Tech"
    _run(project, "feed", "-o", "out")
    assert {name: (out / name).read_bytes() for name in feeds} == rebuilt

    # --config replaces the kept settings even on an unchanged rebuild (is_listed).
    (elsewhere / "other.toml").write_text(
        SETTINGS.replace('artwork = "art/cover.png"', 'feed_file = "podcast.xml"'),
        encoding="utf-8",
    )
    _run(elsewhere, "build", str(project / "bridge.json"), "-o", str(out), "--config", "other.toml")
    assert (out / "podcast.xml").is_file() and not (out / "feed.xml").exists()
    assert load_config(settings_path(out)).feed_file == "podcast.xml"


CONFIG = PodcastConfig(
    title="Kept",
    base_url="https://pod.example.org/",
    feeds=(FeedSelection(feed_file="ada.xml", author="Ada Reporter"),),
    voices=(("de", "de_DE-thorsten-medium"),),
)


def test_stored_settings_load_back_to_the_same_config(tmp_path: Path) -> None:
    tricky = PodcastConfig(title='Quotes " \\ and\ttabs\x7f ünïcode', subcategory=None)
    for config in (CONFIG, tricky, PodcastConfig()):
        path = tmp_path / "articleaudio.toml"
        path.write_text(settings_text(config), encoding="utf-8")
        assert load_config(path) == config
        assert tomllib.loads(path.read_text(encoding="utf-8"))["podcast"]["title"] == config.title


def test_a_library_with_settings_never_falls_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "library"
    publish_episode(out, make_episode(out, "one", "One", authors=("Ada Reporter",)), CONFIG)
    assert load_config(settings_path(out)) == CONFIG
    kept = {name: (out / name).read_bytes() for name in ("feed.xml", "ada.xml")}

    # No settings anywhere in this folder: not the defaults.
    monkeypatch.chdir(tmp_path)
    assert resolve(out).config == CONFIG and not resolve(out).keep
    regenerate_feed(out)
    assert {name: (out / name).read_bytes() for name in kept} == kept

    # A different ./articleaudio.toml is not used silently either.
    (tmp_path / "articleaudio.toml").write_text('[podcast]\ntitle = "Other"\n', encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="articleaudio.library.settings"):
        regenerate_feed(out)
    assert {name: (out / name).read_bytes() for name in kept} == kept
    assert f"not using {tmp_path / 'articleaudio.toml'}" in caplog.text
    assert f"pass --config {tmp_path / 'articleaudio.toml'}" in caplog.text


def test_config_updates_the_kept_settings_and_drops_feeds_it_no_longer_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "library"
    episode = make_episode(out, "one", "One")
    publish_episode(out, episode, CONFIG)
    (tmp_path / "new.toml").write_text(
        '[podcast]\ntitle = "Renamed"\nfeed_file = "show.xml"\n', encoding="utf-8"
    )
    result = CliRunner().invoke(cli, ["feed", "-o", str(out), "--config", "new.toml"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.xml")) == ["show.xml"]
    assert load_config(settings_path(out)).title == "Renamed"
    assert is_listed(out, episode)
    assert not is_listed(out, episode, CONFIG)  # other settings than the kept ones


KEPT_TOKENS = ("tok-kept-1f0a", "tok-kept-2b7c")


def test_new_settings_keep_the_librarys_api_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "library"
    episode = make_episode(out, "one", "One")
    publish_episode(out, episode, CONFIG)
    stored = settings_path(out)
    listed = ", ".join(f'"{token}"' for token in KEPT_TOKENS)
    stored.write_text(f"{stored.read_text()}\n[api]\ntokens = [{listed}]\n", encoding="utf-8")

    (tmp_path / "new.toml").write_text('[podcast]\ntitle = "Renamed"\n', encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(cli, ["feed", "-o", str(out), "--config", "new.toml"])
    assert result.exit_code == 0, result.output
    assert load_config(stored).title == "Renamed"
    assert api_tokens(out, {}) == KEPT_TOKENS  # what serve --api accepts
    assert is_listed(out, episode, load_config(tmp_path / "new.toml"))  # kept means kept

    # A --config file's own [api] table is not applied, and the command says so.
    (tmp_path / "new.toml").write_text(
        '[podcast]\ntitle = "Again"\n\n[api]\ntokens = ["tok-given-9d3e"]\n', encoding="utf-8"
    )
    result = runner.invoke(cli, ["feed", "-o", str(out), "--config", "new.toml"])
    assert result.exit_code == 0, result.output
    assert (load_config(stored).title, api_tokens(out, {})) == ("Again", KEPT_TOKENS)
    assert (
        f"new.toml: its [api] tokens are not applied; serve --api takes tokens only from {stored}"
        in result.stderr
    )
    assert "tok-" not in result.stderr + result.stdout  # tokens are never shown


def test_a_new_library_adopting_a_file_takes_its_api_tokens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    text = '[podcast]\ntitle = "Local"\n\n[api]\ntokens = ["tok-local-5e6f"]\n'
    (tmp_path / "articleaudio.toml").write_text(text, encoding="utf-8")
    out = tmp_path / "library"
    make_episode(out, "one", "One")
    result = CliRunner().invoke(cli, ["feed", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert api_tokens(out, {}) == ("tok-local-5e6f",)
    assert "tok-" not in result.stderr + result.stdout


def test_a_new_library_adopts_the_working_directory_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "articleaudio.toml").write_text('[podcast]\ntitle = "Local"\n', encoding="utf-8")
    out = tmp_path / "library"
    make_episode(out, "one", "One")
    result = CliRunner().invoke(cli, ["feed", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_config(settings_path(out)).title == "Local"
    assert feedparser.parse((out / "feed.xml").read_bytes()).feed.title == "Local"


def test_defaults_are_not_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A library built with no settings at all adopts the first settings file it meets.
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "library"
    make_episode(out, "one", "One")
    regenerate_feed(out)
    assert not settings_path(out).exists()


REAL = '[podcast]\nbase_url = "https://audio.riverside-gazette.co.uk/"\nowner_email = "desk@riverside-gazette.co.uk"\n'  # noqa: E501


@pytest.mark.parametrize(
    ("settings", "warnings"),
    [
        (None, ["base_url http://127.0.0.1:8000/ is a local address", "owner_email podcast@"]),
        (REAL.replace("audio.riverside-gazette.co.uk", "localhost:8000"), ["base_url http"]),
        (REAL + 'link = "https://news.example.org/"\n', ["link https://news.example.org/ is a re"]),
        (REAL.replace('riverside-gazette.co.uk"\n', 'shop.example"\n'), ["owner_email desk@"]),
        (REAL, []),
    ],
)
def test_validate_warns_about_placeholders_and_strict_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: str | None, warnings: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "library"
    make_episode(out, "one", "One")
    if settings is not None:
        (tmp_path / "articleaudio.toml").write_text(settings, encoding="utf-8")
    runner = CliRunner()
    assert runner.invoke(cli, ["feed", "-o", str(out)]).exit_code == 0
    result = runner.invoke(cli, ["validate", "-o", str(out)])
    assert (result.exit_code, result.stdout) == (0, f"OK: {out / 'feed.xml'} has no problems\n")
    lines = result.stderr.splitlines()
    assert len(lines) == len(warnings)
    assert all(line.startswith(f"Warning: {w}") for line, w in zip(lines, warnings, strict=True))
    strict = runner.invoke(cli, ["validate", "-o", str(out), "--strict"])
    assert strict.exit_code == (1 if warnings else 0)
    assert len(strict.stdout.splitlines()) == (len(warnings) if warnings else 1)
    if warnings:
        assert strict.stderr == f"{len(warnings)} problem(s) in {out / 'feed.xml'}\n"


@given(st.text(st.characters(exclude_categories=["Cs"])))
def test_any_text_setting_is_written_as_toml_that_reads_back(text: str) -> None:
    assert tomllib.loads(f"key = {toml_value(text)}\n")["key"] == text
