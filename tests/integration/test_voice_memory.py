"""A voice speaking inside a process that does other work (a build, a long-running
runner's edit voice) hands each sentence's memory back; a worker's keeps it for the
next sentence. Measured in fresh interpreters: the resident memory after speaking a
long sentence, against the same interpreter's before."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from articleaudio.libc import glibc

SPEAK = """
import json, sys
from articleaudio.synth import PiperSynthesizer, SynthesisSettings, find_voice

def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096

voice = PiperSynthesizer(find_voice(None), SynthesisSettings(threads=2), shares=sys.argv[1] == "1")
voice.synthesize("Ready.")
before = resident()
voice.synthesize(" ".join(["The council met again on Tuesday to vote on the budget"] * 6) + ".")
print(json.dumps({"grown": resident() - before}))
"""


def _grown(shares: bool) -> int:
    run = subprocess.run(
        [sys.executable, "-c", SPEAK, "1" if shares else "0"],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert run.returncode == 0, run.stderr
    return int(json.loads(run.stdout)["grown"])


@pytest.mark.skipif(glibc() is None, reason="the heaps are trimmed with glibc's malloc_trim")
def test_a_shared_process_gets_a_long_sentences_memory_back_and_a_worker_keeps_it() -> None:
    kept, released = _grown(shares=False), _grown(shares=True)
    mb = 1024 * 1024
    assert kept > 100 * mb, f"a worker's voice grew by {kept / mb:.0f} MB only"
    assert released < kept / 3, f"released {released / mb:.0f} MB against {kept / mb:.0f} MB"
