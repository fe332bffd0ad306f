"""A catalogue file written by the articleaudio before SQLAlchemy (schema 3) opens with
its rows as they were, and gains schema 4's table."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path
from typing import cast

from articleaudio.layout import CATALOGUE_NAME
from articleaudio.library import JobState, list_episodes, open_job_store, open_watch_log
from articleaudio.library.publish import publish_episode

from ..support.catalogue import open_at_once
from ..support.episodes import make_episode

V3_CATALOGUE = Path(__file__).parents[1] / "data" / "catalogue" / "catalogue-v3.sqlite"
"""Written by the hand-written-SQL catalogue (schema 3): one episode, a done and a queued
job, one watched item and its source."""
SOURCE = "https://news.example.org/feed.xml"


def _schema_and_rows(path: Path) -> tuple[object, ...]:
    db = sqlite3.connect(path)
    try:
        schema = db.execute("SELECT type, name, sql FROM sqlite_master ORDER BY name").fetchall()
        tables = [name for kind, name, _ in schema if kind == "table"]
        rows = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
        return db.execute("PRAGMA user_version").fetchone(), schema, rows
    finally:
        db.close()


def test_a_schema_3_catalogue_keeps_its_rows_and_takes_new_episodes(tmp_path: Path) -> None:
    shutil.copy(V3_CATALOGUE, tmp_path / CATALOGUE_NAME)
    before = _schema_and_rows(tmp_path / CATALOGUE_NAME)
    (entry,) = list_episodes(tmp_path)
    assert (entry.slug, entry.episode.article.url) == (
        "tram-line-opens",
        "https://news.example.org/tram",
    )
    with open_job_store(tmp_path, create=False) as store:
        states = [(j.state, j.slug) for j in store.jobs()]
    assert states == [(JobState.DONE, "tram-line-opens"), (JobState.QUEUED, None)]
    with open_watch_log(tmp_path) as log:
        (item,) = log.items(SOURCE)
        assert (item.item_id, item.content_hash, item.status) == ("tram", "abc", "built")
        assert log.validators(SOURCE) == {SOURCE: ('"f1"', None)}
    # Opened, it gained schema 4's one table (empty) and kept every row it had.
    version, schema, rows = _schema_and_rows(tmp_path / CATALOGUE_NAME)
    assert version == (4,) and before[0] == (3,)
    added = cast(list[tuple[str, str, str]], schema)
    assert [s for s in added if not s[1].endswith("library") and "_library_" not in s[1]] == (
        before[1]
    )
    assert rows == {**cast(dict[str, object], before[2]), "library": []}
    publish_episode(tmp_path, make_episode(tmp_path, "ferry", "Ferry returns"))
    assert {e.slug for e in list_episodes(tmp_path)} == {"ferry", "tram-line-opens"}
    assert _schema_and_rows(tmp_path / CATALOGUE_NAME)[:2] == (version, schema)


def test_a_library_folder_named_like_a_url_query_keeps_its_catalogue(tmp_path: Path) -> None:
    folder = tmp_path / "news?a=1#b%20c"
    publish_episode(folder, make_episode(folder, "ferry", "Ferry returns"))
    assert [e.slug for e in list_episodes(folder)] == ["ferry"]
    assert (folder / CATALOGUE_NAME).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder.name]


def test_a_new_catalogue_opened_by_many_at_once_is_made_once(tmp_path: Path) -> None:
    assert open_at_once(tmp_path) == []
    assert _schema_and_rows(tmp_path / CATALOGUE_NAME)[0] == (4,)
