"""The embed page as written on disk: self-contained, escaped, and the CLI around it.

What it does in a browser is in tests/browser/test_browser.py.
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from articleaudio.cli import player as cli_player
from articleaudio.cli.common import _Group
from articleaudio.errors import ConfigError, EpisodeReadError, SourceNotFoundError
from articleaudio.models import Episode
from articleaudio.web import player, review

from ..support.episodes import HOSTILE_SENTENCE, HOSTILE_TITLE, make_library
from ..support.paths import ROOT


class PageParser(HTMLParser):
    """Records what a browser's HTML parser would build from the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in {"script", "title"}:
            self._in = tag
            if tag == "script":
                self.scripts.append((dict(attrs), ""))

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script":
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)
        elif self._in == "title":
            self.title += data


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Episode]:
    return make_library(tmp_path / "out", "hostile", hostile=True)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    parser.close()
    return parser


def test_hostile_text_cannot_leave_its_data_block(hostile: tuple[Path, Episode]) -> None:
    folder, episode = hostile
    page = parse(player.write_embed(folder, episode).read_text(encoding="utf-8"))
    # Exactly the two scripts we wrote; no <img> or second <script> from the article.
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None]
    assert {tag for tag, _ in page.tags} <= {
        *("html", "head", "meta", "link", "title", "style", "body", "article-audio"),
        *("noscript", "p", "audio", "script"),
    }
    data = json.loads(page.scripts[0][1])
    record = json.loads(json.dumps(episode.to_dict()))
    del record["article"]["blocks"]  # the cues carry the text once
    assert data["episode"] == record
    assert data["episode"]["article"]["title"] == HOSTILE_TITLE
    assert HOSTILE_SENTENCE in [c["text"] for c in data["episode"]["timeline"]["cues"]]
    assert page.title == HOSTILE_TITLE.replace("\u0007", "")  # control characters dropped


def test_page_is_self_contained(hostile: tuple[Path, Episode]) -> None:
    folder, episode = hostile
    page = parse(player.write_embed(folder, episode).read_text(encoding="utf-8"))
    for tag, attrs in page.tags:
        for name in ("src", "href"):
            value = attrs.get(name)
            assert value is None or not re.match(r"[a-z]+:", value) or value == "data:,", (
                tag,
                value,
            )
    script = page.scripts[1][1]
    # Only the SVG namespace URI is an address, and it is never fetched.
    assert re.findall(r"https?://[^\s\"']+", script) == ["http://www.w3.org/2000/svg"]
    assert "@import" not in script and "url(" not in script and "fetch(" in script


