"""The job store: one job per key while active, guarded transitions, the catalogue migration."""

from __future__ import annotations

import json
import shutil
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from articleaudio.config import PodcastConfig
from articleaudio.errors import JobError, JobNotFoundError, LibraryNotFoundError
from articleaudio.jobs import settings_from_json, settings_to_json
from articleaudio.library import (
    Job,
    JobState,
    list_episodes,
    memory_job_store,
    new_job,
    open_job_store,
    utc_now,
)
from articleaudio.library.store import SCHEMA_VERSION, open_catalogue
from articleaudio.master import MasterSettings, Pauses
from articleaudio.settings import BuildSettings
from articleaudio.text import DisclosurePosition, SpeechSettings

V1_CATALOGUE = Path(__file__).parents[1] / "data" / "jobs" / "catalogue-v1.sqlite"
"""A catalogue written by articleaudio before jobs (schema 1), with one episode."""


def test_the_same_key_is_one_job_while_queued_or_running() -> None:
    store = memory_job_store()
    first = store.add(new_job({"url": "u"}, {}, "k", "cli"))
    again = store.add(new_job({"url": "u"}, {}, "k", "api:cms"))
    assert again.id == first.id and again.requested_by == "cli"
    store.claim(first.id, "here:1")
    assert store.add(new_job({"url": "u"}, {}, "k", "watch:feed")).id == first.id
    store.finish(first.id, "a-story")
    later = store.add(new_job({"url": "u"}, {}, "k", "watch:feed"))
    assert later.id != first.id  # done: the same article may be asked for again
    assert [j.id for j in store.jobs()] == [first.id, later.id]
    other = store.add(new_job({"url": "u"}, {}, "k2", "cli"))
    assert other.id not in (first.id, later.id)


def test_two_connections_racing_for_one_key_make_one_job(tmp_path: Path) -> None:
    with open_job_store(tmp_path) as one, open_job_store(tmp_path) as two:
        a = one.add(new_job({"url": "u"}, {}, "k", "cli"))
        b = two.add(new_job({"url": "u"}, {}, "k", "cli"))
        assert a.id == b.id and len(two.jobs()) == 1


def test_a_job_is_claimed_once_and_moves_only_along_its_life() -> None:
    store = memory_job_store()
    job = store.add(new_job({"url": "u"}, {}, "k", "cli"))
    claimed = store.claim(job.id, "here:1")
    assert claimed is not None
    assert (claimed.state, claimed.attempts, claimed.owner) == (JobState.RUNNING, 1, "here:1")
    assert claimed.started is not None and claimed.finished is None
    assert store.claim(job.id, "there:2") is None  # a second runner gets nothing
    with pytest.raises(JobError, match="running, not failed"):
        store.retry(job.id)
    with pytest.raises(JobError, match="held by there:2"):
        store.requeue(job.id, "there:2", None, None)  # only its owner gives it back
    later = utc_now() + timedelta(seconds=30)
    queued = store.requeue(job.id, "here:1", "x: timed out", later)
    assert (queued.state, queued.owner, queued.error) == (JobState.QUEUED, None, "x: timed out")
    assert queued.not_before == later
    assert store.claim(job.id, "here:1") is not None
    failed = store.fail(job.id, "x: answered HTTP 404 Not Found")
    assert (failed.state, failed.attempts, failed.owner) == (JobState.FAILED, 2, None)
    assert failed.finished is not None
    with pytest.raises(JobError, match="failed, not running"):
        store.finish(job.id, "slug")
    retried = store.retry(job.id)
    assert (retried.state, retried.attempts, retried.not_before) == (JobState.QUEUED, 0, None)
    store.claim(job.id, "here:1")
    done = store.finish(job.id, "a-story")
    assert (done.state, done.slug, done.error) == (JobState.DONE, "a-story", None)
    assert [j.id for j in store.jobs(JobState.DONE)] == [job.id]
    assert store.jobs(JobState.QUEUED) == []


