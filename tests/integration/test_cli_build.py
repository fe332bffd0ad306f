"""The CLI: exit codes, exact error lines, nothing half-written, help and README."""

from __future__ import annotations

import json
import re
import wave
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from articleaudio.cli.app import cli

from ..support.audio import ebur128
from ..support.paths import ROOT

TINY = "# Short note\n\nBy Ann Lee\n\nThe bridge reopened on Monday. Traffic is light.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _run(runner: CliRunner, *args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(cli, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, _stdout, stderr = _run(runner, "build", str(tmp_path / "nope.md"), "-o", str(out))
    assert code == 1
    assert stderr.strip() == f"Error: {tmp_path / 'nope.md'} does not exist"
    assert not out.exists()


def test_directory_is_not_a_source(runner: CliRunner, tmp_path: Path) -> None:
    code, _stdout, stderr = _run(runner, "build", str(tmp_path), "-o", str(tmp_path / "o"))
    assert code == 1 and stderr.strip() == f"Error: {tmp_path} is not a file"


def test_unknown_voice(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text(TINY, encoding="utf-8")
    code, _stdout, stderr = _run(
        runner, "build", str(src), "--voice", "xx_XX-nobody", "-o", str(tmp_path / "out")
    )
    assert code == 1
    assert stderr.startswith("Error: voice 'xx_XX-nobody' not found in ")
    assert f"{tmp_path / 'out' / 'voices'}, ./voices, " in stderr  # the library's folder too
    assert "(available: en_US-joe-medium" in stderr
    assert "Traceback" not in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("content", ["", "   \n\n\t ", "# Only a title\n"])
def test_empty_article(runner: CliRunner, tmp_path: Path, content: str) -> None:
    src = tmp_path / "empty.md"
    src.write_text(content, encoding="utf-8")
    code, _stdout, stderr = _run(runner, "build", str(src), "-o", str(tmp_path / "out"))
    assert code == 1
    assert re.fullmatch(r"Error: .*(empty|no article|nothing to read|no body).*\n", stderr)
    assert not (tmp_path / "out" / "episodes").exists() or not any(
        (tmp_path / "out" / "episodes").iterdir()
    )


def test_binary_input(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_bytes(b"\x00\x01\x02binary")
    code, _stdout, stderr = _run(runner, "build", str(src), "-o", str(tmp_path / "out"))
    assert code == 1 and stderr.strip() == f"Error: {src} looks like binary data, not text"


def test_slug_with_several_sources_is_a_usage_error(runner: CliRunner) -> None:
    code, _stdout, stderr = _run(runner, "build", "a.md", "b.md", "--slug", "x")
    assert code == 2
    assert "--slug can only be used with a single source" in stderr


def test_hostile_slug_is_refused(runner: CliRunner, tmp_path: Path) -> None:
    src = tmp_path / "a.md"
    src.write_text(TINY, encoding="utf-8")
    code, _stdout, stderr = _run(
        runner, "build", str(src), "--slug", "../../etc", "-o", str(tmp_path / "out")
    )
    assert code == 1 and stderr.startswith("Error: invalid slug '../../etc'")
    assert not (tmp_path / "etc").exists()


@pytest.mark.slow
def test_batch_builds_good_articles_and_lists_failures(runner: CliRunner, tmp_path: Path) -> None:
    good = tmp_path / "good.md"
    good.write_text(TINY, encoding="utf-8")
    out = tmp_path / "out"
    code, stdout, stderr = _run(
        runner, "build", str(tmp_path / "missing.md"), str(good), "-o", str(out), "--json"
    )
    assert code == 1
    assert stderr.strip() == f"Error: {tmp_path / 'missing.md'} does not exist"
    record = json.loads(stdout)
    assert record["slug"] == "short-note"
    assert all(Path(p).is_file() for p in record["paths"].values())
    assert record["article"]["authors"] == ["Ann Lee"]


@pytest.mark.slow
def test_stdin_source_and_say(runner: CliRunner, tmp_path: Path) -> None:
    code, stdout, _ = _run(runner, "build", "-", "-o", str(tmp_path / "out"), stdin=TINY)
    assert code == 0 and "short-note.mp3" in stdout
    clip = tmp_path / "line.mp3"
    code, stdout, _ = _run(runner, "say", "Kyiv, 5% up", "-o", str(clip))
    assert code == 0 and stdout.strip() == str(clip)
    integrated, peak = ebur128(clip)
    assert -17.5 < integrated < -14.5 and peak <= -1.0


def test_bitrate_that_mp3_has_not_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    source = tmp_path / "a.md"
    source.write_text(TINY)
    code, _stdout, stderr = _run(runner, "build", str(source), "--bitrate", "65")
    assert code == 2 and "'65' is not one of '32', '40'" in stderr
    assert not (tmp_path / "output").exists()


@pytest.mark.slow
def test_say_writes_a_wav_mastered_like_the_episodes(runner: CliRunner, tmp_path: Path) -> None:
    clip = tmp_path / "line.wav"
    code, stdout, _ = _run(
        runner, "say", "Kyiv, Q1 2026: $3.4bn, said the council.", "-o", str(clip)
    )
    assert code == 0 and stdout.strip() == str(clip)
    with wave.open(str(clip), "rb") as wav:  # the stdlib reader: a plain RIFF WAVE file
        assert (wav.getnchannels(), wav.getsampwidth(), wav.getcomptype()) == (1, 2, "NONE")
        assert wav.getframerate() == 22050  # en_US-joe-medium's own rate, not resampled
        assert wav.getnframes() > 22050
    integrated, peak = ebur128(clip)
    assert -16.5 < integrated < -15.5 and peak <= -1.0  # the episodes' target and ceiling


def test_say_refuses_unknown_suffix(runner: CliRunner, tmp_path: Path) -> None:
    code, _stdout, stderr = _run(runner, "say", "Hello", "-o", str(tmp_path / "x.xyz"))
    assert code == 1
    assert stderr.strip() == "Error: cannot write x.xyz: use a .mp3, .m4a, .opus or .wav file name"
    assert not list(tmp_path.iterdir())


def test_voices_lists_the_default(runner: CliRunner) -> None:
    code, stdout, _ = _run(runner, "voices", "--json")
    assert code == 0
    voices = [json.loads(line) for line in stdout.splitlines()]
    assert any(v["name"] == "en_US-joe-medium" and v["sample_rate"] == 22050 for v in voices)


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    """Every command and subcommand under ``group``, as the words that call it (the ones
    that load on demand included)."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        yield (*path, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*path, name))


def test_every_command_has_help_with_an_example_and_is_in_the_readme(runner: CliRunner) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme and "make test" in readme
    commands = [(), *_commands(cli)]
    assert ("cache", "info") in commands  # subcommands are walked too
    for words in commands:
        called = " ".join(("articleaudio", *words))
        code, stdout, _ = _run(runner, *words, "--help")
        assert code == 0, called
        help_text = stdout.split("Options:")[0]
        assert len(help_text.split("\n\n")) > 2, f"{called} has no help text"
        assert "Example: articleaudio" in help_text, f"{called} --help shows no example"
        assert f"{called}" in readme, f"README does not show `{called}`"


def test_build_help_names_every_kind_of_source(runner: CliRunner) -> None:
    code, stdout, _ = _run(runner, "build", "--help")
    assert code == 0
    help_text = " ".join(stdout.split())  # click rewraps the paragraph
    assert "http(s):// URLs" in help_text and "- for stdin" in help_text
    assert "built (new), rebuilt (changed) or unchanged" in help_text


@pytest.mark.slow
def test_build_says_whether_each_episode_was_built_rebuilt_or_unchanged(
    runner: CliRunner, tmp_path: Path
) -> None:
    src, out = tmp_path / "a.md", tmp_path / "out"
    src.write_text(TINY, encoding="utf-8")
    code, stdout, _ = _run(runner, "build", str(src), "-o", str(out), "--json")
    first = json.loads(stdout)
    assert code == 0 and first["status"] == "built"
    mp3 = Path(first["paths"]["audio"])
    before = mp3.stat()

    code, stdout, _ = _run(runner, "build", str(src), "-o", str(out))
    assert code == 0
    assert stdout.split()[:2] == ["unchanged", str(mp3)]
    after = mp3.stat()  # nothing written: the very same file
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

    src.write_text(TINY.replace("Monday", "Tuesday"), encoding="utf-8")
    code, stdout, _ = _run(runner, "build", str(src), "-o", str(out), "--json")
    again = json.loads(stdout)
    assert code == 0 and again["status"] == "rebuilt" and again["slug"] == first["slug"]
    assert mp3.stat().st_ino != before.st_ino and "Tuesday" in json.dumps(again["article"])


@pytest.mark.slow
def test_synthesis_leaves_nothing_in_tmp_or_home(tmp_path: Path) -> None:
    """ONNX Runtime's telemetry would write $TMPDIR/.ses and ~/.cache/Microsoft/…"""
    import os
    import subprocess
    import sys

    home, temp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temp.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "ORT_DISABLE_TELEMETRY"}
    env.update(HOME=str(home), TMPDIR=str(temp))
    clip = tmp_path / "hello.mp3"
    command = [str(Path(sys.executable).parent / "articleaudio"), "say", "Hello.", "-o", str(clip)]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert clip.stat().st_size > 1000
    assert sorted(p.name for p in temp.iterdir()) == []
    assert sorted(str(p.relative_to(home)) for p in home.rglob("*")) == []


def test_readme_pictures_are_there_and_small() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    pictures = re.findall(r"!\[[^\]]+\]\(([^)]+)\)", readme)
    assert "docs/player.png" in pictures
    for name in pictures:
        data = (ROOT / name).read_bytes()
        assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) < 150_000, name
