"""The ``script`` command: the dry run of the text stages, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from articleaudio.cli.common import _Group
from articleaudio.cli.speech import script

ARTICLE = """# Kyiv talks stall

Dr. Patel said the U.S. would pay $3.4bn by Oct. 2–4. It was -8°C in Kyiv.

## Markets

The OSCE met at 09:45 — briefly.
"""


@pytest.fixture
def cli() -> click.Group:
    group = _Group()
    group.add_command(script)
    return group


@pytest.fixture
def article(tmp_path: Path) -> Path:
    path = tmp_path / "talks.md"
    path.write_text(ARTICLE, encoding="utf-8")
    return path


def test_script_prints_what_will_be_spoken(cli: click.Group, article: Path) -> None:
    result = CliRunner().invoke(cli, ["script", str(article)])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "  0 title      Keev talks stall"
    said = "Doctor Patel said the U-S would pay three point four billion dollars by October"
    assert f"  2 sentence   {said} second to fourth." in lines
    assert "  3 sentence   It was minus eight degrees Celsius in Keev." in lines
    assert "  4 heading    Markets" in lines
    assert lines[-1] == "  5 sentence   The O-S-C-E met at nine forty-five, briefly."
    assert result.stderr == ""


def test_script_json_keeps_original_wording(cli: click.Group, article: Path) -> None:
    result = CliRunner().invoke(cli, ["script", str(article), "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["index"] for r in rows] == list(range(len(rows)))
    heading = next(r for r in rows if r["role"] == "heading")
    assert heading == {
        "index": 4,
        "role": "heading",
        "text": "Markets",
        "spoken": "Markets",
        "paragraph": 1,
        "chapter": "Markets",
    }
    assert rows[3]["text"] == "It was -8°C in Kyiv."


def test_script_applies_user_lexicon_and_warns_about_unmatched(
    cli: click.Group, article: Path, tmp_path: Path
) -> None:
    lexicon = tmp_path / "names.toml"
    lexicon.write_text(
        '[[entry]]\nword = "Patel"\nphonemes = "pəˈtɛl"\n\n[[entry]]\nword = "Kyvi"\nsay = "x"\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["script", str(article), "--lexicon", str(lexicon)])
    assert result.exit_code == 0, result.output
    assert "Doctor [[ pəˈtɛl ]] said" in result.stdout
    assert result.stderr == f"Warning: lexicon entry 'Kyvi' ({lexicon}) matched nothing\n"


def test_script_rejects_ipa_the_voice_lacks(
    cli: click.Group, article: Path, tmp_path: Path
) -> None:
    lexicon = tmp_path / "bad.toml"
    lexicon.write_text('[[entry]]\nword = "Patel"\nphonemes = "pǎtel"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["script", str(article), "--lexicon", str(lexicon)])
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: lexicon phonemes unknown to voice en_US-joe-medium: 'Patel' ({lexicon}) uses ǎ."
    )


def test_script_missing_source_is_one_error_line(cli: click.Group, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["script", str(tmp_path / "nope.md")])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert len(result.stderr.splitlines()) == 1


def test_script_has_help_with_an_example(cli: click.Group) -> None:
    result = CliRunner().invoke(cli, ["script", "--help"])
    assert result.exit_code == 0
    assert "Print exactly what the voice will say" in result.stdout
    assert "Example: articleaudio script" in result.stdout


def test_script_unknown_voice_is_one_error_line(cli: click.Group, article: Path) -> None:
    result = CliRunner().invoke(cli, ["script", str(article), "--voice", "xx_XX-nobody-low"])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: voice 'xx_XX-nobody-low' not found")
