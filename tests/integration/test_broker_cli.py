"""``--broker`` on the command line: the embedded default loads no broker code, a broker
that does not answer is one ``Error:`` line, and ``build --broker`` queues jobs that
carry their text."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import redis
from click.testing import CliRunner

from articleaudio.cli.app import cli
from articleaudio.library import JobState, open_job_store

from ..support.paths import ROOT
from ..support.services import free_port

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
    result = CliRunner().invoke(cli, [*args, "-o", str(out), "--json"])
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
