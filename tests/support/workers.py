"""``articleaudio worker`` processes on a real Redis, and the killed-worker scenario.

:func:`workers` starts and stops worker commands (each with its own log file);
:func:`enqueue` queues files with ``build --broker --no-wait``; :func:`run_kill_scenario`
is issue 17's first Done-when: Redis, the PostgreSQL catalogue, two workers, twelve
articles, one worker SIGKILLed while it synthesises and another started, then every
article once in the catalogue and the feed and every published file whole. The test
runs it on short articles; ``benchmarks/bench_killed_worker.py`` on whole ones.
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

from articleaudio.encode import MP3_RATE
from articleaudio.encode.encoder import decode
from articleaudio.layout import CATALOGUE_NAME, episode_dir, read_episode
from articleaudio.library import Job, JobState, list_episodes, open_job_store, use_catalogue

from .audio import mp3_info
from .samples import samples_dir

ROOT = Path(__file__).resolve().parents[2]
CLI = "from articleaudio.cli import main; main()"
TUNING = "?heartbeat=3&maintenance=1"
"""A worker silent for 3 s is dead, and every broker command looks for dead workers: the
scenario waits seconds, not Dramatiq's minutes, for the killed worker's job to move."""
STORIES = (
    "00-kyiv-independent-peacekeepers",
    "01-bbc-taylor-swift",
    "05-foxnews-vanderbeek",
    "09-express-hongkong",
    "14-heise-1password",
    "18-txt-thesun-plague",
)
"""The shared sample pages that are different stories (the other four pages are text
copies of four of these: the same title, text and URL, so the same article)."""
FINISH_S = 900.0


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
        proc = subprocess.Popen(command(*args), env=env(), stdout=log, stderr=log, cwd=ROOT)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


def command(*args: str) -> list[str]:
    """The ``articleaudio`` command line with these arguments, from this tree's code."""
    return [sys.executable, "-c", CLI, *args]


def env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


@contextmanager
def workers(url: str, library: Path, logs: Path) -> Iterator[Workers]:
    """A pool to start workers in; each is stopped (SIGTERM, then SIGKILL) on leaving."""
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


