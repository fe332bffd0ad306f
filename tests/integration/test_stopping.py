"""Synthesis workers never hang a build, never outlive it, and stop when it is told to.

Each test runs the real CLI with the real voice and two workers in a session of
its own, so every process a build started (workers, fork server) can be found
by its session id, whoever its parent is.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from articleaudio.encode.encoder import decode

from .test_robustness import BIN, IGNORED, _write, library, snapshot

__all__ = ["library"]  # the fixture, shared with test_robustness

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/stat").is_file(), reason="reads /proc"),
]

HEADLINE = "# Harbour bridge vote delayed again"
VOICE_BYTES = 150_000_000
"""Resident memory above which a worker has its voice loaded (about 300 MB; 40 MB before)."""


def story(draft: str, paragraphs: int) -> str:
    """An article under :data:`HEADLINE` (one slug) whose every sentence names ``draft``."""
    body = [
        f"The {draft} draft of paragraph {n} says the council met for {n + 2} hours. "
        f"Members who read the {draft} draft asked for {n + 1} more weeks."
        for n in range(1, paragraphs + 1)
    ]
    return "\n\n".join([HEADLINE, "By Ann Lee", *body]) + "\n"


def start(source: str, out: Path, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    """``articleaudio build`` with two workers, in a new session (its id is the build's pid)."""
    return subprocess.Popen(
        [str(BIN), "build", source, "-o", str(out), "--jobs", "2"],
        cwd=out.parent,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen[str], timeout: float) -> str:
    """The build's stderr once it and every process holding its output have exited."""
    try:
        return proc.communicate(timeout=timeout)[1]
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # a hung build and its workers
        proc.communicate()
        pytest.fail(f"the build did not finish within {timeout:.0f} s")


def listing(folder: Path) -> list[Path]:
    """Every file and folder, hidden ones included (the lock and SQLite's journals aside)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.name not in IGNORED and not p.name.endswith(("-shm", "-wal"))
    )


def session(sid: int) -> list[int]:
    """Live processes (zombies aside) in session ``sid``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # not a process, or one that just ended
        if int(fields[3]) == sid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def resident_bytes(pid: int) -> int:
    try:
        return int((Path("/proc") / str(pid) / "statm").read_text().split()[1]) * os.sysconf(
            "SC_PAGE_SIZE"
        )
    except (OSError, IndexError):
        return 0


def wait_for_synthesis(proc: subprocess.Popen[str]) -> list[int]:
    """Wait until two processes started by the build hold a loaded voice; their pids."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[1]
        voices = [p for p in session(proc.pid) if p != proc.pid and resident_bytes(p) > VOICE_BYTES]
        if len(voices) >= 2:
            return voices
        time.sleep(0.05)
    pytest.fail("no two workers loaded the voice within 120 s")


def left_after(sid: int, seconds: float) -> list[int]:
    """The processes of session ``sid`` still alive after waiting up to ``seconds``."""
    deadline = time.monotonic() + seconds
    while (alive := session(sid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    for pid in alive:  # do not leave them to the rest of the suite
        os.kill(pid, signal.SIGKILL)
    return alive


def test_rebuild_after_editing_every_paragraph_finishes(tmp_path: Path) -> None:
    """Issue 13: the second build hung forever in every worker (forked mid voice warm-up)."""
    out = tmp_path / "out"
    source = tmp_path / "story.md"
    source.write_text(story("first", 6), encoding="utf-8")
    first = start(str(source), out)
    stderr = finish(first, timeout=180)
    assert first.returncode == 0, stderr
    source.write_text(story("second", 6), encoding="utf-8")
    proc = start(str(source), out)
    stderr = finish(proc, timeout=180)
    assert proc.returncode == 0, stderr
    folder = out / "episodes" / "harbour-bridge-vote-delayed-again"
    meta = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    assert abs(len(decode(folder / meta["audio"]["file"])) / 44100 - meta["audio"]["duration"]) < 1
    transcript = json.loads((folder / meta["files"]["transcript_json"]).read_text("utf-8"))
    spoken = " ".join(s["body"] for s in transcript["segments"])
    assert spoken.count("second draft") == 12 and "first" not in spoken


def test_workers_exit_when_the_build_is_killed(tmp_path: Path) -> None:
    """Issue 13: after kill -9 of the build, its workers ran on as orphans (300-430 MB each)."""
    source = _write(tmp_path / "long.md", story("killed", 16))
    temp = tmp_path / "tmp"  # a killed build cannot remove its fork server's pymp- folder
    temp.mkdir()
    proc = start(source, tmp_path / "out", {"TMPDIR": str(temp)})
    wait_for_synthesis(proc)
    assert proc.poll() is None  # the kill lands mid-synthesis, not on a finished build
    os.kill(proc.pid, signal.SIGKILL)  # the build alone, as the OOM killer or kill -9 would
    # Not its output: orphaned workers would hold that open.
    assert proc.wait(timeout=30) == -signal.SIGKILL
    try:
        assert left_after(proc.pid, 5.0) == []
    finally:
        for stream in (proc.stdout, proc.stderr):
            assert stream is not None
            stream.close()


STOPS = [
    # (signal, sent to the whole process group as a terminal does?, exit status, stderr)
    (signal.SIGINT, True, 130, "Error: interrupted"),
    (signal.SIGTERM, False, 143, "Error: terminated"),
]


@pytest.mark.parametrize(("signum", "group", "status", "line"), STOPS, ids=["ctrl-c", "sigterm"])
def test_a_stopped_build_exits_at_once_and_leaves_the_library_as_it_was(
    library: Path, tmp_path: Path, signum: int, group: bool, status: int, line: str
) -> None:
    """Issue 13: Ctrl-C was ignored once, then printed ``Aborted!``; SIGTERM left workers."""
    source = _write(tmp_path / "long.md", story(f"stopped {signum}", 16))
    temp = tmp_path / "tmp"
    temp.mkdir()
    before = snapshot(library)
    paths = listing(library)
    proc = start(source, library, {"TMPDIR": str(temp)})
    wait_for_synthesis(proc)
    sent = time.monotonic()
    (os.killpg if group else os.kill)(proc.pid, signum)
    stderr = finish(proc, timeout=60)
    took = time.monotonic() - sent
    assert (proc.returncode, stderr.strip().splitlines()) == (status, [line]), stderr
    assert took < 2.0  # the bound for the build itself
    # Every process of the build (workers, fork server, resource tracker) is gone
    # within the same 2 s of the signal: the helpers see the build's pipes close
    # only once it has exited, so they may take a moment after it.
    assert left_after(proc.pid, 2.0 - took) == []
    assert snapshot(library) == before
    assert listing(library) == paths  # no staging folder, even an empty one
    # nor temporary files (ONNX Runtime keeps an id of its own in .ses, on every run)
    assert [p.name for p in temp.iterdir() if p.name != ".ses"] == []


HALF_SENT = """
import os, struct, time
from articleaudio.synth import SynthesisSettings, WorkerPool, find_voice

pool = WorkerPool(find_voice(), SynthesisSettings(), 2)
pool.warm_up()
executor = pool._executor
deadline = time.monotonic() + 120
while len(executor._processes) < 2 or not all(p.is_alive() for p in executor._processes.values()):
    assert time.monotonic() < deadline, "the workers never started"
    time.sleep(0.05)
# What a worker killed while sending a piece leaves: a length, then part of the message.
writer = executor._result_queue._writer
os.write(writer.fileno(), struct.pack("!i", 1_000_000) + bytes(100))
time.sleep(0.5)  # the executor's thread is now waiting for the rest
pool.close(now=True)
print("closed")
"""


def test_killing_workers_after_half_a_result_still_stops_the_pool(tmp_path: Path) -> None:
    """A pool stopped ``now`` when its result pipe holds half a message (a worker killed
    while sending a piece) still shuts down: the build hung for ever at exit before."""
    proc = subprocess.Popen(
        [str(BIN.parent / "python"), "-c", HALF_SENT],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail("the pool's shutdown hung after half a result")
    assert proc.returncode == 0 and out.strip() == "closed", err
