"""The voice speaks on the cores its process was given, never on others (ONNX Runtime,
left to choose, pinned a thread to every core of the machine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SPEAK_ON_CORE_0 = """
import os, pathlib, sys
os.sched_setaffinity(0, {0})
from articleaudio.pipeline import open_synthesis
from articleaudio.settings import BuildSettings
jobs = int(sys.argv[1]) if sys.argv[1] else None
settings = BuildSettings(output=pathlib.Path(sys.argv[2]), jobs=jobs, use_cache=False)
with open_synthesis(settings) as s:
    s.synthesizer.synthesize("The council met on Tuesday to vote on the budget.")
    for task in sorted(pathlib.Path("/proc/self/task").iterdir()):
        status = (task / "status").read_text()
        print(next(l.split()[1] for l in status.splitlines() if l.startswith("Cpus_allowed_list")))
"""


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores to tell")
@pytest.mark.parametrize("jobs", ["", "1"])
def test_a_voice_in_a_process_given_one_core_keeps_every_thread_on_it(
    tmp_path: Path, jobs: str
) -> None:
    run = subprocess.run(
        [sys.executable, "-c", SPEAK_ON_CORE_0, jobs, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    cores = run.stdout.split()
    assert cores and set(cores) == {"0"}, cores
