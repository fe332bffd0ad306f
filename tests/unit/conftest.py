"""Fixtures of the unit layer: its one rule, kept by a fixture rather than hoped for.

Unit tests run in-process: pure functions, and stages fed by the fake synthesizer
(tests/support/fake_synthesizer.py) writing into ``tmp_path``. They start no
process, so neither the CLI in a subprocess nor ffmpeg; such a test belongs in
tests/integration/.
"""

from __future__ import annotations

import subprocess
from typing import Any

import pytest


class _NoProcess(subprocess.Popen[Any]):
    def __init__(self, args: Any, *_: object, **__: object) -> None:
        raise AssertionError(
            f"a unit test started {args!r}; tests that run processes belong in tests/integration"
        )

    def __del__(self) -> None:  # nothing was started, so nothing to reap
        pass


@pytest.fixture(autouse=True)
def _no_processes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail a unit test that starts a process (ffmpeg, the CLI, node)."""
    monkeypatch.setattr(subprocess, "Popen", _NoProcess)
