"""``worker --max-concurrent``: a library's build slots, held in Redis, shared by its
workers (two Dramatiq workers of this process on a real Redis, the deterministic
synthesizer instead of the voice)."""

from __future__ import annotations

import itertools
import logging
from pathlib import Path

import pytest
import redis

from articleaudio.jobs import broker_settings, open_broker, send_job
from articleaudio.jobs.queues import slot_key
from articleaudio.library import JobState, library_id

from .test_broker_delivery import settled, stored, story, wait_until, worker

JOBS = 3
WORDS = "The harbour ferry returned to service on Monday after a winter of repairs. " * 3


def test_two_workers_with_one_slot_never_build_into_the_library_at_once(
    tmp_path: Path, fresh_redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="articleaudio")
    library = tmp_path / "lib"
    jobs = [story(library, f"Ferry story {n}", words=WORDS) for n in range(JOBS)]
    sender = open_broker(broker_settings(fresh_redis_url))
    with worker(fresh_redis_url, library, 1), worker(fresh_redis_url, library, 1):
        for job in jobs:
            send_job(sender, job)
        wait_until(settled(library, *(job.id for job in jobs)), timeout=180)
    done = [stored(library, job.id) for job in jobs]
    assert [(j.state, j.attempts) for j in done] == [(JobState.DONE, 1)] * JOBS  # waits cost none
    spans = sorted((j.started, j.finished) for j in done)
    for (_, finished), (started, _) in itertools.pairwise(spans):
        assert finished is not None and started is not None and finished <= started, spans
    waited = [r.getMessage() for r in caplog.records if "waits for a build slot" in r.getMessage()]
    assert waited, "the second worker never met a taken slot: nothing was limited"
    # The slots are the library's (named by the id its catalogue keeps), all given back.
    assert redis.Redis.from_url(fresh_redis_url).get(slot_key(library_id(library))) == b"0"
