"""The library's on-disk contract has one owner (layout.py): its reader and its names."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

import articleaudio
from articleaudio import layout
from articleaudio.errors import ConfigError, EpisodeReadError, InputError

from ..support.episodes import make_episode

SRC = Path(articleaudio.__file__).parent
OWNER = SRC / "layout.py"

FILE_NAMES = (
    layout.EPISODE_FILE,
    layout.EMBED_FILE,
    layout.SCRIPT_FILE,
    layout.REVIEW_FILE,
    layout.CATALOGUE_NAME,
    layout.CONFIG_NAME,
    layout.FEED_FILE,
    layout.LOCK_NAME,
)
ALLOWED = {
    ("cli/publish.py", "episodes"),  # the English plural in "3 episodes"
    ("cli/app.py", "articleaudio.toml"),  # --config help: prose a user reads
    ("cli/publish.py", "articleaudio.toml"),
    ("library/database.py", "episodes"),  # the catalogue's table, not the folder
}
"""(module, what it spells) pairs that name the layout for a reader, not as a path."""


def _record(tmp_path: Path, data: bytes) -> Path:
    folder = tmp_path / "episodes" / "one"
    folder.mkdir(parents=True)
    (folder / layout.EPISODE_FILE).write_bytes(data)
    return folder


def test_read_episode_round_trips_the_record_written(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "one", "A title")
    assert layout.read_episode(tmp_path / "episodes" / "one") == episode
    folder = tmp_path / "again"
    folder.mkdir()
    layout.write_episode_record(folder, episode)
    assert layout.read_episode(folder) == episode
    text = (folder / "episode.json").read_text(encoding="utf-8")
    assert text == json.dumps(episode.to_dict(), ensure_ascii=False, indent=2) + "\n"


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (None, "No such file"),
        (b"{not json", "Expecting property name"),
        (b"\xff\xfe\x00", ""),
        (b"[1, 2]", "a JSON list, not an object"),
        (b"{}", "no field"),
        (b'{"slug": "one", "article": 3}', ""),
    ],
    ids=["missing", "corrupt", "not-utf8", "a-list", "empty-object", "wrong-shape"],
)
def test_every_bad_record_is_one_error_naming_its_path(
    tmp_path: Path, data: bytes | None, reason: str
) -> None:
    if data is None:
        folder = tmp_path / "episodes" / "one"
        folder.mkdir(parents=True)
    else:
        folder = _record(tmp_path, data)
    with pytest.raises(EpisodeReadError) as caught:
        layout.read_episode(folder)
    error = caught.value
    assert error.path == folder / "episode.json"
    assert reason in error.reason
    assert isinstance(error, InputError)  # the CLI maps it to one "Error: ..." line
    assert str(error).startswith(f"{error.path} is not a valid episode record (")
    assert str(error).endswith("); rebuild the episode")


def test_a_record_with_a_field_of_the_wrong_type_is_the_same_error(tmp_path: Path) -> None:
    record = make_episode(tmp_path / "made", "one", "A title").to_dict()
    record["audio"] = "one.mp3"  # a string where an object belongs
    folder = _record(tmp_path, json.dumps(record).encode())
    with pytest.raises(EpisodeReadError) as caught:
        layout.read_episode(folder)
    assert caught.value.path == folder / "episode.json"


def test_the_slug_rule_has_one_message() -> None:
    assert layout.check_slug("a-b1") == "a-b1"
    for bad in ("../etc", "-a", "A", "a" * 81, ""):
        with pytest.raises(ConfigError, match=r"^invalid slug .*: slugs are lowercase letters"):
            layout.check_slug(bad)
    with pytest.raises(ConfigError, match="invalid slug"):
        layout.episode_dir(Path("lib"), "../etc")
    assert layout.episode_dir(Path("lib"), "a") == Path("lib/episodes/a")


def _strings(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string constant in the module that is not a docstring."""
    docstrings = {
        id(stmt.value)
        for node in ast.walk(tree)
        if isinstance(body := getattr(node, "body", None), list)
        for stmt in body
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def _spells_a_layout_name(text: str) -> str | None:
    """The layout name ``text`` spells as a path, if any ("episodes" alone is prose)."""
    for name in FILE_NAMES:
        if re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])", text):
            return name
    # "voices" alone is also a settings table; as a folder it sits in a path.
    folders = (layout.EPISODES_DIR, layout.VOICES_DIR)
    if text == layout.EPISODES_DIR or any(f"{d}/" in text or f"/{d}" in text for d in folders):
        return text
    return None


def _spelled_outside_layout() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        if path == OWNER:
            continue
        where = path.relative_to(SRC).as_posix()
        for line, text in _strings(ast.parse(path.read_text(encoding="utf-8"))):
            name = _spells_a_layout_name(text)
            if name is not None and (where, name) not in ALLOWED:
                found.append(f"{where}:{line} spells {name!r}")
    return found


def test_only_layout_spells_the_library_names() -> None:
    found = _spelled_outside_layout()
    assert found == [], "use the names in articleaudio.layout instead:\n" + "\n".join(found)


def test_the_scan_would_catch_a_literal() -> None:
    assert _spells_a_layout_name("episode.json") == "episode.json"
    assert _spells_a_layout_name("/episodes/") == "/episodes/"
    assert _spells_a_layout_name("episodes") == "episodes"
    assert _spells_a_layout_name("list the episodes in the library") is None
    assert _spells_a_layout_name("x.episode.json.tmp") is None
