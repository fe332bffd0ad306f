"""Two ``articleaudio worker`` processes on a real Redis, one SIGKILLed while it builds.

The jobs are queued by ``build --broker`` from files deleted straight after (a job
carries its text, never a path), built with the real voice, and the killed worker's
job must be delivered again and finished by another worker: every article once in
the catalogue and the feed, and every published file whole.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import feedparser
import podcastparser
import pytest

from articleaudio.layout import episode_dir, read_episode
from articleaudio.library import Job, JobState, list_episodes, open_job_store

from ..support.audio import mp3_info
from ..support.samples import samples_dir

ROOT = Path(__file__).resolve().parents[2]
CLI = "from articleaudio.cli import main; main()"
TUNING = "?heartbeat=3&maintenance=1"
"""A worker silent for 3 s is dead, and every broker command looks for dead workers: the
test waits seconds, not Dramatiq's minutes, for the killed worker's job to move."""
DISTINCT = (
    "00-kyiv-independent-peacekeepers",
    "01-bbc-taylor-swift",
    "05-foxnews-vanderbeek",
    "09-express-hongkong",
    "14-heise-1password",
    "18-txt-thesun-plague",
)
"""The shared sample pages that are different stories (the others are copies of these)."""
FINISH_S = 600.0


@dataclass
class Workers:
    """The worker processes of one test, and their logs."""

    url: str
    library: Path
    logs: Path
    procs: dict[str, subprocess.Popen[bytes]]

    def start(self, name: str, *extra: str, library: Path | None = None) -> subprocess.Popen[bytes]:
        """Start worker ``name`` on ``library`` (default: the pool's), with ``extra`` options."""
        log = (self.logs / f"{name}.log").open("wb")
        where = str(library or self.library)
        args = ["worker", "--broker", self.url, "-o", where, "-j", "1", *extra]
        proc = subprocess.Popen(_command(*args), env=_env(), stdout=log, stderr=log, cwd=ROOT)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def _command(*args: str) -> list[str]:
    return [sys.executable, "-c", CLI, *args]


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


@contextmanager
def workers(url: str, library: Path, logs: Path) -> Iterator[Workers]:
    running = Workers(url, library, logs, {})
    try:
        yield running
    finally:
        for proc in running.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in running.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def write_articles(folder: Path, names: tuple[str, ...], paragraphs: int | None) -> list[Path]:
    """Markdown articles from the shared pages' texts (``paragraphs``: only the first few)."""
    pages = samples_dir()
    if pages is None:
        pytest.skip("the shared sample pages (../shared/samples/pages) are not here")
    folder.mkdir()
    written = []
    for name in names:
        title, *body = (pages / name / "expected_body.txt").read_text().strip().split("\n\n")
        kept = body[:paragraphs] if paragraphs is not None else body
        path = folder / f"{name}.md"
        path.write_text(f"# {title.strip()}\n\n" + "\n\n".join(kept) + "\n")
        written.append(path)
    return written


def _jobs(library: Path) -> list[Job]:
    if not (library / "articleaudio.sqlite").exists():
        return []
    with open_job_store(library, create=False) as store:
        return store.jobs()


def wait_for(what: str, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


def running_on(library: Path, proc: subprocess.Popen[bytes]) -> Job | None:
    """The job ``proc`` is building, if any (its owner is ``host:pid``)."""
    return next(
        (
            j
            for j in _jobs(library)
            if j.state is JobState.RUNNING and (j.owner or "").endswith(f":{proc.pid}")
        ),
        None,
    )


def enqueue(url: str, library: Path, files: list[Path], *extra: str) -> list[str]:
    """``build --broker`` the files (with ``extra`` options); their job ids."""
    args = _command("build", *map(str, files), "--broker", url, "-o", str(library), "--json")
    args.extend(extra)
    done = subprocess.run(args, env=_env(), cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line)["id"] for line in done.stdout.decode().splitlines()]


def kill_mid_job(pool: Workers, victim: str) -> Job:
    """SIGKILL ``victim`` once it is building a job (a moment into it); that job."""
    proc = pool.procs[victim]
    wait_for(f"{victim} to take a job", lambda: running_on(pool.library, proc) is not None, 300)
    time.sleep(0.5)  # into the synthesis, past reading the article
    job = running_on(pool.library, proc)
    assert job is not None, f"{victim} finished its job within half a second"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return job


def assert_each_once(library: Path, ids: list[str]) -> None:
    jobs = {job.id: job for job in _jobs(library)}
    assert sorted(jobs) == sorted(ids)
    assert {job.state for job in jobs.values()} == {JobState.DONE}, [
        (j.location, j.state, j.error) for j in jobs.values()
    ]
    slugs = sorted(job.slug or "" for job in jobs.values())
    assert len(set(slugs)) == len(ids)
    assert sorted(entry.slug for entry in list_episodes(library)) == slugs
    feed = (library / "feed.xml").read_bytes()
    parsed = feedparser.parse(feed)
    assert not parsed.bozo, parsed.bozo_exception
    assert len(parsed.entries) == len({entry.id for entry in parsed.entries}) == len(ids)
    episodes = podcastparser.parse("http://localhost/feed.xml", io.BytesIO(feed))["episodes"]
    assert len(episodes) == len({e["guid"] for e in episodes}) == len(ids)


def assert_files_whole(library: Path, slugs: list[str]) -> None:
    """Every file an episode names is there and its MP3 decodes to the recorded length;
    nothing else is visible (a killed build leaves only hidden staging)."""
    for slug in slugs:
        folder = episode_dir(library, slug)
        episode = read_episode(folder)
        visible = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        assert set(episode.files.values()) <= visible
        assert mp3_info(folder / episode.files["audio"]).length == pytest.approx(
            episode.audio.duration, abs=0.1
        )
    shown = {p.name for p in (library / "episodes").iterdir() if not p.name.startswith(".")}
    assert shown == set(slugs)


def run_kill_scenario(tmp_path: Path, url: str, paragraphs: int | None) -> None:
    library, logs = tmp_path / "library", tmp_path / "logs"
    logs.mkdir()
    files = write_articles(tmp_path / "articles", DISTINCT, paragraphs)
    with workers(url + TUNING, library, logs) as pool:
        pool.start("a")
        pool.start("b")
        ids = enqueue(url, library, files)
        shutil.rmtree(tmp_path / "articles")  # the workers need nothing of the sender's disk
        killed = kill_mid_job(pool, "a")
        pool.start("c")
        wait_for("every job to finish", lambda: _finished(library, ids), FINISH_S)
    again = next(job for job in _jobs(library) if job.id == killed.id)
    assert again.state is JobState.DONE and again.attempts >= 2
    assert f"job {killed.id} done" not in pool.log("a")
    assert any(f"job {killed.id} done" in pool.log(name) for name in ("b", "c"))
    assert_each_once(library, ids)
    assert_files_whole(library, sorted(job.slug or "" for job in _jobs(library)))


def _finished(library: Path, ids: list[str]) -> bool:
    states = {job.id: job.state for job in _jobs(library)}
    return all(states.get(i) in (JobState.DONE, JobState.FAILED) for i in ids)


@pytest.mark.slow
def test_a_worker_killed_mid_job_loses_and_doubles_nothing(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    """Six stories cut to two paragraphs each: the quicker version."""
    run_kill_scenario(tmp_path, fresh_redis_url, paragraphs=2)


@pytest.mark.slow
def test_whole_articles_survive_a_killed_worker(tmp_path: Path, fresh_redis_url: str) -> None:
    """The same with the six stories whole (minutes of audio each)."""
    run_kill_scenario(tmp_path, fresh_redis_url, paragraphs=None)
