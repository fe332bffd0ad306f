"""``articleaudio watch`` through the real command: refusals, and one real-voice poll."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import signal
import struct
import subprocess
import sys
import termios
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from articleaudio.cli.app import cli
from articleaudio.library import list_episodes, open_watch_log

from ..support.jobs_web import Site
from ..support.jobs_web import site as serving
from .test_watch import feed, page, story


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as served:
        yield served


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["watch", *args])
    return result.exit_code, result.stdout, result.stderr


def test_a_loopback_feed_is_refused_without_allow_private(site: Site, tmp_path: Path) -> None:
    site.pages["/feed.xml"] = feed(site, "alpha")
    code, _, stderr = _run(f"{site.base}/feed.xml", "-o", str(tmp_path / "lib"), "--once")
    assert code == 1
    (line,) = [line for line in stderr.splitlines() if line.split()[1] == "error:"]
    assert line.endswith(
        f"{site.base}/feed.xml resolves to 127.0.0.1, a loopback, link-local or private "
        "address; articleaudio fetches public addresses only unless private ones are allowed"
    )
    assert site.hits["/feed.xml"] == 0  # refused before any request


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (("--interval", "soon"), "'soon' is not an interval; say 90, 30s, 10m or 1h"),
        (("--since", "yesterday"), "'yesterday' is not a date"),
    ],
)
def test_bad_options_are_usage_errors(
    tmp_path: Path, option: tuple[str, str], message: str
) -> None:
    code, _, stderr = _run("feed.xml", "-o", str(tmp_path / "lib"), "--once", *option)
    assert code == 2 and message in stderr
    assert not (tmp_path / "lib").exists()


@pytest.mark.slow
def test_once_builds_the_new_article_then_finds_it_unchanged(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    site.pages["/alpha.html"] = page("Alpha story", *story("Alpha")[:2])
    site.pages["/feed.xml"] = feed(site, "alpha")
    args = (f"{site.base}/feed.xml", "-o", str(out), "--once", "--allow-private", "--json")
    code, stdout, stderr = _run(*args)
    assert code == 0, stderr
    (job,) = [json.loads(line) for line in stdout.splitlines()]
    assert (job["state"], job["slug"], job["url"]) == (
        "done",
        "alpha-story",
        f"{site.base}/alpha.html",
    )
    assert job["requested_by"] == f"watch:{site.base}/feed.xml"
    (entry,) = list_episodes(out)
    assert entry.slug == "alpha-story" and entry.episode.audio.duration > 3.0

    site.pages["/feed.xml"] = feed(site, "alpha")  # same feed: answered 304
    code, stdout, stderr = _run(*args)
    assert code == 0 and stdout == "", stderr
    assert "not-modified" in stderr
    assert site.hits["/alpha.html"] == 1 and site.hits["/feed.xml"] == 2
    with open_watch_log(out) as log:
        (seen,) = log.items()
        assert len(log.jobs.jobs()) == 1
    assert seen.status == "built" and seen.content_hash


@pytest.mark.parametrize(("signum", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_waiting_watch_stops_cleanly_on_a_signal(
    site: Site, tmp_path: Path, signum: int, code: int
) -> None:
    site.pages["/feed.xml"] = feed(site)  # nothing to narrate: it polls, then waits
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "PYTHONUNBUFFERED": "1"}
    args = [sys.executable, "-c", "from articleaudio.cli.app import main; main()", "watch"]
    args += [f"{site.base}/feed.xml", "-o", str(tmp_path / "lib"), "--allow-private"]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    guard = threading.Timer(60, proc.kill)  # never a test that hangs on a silent watch
    guard.start()
    lines: list[str] = []
    for raw in proc.stdout:  # the watch prints "waiting: until HH:MM:SS" and sleeps
        lines.append(raw.decode())
        if len(lines) == 2:
            break
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=30)
    guard.cancel()
    assert proc.returncode == code
    assert stderr.decode().endswith(f"Error: {'terminated' if code == 143 else 'interrupted'}\n")
    assert [line.split()[1] for line in lines] == ["polling", "waiting:"]
    assert lines[-1].split()[2] == "until"


def _watch_command(site: Site, out: Path) -> list[str]:
    args = [sys.executable, "-c", "from articleaudio.cli.app import main; main()", "watch"]
    return [*args, f"{site.base}/feed.xml", "-o", str(out), "--once", "--allow-private"]


def _env() -> dict[str, str]:
    root = Path(__file__).resolve().parents[2]
    return {**os.environ, "PYTHONPATH": str(root / "src"), "PYTHONUNBUFFERED": "1"}


def _on_a_terminal(command: list[str]) -> tuple[int, str]:
    """Run ``command`` with its stdout and stderr on a pseudo-terminal 120 columns wide."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
    proc = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=_env()
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # EIO: the last process holding the terminal has gone
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    return proc.wait(timeout=300), b"".join(chunks).decode()


@pytest.mark.slow
def test_watch_shows_its_step_on_a_terminal_and_one_line_per_event_piped(
    site: Site, tmp_path: Path
) -> None:
    site.pages["/alpha.html"] = page("Alpha story", *story("Alpha")[:2])
    site.pages["/feed.xml"] = feed(site, "alpha")
    alpha = re.escape(f"{site.base}/alpha.html")

    code, screen = _on_a_terminal(_watch_command(site, tmp_path / "tty"))
    assert code == 0, screen
    # The step it is on, rewritten in place: polling, then the build's bar up to full.
    steps = screen.split("\r\x1b[K")
    assert any(re.match(rf"\d\d:\d\d:\d\d polling +{re.escape(site.base)}", s) for s in steps)
    bars = [
        m
        for s in steps
        if (m := re.fullmatch(rf"building {alpha} \[([#-]{{24}})\] (\d+)/(\d+)", s))
    ]
    assert len(bars) >= 2 and bars[-1][1] == "#" * 24 and bars[-1][2] == bars[-1][3]
    assert [int(m[2]) for m in bars] == sorted(int(m[2]) for m in bars)
    # What it found and built stays on screen as lines.
    lasting = [line for s in steps for line in s.splitlines() if line.strip()]
    assert any(
        re.fullmatch(rf"\d\d:\d\d:\d\d new +{alpha}: job [0-9a-f]{{32}}", s) for s in lasting
    )
    assert any(re.fullmatch(rf"\d\d:\d\d:\d\d built +{alpha}: alpha-story", s) for s in lasting)
    assert screen.endswith("\r\x1b[K")  # the status line erased at the end

    piped = subprocess.run(
        _watch_command(site, tmp_path / "pipe"), capture_output=True, text=True, env=_env()
    )
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stdout + piped.stderr and "\x1b" not in piped.stdout + piped.stderr
    kinds = [line.split()[1].rstrip(":") for line in piped.stdout.splitlines()]
    assert kinds == ["polling", "new", "building", "started", "built"]
    assert piped.stderr == ""
