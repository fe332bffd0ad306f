"""``check`` without its optional extra: one ``Error:`` line naming it, and exit 1."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..support.paths import ROOT


def test_missing_extra_gives_one_error_line_and_exit_1(tmp_path: Path) -> None:
    """With faster-whisper unimportable, check says which extra to install."""
    program = (
        "import sys; sys.modules['faster_whisper'] = None; "
        "from articleaudio.cli import main; main()"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, "-c", program, "check", "some-episode", "-o", str(tmp_path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert "pip install 'articleaudio[check]'" in lines[0]
