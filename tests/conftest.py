"""Session-wide fixtures every layer gets: a private cache and data folder, and no
temporary files left behind. Each layer's own fixtures are in its conftest.py."""

from __future__ import annotations

import multiprocessing.process
import os
import signal
import tempfile
from collections.abc import Iterator

import pytest

from .support import episodes


@pytest.fixture(autouse=True, scope="session")
def _ctrl_c_reaches_the_builds() -> None:
    """Give the builds the tests start an ordinary Ctrl-C.

    A suite started in the background of a non-interactive shell (``make test &``,
    a CI runner's job) inherits SIGINT ignored, POSIX says so, and passes that on to
    every process it starts: the Ctrl-C tests would then see a build ignore the
    signal and finish. A handler, unlike an ignored signal, is reset at exec, so
    with Python's own handler here every build starts with the default.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' synthesis cache and voices out of the user's own folders."""
    os.environ["ARTICLEAUDIO_CACHE"] = str(tmp_path_factory.mktemp("segment-cache"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    episodes.TONES.folder = tmp_path_factory.mktemp("tones")


@pytest.fixture(autouse=True, scope="session")
def _no_temporary_leftovers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Send every temporary file of the session (ours, the CLI's in subprocesses, tools')
    to one folder inside pytest's own, and fail the run if anything is left in it.

    pytest keeps its last three base folders and removes older ones; anything made
    with :mod:`tempfile` outside them would stay in ``/tmp`` for good.
    """
    folder = tmp_path_factory.mktemp("tmpdir")  # pytest's base folder is chosen first
    saved = os.environ.get("TMPDIR"), tempfile.tempdir
    os.environ["TMPDIR"] = tempfile.tempdir = str(folder)
    try:
        yield
    finally:
        if saved[0] is None:
            os.environ.pop("TMPDIR", None)
        else:
            os.environ["TMPDIR"] = saved[0]
        tempfile.tempdir = saved[1]
    # multiprocessing keeps this process's fork-server socket in a pymp- folder that
    # it removes itself when the process exits, after this check.
    config: dict[str, object] = getattr(multiprocessing.process.current_process(), "_config", {})
    own = config.get("tempdir")
    left = sorted(p.name for p in folder.iterdir() if str(p) != own)
    assert not left, f"the tests left {left} in the temporary folder {folder}"
