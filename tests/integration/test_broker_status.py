"""``articleaudio jobs --broker``: queue depth per priority, each worker's last heartbeat
and the running jobs with their owner, read from a real Redis while a real Dramatiq
worker (in this process, the deterministic synthesizer held at a gate) builds."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dramatiq
from click.testing import CliRunner

from articleaudio.cli.app import cli
from articleaudio.jobs import WorkerSettings, broker_settings, open_broker, owner_id, send_job
from articleaudio.jobs.worker import Builder
from articleaudio.library import open_job_store
from articleaudio.synth.synthesize import Piece

from ..support.fake_synthesizer import FakeSynthesizer
from .test_broker_delivery import settled, story, wait_until


class GatedSynthesizer(FakeSynthesizer):
    """The fake voice, waiting at ``gate`` before each sentence: a job stays running."""

    def __init__(self) -> None:
        super().__init__()
        self.gate, self.reached = threading.Event(), threading.Event()

    def synthesize(self, text: str) -> Piece:
        self.reached.set()
        assert self.gate.wait(60), "the test never opened the gate"
        return super().synthesize(text)


@contextmanager
def gated_worker(url: str, library: Path, voice: GatedSynthesizer) -> Iterator[None]:
    builder = Builder(WorkerSettings(broker_settings(url), library, synthesizer=voice))
    running = dramatiq.Worker(builder.broker, worker_threads=1, worker_timeout=100)
    running.queue_prefetch = 1
    running.start()
    try:
        yield
    finally:
        voice.gate.set()
        running.stop(timeout=10_000)
        builder.close()


def status(library: Path, url: str, *extra: str) -> list[dict[str, Any]]:
    words = ["jobs", "-o", str(library), "--broker", url, "--json", *extra]
    result = CliRunner().invoke(cli, words)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.output.splitlines()]


def rows_of(rows: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["row"] == kind]


def depths(rows: list[dict[str, Any]]) -> dict[str, tuple[int, int, int]]:
    return {q["priority"]: (q["queued"], q["delayed"], q["dead"]) for q in rows_of(rows, "queue")}


def test_jobs_with_a_broker_shows_queues_workers_and_running_jobs(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    library = tmp_path / "lib"
    urgent, *backlog = [story(library, title) for title in ("Breaking", "Old 1", "Old 2")]
    with open_job_store(library) as store:
        for job in (urgent, *backlog):
            store.add(job)
    sender = open_broker(broker_settings(fresh_redis_url))
    send_job(sender, urgent, "high")
    for job in backlog:
        send_job(sender, job, "low")
    before = status(library, fresh_redis_url)
    assert depths(before) == {"high": (1, 0, 0), "normal": (0, 0, 0), "low": (2, 0, 0)}
    assert rows_of(before, "worker") == rows_of(before, "running") == []

    voice = GatedSynthesizer()
    with gated_worker(fresh_redis_url, library, voice):
        assert voice.reached.wait(60)
        during = status(library, fresh_redis_url)
        text = CliRunner().invoke(cli, ["jobs", "-o", str(library), "--broker", fresh_redis_url])
        voice.gate.set()
        wait_until(settled(library, urgent.id, *(job.id for job in backlog)))
        after = status(library, fresh_redis_url)
    # Which job the worker took first is Dramatiq's to say (its consumers fetch from
    # every queue at once); which one it is, and whose, is the status's.
    (running,) = rows_of(during, "running")
    assert running["id"] in {job.id for job in (urgent, *backlog)}
    assert running["owner"] == owner_id()
    (worker,) = rows_of(during, "worker")
    assert (worker["owner"], worker["building"], worker["alive"]) == (
        owner_id(),
        running["id"],
        True,
    )
    assert 0 <= worker["age_s"] < 5
    assert sum(queued for queued, _, _ in depths(during).values()) <= 2  # one is running
    assert f"running\t{running['id']}\t{owner_id()}\t" in text.output
    assert f"worker\t{owner_id()}\t" in text.output
    assert f"alive\tbuilding {running['id']}" in text.output
    assert "queue\tnormal\t0 queued\t0 delayed\t0 dead" in text.output

    assert set(depths(after).values()) == {(0, 0, 0)}
    assert rows_of(after, "running") == []
    assert [(w["owner"], w["building"]) for w in rows_of(after, "worker")] == [(owner_id(), None)]

    time.sleep(1.0)  # the worker has stopped: its heartbeat ages past a 0.5 s timeout
    (gone,) = rows_of(status(library, fresh_redis_url + "?heartbeat=0.5"), "worker")
    assert gone["alive"] is False and gone["age_s"] >= 1.0


def test_jobs_with_a_broker_refuses_other_states_and_says_when_redis_is_away(
    tmp_path: Path,
) -> None:
    library = tmp_path / "lib"
    with open_job_store(library):
        pass
    runner = CliRunner()
    both = runner.invoke(
        cli, ["jobs", "-o", str(library), "--broker", "redis://127.0.0.1:1/0", "--state", "done"]
    )
    assert both.exit_code == 2 and "--broker lists only --state failed" in both.output
    away = runner.invoke(cli, ["jobs", "-o", str(library), "--broker", "redis://127.0.0.1:1/0"])
    assert away.exit_code == 1
    assert away.output.startswith("Error: the broker at 127.0.0.1:1 does not answer")
