"""The embedded runner with the fake voice: order, retries and backoff, crash recovery."""

from __future__ import annotations

import gc
import os
import signal
import socket
import subprocess
import sys
import time
import weakref
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from articleaudio.errors import FetchError, VoiceNotFoundError
from articleaudio.extract import SourceKind, fetch_url
from articleaudio.jobs import (
    RetryPolicy,
    Runner,
    payload_key,
    read_payload,
    settings_to_json,
    text_payload,
)
from articleaudio.library import (
    Job,
    JobState,
    SqliteJobStore,
    list_episodes,
    new_job,
    open_job_store,
    utc_now,
)
from articleaudio.settings import BuildSettings

from ..support.fake_synthesizer import FakeSynthesizer
from ..support.jobs_web import Site, article, site

HOST = socket.gethostname()


@pytest.fixture
def web() -> Iterator[Site]:
    with site() as served:
        yield served


def _settings(out: Path) -> BuildSettings:
    return BuildSettings(output=out, use_cache=False)


def _queue(store: SqliteJobStore, out: Path, payload: dict[str, object], who: str = "t") -> Job:
    return store.add(new_job(payload, settings_to_json(_settings(out)), payload_key(payload), who))


def _text(title: str) -> dict[str, object]:
    return text_payload(article(title).decode(), SourceKind.MARKDOWN, f"{title}.md")


