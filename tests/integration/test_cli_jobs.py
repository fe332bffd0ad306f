"""``articleaudio jobs`` and ``jobs retry`` through the real CLI and the real voice."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from articleaudio.cli.app import cli
from articleaudio.library import open_job_store

from ..support.jobs_web import Site, article, site

TINY = "# Short note\n\nBy Ann Lee\n\nThe bridge reopened on Monday. Traffic is light.\n"
JSON_FIELDS = {"id", "state", "source", "slug", "attempts", "error", "created", "finished"}


@pytest.fixture
def web() -> Iterator[Site]:
    with site() as served:
        yield served


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.stdout, result.stderr


def _jobs(out: Path, *args: str) -> list[dict[str, Any]]:
    code, stdout, stderr = _run("jobs", "-o", str(out), "--json", *args)
    assert code == 0, stderr
    return [json.loads(line) for line in stdout.splitlines()]


@pytest.mark.slow
def test_a_build_is_one_done_job(tmp_path: Path) -> None:
    source, out = tmp_path / "a.md", tmp_path / "out"
    source.write_text(TINY, encoding="utf-8")
    code, stdout, stderr = _run("build", str(source), "-o", str(out), "--json")
    assert code == 0, stderr
    built = json.loads(stdout)
    (job,) = _jobs(out)
    assert set(job) >= JSON_FIELDS
    assert (job["state"], job["source"], job["slug"]) == ("done", str(source), built["slug"])
    assert (job["attempts"], job["error"], job["requested_by"]) == (1, None, "cli")
    assert job["created"] <= job["started"] <= job["finished"]
    code, stdout, _ = _run("jobs", "-o", str(out))
    assert code == 0
    assert stdout.split("\t")[:3] == [job["id"], "done", "1"]
    assert stdout.rstrip("\n").endswith(f"\t{source}\tshort-note")


@pytest.mark.slow
def test_a_failed_source_keeps_its_error_line_and_retry_builds_it_once_fixed(
    tmp_path: Path, web: Site
) -> None:
    good, out = tmp_path / "good.md", tmp_path / "out"
    good.write_text(TINY, encoding="utf-8")
    url = web.script("/story", (404, b"", 0))
    code, stdout, stderr = _run("build", str(good), url, "-o", str(out))
    assert code == 1 and stdout.startswith("built")
    (line,) = stderr.splitlines()
    (failed,) = _jobs(out, "--state", "failed")
    assert f"Error: {failed['error']}" == line
    assert failed["error"] == f"{url} answered HTTP 404 Not Found; check the URL in a browser"
    assert (failed["source"], failed["slug"], failed["attempts"]) == (url, None, 1)
    assert [j["state"] for j in _jobs(out)] == ["done", "failed"]

    code, _, stderr = _run("jobs", "retry", failed["id"], "-o", str(out))
    assert code == 1 and stderr == f"Error: {failed['error']}\n"  # still broken: fails again
    assert web.hits["/story"] == 2

    web.script("/story", (200, article("Harbour fixed"), 0))
    code, stdout, stderr = _run("jobs", "retry", failed["id"], "-o", str(out))
    assert code == 0, stderr
    assert stdout.startswith("built") and "harbour-fixed.mp3" in stdout
    (retried,) = [j for j in _jobs(out) if j["id"] == failed["id"]]
    assert (retried["state"], retried["slug"], retried["error"]) == ("done", "harbour-fixed", None)
    code, stdout, _ = _run("episodes", "-o", str(out))
    assert {row.split("\t")[0] for row in stdout.splitlines()} == {"short-note", "harbour-fixed"}

    code, _, stderr = _run("jobs", "retry", failed["id"], "-o", str(out))
    assert code == 1
    assert stderr == f"Error: job {failed['id']} is done: only a failed job can be retried\n"


@pytest.mark.slow
def test_retry_no_run_only_queues(tmp_path: Path, web: Site) -> None:
    good, out = tmp_path / "good.md", tmp_path / "out"
    good.write_text(TINY, encoding="utf-8")
    url = web.script("/story", (404, b"", 0))
    assert _run("build", str(good), url, "-o", str(out))[0] == 1
    (failed,) = _jobs(out, "--state", "failed")
    code, stdout, _ = _run("jobs", "retry", failed["id"], "-o", str(out), "--no-run")
    assert (code, stdout) == (0, f"queued {failed['id']}\n")
    (queued,) = _jobs(out, "--state", "queued")
    assert (queued["id"], queued["attempts"], web.hits["/story"]) == (failed["id"], 0, 1)


def test_a_failed_build_alone_leaves_no_library_and_no_job(tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _, stderr = _run("build", str(tmp_path / "nope.md"), "-o", str(out))
    assert code == 1 and stderr == f"Error: {tmp_path / 'nope.md'} does not exist\n"
    assert not out.exists()
    code, _, stderr = _run("jobs", "-o", str(out))
    assert code == 1
    assert stderr.startswith(f"Error: {out} does not exist; give the folder that")


def test_unknown_job_id(tmp_path: Path) -> None:
    (tmp_path / "lib").mkdir()
    assert _run("jobs", "-o", str(tmp_path / "lib"), "--json")[0] == 1  # no catalogue yet
    with open_job_store(tmp_path / "lib"):
        pass
    assert _jobs(tmp_path / "lib") == []
    code, _, stderr = _run("jobs", "retry", "abc", "-o", str(tmp_path / "lib"))
    assert code == 1
    assert (
        stderr == "Error: no job abc in this library; 'articleaudio jobs -o LIBRARY' lists them\n"
    )