def test_unknown_job_says_how_to_list_them() -> None:
    with pytest.raises(JobNotFoundError, match="'articleaudio jobs -o LIBRARY' lists them"):
        memory_job_store().get("nope")


def test_jobs_survive_the_connection_and_round_trip_whole(tmp_path: Path) -> None:
    source = {"location": "a.md", "kind": "markdown", "text": "# Título\n\nÜber alles.\n"}
    with open_job_store(tmp_path) as store:
        job = store.add(new_job(source, {"voice": "x"}, "a.md#1", "cli"))
    with open_job_store(tmp_path, create=False) as store:
        (kept,) = store.jobs()
    assert kept == job
    assert json.loads(json.dumps(kept.to_dict()))["source"] == "a.md"
    assert "settings" not in kept.to_dict()
    store = memory_job_store()
    store.claim(store.add(job).id, "here:1")
    running = store.get(job.id)
    assert Job.from_record(json.loads(json.dumps(running.to_record()))) == running


def test_listing_jobs_needs_a_library(tmp_path: Path) -> None:
    with (
        pytest.raises(LibraryNotFoundError, match="does not exist"),
        open_job_store(tmp_path / "nowhere", create=False),
    ):
        pass
    assert not (tmp_path / "nowhere").exists()


def test_a_catalogue_made_before_jobs_is_migrated_and_keeps_its_episodes(tmp_path: Path) -> None:
    shutil.copy(V1_CATALOGUE, tmp_path / "articleaudio.sqlite")
    before = sqlite3.connect(tmp_path / "articleaudio.sqlite")
    assert before.execute("PRAGMA user_version").fetchone() == (1,)
    old_rows = before.execute("SELECT * FROM episodes").fetchall()
    before.close()
    with open_job_store(tmp_path, create=False) as store:
        assert store.jobs() == []
        job = store.add(new_job({"url": "u"}, {}, "k", "cli"))
    after = sqlite3.connect(tmp_path / "articleaudio.sqlite")
    assert after.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,) == (4,)
    assert after.execute("SELECT * FROM episodes").fetchall() == old_rows
    after.close()
    (entry,) = list_episodes(tmp_path)
    assert entry.slug == "bridge-reopens"
    with open_catalogue(tmp_path) as catalogue:  # opening again migrates nothing twice
        assert catalogue.get("bridge-reopens") == entry
    with open_job_store(tmp_path) as store:
        assert [j.id for j in store.jobs()] == [job.id]


def test_an_active_key_is_unique_in_the_table_itself(tmp_path: Path) -> None:
    """The partial index holds even for a writer that skips ``add`` (another store's code)."""
    with open_job_store(tmp_path) as store:
        store.put(new_job({"url": "u"}, {}, "k", "cli"))
        with pytest.raises(sqlite3.IntegrityError):
            store.put(new_job({"url": "u"}, {}, "k", "cli"))
        (kept,) = store.jobs()
        store.put(replace(kept, state=JobState.DONE, slug="s"))  # the same id: updated
        store.put(new_job({"url": "u"}, {}, "k", "cli"))  # no active one holds "k" now
        assert [j.state for j in store.jobs()] == [JobState.DONE, JobState.QUEUED]


def test_build_settings_travel_as_json_whole() -> None:
    settings = BuildSettings(
        output=Path("/srv/lib"),
        voice="en_GB-alan-medium",
        cover=Path("cover.jpg"),
        speech=SpeechSettings(
            disclosure="Read by a machine.", disclosure_position=DisclosurePosition.END
        ),
        master=MasterSettings(pauses=Pauses(sentence=0.5, paragraph=1.0)),
        jobs=2,
        lexicons=(Path("a.toml"), Path("b.toml")),
        strict=True,
        podcast=PodcastConfig(title="Evening", artwork=Path("art.png"), voices=(("de", "x"),)),
    )
    data = json.loads(json.dumps(settings_to_json(settings)))
    assert settings_from_json(data) == settings
    assert settings_from_json({}) == BuildSettings()  # fields a job lacks take the defaults