class Sleeps(list[float]):
    """A runner's ``sleep`` that records each wait (and waits it, so backoffs elapse)."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


def test_jobs_run_oldest_first_and_a_backoff_is_waited_out(tmp_path: Path) -> None:
    out, sleeps = tmp_path / "lib", Sleeps()
    with open_job_store(out) as store:
        later = _queue(store, out, _text("Story D"))
        store.claim(later.id, "me:1")  # D waits out a 1.5 s backoff, so it runs last
        not_before = utc_now() + timedelta(seconds=1.5)
        store.requeue(later.id, "me:1", "x: timed out", not_before)
        first = [_queue(store, out, _text(f"Story {n}")) for n in "ABC"]
        with Runner(store, synthesizer=FakeSynthesizer(), sleep=sleeps) as runner:
            ran = runner.run()
        assert [r.job.id for r in ran] == [j.id for j in first] + [later.id]
        assert [r.job.slug for r in ran] == ["story-a", "story-b", "story-c", "story-d"]
        assert all(r.job.state is JobState.DONE and r.built for r in ran)
        started = ran[-1].job.started
        assert started is not None and started >= not_before  # never before its backoff ends
        assert sum(sleeps) <= 1.5  # waited for it, not longer (none if A-C took 1.5 s)
        assert ran[-1].job.attempts == 2 and ran[-1].job.error is None
        assert store.jobs(JobState.QUEUED) == []
    assert {e.slug for e in list_episodes(out)} == {"story-a", "story-b", "story-c", "story-d"}


class _Cycle:
    """An object that refers to itself: only a garbage collection frees it."""

    def __init__(self) -> None:
        self.me = self


def test_collecting_between_runs_leaves_full_collections_little_to_walk(tmp_path: Path) -> None:
    # A warm runner's voice, libraries and batch live for the process: a full collection
    # in the middle of an edit walked them all (36 ms). Collected and frozen between
    # runs, they are not walked again, and what earlier jobs left in cycles still goes.
    out = tmp_path / "lib"
    with open_job_store(out) as store:
        _queue(store, out, _text("Story A"))
        with Runner(store, synthesizer=FakeSynthesizer()) as runner:
            (ran,) = runner.run()
            assert ran.built is not None
            left = _Cycle()
            gone = weakref.ref(left)
            try:
                tracked = len(gc.get_objects())
                runner.collect_garbage()
                assert gc.get_freeze_count() > 0.9 * tracked > 100 * len(gc.get_objects())
                del left  # garbage now, among the frozen objects
                runner.collect_garbage()
                assert gone() is None
            finally:
                gc.unfreeze()


def test_the_queue_is_taken_as_it_stands_and_named_jobs_run_alone(tmp_path: Path) -> None:
    out = tmp_path / "lib"
    with open_job_store(out) as store:
        first = _queue(store, out, _text("Story A"))
        other = _queue(store, out, _text("Story Q"), who="cli")  # jobs retry --no-run's
        mine = _queue(store, out, _text("Story M"))
        arrived: list[Job] = []
        armed = False

        def progress(done: int, total: int) -> None:
            if armed and not arrived:  # another process queues a job meanwhile
                arrived.append(_queue(store, out, _text("Story L")))

        with Runner(store, synthesizer=FakeSynthesizer(), progress=progress) as runner:
            # A command runs the jobs it made, whatever else is queued...
            assert [r.job.id for r in runner.run([mine.id])] == [mine.id]
            assert {j.id for j in store.jobs(JobState.QUEUED)} == {first.id, other.id}
            armed = True
            # ...a queue runner the queue, whoever queued it, as it stood when it began.
            assert [r.job.id for r in runner.run()] == [first.id, other.id]
            (late,) = arrived
            assert [j.id for j in store.jobs(JobState.QUEUED)] == [late.id]
            assert [r.job.slug for r in runner.run()] == ["story-l"]


def test_a_transient_failure_is_retried_with_backoff_until_it_passes(
    tmp_path: Path, web: Site
) -> None:
    out, sleeps = tmp_path / "lib", Sleeps()
    url = web.script("/story", (503, b"busy", 0), (503, b"busy", 0), (200, article("Late"), 0))
    with open_job_store(out) as store:
        job = _queue(store, out, read_payload(url))
        policy = RetryPolicy(backoff_s=0.2)
        with Runner(store, policy=policy, synthesizer=FakeSynthesizer(), sleep=sleeps) as runner:
            (ran,) = runner.run()
    assert ran.job.id == job.id and ran.job.state is JobState.DONE
    assert (ran.job.attempts, ran.job.slug, web.hits["/story"]) == (3, "late", 3)
    assert len(sleeps) == 2
    assert 0.1 < sleeps[0] <= 0.2 and 0.3 < sleeps[1] <= 0.4  # doubled


def test_a_transient_failure_gives_up_after_three_attempts(tmp_path: Path, web: Site) -> None:
    out = tmp_path / "lib"
    url = web.script("/down", (503, b"busy", 0))
    with open_job_store(out) as store:
        _queue(store, out, read_payload(url))
        policy = RetryPolicy(backoff_s=0.05)
        with Runner(store, policy=policy, synthesizer=FakeSynthesizer()) as runner:
            (ran,) = runner.run()
    assert (ran.job.state, ran.job.attempts, web.hits["/down"]) == (JobState.FAILED, 3, 3)
    assert (
        ran.job.error == f"{url} answered HTTP 503 Service Unavailable; check the URL in a browser"
    )


def test_bad_input_fails_once_with_its_error_line(tmp_path: Path, web: Site) -> None:
    out = tmp_path / "lib"
    gone = web.script("/gone", (404, b"", 0))
    empty = web.script("/empty", (200, b"# Only a title\n", 0))
    with open_job_store(out) as store:
        _queue(store, out, read_payload(gone))
        _queue(store, out, read_payload(empty))
        with Runner(store, policy=RetryPolicy(backoff_s=0.05), synthesizer=FakeSynthesizer()) as r:
            ran = r.run()
    assert [(x.job.state, x.job.attempts) for x in ran] == [(JobState.FAILED, 1)] * 2
    assert (web.hits["/gone"], web.hits["/empty"]) == (1, 1)
    assert ran[0].job.error == f"{gone} answered HTTP 404 Not Found; check the URL in a browser"
    assert ran[1].job.error == f"{empty}: no article text found: the source has a title but no body"


def test_an_error_every_job_would_meet_fails_the_job_and_stops_the_run(tmp_path: Path) -> None:
    out = tmp_path / "lib"
    with open_job_store(out) as store:
        payload = _text("Story A")
        as_json = settings_to_json(replace(_settings(out), voice="xx_XX-nobody"))
        job = store.add(new_job(payload, as_json, payload_key(payload), "t"))
        waiting = _queue(store, out, _text("Story B"))
        with pytest.raises(VoiceNotFoundError), Runner(store) as runner:
            runner.run()
        failed = store.get(job.id)
        assert failed.state is JobState.FAILED and failed.error is not None
        assert failed.error.startswith("Story A.md: voice 'xx_XX-nobody' not found in ")
        assert store.get(waiting.id).state is JobState.QUEUED  # not started: left for later


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_job_left_running_by_a_dead_process_runs_again_one_by_a_live_one_does_not(
    tmp_path: Path,
) -> None:
    out = tmp_path / "lib"
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with open_job_store(out) as store:
            orphan = _queue(store, out, _text("Orphan"))
            held = _queue(store, out, _text("Held"))
            spent = _queue(store, out, _text("Spent"))
            store.claim(orphan.id, f"{HOST}:{_dead_pid()}")
            store.claim(held.id, f"{HOST}:{alive.pid}")
            for _ in range(2):  # started three times, its runner dying each time
                store.claim(spent.id, f"{HOST}:{_dead_pid()}")
                store.requeue(spent.id, store.get(spent.id).owner or "", None, None)
            store.claim(spent.id, f"{HOST}:{_dead_pid()}")
            with Runner(store, synthesizer=FakeSynthesizer()) as runner:
                recovered = runner.recover()
                ran = runner.run()
            assert {j.id: j.state for j in recovered} == {
                orphan.id: JobState.QUEUED,
                spent.id: JobState.FAILED,
            }
            assert [r.job.id for r in ran] == [orphan.id]
            assert (ran[0].job.state, ran[0].job.attempts) == (JobState.DONE, 2)
            assert store.get(held.id).state is JobState.RUNNING  # its runner is alive
            assert (
                store.get(spent.id).error
                == "gave up after 3 attempts: its runner stopped each time"
            )
    finally:
        alive.kill()
        alive.wait()
    assert [e.slug for e in list_episodes(out)] == ["orphan"]


RUNNER_SCRIPT = """
import sys
sys.path.insert(0, sys.argv[3])
from pathlib import Path
from fake_synthesizer import FakeSynthesizer
from articleaudio.jobs import Runner, payload_key, read_payload, settings_to_json
from articleaudio.library import new_job, open_job_store
from articleaudio.settings import BuildSettings
out, url = Path(sys.argv[1]), sys.argv[2]
settings = settings_to_json(BuildSettings(output=out, use_cache=False))
with open_job_store(out) as store:
    payload = read_payload(url)
    store.add(new_job(payload, settings, payload_key(payload), "test"))
    with Runner(store, synthesizer=FakeSynthesizer()) as runner:
        runner.run()
