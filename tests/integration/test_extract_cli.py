"""``articleaudio extract`` through click's CliRunner, on a throwaway group like the real one."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from articleaudio.cli.common import _Group
from articleaudio.cli.extract import extract_command

from ..support.paths import DATA

CASE = DATA / "extract" / "es-html-incendio"


def _cli() -> click.Group:
    group = _Group()
    group.add_command(extract_command)
    return group


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(_cli(), list(args))
    return result.exit_code, result.output


def test_prints_title_blank_line_and_paragraphs() -> None:
    code, output = _run("extract", str(CASE / "input.html"))
    assert code == 0
    assert output == (CASE / "expected.txt").read_text(encoding="utf-8").strip() + "\n"


def test_json_output_has_metadata_and_blocks() -> None:
    code, output = _run("extract", str(CASE / "input.html"), "--json")
    assert code == 0
    data = json.loads(output)
    assert data["title"] == "Un incendio forestal obliga a desalojar tres pueblos en Valencia"
    assert data["published"] == "2024-07-08T09:15:00+02:00"
    assert data["language"] == "es"
    assert {"kind": "heading", "text": "Un perímetro de 18 kilómetros"} in data["blocks"]


def test_format_option_forces_plain_text(tmp_path: Path) -> None:
    page = tmp_path / "page.html"
    page.write_text(
        "Ein kurzer Titel für den Text\n\nDer Stadtrat hat am Montag beschlossen, dass die Brücke "
        "noch sechs Wochen gesperrt bleibt, weil Risse gefunden wurden.\n",
        encoding="utf-8",
    )
    code, output = _run("extract", str(page), "--format", "text")
    assert code == 0
    assert output.startswith("Ein kurzer Titel für den Text\n\nDer Stadtrat")


def test_missing_file_is_one_error_line(tmp_path: Path) -> None:
    code, output = _run("extract", str(tmp_path / "nope.html"))
    assert code == 1
    assert output == f"Error: {tmp_path / 'nope.html'} does not exist\n"


def test_page_without_article_is_one_error_line(tmp_path: Path) -> None:
    page = tmp_path / "menu.txt"
    page.write_text("\n".join(["Home", "News", "Sport", "Sign in"] * 6), encoding="utf-8")
    code, output = _run("extract", str(page))
    assert code == 1
    assert output.startswith("Error: no article text found")


def test_bad_format_is_a_usage_error() -> None:
    code, output = _run("extract", str(CASE / "input.html"), "--format", "pdf")
    assert code == 2
    assert "Invalid value for '--format'" in output


@pytest.mark.parametrize("flag", ["--help"])
def test_help_explains_the_command(flag: str) -> None:
    code, output = _run("extract", flag)
    assert code == 0
    assert "Print the article found in SOURCE" in output
    assert "--format [html|markdown|text|json]" in output
    assert "Example: articleaudio extract" in output


def test_text_read_as_html_prints_no_library_log_lines(tmp_path: Path) -> None:
    """trafilatura logs ERROR for text it is handed as HTML; the extractor copes, so stay quiet."""
    import subprocess
    import sys

    note = tmp_path / "note.txt"
    note.write_text("Hello world.\n\nThis is a plain text note with a few words.\n", "utf-8")
    command = [str(Path(sys.executable).parent / "articleaudio"), "extract", str(note)]
    quiet = subprocess.run([*command, "--format", "html"], capture_output=True, text=True)
    assert quiet.returncode == 0 and "plain text note" in quiet.stdout
    assert "trafilatura" not in quiet.stderr and quiet.stderr == ""
    # They are still there for whoever asks for them.
    verbose = subprocess.run(
        [command[0], "-v", *command[1:], "--format", "html"], capture_output=True, text=True
    )
    assert "ERROR trafilatura" in verbose.stderr and "INFO articleaudio." in verbose.stderr
