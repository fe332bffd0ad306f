"""Two ``articleaudio worker`` processes on a real Redis and the PostgreSQL catalogue,
one SIGKILLed while it synthesises (issue 17's first Done-when).

Twelve articles from the shared sample pages: the six different stories there, each
as two articles (its first paragraph, and a paragraph from its middle under its own
title and URL), so the voice speaks as many words as two paragraphs of each story.
The jobs are queued by ``build --broker`` from files deleted straight after (a job
carries its text, never a path), built with the real voice, and the killed worker's
job must be delivered again and finished by another worker: every article once in
the catalogue and the feed, and every published file whole. The same with whole
articles is ``benchmarks/bench_killed_worker.py`` (minutes of audio each).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ..support.workers import run_kill_scenario


@pytest.mark.slow
def test_a_worker_killed_mid_job_loses_and_doubles_nothing(
    tmp_path: Path, fresh_redis_url: str, fresh_postgres_url: str
) -> None:
    killed = run_kill_scenario(tmp_path, fresh_redis_url, fresh_postgres_url, paragraphs=1)
    assert killed.attempts == 2
    # The worker opened its voice when it started: its first job did not wait for it.
    log = (tmp_path / "logs" / "a.log").read_text(errors="replace")
    assert 0 <= log.find("voice en_US-joe-medium open before the first job") < log.find("building")