"""


def test_a_runner_killed_mid_job_leaves_it_for_the_next_runner(tmp_path: Path, web: Site) -> None:
    out = tmp_path / "lib"
    url = web.script("/story", (200, article("Killed"), 30.0), (200, article("Killed"), 0))
    args = [
        sys.executable,
        "-c",
        RUNNER_SCRIPT,
        str(out),
        url,
        str(Path(__file__).parents[1] / "support"),
    ]
    proc = subprocess.Popen(args)
    deadline = time.monotonic() + 60
    while web.hits["/story"] == 0 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)  # the runner has claimed the job and is fetching its page
    os.kill(proc.pid, signal.SIGKILL)
    assert web.hits["/story"] == 1, "the runner never fetched the job's page"
    proc.wait()
    with open_job_store(out) as store:
        (left,) = store.jobs()
        assert (left.state, left.owner) == (JobState.RUNNING, f"{HOST}:{proc.pid}")
        with Runner(store, synthesizer=FakeSynthesizer()) as runner:
            assert [j.id for j in runner.recover()] == [left.id]
            (ran,) = runner.run()
    assert (ran.job.state, ran.job.attempts, ran.job.slug) == (JobState.DONE, 2, "killed")
    assert web.hits["/story"] == 2
    assert [e.slug for e in list_episodes(out)] == ["killed"]


def test_a_runner_builds_into_its_own_library_whatever_folder_the_job_names(
    tmp_path: Path,
) -> None:
    out, old = tmp_path / "lib", tmp_path / "where-it-was"
    with open_job_store(out) as store:
        _queue(store, old, _text("Moved"))  # made when the library was elsewhere
        with Runner(store, synthesizer=FakeSynthesizer(), library=out) as runner:
            (ran,) = runner.run()
    assert ran.job.state is JobState.DONE
    assert [e.slug for e in list_episodes(out)] == ["moved"] and not old.exists()


def test_which_fetch_failures_are_worth_another_attempt(web: Site) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now: the connection is refused
    cases = {
        f"http://127.0.0.1:{port}/a": True,
        web.script("/busy", (503, b"", 0)): True,
        web.script("/limit", (429, b"", 0)): True,
        web.script("/gone", (404, b"", 0)): False,
        web.script("/denied", (403, b"", 0)): False,
    }
    for url, transient in cases.items():
        with pytest.raises(FetchError) as caught:
            fetch_url(url, timeout=5)
        assert caught.value.transient is transient, url
