"""What a worker makes of each delivery: a real Redis and Dramatiq worker in this process,
the deterministic synthesizer instead of the voice (the voice's path is in
test_broker_workers.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

import dramatiq
import feedparser
import redis
from click.testing import CliRunner
from dramatiq.broker import MessageProxy
from dramatiq.message import Message

from articleaudio.cli.app import cli
from articleaudio.extract import SourceKind
from articleaudio.jobs import (
    BACKOFF_S,
    Dispatcher,
    WorkerSettings,
    broker_settings,
    enqueue_sources,
    open_broker,
    open_watcher,
    send_job,
    settings_to_json,
    text_payload,
)
from articleaudio.jobs.runner import bug_line
from articleaudio.jobs.worker import Builder, GivenUp
from articleaudio.library import Job, JobState, new_job, open_job_store
from articleaudio.settings import BuildSettings

from ..support.fake_synthesizer import FakeSynthesizer
from ..support.jobs_web import Site
from ..support.servers import Route, serving
from .test_api_server import TOKEN, serving_api
from .test_api_server import story as api_story
from .test_watch import _settings as watch_settings
from .test_watch import feed, page, site
from .test_watch import story as watch_story

TUNING = "?heartbeat=2&maintenance=1"


@contextmanager
def worker(url: str, library: Path, max_concurrent: int | None = None) -> Iterator[Builder]:
    """A Dramatiq worker of one thread and prefetch 1, as ``articleaudio worker`` runs it."""
    settings = WorkerSettings(
        broker_settings(url + TUNING),
        library,
        synthesizer=FakeSynthesizer(),
        max_concurrent=max_concurrent,
    )
    builder = Builder(settings)
    running = dramatiq.Worker(builder.broker, worker_threads=1, worker_timeout=100)
    running.queue_prefetch = 1
    running.start()
    try:
        yield builder
    finally:
        running.stop(timeout=10_000)
        builder.close()


def story(library: Path, title: str, words: str = "The council met on Tuesday.") -> Job:
    text = f"# {title}\n\n{words} It voted to open the new library in May.\n"
    payload = text_payload(text, SourceKind.MARKDOWN, f"{title}.md")
    settings = settings_to_json(BuildSettings(output=library))
    return new_job(payload, settings, f"{title}#test", "test")


def stored(library: Path, job_id: str) -> Job:
    with open_job_store(library) as store:
        return store.get(job_id)


def wait_until(ready: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def settled(library: Path, *ids: str) -> Callable[[], bool]:
    """Whether every one of these jobs is done or failed (one not stored yet is neither)."""

    def ready() -> bool:
        with open_job_store(library) as store:
            states = {job.id: job.state for job in store.jobs()}
        return all(states.get(i) in (JobState.DONE, JobState.FAILED) for i in ids)

    return ready


def test_a_message_delivered_twice_builds_its_job_once(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    job = story(library, "Library opens")
    sender = open_broker(broker_settings(fresh_redis_url))
    with worker(fresh_redis_url, library):
        send_job(sender, job)
        send_job(sender, job)  # as a sender started again would
        wait_until(settled(library, job.id))
        time.sleep(1.0)  # the second delivery, handled
    done = stored(library, job.id)
    assert done.state is JobState.DONE and done.attempts == 1
    parsed = feedparser.parse((library / "feed.xml").read_bytes())
    assert len(parsed.entries) == 1
    assert _queued_messages(fresh_redis_url) == 0


def test_bad_input_fails_once_without_a_retry_and_is_a_dead_letter(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    job = story(library, "Empty", words="")
    empty = Job.from_record({**job.to_record(), "source": {**job.source, "text": "#\n"}})
    with worker(fresh_redis_url, library):
        send_job(open_broker(broker_settings(fresh_redis_url)), empty)
        wait_until(settled(library, empty.id))
        time.sleep(1.0)
    failed = stored(library, empty.id)
    assert failed.state is JobState.FAILED and failed.attempts == 1
    assert failed.error and failed.error.startswith("Empty.md")
    assert _queued_messages(fresh_redis_url) == 0  # nothing waits to be tried again
    assert _dead(fresh_redis_url) == {"articleaudio": 1}  # given up at once
    jobs = ["jobs", "-o", str(library), "--state", "failed"]
    plain = CliRunner().invoke(cli, jobs)
    dead = CliRunner().invoke(cli, [*jobs, "--broker", fresh_redis_url])
    dead_json = CliRunner().invoke(cli, [*jobs, "--broker", fresh_redis_url, "--json"])
    assert plain.exit_code == dead.exit_code == dead_json.exit_code == 0
    assert plain.output.startswith(f"{empty.id}\tfailed\t1\t")
    assert plain.output.endswith(f"\tEmpty.md\t{failed.error}\n")
    assert dead.output == plain.output  # the same line, read from the dead letters
    (letter,) = [json.loads(line) for line in dead_json.output.splitlines()]
    assert (letter["id"], letter["error"], letter["priority"]) == (empty.id, failed.error, "normal")


def _dead(url: str) -> dict[str, int]:
    """Dead-lettered messages per queue (those that have any)."""
    client = redis.Redis.from_url(url)
    counts = {
        queue: int(client.zcard(f"articleaudio:{queue}.XQ"))
        for queue in ("articleaudio-high", "articleaudio", "articleaudio-low")
    }
    return {queue: n for queue, n in counts.items() if n}


def test_a_transient_failure_is_tried_again_after_a_backoff(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    html = b"<html><head><title>Bridge</title></head><body><article><h1>Bridge reopens</h1>"
    html += b"<p>The old bridge reopened on Monday after two years of repairs.</p>" * 4
    html += b"</article></body></html>"
    routes: dict[str, Route] = {"/bridge.html": (503, {}, b"busy")}
    with serving(routes) as base, worker(fresh_redis_url, library):
        job = new_job(
            {"url": f"{base}/bridge.html"},
            settings_to_json(BuildSettings(output=library)),
            "bridge#",
            "test",
        )
        with open_job_store(library) as store:
            store.add(job)
        send_job(open_broker(broker_settings(fresh_redis_url)), job)
        wait_until(lambda: stored(library, job.id).error is not None)
        waiting = stored(library, job.id)
        routes["/bridge.html"] = (200, {"Content-Type": "text/html"}, html)
        wait_until(settled(library, job.id), timeout=120)
    assert waiting.state is JobState.QUEUED and "503" in (waiting.error or "")
    done = stored(library, job.id)
    assert done.state is JobState.DONE and done.attempts == 2
    assert done.started is not None and waiting.started is not None
    assert (done.started - waiting.started).total_seconds() >= BACKOFF_S  # after the backoff
    assert _dead(fresh_redis_url) == {}


def test_a_high_priority_job_goes_ahead_of_those_queued_before_it(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    backlog = [story(library, f"Archive {n}") for n in range(3)]
    urgent = story(library, "Breaking")
    with open_job_store(library) as store:
        for job in [*backlog, urgent]:
            store.add(job)
    url = broker_settings(fresh_redis_url)
    with open_job_store(library) as store, worker(fresh_redis_url, library):
        dispatcher = Dispatcher(store, url, priority="low")  # the back catalogue
        dispatcher.run([job.id for job in backlog])
        wait_until(lambda: stored(library, backlog[0].id).state is not JobState.QUEUED)
        dispatcher.priorities[urgent.id] = "high"
        dispatcher.run([urgent.id])
        wait_until(settled(library, urgent.id, *(j.id for j in backlog)), timeout=120)
    finished = {j.id: stored(library, j.id).finished or 0 for j in [*backlog, urgent]}
    assert str(finished[urgent.id]) < str(finished[backlog[1].id]) < str(finished[backlog[2].id])


def test_a_batch_is_sent_longest_first_so_it_does_not_end_on_one_long_article(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library, sizes = tmp_path / "lib", {"short": 1, "long": 12, "middle": 5}
    files = []
    for name, sentences in sizes.items():
        path = tmp_path / f"{name}.md"
        path.write_text(f"# {name}\n\n" + "The council met on Tuesday. " * sentences + "\n")
        files.append(str(path))
    settings = BuildSettings(output=library, use_cache=False)
    submitted = enqueue_sources(files, settings, broker_settings(fresh_redis_url))
    ids = [job.id for job, _ in submitted]  # in the order given, for the caller
    assert [job.location for job, _ in submitted] == files
    with worker(fresh_redis_url, library):  # one thread: it takes them in the order sent
        wait_until(settled(library, *ids), timeout=120)
    started = {stored(library, i).location: stored(library, i).started for i in ids}
    order = sorted(started, key=lambda where: str(started[where]))
    assert [Path(where).stem for where in order] == ["long", "middle", "short"]


def _queued_messages(url: str) -> int:
    """Messages left on every articleaudio queue and delay queue of the broker."""
    client = redis.Redis.from_url(url)
    keys: list[bytes | str] = client.keys("articleaudio:*")
    return sum(int(client.llen(k)) for k in keys if client.type(k) == b"list")


def test_serve_api_with_a_broker_sends_posts_to_the_workers(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    headers = {"content-type": "application/json", "authorization": f"Bearer {TOKEN}"}
    body = json.dumps(api_story("Harbour Bridge Reopens")).encode()
    broker = broker_settings(fresh_redis_url)
    with serving_api(library, broker=broker) as api:
        status, _, refused = api.call("POST", "/api/v1/articles?priority=now", body, headers)
        assert status == 422 and refused["error"]["code"] == "invalid_priority"
        status, _, queued = api.call("POST", "/api/v1/articles?priority=high", body, headers)
        assert status == 202
        client = redis.Redis.from_url(fresh_redis_url)
        wait_until(lambda: client.llen("articleaudio:articleaudio-high") == 1)
        assert api.get(f"/api/v1/jobs/{queued['id']}")["state"] == "queued"  # not built here
        with worker(fresh_redis_url, library):
            done = api.wait(queued["id"])
    assert done["state"] == "done" and done["slug"] == "harbour-bridge-reopens"
    assert done["episode"]["audio"].endswith(".mp3")


def test_watch_with_a_broker_sends_its_jobs_and_records_how_they_ended(
    site: Site, tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    for name in ("north", "south"):
        site.pages[f"/{name}.html"] = page(f"{name.title()} story", *watch_story(name.title()))
    site.pages["/feed.xml"] = feed(site, "north", "south")
    broker = broker_settings(fresh_redis_url)
    settings = replace(watch_settings(site, library), broker=broker, priority="low")
    with open_watcher(settings) as watcher:
        first = watcher.poll()
    assert {e.kind for e in first} >= {"new", "building"} and "built" not in {e.kind for e in first}
    client = redis.Redis.from_url(fresh_redis_url)
    assert client.llen("articleaudio:articleaudio-low") == 2  # sent, not built here
    with open_job_store(library) as store:
        ids = [job.id for job in store.jobs()]
    with worker(fresh_redis_url, library):
        wait_until(settled(library, *ids))
    with open_watcher(settings) as watcher:
        second = watcher.poll()
    built = sorted(e.message for e in second if e.kind == "built")
    assert built == ["north-story", "south-story"]
    with open_job_store(library) as store:
        assert sorted(job.id for job in store.jobs()) == sorted(ids)  # nothing queued twice
    assert client.llen("articleaudio:articleaudio-low") == 0


__all__ = ["site"]  # the fixture test_watch.py defines, used here too


def test_a_message_dramatiq_gives_up_fails_its_job_with_its_last_error_line(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    """A bug's message used up its retries: Dramatiq fails it (a dead letter), and the
    worker's middleware fails its job in the store, keeping the runner's error line."""
    library = tmp_path / "lib"
    job, other = story(library, "Bug"), story(library, "Other")
    line = bug_line(job.location, KeyError("title"))
    with open_job_store(library) as store:
        for each in (job, other):
            store.add(each)
            store.claim(each.id, "w:1")
        store.requeue(job.id, "w:1", line, None)  # as the runner leaves a bug's job
    broker = open_broker(broker_settings(fresh_redis_url))
    given_up = GivenUp(library)
    for each, failed in ((job, True), (other, False)):
        message = MessageProxy(Message("articleaudio", "x", (each.to_record(),), {}, {}))
        if failed:
            message.fail()
        given_up.after_process_message(broker, message, exception=KeyError("title"))
    ended = stored(library, job.id)
    assert (ended.state, ended.error) == (JobState.FAILED, line)
    assert stored(library, other.id).state is JobState.RUNNING  # still retried: untouched
