"""The catalogue in a real PostgreSQL (``--catalogue``): the same episodes, jobs and watch
tables as the embedded SQLite file, through the same code, and feed writers from
several processes serialised by the advisory lock rather than by a file lock."""

from __future__ import annotations

import io
import itertools
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import feedparser
import podcastparser
import psycopg
import pytest
from click.testing import CliRunner

from articleaudio.cli.app import cli
from articleaudio.config import PodcastConfig
from articleaudio.errors import ConfigError, PublishError
from articleaudio.layout import CATALOGUE_NAME, EPISODE_FILE, SCRIPT_FILE, read_episode
from articleaudio.library import (
    JobState,
    SeenItem,
    list_episodes,
    new_job,
    open_job_store,
    open_watch_log,
    publish_episode,
    unpublish,
    use_catalogue,
    validate,
)

from ..support.audio import mp3_info
from ..support.catalogue import open_at_once
from ..support.episodes import make_episode

PUBLISHERS = 2
PER_PUBLISHER = 12


@pytest.fixture
def library(tmp_path: Path, fresh_postgres_url: str) -> Iterator[Path]:
    """A library folder whose catalogue is a new PostgreSQL database."""
    folder = tmp_path / "library"
    folder.mkdir()
    use_catalogue(folder, fresh_postgres_url)
    yield folder
    use_catalogue(folder, None)


def _tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchall()
    return {name for (name,) in rows}


def test_episodes_live_in_postgres_and_keep_their_guid(
    library: Path, fresh_postgres_url: str
) -> None:
    first = make_episode(library, "bridge", "Bridge reopens", url="https://n.example/bridge")
    publish_episode(library, first)
    (entry,) = list_episodes(library)
    again = make_episode(library, "bridge-2", "Bridge reopens", url="https://n.example/bridge")
    publish_episode(library, again)  # same article under a new slug: one row, same GUID
    (moved,) = list_episodes(library)
    assert (moved.slug, moved.guid, moved.published) == ("bridge-2", entry.guid, entry.published)
    assert not (library / CATALOGUE_NAME).exists()
    assert {"episodes", "jobs", "watch_items", "watch_sources", "library"} <= _tables(
        fresh_postgres_url
    )
    assert unpublish(library, "bridge-2") is not None
    assert list_episodes(library) == []


def test_jobs_in_postgres_keep_one_active_job_per_key(library: Path) -> None:
    with open_job_store(library) as one, open_job_store(library) as two:
        a = one.add(new_job({"url": "u"}, {"voice": "x"}, "k", "cli"))
        b = two.add(new_job({"url": "u"}, {}, "k", "api:cms"))
        assert a.id == b.id and len(two.jobs()) == 1
        with pytest.raises(psycopg.IntegrityError):  # the partial unique index itself
            one.put(new_job({"url": "u"}, {}, "k", "cli"))
        claimed = one.claim(a.id, "here:1")
        assert claimed is not None and two.claim(a.id, "there:2") is None
        done = two.finish(a.id, "bridge")
        assert (done.state, done.attempts, done.slug) == (JobState.DONE, 1, "bridge")
        assert one.get(a.id) == done


def test_watch_log_in_postgres_resumes(library: Path) -> None:
    source = "https://n.example/feed.xml"
    with open_watch_log(library) as log:
        first = log.record(SeenItem(source, "a", url="https://n.example/a", content_hash="h1"))
        log.save_source(source, {source: ('"e1"', None)}, "ok")
    with open_watch_log(library) as log:
        again = log.record(SeenItem(source, "a", content_hash="h2", status="built"))
        assert again.first_seen == first.first_seen and again.content_hash == "h2"
        assert log.validators(source) == {source: ('"e1"', None)}
        assert log.source_status(source) == "ok"
        assert [i.item_id for i in log.items(source)] == ["a"]


def test_a_new_postgres_catalogue_opened_by_many_at_once_is_made_once(
    library: Path, fresh_postgres_url: str
) -> None:
    assert open_at_once(library) == []
    with psycopg.connect(fresh_postgres_url) as conn:
        assert conn.execute("SELECT version FROM articleaudio_schema").fetchall() == [(4,)]


