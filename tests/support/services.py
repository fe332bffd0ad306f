"""Real PostgreSQL and Redis servers for the tests, private to the test session.

Both listen on a free 127.0.0.1 port, keep their data in a temporary directory
and are stopped when the session ends. The binaries are Debian's
(``scripts/install-services.sh`` installs them, as ``make test`` does); when one
is missing, a test using it is skipped with the reason.

Fixtures (import them into a layer's conftest.py)::

    postgres_url        session: URL of a database on the session's PostgreSQL
    fresh_postgres_url  function: URL of a new, empty database on that server
    redis_url           session: URL of database 0 on the session's Redis
    fresh_redis_url     function: the same Redis, emptied (FLUSHALL) first

Outside pytest (benchmarks), :func:`running_postgres` and :func:`running_redis`
are the context managers behind the fixtures.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

POSTGRES_BIN_GLOB = "/usr/lib/postgresql/*/bin"
"""Where Debian puts the server binaries (versioned: not on PATH)."""
POSTGRES_USER = "articleaudio"
"""The superuser initdb creates; trust authentication on loopback only."""
POSTGRES_RUN_AS = ("postgres", "nobody")
"""PostgreSQL refuses to run as root: the first of these accounts that exists runs it then."""
START_TIMEOUT = 30.0
"""Seconds a server may take to accept connections."""
# Durability is not what the tests measure; these make initdb and commits fast.
POSTGRES_FAST = ("fsync=off", "synchronous_commit=off", "full_page_writes=off")


@dataclass(frozen=True)
class PostgresServer:
    """A running private PostgreSQL."""

    port: int
    """The 127.0.0.1 TCP port."""
    bin_dir: Path
    """Folder of initdb, postgres, createdb."""

    def url(self, database: str = "postgres") -> str:
        """The ``postgresql://`` URL of ``database``, as a user would write it."""
        return f"postgresql://{POSTGRES_USER}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        """Create the empty database ``name``; return its URL."""
        createdb = [str(self.bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(self.port)]
        subprocess.run([*createdb, "-U", POSTGRES_USER, name], check=True, capture_output=True)
        return self.url(name)


@dataclass(frozen=True)
class RedisServer:
    """A running private Redis."""

    port: int
    """The 127.0.0.1 TCP port."""

    def url(self, db: int = 0) -> str:
        """The ``redis://`` URL of database ``db``."""
        return f"redis://127.0.0.1:{self.port}/{db}"

    def command(self, *words: str) -> bytes:
        """Send one command (inline protocol); return the first reply line."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as conn:
            conn.sendall((" ".join(words) + "\r\n").encode())
            return conn.makefile("rb").readline().rstrip(b"\r\n")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def postgres_bin_dir() -> Path | None:
    """The newest Debian PostgreSQL binaries folder, if one is installed."""
    found = sorted(glob.glob(POSTGRES_BIN_GLOB), key=lambda p: int(Path(p).parent.name))
    return Path(found[-1]) if found else None


@dataclass(frozen=True)
class _Account:
    """Who runs PostgreSQL: ``None`` ids mean this process's own account."""

    uid: int | None = None
    gid: int | None = None

    @property
    def groups(self) -> list[int] | None:
        """Supplementary groups: none when switching account (root's must not leak)."""
        return None if self.uid is None else []


def _run_as() -> _Account:
    """PostgreSQL refuses to run as root: then the first account of POSTGRES_RUN_AS runs it."""
    if os.geteuid() != 0:
        return _Account()
    for name in POSTGRES_RUN_AS:
        with contextlib.suppress(KeyError):
            entry = pwd.getpwnam(name)
            return _Account(uid=entry.pw_uid, gid=entry.pw_gid)
    raise RuntimeError(f"running as root and none of {POSTGRES_RUN_AS} exists to run PostgreSQL")


