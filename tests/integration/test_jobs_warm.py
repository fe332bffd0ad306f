"""A running runner keeps one voice and its worker processes across jobs (real Piper voice)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from articleaudio.extract import SourceKind
from articleaudio.jobs import Runner, payload_key, settings_to_json, text_payload
from articleaudio.library import JobState, new_job, open_job_store
from articleaudio.settings import BuildSettings

from ..support.jobs_web import article


def _descendants() -> dict[int, int]:
    """pid → CPU ticks (user + system) of every process below this one, from /proc."""
    parents: dict[int, int] = {}
    ticks: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        fields = stat.rsplit(")", 1)[1].split()
        pid = int(entry.name)
        parents[pid], ticks[pid] = int(fields[1]), int(fields[11]) + int(fields[12])
    found: set[int] = set()
    frontier = {os.getpid()}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return {pid: ticks[pid] for pid in found}


@pytest.mark.slow
def test_the_second_job_starts_no_worker_process(tmp_path: Path) -> None:
    out = tmp_path / "lib"
    settings = settings_to_json(BuildSettings(output=out, use_cache=False, jobs=2))

    def queue(title: str) -> str:
        payload = text_payload(article(title, 8).decode(), SourceKind.MARKDOWN, f"{title}.md")
        return store.add(new_job(payload, settings, payload_key(payload), "test")).id

    seen: list[dict[int, int]] = []  # the processes alive as each job's last sentence is done

    def progress(done: int, total: int) -> None:
        if done == total:
            seen.append(_descendants())

    with open_job_store(out) as store, Runner(store, progress=progress) as runner:
        queue("Harbour opens")
        (first,) = runner.run()
        queue("Ferry returns")
        (second,) = runner.run()
    assert (first.job.state, second.job.state) == (JobState.DONE, JobState.DONE)
    assert second.built is not None and second.built.status.value == "built"
    during_first, during_second = seen
    assert set(during_second) - set(during_first) == set()  # no process started for job 2
    # ...and job 2 was synthesised by the processes job 1 started: both workers worked.
    busy = [p for p in during_second if during_second[p] > during_first.get(p, during_second[p])]
    assert len(busy) >= 2, (during_first, during_second)
