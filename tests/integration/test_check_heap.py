"""The recogniser's heap settings (:mod:`articleaudio.check.heap`): inside
``kept_heap`` a big block freed and asked for again costs no new page faults, as it
does with glibc's defaults; after it, the defaults are back and the memory is handed
back to the system.

Measured in a fresh interpreter: a process that has run other tests holds free heap
space of its own, from which glibc serves big blocks without a new mapping either."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from articleaudio.libc import glibc

MEASURE = """
import ctypes, json, resource
from articleaudio.check.heap import kept_heap
from articleaudio.libc import glibc

BLOCK = 64 * 1024 * 1024  # twice glibc's largest mmap threshold: by default, mapped afresh
libc = glibc()
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]

def faults():
    first = libc.malloc(BLOCK)
    ctypes.memset(first, 1, BLOCK)
    libc.free(first)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = libc.malloc(BLOCK)
    ctypes.memset(second, 2, BLOCK)
    found = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    libc.free(second)
    return found

def resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()

found = {"default": faults()}
if OVERLAP:  # a second hearing enters first and leaves while this one still listens
    other = kept_heap()
    other.__enter__()
with kept_heap():
    if OVERLAP:
        other.__exit__(None, None, None)
    faults()  # the heap grows once
    found["kept"] = faults()
    found["held"] = resident()
found["after"] = faults()
found["released"] = resident()
print(json.dumps(found))
"""


@pytest.mark.skipif(glibc() is None, reason="the heap knobs are glibc's")
@pytest.mark.parametrize("overlap", [False, True], ids=["alone", "overlapped"])
def test_a_freed_block_is_reused_inside_kept_heap_and_not_after(overlap: bool) -> None:
    script = f"OVERLAP = {overlap}\n{MEASURE}"
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    found = json.loads(run.stdout)
    pages = 64 * 1024 * 1024 // 4096
    assert found["default"] > pages // 2  # glibc's default: a fresh mapping each time
    assert found["kept"] < pages // 50  # kept: the same pages again
    assert found["after"] > pages // 2  # the defaults are back
    assert found["held"] - found["released"] > 32 * 1024 * 1024  # and the block returned