def _wait_until(ready: Callable[[], bool], proc: subprocess.Popen[bytes], what: str) -> None:
    """Poll ``ready()`` until true; fail if ``proc`` exits or time runs out."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode} while starting")
        with contextlib.suppress(OSError, subprocess.CalledProcessError):
            if ready():
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not accept connections within {START_TIMEOUT} s")


def _stop(proc: subprocess.Popen[bytes], sig: int) -> None:
    """Ask ``proc`` to shut down with ``sig``; kill it if it does not within 20 s."""
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextlib.contextmanager
def running_postgres(bin_dir: Path) -> Iterator[PostgresServer]:
    """Start a private PostgreSQL from ``bin_dir``; stop it and remove its data on exit."""
    account = _run_as()
    # Not pytest's tmp_path (nor a TMPDIR under it): its parents are 0700, and the
    # server may run as another account, which must reach its folder.
    shared = "/tmp" if account.uid is not None else None
    root = Path(tempfile.mkdtemp(prefix="articleaudio-pg-", dir=shared))
    try:
        _give(root, account)
        data = root / "data"
        initdb = [str(bin_dir / "initdb"), "-D", str(data), "-U", POSTGRES_USER]
        flags = ["--auth=trust", "--no-sync", "--encoding=UTF8", "--locale=C.UTF-8"]
        subprocess.run(
            [*initdb, *flags],
            check=True,
            capture_output=True,
            user=account.uid,
            group=account.gid,
            extra_groups=account.groups,
        )
        proc = _start_postgres(bin_dir, root, account)
        try:
            yield PostgresServer(port=proc.port, bin_dir=bin_dir)
        finally:
            _stop(proc.process, signal.SIGINT)  # SIGINT: "fast" shutdown
    finally:
        shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True)
class _Started:
    process: subprocess.Popen[bytes]
    port: int


def _give(folder: Path, account: _Account) -> None:
    """Make ``folder`` the account's own (it is ours already when not switching)."""
    if account.uid is not None and account.gid is not None:
        os.chown(folder, account.uid, account.gid)


def _start_postgres(bin_dir: Path, root: Path, account: _Account) -> _Started:
    """Start the server on a free port, its unix socket in its own folder; wait until ready."""
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    _give(sockets, account)
    port = free_port()
    settings = ["listen_addresses=127.0.0.1", f"port={port}", f"unix_socket_directories={sockets}"]
    options = [arg for setting in (*settings, *POSTGRES_FAST) for arg in ("-c", setting)]
    with open(root / "server.log", "ab") as log:  # the child keeps its own copy of the fd
        proc = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(data), *options],
            stdout=log,
            stderr=subprocess.STDOUT,
            user=account.uid,
            group=account.gid,
            extra_groups=account.groups,
        )
    isready = [str(bin_dir / "pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]

    def ready() -> bool:
        return subprocess.run(isready, check=False).returncode == 0

    _wait_until(ready, proc, "postgres")
    return _Started(process=proc, port=port)


@contextlib.contextmanager
def running_redis(binary: str) -> Iterator[RedisServer]:
    """Start a private ``redis-server`` (no persistence); stop it and remove its folder on exit."""
    root = Path(tempfile.mkdtemp(prefix="articleaudio-redis-"))
    port = free_port()
    options = ["--bind", "127.0.0.1", "--port", str(port), "--dir", str(root)]
    nothing_kept = ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    proc = subprocess.Popen(
        [binary, *options, *nothing_kept, "--logfile", str(root / "redis.log")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = RedisServer(port=port)
    try:
        _wait_until(lambda: server.command("PING") == b"+PONG", proc, "redis-server")
        yield server
    finally:
        _stop(proc, signal.SIGTERM)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's PostgreSQL; skips the test when PostgreSQL is not installed."""
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip(
            f"PostgreSQL is not installed ({POSTGRES_BIN_GLOB}); scripts/install-services.sh"
        )
    with running_postgres(bin_dir) as server:
        yield server


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PostgresServer) -> str:
    """A database on the session's PostgreSQL, shared by the session's tests."""
    return postgres_server.create_database("articleaudio")


@pytest.fixture
def fresh_postgres_url(postgres_server: PostgresServer) -> str:
    """A new, empty database for one test."""
    return postgres_server.create_database(f"test_{uuid.uuid4().hex[:12]}")


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    """The session's Redis; skips the test when redis-server is not installed."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed; scripts/install-services.sh")
    with running_redis(binary) as server:
        yield server


@pytest.fixture(scope="session")
def redis_url(redis_server: RedisServer) -> str:
    """Database 0 of the session's Redis."""
    return redis_server.url()


@pytest.fixture
def fresh_redis_url(redis_server: RedisServer) -> str:
    """The session's Redis, emptied for one test."""
    assert redis_server.command("FLUSHALL") == b"+OK"
    return redis_server.url()
