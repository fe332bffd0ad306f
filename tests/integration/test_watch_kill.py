"""A ``watch`` killed with SIGKILL at several moments of a poll, then started again."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import feedparser
import pytest

from articleaudio.library import JobState, list_episodes, open_watch_log

from ..support.jobs_web import Site
from ..support.jobs_web import site as serving
from .test_watch import feed, page, story

WATCH_SCRIPT = """
import sys
from pathlib import Path
from articleaudio.extract import FetchSettings
from articleaudio.jobs import WatchSettings, open_watcher
from articleaudio.settings import BuildSettings
from tests.support.fake_synthesizer import FakeSynthesizer
out, source = Path(sys.argv[1]), sys.argv[2]
fetch = FetchSettings(allow_private=True, host_delay=0.0)
settings = WatchSettings((source,), BuildSettings(output=out), fetch=fetch)
with open_watcher(settings, synthesizer=FakeSynthesizer()) as watcher:
    sys.exit(watcher.run(once=True))
"""
NAMES = ("north", "south", "east")


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as served:
        yield served


def _start(out: Path, site: Site) -> subprocess.Popen[bytes]:
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root / "src"), str(root)])}
    args = [sys.executable, "-c", WATCH_SCRIPT, str(out), f"{site.base}/feed.xml"]
    return subprocess.Popen(args, env=env, cwd=root)


def _running_jobs(out: Path) -> int:
    if not (out / "articleaudio.sqlite").exists():
        return 0
    with open_watch_log(out) as log:
        return len(log.jobs.jobs(JobState.RUNNING))


def _episodes(out: Path) -> int:
    return len(list_episodes(out)) if (out / "articleaudio.sqlite").exists() else 0


def _kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> bool:
    """SIGKILL ``proc`` once ``ready()``; False when it ended first."""
    deadline = time.monotonic() + 60
    while proc.poll() is None and not ready() and time.monotonic() < deadline:
        time.sleep(0.02)
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def test_a_watch_killed_anywhere_ends_with_each_article_once(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    for name in NAMES:
        slow = replace(page(f"{name.title()} story", *story(name.title())), delay=0.3)
        site.pages[f"/{name}.html"] = slow
    site.pages["/feed.xml"] = feed(site, *NAMES)
    moments: list[Callable[[], bool]] = [
        lambda: site.hits["/north.html"] >= 1,  # checking the items
        lambda: _running_jobs(out) >= 1,  # building the first
        lambda: _episodes(out) >= 1 and _running_jobs(out) >= 1,  # building a later one
    ]
    killed = [_kill_when(_start(out, site), ready) for ready in moments]
    assert sum(killed) >= 2, f"the watch ended before most kills: {killed}"
    final = _start(out, site)
    assert final.wait(120) == 0

    entries = list_episodes(out)
    assert sorted(e.slug for e in entries) == sorted(f"{n}-story" for n in NAMES)
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 3
    assert len({entry.id for entry in parsed.entries}) == 3
    with open_watch_log(out) as log:
        jobs = log.jobs.jobs()
        seen = log.items()
    assert [j.state for j in jobs] == [JobState.DONE] * 3  # none running, none twice
    assert Counter(j.location for j in jobs) == {f"{site.base}/{n}.html": 1 for n in NAMES}
    assert [s.status for s in seen] == ["built"] * 3
