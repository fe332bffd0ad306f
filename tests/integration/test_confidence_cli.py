"""The confidence score at the command line: ``extract --json`` prints it, ``build`` warns
below the threshold and goes on, ``build --strict`` refuses and writes nothing."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from articleaudio.cli.app import cli

from ..support.paths import DATA

ARTICLEAUDIO = Path(sys.executable).parent / "articleaudio"
STORY = """Council votes for a tram line through the centre

The city council voted on Monday to build a tram line through the city centre. Work
starts in May and will take two years, the council said.

Shops along the route will get help with their rent while the street is closed, the
mayor said.
"""
WARNING = re.compile(
    r"Warning: story\.txt: extraction confidence (0\.\d\d) is below 0\.99; "
    r"check the article text"
)


def _build(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(ARTICLEAUDIO), "build", "story.txt", "-o", "out", "-j", "1", *args]
    return subprocess.run(command, cwd=cwd, env=dict(os.environ), capture_output=True, text=True)


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    (tmp_path / "story.txt").write_text(STORY, encoding="utf-8")
    return tmp_path


def test_extract_json_gives_the_confidence() -> None:
    page = DATA / "extract" / "es-html-incendio" / "input.html"
    result = CliRunner().invoke(cli, ["extract", str(page), "--json"])
    assert result.exit_code == 0, result.output
    confidence = json.loads(result.stdout)["confidence"]
    assert isinstance(confidence, float) and 0.0 <= confidence <= 1.0


def test_extract_json_scores_markdown_one(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Tram\n\nThe tram runs again.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["extract", str(tmp_path / "a.md"), "--json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["confidence"] == 1.0


def test_strict_refuses_a_low_score_and_writes_nothing(newsroom: Path) -> None:
    refused = _build(newsroom, "--min-confidence", "0.99", "--strict")
    assert refused.returncode == 1
    (line,) = refused.stderr.splitlines()
    assert line.startswith("Error: story.txt: extraction confidence 0.")
    assert line.endswith("is below 0.99; check the article text (refused: --strict)")
    assert refused.stdout == ""
    assert not (newsroom / "out").exists()


def test_build_warns_below_the_threshold_and_goes_on(newsroom: Path) -> None:
    warned = _build(newsroom, "--min-confidence", "0.99", "--json")
    assert warned.returncode == 0, warned.stderr
    (line,) = warned.stderr.splitlines()
    found = WARNING.fullmatch(line)
    assert found, line
    record = json.loads(warned.stdout)
    assert record["status"] == "built" and record["confidence"] == float(found[1])
    (meta,) = (newsroom / "out").glob("episodes/*/episode.json")
    assert "confidence" not in meta.read_text(encoding="utf-8")  # episode.json is unchanged

    quiet = _build(newsroom)  # the default threshold: this clean copy passes it
    assert quiet.returncode == 0 and quiet.stderr == ""
    assert quiet.stdout.startswith("unchanged ")


def test_help_names_the_threshold() -> None:
    result = CliRunner().invoke(cli, ["build", "--help"])
    assert "--min-confidence" in result.output and "0.6" in result.output