def test_a_newer_schema_in_postgres_is_refused(library: Path, fresh_postgres_url: str) -> None:
    list_episodes(library)  # creates the tables at schema 4
    with psycopg.connect(fresh_postgres_url) as conn:
        assert conn.execute("SELECT version FROM articleaudio_schema").fetchall() == [(4,)]
        conn.execute("UPDATE articleaudio_schema SET version = 99")
    with pytest.raises(PublishError, match="newer articleaudio"):
        list_episodes(library)


def test_unknown_and_unreachable_catalogues_say_what_to_give(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="give postgresql://"):
        use_catalogue(tmp_path, "mysql://db/x")
    use_catalogue(tmp_path, "postgresql://nobody@127.0.0.1:1/none")
    try:
        with pytest.raises(PublishError, match=r"cannot open the catalogue postgresql://"):
            list_episodes(tmp_path)
    finally:
        use_catalogue(tmp_path, None)


def test_cli_takes_the_catalogue_from_the_option_or_the_environment(
    tmp_path: Path, fresh_postgres_url: str
) -> None:
    folder = tmp_path / "lib"
    folder.mkdir()
    make_episode(folder, "tram", "Tram line opens")
    runner = CliRunner()
    wrote = runner.invoke(cli, ["feed", "-o", str(folder), "--catalogue", fresh_postgres_url])
    assert wrote.exit_code == 0, wrote.output
    env = {"ARTICLEAUDIO_CATALOGUE": fresh_postgres_url}
    listed = runner.invoke(cli, ["episodes", "-o", str(folder), "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    assert [json.loads(line)["slug"] for line in listed.output.splitlines()] == ["tram"]
    assert not (folder / CATALOGUE_NAME).exists()
    jobs = runner.invoke(cli, ["jobs", "-o", str(folder), "--json"], env=env)
    assert (jobs.exit_code, jobs.output) == (0, "")
    removed = runner.invoke(cli, ["rm", "tram", "-o", str(folder)], env=env)
    assert removed.exit_code == 0, removed.output
    assert runner.invoke(cli, ["episodes", "-o", str(folder)], env=env).output == ""
    # Without the option the folder has no catalogue of its own: nothing leaked into it.
    plain = runner.invoke(cli, ["episodes", "-o", str(folder)])
    assert plain.exit_code == 1 and "no catalogue" in plain.output


# Each publisher waits for the "go" file, so all of them publish at the same moment.
PUBLISHER = """
import json, sys, time
from pathlib import Path
from articleaudio.models import Episode
from articleaudio.library import publish_episode, use_catalogue
out, url, go, slugs = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4:]
use_catalogue(out, url)
episodes = [
    Episode.from_dict(json.loads((out / "episodes" / s / "episode.json").read_text()))
    for s in slugs
]
while not go.exists():
    time.sleep(0.005)
for episode in episodes:
    publish_episode(out, episode)
"""


def test_publishers_through_two_paths_are_serialised_by_the_catalogue_lock(
    tmp_path: Path, fresh_postgres_url: str
) -> None:
    """Two processes, each through its own path to the folder, publish at once.

    With a PostgreSQL catalogue the feed writers' lock is the database's advisory
    lock and no file lock is taken, so nothing but that lock keeps one publisher's
    feed from replacing another's (without it items go missing: checked by hand
    with the lock made a no-op).
    """
    shared = tmp_path / "shared"
    shared.mkdir()
    mount = tmp_path / "mount-b"
    mount.symlink_to(shared, target_is_directory=True)
    paths = [shared, mount]
    groups = [[f"p{p}-story-{n}" for n in range(PER_PUBLISHER)] for p in range(PUBLISHERS)]
    for p, slugs in enumerate(groups):
        for n, slug in enumerate(slugs):
            make_episode(shared, slug, f"Publisher {p} story {n}", seconds=1.0 + n % 3)
    go = tmp_path / "go"
    publishers = [
        subprocess.Popen(
            [sys.executable, "-c", PUBLISHER, str(path), fresh_postgres_url, str(go), *slugs],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
        for path, slugs in zip(paths, groups, strict=True)
    ]
    time.sleep(1.5)  # let the interpreters start and wait at the gate
    go.touch()
    for publisher in publishers:
        _, err = publisher.communicate(timeout=300)
        assert publisher.returncode == 0, err.decode()
    expected = {slug for slugs in groups for slug in slugs}
    _check_feed(shared, expected)
    use_catalogue(shared, fresh_postgres_url)
    try:
        assert {e.slug for e in list_episodes(shared)} == expected
        assert validate(shared, PodcastConfig()) == []
    finally:
        use_catalogue(shared, None)
    assert not (shared / CATALOGUE_NAME).exists()
    assert not (shared / ".articleaudio.lock").exists()  # no file lock was what saved us


def _check_feed(folder: Path, expected: set[str]) -> None:
    data = (folder / "feed.xml").read_bytes()
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert {e.enclosures[0].href.split("/")[-2] for e in parsed.entries} == expected
    assert len({e.id for e in parsed.entries}) == len(expected)
    podcast = podcastparser.parse("http://127.0.0.1/feed.xml", io.BytesIO(data))
    assert {ep["enclosures"][0]["url"].split("/")[-2] for ep in podcast["episodes"]} == expected


# Each racer waits for the "go" file, then takes one episode's lock ROUNDS times,
# writing down when it held it, then builds that episode's article BUILDS times.
RACER = """
import json, sys, time
from pathlib import Path
from articleaudio.library import use_catalogue
from articleaudio.library.database import episode_lock
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from tests.support.fake_synthesizer import FakeSynthesizer
out, url, go, source, log, rounds, builds = sys.argv[1:8]
out, go = Path(out), Path(go)
use_catalogue(out, url)
settings = BuildSettings(output=out, force=True, use_cache=False)
held = []
while not go.exists():
    time.sleep(0.005)
for _ in range(int(rounds)):
    with episode_lock(out, "bridge-reopens"):
        start = time.monotonic()
        time.sleep(0.01)
        held.append((start, time.monotonic()))
Path(log).write_text(json.dumps(held))
for _ in range(int(builds)):
    build_episode(source, settings, synthesizer=FakeSynthesizer())
"""
ROUNDS = 40


def test_two_processes_on_one_slug_in_postgres_take_turns_and_give_one_episode(
    tmp_path: Path, fresh_postgres_url: str
) -> None:
    """Two processes, through two paths to the folder, take one episode's lock (a
    PostgreSQL advisory lock, no file lock), then build its article at the same time."""
    shared, mount = tmp_path / "shared", tmp_path / "mount-b"
    shared.mkdir()
    mount.symlink_to(shared, target_is_directory=True)
    source, go = tmp_path / "bridge.md", tmp_path / "go"
    source.write_text("# Bridge reopens\n\nThe old bridge reopened on Monday after repairs.\n")
    logs = [tmp_path / "a.json", tmp_path / "b.json"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    racers = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                RACER,
                *map(str, (path, fresh_postgres_url, go, source)),
                *(str(log), str(ROUNDS), "2"),
            ],
            cwd=tmp_path,
            stderr=subprocess.PIPE,
            env=env,
        )
        for path, log in zip((shared, mount), logs, strict=True)
    ]
    time.sleep(1.5)  # let the interpreters start and wait at the gate
    go.touch()
    for racer in racers:
        _, err = racer.communicate(timeout=300)
        assert racer.returncode == 0, err.decode()
    turns = sorted(turn for log in logs for turn in json.loads(log.read_text()))
    assert len(turns) == 2 * ROUNDS
    assert [(a, b) for a, b in itertools.pairwise(turns) if b[0] < a[1]] == []  # one at a time
    _assert_one_episode(shared, fresh_postgres_url, "bridge-reopens")
    assert not (shared / ".articleaudio.lock").exists()  # the database held it, not a file


def _assert_one_episode(shared: Path, catalogue: str, slug: str) -> None:
    assert sorted(p.name for p in (shared / "episodes").iterdir()) == [slug]
    folder = shared / "episodes" / slug
    episode = read_episode(folder)
    names = sorted(p.name for p in folder.iterdir())
    # Nothing torn or stray: the episode's files, its record and the embed's script.
    assert names == sorted([*episode.files.values(), EPISODE_FILE, SCRIPT_FILE])
    assert mp3_info(folder / episode.files["audio"]).length == pytest.approx(
        episode.audio.duration, abs=0.01
    )
    use_catalogue(shared, catalogue)
    try:
        assert [e.slug for e in list_episodes(shared)] == [slug]
    finally:
        use_catalogue(shared, None)
    _check_feed(shared, {slug})