def enqueue(url: str, library: Path, files: list[Path], *extra: str) -> list[str]:
    """``build --broker --no-wait`` the files (with ``extra`` options); their job ids."""
    args = command("build", *map(str, files), "--broker", url, "-o", str(library), "--json")
    args.extend(["--no-wait", *extra])
    done = subprocess.run(args, env=env(), cwd=ROOT, capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr.decode()
    return [json.loads(line)["id"] for line in done.stdout.decode().splitlines()]


def wait_for(what: str, ready: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.2)


@contextmanager
def catalogue(library: Path, url: str) -> Iterator[None]:
    """This process reads the library's catalogue at ``url`` while inside."""
    use_catalogue(library, url)
    try:
        yield
    finally:
        use_catalogue(library, None)


def stored_jobs(library: Path) -> list[Job]:
    """The library's jobs (its catalogue bound with :func:`catalogue`)."""
    with open_job_store(library) as store:
        return store.jobs()


def write_articles(folder: Path, paragraphs: int | None) -> list[Path]:
    """Twelve Markdown articles from the six stories: each story's first part and, as an
    article of its own (its own title and URL), a part from the middle of the story.

    ``paragraphs``: how many paragraphs each part has (None: the whole halves).
    """
    pages = samples_dir()
    if pages is None:
        pytest.skip("the shared sample pages (../shared/samples/pages) are not here")
    folder.mkdir()
    written = []
    for name in STORIES:
        title, *body = (pages / name / "expected_body.txt").read_text().strip().split("\n\n")
        meta = json.loads((pages / name / "meta.json").read_text())
        url = meta.get("url") or f"https://example.org/samples/{name}"  # a case without one
        half = len(body) // 2
        first, second = body[:half], body[half:]
        if paragraphs is not None:
            first, second = first[:paragraphs], second[:paragraphs]
        parts = (
            (title.strip(), url, first),
            # The marker leads: a slug keeps a long title's first words only.
            (f"Part two: {title.strip()}", f"{url}?part=2", second),
        )
        for n, (heading, where, kept) in enumerate(parts, 1):
            path = folder / f"{name}-{n}.md"
            front = f"---\nurl: {where}\n---\n"
            path.write_text(f"{front}# {heading}\n\n" + "\n\n".join(kept) + "\n")
            written.append(path)
    return written


def running_on(library: Path, proc: subprocess.Popen[bytes]) -> Job | None:
    """The job ``proc`` is building, if any (its owner is ``host:pid``)."""
    return next(
        (
            j
            for j in stored_jobs(library)
            if j.state is JobState.RUNNING and (j.owner or "").endswith(f":{proc.pid}")
        ),
        None,
    )


def kill_mid_job(pool: Workers, victim: str) -> Job:
    """SIGKILL ``victim`` once it is synthesising a job (its log says so); that job."""
    proc = pool.procs[victim]
    wait_for(f"{victim} to take a job", lambda: running_on(pool.library, proc) is not None, 300)
    job = running_on(pool.library, proc)
    assert job is not None
    wait_for(f"{victim} to synthesise", lambda: _synthesising(pool.log(victim), job.id), 120)
    assert running_on(pool.library, proc) == job, f"{victim} finished its job meanwhile"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return job


def _synthesising(log: str, job_id: str) -> bool:
    """Whether the worker's log shows a sentence synthesised since it took ``job_id``."""
    _, taken, after = log.partition(f"job {job_id} (")
    return bool(taken) and "synthesised" in after


def run_kill_scenario(tmp_path: Path, url: str, catalogue_url: str, paragraphs: int | None) -> Job:
    """The scenario; the killed worker's job as it ended."""
    library, logs = tmp_path / "library", tmp_path / "logs"
    logs.mkdir()
    files = write_articles(tmp_path / "articles", paragraphs)
    with catalogue(library, catalogue_url), workers(url + TUNING, library, logs) as pool:
        pool.start("a", "--catalogue", catalogue_url, "-vv")
        pool.start("b", "--catalogue", catalogue_url)
        ids = enqueue(url, library, files, "--catalogue", catalogue_url)
        shutil.rmtree(tmp_path / "articles")  # the workers need nothing of the sender's disk
        killed = kill_mid_job(pool, "a")
        pool.start("c", "--catalogue", catalogue_url)
        wait_for("every job to finish", lambda: _finished(library, ids), FINISH_S)
        again = next(job for job in stored_jobs(library) if job.id == killed.id)
        assert again.state is JobState.DONE and again.attempts == 2, again
        assert f"job {killed.id} done" not in pool.log("a")
        assert any(f"job {killed.id} done" in pool.log(name) for name in ("b", "c"))
        assert_each_once(library, ids)
        assert_files_whole(library, sorted(job.slug or "" for job in stored_jobs(library)))
    return again


def _finished(library: Path, ids: list[str]) -> bool:
    # A worker without the catalogue would keep its jobs in a SQLite file in the
    # folder, where they never show up here: say so now rather than time out.
    assert not (library / CATALOGUE_NAME).exists(), "a worker lost --catalogue"
    states = {job.id: job.state for job in stored_jobs(library)}
    return all(states.get(i) in (JobState.DONE, JobState.FAILED) for i in ids)


def assert_each_once(library: Path, ids: list[str]) -> None:
    """Every job done, each its own episode, once in the catalogue and once in the feed
    (read by feedparser and by podcastparser)."""
    jobs = {job.id: job for job in stored_jobs(library)}
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
    assert sorted(e.enclosures[0].href.split("/")[-2] for e in parsed.entries) == slugs
    assert len({entry.id for entry in parsed.entries}) == len(ids)
    episodes = podcastparser.parse("http://localhost/feed.xml", io.BytesIO(feed))["episodes"]
    assert sorted(e["enclosures"][0]["url"].split("/")[-2] for e in episodes) == slugs
    assert len({e["guid"] for e in episodes}) == len(ids)


def assert_files_whole(library: Path, slugs: list[str]) -> None:
    """Every file an episode names is there and its MP3 decodes (ffmpeg) to the recorded
    length; nothing else is visible (a killed build leaves only hidden staging)."""
    for slug in slugs:
        folder = episode_dir(library, slug)
        episode = read_episode(folder)
        visible = {p.name for p in folder.iterdir() if not p.name.startswith(".")}
        assert set(episode.files.values()) <= visible
        audio = folder / episode.files["audio"]
        assert abs(mp3_info(audio).length - episode.audio.duration) < 0.01
        # The recorded length is rounded to the millisecond.
        assert abs(len(decode(audio)) / MP3_RATE - episode.audio.duration) < 0.002, slug
    shown = {p.name for p in (library / "episodes").iterdir() if not p.name.startswith(".")}
    assert shown == set(slugs)
