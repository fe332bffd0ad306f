"""Shared fixtures: the real voice's episode is built once per test session."""

from __future__ import annotations

import multiprocessing.process
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from articleaudio.pipeline import Built, build_episode
from articleaudio.settings import BuildSettings

from . import publish_fixtures

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "riverside-library.md"
SHARED_PAGES = ROOT.parent / "shared" / "samples" / "pages"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' synthesis cache and voices out of the user's own folders."""
    os.environ["ARTICLEAUDIO_CACHE"] = str(tmp_path_factory.mktemp("segment-cache"))
    os.environ["XDG_DATA_HOME"] = str(tmp_path_factory.mktemp("data-home"))
    publish_fixtures.TONES.folder = tmp_path_factory.mktemp("tones")


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
    own = multiprocessing.process.current_process()._config.get("tempdir")
    left = sorted(p.name for p in folder.iterdir() if str(p) != own)
    assert not left, f"the tests left {left} in the temporary folder {folder}"


@pytest.fixture(scope="session")
def real_episode(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled sample built with the real Piper voice and the real ffmpeg."""
    out = tmp_path_factory.mktemp("real-output")
    return build_episode(str(SAMPLE), BuildSettings(output=out))
