"""Two ``articleaudio worker`` commands on two mounts of one library folder, with the
catalogue in PostgreSQL, publishing at the same time (issue 17's second Done-when).

The second mount is a symlink: a different path to the same directory, as two
machines mounting one share would see it. Neither worker holds a file lock the other
sees (the catalogue is not in the folder), so only the catalogue's advisory lock keeps
their feed writes apart. The second worker runs two spawned processes, which get the
catalogue only through :class:`~articleaudio.jobs.WorkerSettings` (they do not inherit
the command's binding): were it lost, their jobs would land in a SQLite file in the
folder, which the test forbids.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import feedparser
import podcastparser
import pytest
import redis

from articleaudio.layout import CATALOGUE_NAME, episode_dir, read_episode
from articleaudio.library import Job, JobState, list_episodes, open_job_store, use_catalogue

from ..support.audio import mp3_info
from ..support.workers import enqueue, wait_for, workers

ARTICLES = 8
FINISH_S = 300.0
TOPICS = (
    ("Harbour ferry returns", "The harbour ferry returned to service on Monday."),
    ("Library extends hours", "The central library will stay open until nine."),
    ("Tram line approved", "Councillors approved the new tram line on Tuesday."),
    ("School roof repaired", "Builders finished the school roof ahead of the rain."),
    ("Market moves indoors", "The weekend market moves into the old station hall."),
    ("Bridge lights restored", "The lights on the river bridge shine again tonight."),
    ("Park gets new trees", "Volunteers planted forty oak trees in the east park."),
    ("Choir wins award", "The town choir won first prize at the regional festival."),
)


def write_articles(folder: Path) -> list[Path]:
    """Short articles of two sentences each: the test is about publishing, not speech."""
    folder.mkdir()
    paths = []
    for n, (title, first) in enumerate(TOPICS[:ARTICLES]):
        path = folder / f"story-{n}.md"
        path.write_text(f"# {title}\n\n{first} Residents welcomed the news.\n")
        paths.append(path)
    return paths


def heartbeats(url: str) -> int:
    """How many worker processes beat on the broker."""
    return int(redis.Redis.from_url(url).zcard("articleaudio:__heartbeats__"))


@pytest.mark.slow
def test_two_workers_on_two_mounts_publish_every_item_into_one_valid_feed(
    tmp_path: Path, fresh_redis_url: str, fresh_postgres_url: str
) -> None:
    shared, mount, logs = tmp_path / "shared", tmp_path / "mount-b", tmp_path / "logs"
    shared.mkdir()
    logs.mkdir()
    mount.symlink_to(shared, target_is_directory=True)
    files = write_articles(tmp_path / "articles")
    with workers(fresh_redis_url, shared, logs) as pool:
        pool.start("a", "--catalogue", fresh_postgres_url)
        pool.start("b", "--catalogue", fresh_postgres_url, "--processes", "2", library=mount)
        wait_for("three worker processes to beat", lambda: heartbeats(fresh_redis_url) == 3, 120)
        ids = enqueue(fresh_redis_url, shared, files, "--catalogue", fresh_postgres_url)
        wait_for("every job to finish", lambda: _finished(shared, fresh_postgres_url), FINISH_S)
    builders = {name: _done_in(pool.log(name)) for name in ("a", "b")}
    assert all(builders.values()), builders  # both mounts published
    assert sorted(builders["a"] | builders["b"]) == sorted(ids)
    assert len(set(re.findall(r"worker (\S+) taking jobs", pool.log("b")))) == 2
    slugs = _assert_in_catalogue_once(shared, fresh_postgres_url, ids)
    _assert_in_feed_once(shared, slugs)
    _assert_nothing_stray(shared, slugs)


def _jobs(library: Path, catalogue: str) -> list[Job]:
    use_catalogue(library, catalogue)
    try:
        with open_job_store(library) as store:
            return store.jobs()
    finally:
        use_catalogue(library, None)


def _finished(library: Path, catalogue: str) -> bool:
    # A worker process without the catalogue would keep its jobs in the folder's own
    # SQLite file, where they never show up here: say so now rather than time out.
    assert not (library / CATALOGUE_NAME).exists(), "a worker lost --catalogue"
    found = _jobs(library, catalogue)
    return len(found) == ARTICLES and all(
        j.state in (JobState.DONE, JobState.FAILED) for j in found
    )


def _done_in(log: str) -> set[str]:
    return set(re.findall(r"job (\w+) done", log))


def _assert_in_catalogue_once(library: Path, catalogue: str, ids: list[str]) -> list[str]:
    jobs = _jobs(library, catalogue)
    assert sorted(j.id for j in jobs) == sorted(ids)
    assert {j.state for j in jobs} == {JobState.DONE}, [(j.location, j.error) for j in jobs]
    assert all(j.attempts == 1 for j in jobs)
    slugs = sorted(j.slug or "" for j in jobs)
    use_catalogue(library, catalogue)
    try:
        assert sorted(e.slug for e in list_episodes(library)) == slugs
    finally:
        use_catalogue(library, None)
    assert len(set(slugs)) == ARTICLES
    return slugs


def _assert_in_feed_once(library: Path, slugs: list[str]) -> None:
    data = (library / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert sorted(e.enclosures[0].href.split("/")[-2] for e in parsed.entries) == slugs
    assert len({e.id for e in parsed.entries}) == ARTICLES
    episodes = podcastparser.parse("http://127.0.0.1/feed.xml", io.BytesIO(data))["episodes"]
    assert sorted(e["enclosures"][0]["url"].split("/")[-2] for e in episodes) == slugs
    assert len({e["guid"] for e in episodes}) == ARTICLES


def _assert_nothing_stray(library: Path, slugs: list[str]) -> None:
    """Every episode whole; no temporary file, staging folder or SQLite catalogue left."""
    for slug in slugs:
        folder = episode_dir(library, slug)
        episode = read_episode(folder)
        names = {p.name for p in folder.iterdir()}
        assert set(episode.files.values()) <= names
        assert [n for n in names if n.startswith(".")] == []
        assert mp3_info(folder / episode.files["audio"]).length == pytest.approx(
            episode.audio.duration, abs=0.1
        )
    assert sorted(p.name for p in (library / "episodes").iterdir()) == slugs
    # Staging folders and temporary files end .tmp, replaced folders .old (fsutil.py);
    # .articleaudio.lock stays, as a lock file does.
    stray = [p for p in library.rglob("*") if p.name.endswith((".tmp", ".old"))]
    assert stray == []
    assert not (library / CATALOGUE_NAME).exists()