def test_policy_allows_exactly_the_inline_script(hostile: tuple[Path, Episode]) -> None:
    page = parse(player.render_embed(hostile[1]))
    metas = [a for _, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    csp = metas[0]["content"]
    assert csp is not None
    digest = hashlib.sha256(page.scripts[1][1].encode()).digest()
    assert f"script-src 'sha256-{base64.b64encode(digest).decode()}'" in csp
    assert "default-src 'none'" in csp


def test_write_embed_is_atomic_and_readable(hostile: tuple[Path, Episode]) -> None:
    folder, episode = hostile
    page = player.write_embed(folder, episode)
    assert page == folder / "embed.html"
    assert (folder / "player.js").read_text() == player.player_script()
    assert not list(folder.glob(".*.tmp"))
    assert page.stat().st_mode & 0o044 == 0o044  # a web server can read it


def test_disclosure_link_goes_in_the_data(hostile: tuple[Path, Episode]) -> None:
    settings = player.PlayerSettings(disclosure_url="https://news.example/ai")
    page = parse(player.render_embed(hostile[1], settings))
    assert json.loads(page.scripts[0][1])["options"] == {"disclosureUrl": "https://news.example/ai"}
    with pytest.raises(ConfigError, match="http:// or https://"):
        player.render_embed(hostile[1], player.PlayerSettings(disclosure_url="javascript:alert(1)"))


def test_iframe_snippet(hostile: tuple[Path, Episode]) -> None:
    snippet = player.embed_snippet(hostile[1], "https://cdn.example/audio/")
    page = parse(snippet)
    tag, attrs = page.tags[0]
    assert tag == "iframe"
    assert attrs["src"] == "https://cdn.example/audio/episodes/hostile/embed.html"
    assert attrs["title"] == f"Audio version: {HOSTILE_TITLE}".replace("\u0007", "")
    assert "<script" not in snippet


def test_script_snippet(hostile: tuple[Path, Episode]) -> None:
    page = parse(player.script_snippet(hostile[1], "https://cdn.example/audio"))
    assert page.tags[0] == (
        "script",
        {"src": "https://cdn.example/audio/episodes/hostile/player.js", "defer": None},
    )
    assert page.tags[1][1]["src"] == "https://cdn.example/audio/episodes/hostile/episode.json"
    assert "disclosure-url" not in page.tags[1][1]
    settings = player.PlayerSettings(disclosure_url="https://n.example/ai?a=1&b=2")
    page = parse(player.script_snippet(hostile[1], "https://cdn.example/audio", settings))
    assert page.tags[1][1]["disclosure-url"] == "https://n.example/ai?a=1&b=2"


@pytest.mark.parametrize("base", ["ftp://x/", "javascript:alert(1)", "output/", ""])
def test_snippet_needs_a_web_address(hostile: tuple[Path, Episode], base: str) -> None:
    with pytest.raises(ConfigError, match="must be an http:// or https:// address"):
        player.embed_snippet(hostile[1], base)


@given(st.text())
def test_script_json_round_trips_and_cannot_close_the_script(text: str) -> None:
    encoded = player.script_json({"text": text})
    assert json.loads(encoded) == {"text": text}
    assert not set(encoded) & {"<", ">", "&", "\u2028", "\u2029"}


def test_load_episode_errors_say_what_to_do(tmp_path: Path) -> None:
    make_library(tmp_path, "bridge")
    # The one slug rule and message (layout.check_slug), as for build --slug.
    with pytest.raises(ConfigError, match=r"invalid slug '\.\./etc': slugs are lowercase"):
        player.load_episode(tmp_path, "../etc")
    with pytest.raises(SourceNotFoundError, match=r"\(available: bridge\); build it with"):
        player.load_episode(tmp_path, "nope")
    (tmp_path / "episodes" / "bridge" / "episode.json").write_text("{not json")
    with pytest.raises(EpisodeReadError, match="not a valid episode record") as caught:
        player.load_episode(tmp_path, "bridge")
    assert caught.value.path == tmp_path / "episodes" / "bridge" / "episode.json"


def run_cli(*args: str) -> click.testing.Result:
    group = _Group("articleaudio")
    group.add_command(cli_player.embed)
    group.add_command(cli_player.serve)
    return CliRunner().invoke(group, list(args))


def test_cli_embed_writes_page_and_prints_snippet(tmp_path: Path) -> None:
    folder, _ = make_library(tmp_path, "bridge")
    result = run_cli("embed", "bridge", "-o", str(tmp_path), "--base-url", "https://a.example/au")
    assert result.exit_code == 0, result.output
    assert result.output.startswith('<iframe src="https://a.example/au/episodes/bridge/embed.html"')
    assert (folder / "embed.html").is_file() and (folder / "player.js").is_file()
    result = run_cli("embed", "bridge", "-o", str(tmp_path), "--script")
    assert result.exit_code == 0
    assert (
        '<article-audio src="http://127.0.0.1:8000/episodes/bridge/episode.json"' in result.output
    )


def test_cli_errors_are_one_line(tmp_path: Path) -> None:
    make_library(tmp_path, "bridge")
    result = run_cli("embed", "nope", "-o", str(tmp_path))
    assert result.exit_code == 1
    assert result.output == (
        f"Error: no episode 'nope' in {tmp_path} (available: bridge); "
        f"build it with `articleaudio build ARTICLE -o {tmp_path}`\n"
    )
    result = run_cli("embed", "bridge", "-o", str(tmp_path), "--base-url", "example.org")
    assert result.output == "Error: base URL 'example.org' must be an http:// or https:// address\n"
    result = run_cli("serve", "-o", str(tmp_path / "missing"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: output folder {tmp_path / 'missing'} does not exist")


def test_cli_embed_uses_the_configured_base_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_library(tmp_path, "bridge")
    (tmp_path / "articleaudio.toml").write_text(
        '[podcast]\nbase_url = "https://pod.example/audio/"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("embed", "bridge", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert 'src="https://pod.example/audio/episodes/bridge/embed.html"' in result.output


PLAYER_DIR = Path(player.__file__).parent / "assets"


def test_shipped_script_is_the_player_modules_in_one_scope() -> None:
    script = player.player_script()
    assert script.startswith('(function () {\n"use strict";\n')
    css = (PLAYER_DIR / "player.css").read_text(encoding="utf-8")
    assert script.endswith(f"defineArticleAudio({player.script_json(css)});\n}})();\n")
    at = [script.index(f"// {name}\n") for name in player.PLAYER_MODULES]
    assert at == sorted(at)  # dependency order
    # Every line of every module is there, but for its imports and `export ` keywords.
    lines = set(script.splitlines())
    for name in player.PLAYER_MODULES:
        source = (PLAYER_DIR / name).read_text(encoding="utf-8")
        body = re.sub(r'^import \{[^}]*\} from "[^"]+";\n', "", source, flags=re.MULTILINE)
        assert set(body.replace("\nexport ", "\n").splitlines()) <= lines, name
    assert not re.search(r"^\s*(import|export)\b", script, re.MULTILINE)
    # The review page's modules (web/review.py) are the only others, and not in this script.
    shipped = sorted(p.name for p in PLAYER_DIR.glob("*.js"))
    assert shipped == sorted(player.PLAYER_MODULES + review.REVIEW_MODULES)
    assert all(f"// {name}\n" not in script for name in review.REVIEW_MODULES)


ENTRY = "export function defineArticleAudio(css) {}\n"


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        (
            [("a.js", 'import { x } from "./b.js";\n'), ("b.js", ENTRY)],
            "not a module listed before",
        ),
        (
            [("a.js", "export const x = 1;\n"), ("b.js", 'import { x as y } from "./a.js";\n')],
            "renaming",
        ),
        ([("a.js", "export default function f() {}\n" + ENTRY)], "export default"),
        ([("a.js", "const x = 1;\nexport { x };\n" + ENTRY)], "export { x }"),
        ([("a.js", 'import * as m from "./b.js";\n' + ENTRY)], "import \\* as m"),
        ([("a.js", "const clean = 1;\n"), ("b.js", "function clean() {}\n" + ENTRY)], "clean"),
        ([("a.js", "export const x = 1;\n")], "defineArticleAudio"),
        ([("a.js", ENTRY + "// </script>\n")], "cannot be inlined"),
    ],
)
def test_assembler_refuses_what_it_cannot_join(
    modules: list[tuple[str, str]], message: str
) -> None:
    with pytest.raises(RuntimeError, match=message):
        player.assemble_script(modules, "")


def test_assembler_joins_multiline_imports() -> None:
    model = "export const a = 1;\nexport function b() {}\n"
    view = 'import {\n  a,\n  b,\n} from "./model.js";\n\nconst c = a;\n' + ENTRY
    script = player.assemble_script([("model.js", model), ("view.js", view)], "x{}")
    assert "const a = 1;\nfunction b() {}\n" in script
    assert "import" not in script and "\nconst c = a;\n" in script
    assert script.endswith('defineArticleAudio("x{}");\n})();\n')


def test_player_sources_ship_in_the_package() -> None:
    # setuptools takes only files that a package-data glob names.
    pyproject = ROOT / "pyproject.toml"
    globs = tomllib.loads(pyproject.read_text())["tool"]["setuptools"]["package-data"]
    data = Path(player.__file__).parent
    for path in PLAYER_DIR.iterdir():
        name = path.relative_to(data).as_posix()
        assert any(fnmatch.fnmatchcase(name, g) for g in globs["articleaudio.web"]), name


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_shipped_script_is_valid_javascript(tmp_path: Path) -> None:
    script = tmp_path / "player.js"
    script.write_text(player.player_script(), encoding="utf-8")
    result = subprocess.run(["node", "--check", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
