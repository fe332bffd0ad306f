"""``--broker`` on the command line: the embedded default loads no broker code, a broker
that does not answer is one ``Error:`` line, ``build --broker --no-wait`` queues jobs
that carry their text, and ``build --broker`` waits for the workers' outcomes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from click.testing import CliRunner

from articleaudio.cli.app import cli
from articleaudio.library import JobState, open_job_store

from ..support.audio import mp3_info
from ..support.paths import ROOT
from ..support.services import free_port
from .test_broker_delivery import worker

STORY = "# Bridge reopens\n\nThe old bridge reopened on Monday after two years of repairs.\n"


def test_without_a_broker_nothing_of_dramatiq_or_redis_is_imported(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from articleaudio.cli.app import cli\n"
        "helps = [[name, '--help'] for name in ('build', 'watch', 'serve', 'worker', 'jobs')]\n"
        "for words in [*helps, ['extract', sys.argv[1]]]:\n"
        "    assert CliRunner().invoke(cli, words).exit_code == 0, words\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dramatiq', 'redis')))\n"
    )
    (tmp_path / "story.md").write_text(STORY)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    args = [sys.executable, "-c", script, str(tmp_path / "story.md")]
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_a_broker_that_does_not_answer_is_one_error_line(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(STORY)
    port, out = free_port(), tmp_path / "lib"
    url = f"redis://127.0.0.1:{port}/0"
    result = CliRunner().invoke(
        cli, ["build", str(tmp_path / "story.md"), "--broker", url, "-o", str(out)]
    )
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: the broker at 127.0.0.1:{port} does not answer (")
    assert result.output.rstrip().endswith("; start redis-server there or check --broker")
    assert not out.exists()  # nothing queued anywhere


def test_a_broker_url_that_is_not_redis_is_refused(tmp_path: Path) -> None:
    (tmp_path / "story.md").write_text(STORY)
    args = ["build", str(tmp_path / "story.md"), "--broker", "http://127.0.0.1:6379/0"]
    result = CliRunner().invoke(cli, [*args, "-o", str(tmp_path / "lib")])
    assert result.exit_code == 1
    assert result.output == (
        "Error: --broker 'http://127.0.0.1:6379/0' is not a Redis URL; say redis://HOST:PORT/DB\n"
    )


def test_build_with_a_broker_queues_jobs_that_carry_their_text(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    story, missing, out = tmp_path / "story.md", tmp_path / "missing.md", tmp_path / "lib"
    story.write_text(STORY)
    args = ["build", str(story), str(missing), "--broker", fresh_redis_url, "--priority", "high"]
    result = CliRunner().invoke(cli, [*args, "-o", str(out), "--json", "--no-wait"])
    assert result.exit_code == 1
    (queued,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert queued["state"] == "queued" and queued["source"] == str(story)
    assert result.stderr.startswith(f"Error: {missing}")
    with open_job_store(out) as store:
        states = sorted((job.location, job.state) for job in store.jobs())
    assert states == [(str(missing), JobState.FAILED), (str(story), JobState.QUEUED)]
    client = redis.Redis.from_url(fresh_redis_url)
    (message_id,) = client.lrange("articleaudio:articleaudio-high", 0, -1)
    message = json.loads(client.hget("articleaudio:articleaudio-high.msgs", message_id) or b"{}")
    (record,) = message["args"]
    assert record["id"] == queued["id"] and record["source"]["text"] == STORY
    assert client.llen("articleaudio:articleaudio") == 0  # normal priority: nothing


def test_build_with_a_broker_waits_for_the_workers_and_reports_as_build_does(
    tmp_path: Path, fresh_redis_url: str
) -> None:
    story, empty, out = tmp_path / "bridge.md", tmp_path / "empty.md", tmp_path / "lib"
    story.write_text(STORY)
    empty.write_text("# Nothing here\n")
    sent = ["build", "--broker", fresh_redis_url, "-o", str(out)]
    with worker(fresh_redis_url, out):
        first = CliRunner().invoke(cli, [*sent, str(story), str(empty)])
        again = CliRunner().invoke(cli, [*sent, str(story), "--json"])
    assert first.exit_code == 1, first.output
    (built,) = first.stdout.splitlines()
    audio = out / "episodes" / "bridge-reopens" / "bridge-reopens.mp3"
    assert re.fullmatch(rf"built {{6}}{re.escape(str(audio))}  \(\d+\.\d s, -1\d\.\d LUFS\)", built)
    (error,) = first.stderr.splitlines()
    assert error.startswith(f"Error: {empty}: ")
    with open_job_store(out) as store:
        failed = [job for job in store.jobs() if job.location == str(empty)]
    assert [job.error for job in failed] == [error.removeprefix("Error: ")]
    assert again.exit_code == 0, again.output
    (record,) = [json.loads(line) for line in again.stdout.splitlines()]
    assert (record["status"], record["source"], record["paths"]["audio"]) == (
        "unchanged",
        str(story),
        str(audio),
    )
    assert record["audio"]["duration"] == pytest.approx(mp3_info(audio).length, abs=0.01)
