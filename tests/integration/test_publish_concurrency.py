"""Several processes on one output folder, and processes killed mid-publish (issue 8)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import feedparser
from lxml import etree

from articleaudio.config import PodcastConfig
from articleaudio.library.publish import list_episodes, publish_episode, validate

from ..support.episodes import make_episode

WORKERS = 4
PER_WORKER = 3

# Each worker waits for the "go" file so all of them publish at the same moment.
WORKER = """
import json, sys, time
from pathlib import Path
from articleaudio.models import Episode
from articleaudio.library.publish import publish_episode
out, go, loop = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] == "loop"
slugs = sys.argv[4:]
episodes = [
    Episode.from_dict(json.loads((out / "episodes" / s / "episode.json").read_text()))
    for s in slugs
]
while not go.exists():
    time.sleep(0.005)
while True:
    for episode in episodes:
        publish_episode(out, episode)
    if not loop:
        break
    (out / "started").touch()
"""


def _spawn(output: Path, go: Path, slugs: list[str], loop: bool = False) -> subprocess.Popen[bytes]:
    args = [sys.executable, "-c", WORKER, str(output), str(go), "loop" if loop else "once", *slugs]
    # Run in the output folder so no articleaudio.toml of the developer is picked up.
    return subprocess.Popen(args, cwd=output, stderr=subprocess.PIPE)


def _check_library(output: Path, expected: set[str]) -> None:
    data = (output / "feed.xml").read_bytes()
    etree.fromstring(data)
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    in_feed = {e.enclosures[0].href.split("/")[-2] for e in parsed.entries}
    assert in_feed == expected
    assert len({e.id for e in parsed.entries}) == len(expected)
    assert {e.slug for e in list_episodes(output)} == expected
    assert validate(output, PodcastConfig()) == []


def test_parallel_publishers_lose_nothing(tmp_path: Path) -> None:
    groups = [[f"w{w}-article-{n}" for n in range(PER_WORKER)] for w in range(WORKERS)]
    for w, slugs in enumerate(groups):
        for n, slug in enumerate(slugs):
            make_episode(tmp_path, slug, f"Worker {w} article {n}", seconds=1.0 + n)
        slugs.append("shared")  # every worker also republishes the same article
    make_episode(tmp_path, "shared", "Shared article", url="https://news.example.org/shared")
    go = tmp_path / "go"
    workers = [_spawn(tmp_path, go, slugs) for slugs in groups]
    time.sleep(1.0)  # let the interpreters start and wait at the gate
    go.touch()
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()
    expected = {slug for slugs in groups for slug in slugs}
    assert len(expected) == WORKERS * PER_WORKER + 1
    _check_library(tmp_path, expected)


def test_killed_publisher_leaves_a_valid_feed(tmp_path: Path) -> None:
    slugs = [f"story-{n}" for n in range(3)]
    for n, slug in enumerate(slugs):
        make_episode(tmp_path, slug, f"Story {n}", seconds=1.0 + n)
    publish_episode(tmp_path, make_episode(tmp_path, "first", "First"), PodcastConfig())
    expected = {"first", *slugs}
    go = tmp_path / "go"
    go.touch()
    for delay in (0.0, 0.05, 0.13, 0.21):
        (tmp_path / "started").unlink(missing_ok=True)
        worker = _spawn(tmp_path, go, slugs, loop=True)
        deadline = time.monotonic() + 60
        while not (tmp_path / "started").exists() and worker.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(delay)
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait()
        assert worker.returncode == -signal.SIGKILL
        _check_library(tmp_path, expected)
    publish_episode(tmp_path, make_episode(tmp_path, "last", "Last"), PodcastConfig())
    assert not list(tmp_path.glob(".feed.xml.*.tmp"))
    _check_library(tmp_path, {*expected, "last"})
