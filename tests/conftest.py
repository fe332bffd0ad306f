"""Shared fixtures: the real voice's episode is built once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from articleaudio.pipeline import BuildSettings, Built, build_episode

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "riverside-library.md"
SHARED_PAGES = ROOT.parent / "shared" / "samples" / "pages"


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Keep the tests' synthesis cache out of the user's cache directory."""
    os.environ["ARTICLEAUDIO_CACHE"] = str(tmp_path_factory.mktemp("segment-cache"))


@pytest.fixture(scope="session")
def real_episode(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled sample built with the real Piper voice and the real ffmpeg."""
    out = tmp_path_factory.mktemp("real-output")
    return build_episode(str(SAMPLE), BuildSettings(output=out))
