"""``articleaudio embed --review``: the editors' page as written on disk, the CLI's
errors, and that nothing public shows it (the feed, the episode's files, ``serve``).

What it does in a browser is in tests/browser/test_review_page.py.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import click
import pytest
from click.testing import CliRunner

from articleaudio import layout
from articleaudio.cli import player as cli_player
from articleaudio.cli.common import _Group
from articleaudio.models import Episode
from articleaudio.web import player
from articleaudio.web.review import REVIEW_MODULES, review_script

from ..support.check_reports import flag_record, report_record, write_report
from ..support.episodes import HOSTILE_SENTENCE, HOSTILE_TITLE, make_library
from ..support.servers import running_server
from .test_player import parse

SLUG = "bridge"
ASSETS = Path(player.__file__).parent / "assets"
HOSTILE_HEARD = "</script><script>window.pwned=1</script><!-- & \u2028 <img src=x onerror=1>"


def run_cli(*args: str) -> click.testing.Result:
    group = _Group("articleaudio")
    group.add_command(cli_player.embed)
    return CliRunner().invoke(group, list(args))


def report(episode: Episode, **extra: Any) -> dict[str, Any]:
    flags = [
        flag_record(4, episode.timeline, score=0.4, heard=HOSTILE_HEARD),
        flag_record(7, episode.timeline, kind="number", score=0.9, suggestion="Tolls=Toals"),
    ]
    return report_record(episode.slug, episode.timeline, flags, **extra)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file of the library, by path: to show that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_review_page_is_written_beside_the_episode_and_its_address_printed(
    tmp_path: Path,
) -> None:
    folder, episode = make_library(tmp_path, SLUG)
    write_report(folder, report(episode))
    before = snapshot(tmp_path)
    result = run_cli("embed", SLUG, "-o", str(tmp_path), "--review")
    assert result.exit_code == 0, result.output
    page = folder / layout.REVIEW_FILE
    assert result.output == page.resolve().as_uri() + "\n"
    after = snapshot(tmp_path)
    # Only the review page is new: no embed page, and the episode record (its
    # public files list, which the feed and the API read) is untouched.
    assert set(after) - set(before) == {f"episodes/{SLUG}/{layout.REVIEW_FILE}"}
    assert all(after[name] == data for name, data in before.items())
    assert layout.REVIEW_FILE not in layout.read_episode(folder).files.values()


def test_page_carries_the_report_escaped_under_its_own_policy(tmp_path: Path) -> None:
    folder, episode = make_library(tmp_path, "hostile", hostile=True)
    write_report(folder, report(episode))
    assert run_cli("embed", "hostile", "-o", str(tmp_path), "--review").exit_code == 0
    text = (folder / layout.REVIEW_FILE).read_text(encoding="utf-8")
    page = parse(text)
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None]
    assert {tag for tag, _ in page.tags} <= {  # no <img> or second <script> from the text
        *("html", "head", "meta", "link", "title", "style", "body", "article-audio"),
        *("noscript", "p", "audio", "script"),
    }
    data = json.loads(page.scripts[0][1])
    flags = data["review"]["flags"]
    assert [f["index"] for f in flags] == [7, 4]  # as the report lists them
    assert flags[1]["heard"] == HOSTILE_HEARD  # the very text, escaped only for transport
    assert data["episode"]["timeline"]["cues"][4]["text"] == HOSTILE_SENTENCE
    assert "</script><script>" not in page.scripts[0][1]
    assert page.title == "Review: " + HOSTILE_TITLE.replace("\u0007", "")
    # The review's script, not the public player's, is the one the policy allows.
    script = page.scripts[1][1]
    assert script == review_script() and script != player.player_script()
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    policy = next(a["content"] for t, a in page.tags if a.get("http-equiv"))
    assert policy is not None and f"script-src 'sha256-{digest}';" in policy
    robots = [a.get("content") for t, a in page.tags if t == "meta" and a.get("name") == "robots"]
    assert robots == ["noindex, nofollow"]


def test_public_player_has_none_of_the_review(tmp_path: Path) -> None:
    folder, episode = make_library(tmp_path, SLUG)
    write_report(folder, report(episode))
    embed = player.write_embed(folder, episode).read_text(encoding="utf-8")
    for public in (embed, player.player_script()):
        assert "defineArticleAudioReview" not in public and "aa-flagged" not in public
        assert HOSTILE_HEARD not in public and "Tolls=Toals" not in public


def test_no_report_is_one_error_line_and_nothing_written(tmp_path: Path) -> None:
    make_library(tmp_path, SLUG)
    before = snapshot(tmp_path)
    result = run_cli("embed", SLUG, "-o", str(tmp_path), "--review")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no check report for {SLUG}; run articleaudio check {SLUG} first\n"
    )
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"version": 2}, "(version 2; this articleaudio reads version 1)"),
        ({"wer": "low"}, "(wer is a string, not a number)"),
        ({"flags": [{"index": 1}]}, "(no field flags[0].start)"),
        ({"slug": "other"}, "(it is the report of episode 'other')"),
        (
            {"scores": [{"index": 9, "start": 0, "end": 1, "score": 0, "flagged": False}]},
            "(it names sentence 9, but the episode has 9 (0 to 8))",
        ),
    ],
    ids=["version", "type", "missing-field", "other-episode", "no-such-sentence"],
)
def test_a_report_not_of_the_schema_is_one_error_line_and_nothing_written(
    tmp_path: Path, change: dict[str, Any], reason: str
) -> None:
    folder, episode = make_library(tmp_path, SLUG)
    path = write_report(folder, report(episode) | change)
    before = snapshot(tmp_path)
    result = run_cli("embed", SLUG, "-o", str(tmp_path), "--review")
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {path} is not a check report this articleaudio can show {reason}; "
        f"run articleaudio check {SLUG} again\n"
    )
    assert snapshot(tmp_path) == before


def test_review_has_no_snippet_to_print(tmp_path: Path) -> None:
    make_library(tmp_path, SLUG)
    result = run_cli("embed", SLUG, "-o", str(tmp_path), "--review", "--script")
    assert result.exit_code == 2
    assert "--review writes a page for editors, with no snippet; drop --script" in result.output


def _status(url: str, path: str) -> int:
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def test_serve_keeps_the_review_and_the_report_private(tmp_path: Path) -> None:
    folder, episode = make_library(tmp_path, SLUG)
    write_report(folder, report(episode))
    player.write_embed(folder, episode)
    assert run_cli("embed", SLUG, "-o", str(tmp_path), "--review").exit_code == 0
    os.symlink(folder / layout.REVIEW_FILE, tmp_path / "latest.html")  # inside, but the page
    with running_server(tmp_path) as url:
        base = f"/{layout.EPISODES_DIR}/{SLUG}/"
        assert _status(url, base) == 200  # the folder shows the public player
        assert _status(url, base + layout.EMBED_FILE) == 200
        for path in (base + layout.REVIEW_FILE, base + layout.CHECK_FILE, "/latest.html"):
            assert _status(url, path) == 404, path


def test_review_script_is_the_player_and_the_review_in_one_scope(tmp_path: Path) -> None:
    script = review_script()
    css = "".join(
        (ASSETS / name).read_text(encoding="utf-8") for name in ("player.css", "review.css")
    )
    assert script.endswith(f"defineArticleAudioReview({player.script_json(css)});\n}})();\n")
    at = [script.index(f"// {name}\n") for name in player.PLAYER_MODULES + REVIEW_MODULES]
    assert at == sorted(at)  # the review's modules come after the player's they import
    if shutil.which("node") is not None:
        (tmp_path / "review.js").write_text(script, encoding="utf-8")
        checked = subprocess.run(["node", "--check", str(tmp_path / "review.js")], check=False)
        assert checked.returncode == 0
