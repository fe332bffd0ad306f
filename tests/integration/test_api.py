"""The public API: the README's Python example runs, and ``import articleaudio`` stays cheap."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import articleaudio
from articleaudio import pipeline

from ..support.fake_synthesizer import FakeSynthesizer
from ..support.paths import ROOT


def readme_example() -> str:
    """The Python block under the README's "Python API" heading."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Python API", 1)[1]
    found = re.search(r"```python\n(.*?)```", section, re.S)
    assert found, "the README's Python API section has no python block"
    return found.group(1)


def test_readme_example_builds_an_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "samples").mkdir()
    shutil.copy(ROOT / "samples" / "riverside-library.md", tmp_path / "samples")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEAUDIO_CACHE", str(tmp_path / "cache"))
    real = pipeline.open_synthesis  # the example as written, with the fake voice
    monkeypatch.setattr(
        pipeline, "open_synthesis", lambda settings, _=None: real(settings, FakeSynthesizer())
    )
    exec(compile(readme_example(), "README.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Riverside library reopens eight months after flood repairs"
    assert out[1].startswith("title ")
    audio = Path(out[-1].split(" ", 1)[1])
    assert out[-1].startswith("built ") and audio.is_file() and audio.suffix == ".mp3"
    assert audio.parts[:2] == ("output", "episodes")


def test_every_public_name_resolves() -> None:
    assert len(set(articleaudio.__all__)) == len(articleaudio.__all__)
    for name in articleaudio.__all__:
        assert getattr(articleaudio, name) is not None, name
    with pytest.raises(AttributeError):
        _ = articleaudio.no_such_name


def test_import_loads_no_stage() -> None:
    code = "import sys, articleaudio; print(sorted(m for m in sys.modules if 'articleaudio' in m))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['articleaudio', 'articleaudio._lazy', 'articleaudio.version']"
