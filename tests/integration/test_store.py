"""The SQLite catalogue: identity of episodes across rebuilds."""

from __future__ import annotations

import os
import sqlite3
import threading
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from articleaudio.errors import LibraryNotFoundError, PublishError
from articleaudio.layout import CATALOGUE_NAME
from articleaudio.library.publish import current_build, list_episodes, measure_files
from articleaudio.library.store import episode_guid, open_catalogue
from articleaudio.models import Episode

from ..support.episodes import make_episode

DAY1 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
DAY2 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def _add(output: Path, episode: Episode) -> None:
    with open_catalogue(output) as catalogue:
        catalogue.upsert(episode, measure_files(output, episode))


def test_new_episode_gets_a_guid_and_its_build_date(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "a", "A", url="https://x.example/a", built_at=DAY1)
    with open_catalogue(tmp_path) as catalogue:
        done = catalogue.upsert(episode, measure_files(tmp_path, episode))
    assert done.created and done.replaced_slug is None
    assert done.entry.guid == episode_guid(episode)
    assert done.entry.published == DAY1
    mp3 = tmp_path / "episodes" / "a" / "a.mp3"
    assert done.entry.file_sizes["audio"] == mp3.stat().st_size
    assert set(done.entry.file_sizes) == {"audio", "vtt", "transcript_json", "chapters_json"}


def test_rebuild_same_slug_keeps_guid_and_publish_date(tmp_path: Path) -> None:
    first = make_episode(tmp_path, "a", "A", built_at=DAY1, seconds=1.0)
    _add(tmp_path, first)
    (before,) = list_episodes(tmp_path)
    second = make_episode(tmp_path, "a", "A revised", built_at=DAY2, seconds=3.0)
    with open_catalogue(tmp_path) as catalogue:
        done = catalogue.upsert(second, measure_files(tmp_path, second))
    assert not done.created
    (after,) = list_episodes(tmp_path)
    assert after.guid == before.guid
    assert after.published == DAY1 and after.updated == DAY2
    assert after.episode.article.title == "A revised"
    assert after.file_sizes["audio"] > before.file_sizes["audio"]


def test_same_url_new_slug_updates_in_place(tmp_path: Path) -> None:
    _add(tmp_path, make_episode(tmp_path, "old", "Old", url="https://x.example/1", built_at=DAY1))
    new = make_episode(tmp_path, "new", "New", url="https://x.example/1", built_at=DAY2)
    with open_catalogue(tmp_path) as catalogue:
        done = catalogue.upsert(new, measure_files(tmp_path, new))
        slugs = [e.slug for e in catalogue.entries()]
    assert done.replaced_slug == "old" and slugs == ["new"]
    assert done.entry.published == DAY1


def test_slug_wins_over_url(tmp_path: Path) -> None:
    _add(tmp_path, make_episode(tmp_path, "a", "A", url="https://x.example/1", built_at=DAY1))
    _add(tmp_path, make_episode(tmp_path, "b", "B", url="https://x.example/2", built_at=DAY1))
    moved = make_episode(tmp_path, "a", "A", url="https://x.example/2", built_at=DAY2)
    _add(tmp_path, moved)
    entries = {e.slug: e for e in list_episodes(tmp_path)}
    assert set(entries) == {"a", "b"}
    assert entries["a"].episode.article.url == "https://x.example/2"


def test_reused_url_after_a_url_change_gets_a_new_guid(tmp_path: Path) -> None:
    _add(tmp_path, make_episode(tmp_path, "a", "A", url="https://x.example/1"))
    _add(tmp_path, make_episode(tmp_path, "a", "A", url="https://x.example/moved"))
    _add(tmp_path, make_episode(tmp_path, "c", "C", url="https://x.example/1"))
    guids = [e.guid for e in list_episodes(tmp_path)]
    assert len(guids) == 2 and len(set(guids)) == 2


def test_remove_and_order(tmp_path: Path) -> None:
    _add(tmp_path, make_episode(tmp_path, "older", "Older", built_at=DAY1))
    _add(tmp_path, make_episode(tmp_path, "newer", "Newer", built_at=DAY2))
    assert [e.slug for e in list_episodes(tmp_path)] == ["newer", "older"]
    with open_catalogue(tmp_path) as catalogue:
        removed = catalogue.remove("newer")
        assert removed is not None and removed.slug == "newer"
        assert catalogue.remove("newer") is None
        assert catalogue.get("newer") is None
    assert [e.slug for e in list_episodes(tmp_path)] == ["older"]


def test_catalogue_uses_wal_and_keeps_the_episode_record(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "a", "A")
    _add(tmp_path, episode)
    db = sqlite3.connect(tmp_path / CATALOGUE_NAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    (entry,) = list_episodes(tmp_path)
    assert entry.episode == episode
    summary = entry.to_dict()
    assert summary["slug"] == "a" and summary["audio_bytes"] == entry.file_sizes["audio"]


def test_listing_a_missing_library_creates_nothing(tmp_path: Path) -> None:
    with pytest.raises(LibraryNotFoundError, match="nowhere does not exist"):
        list_episodes(tmp_path / "nowhere")
    assert not (tmp_path / "nowhere").exists()


def test_damaged_catalogue_says_how_to_recover(tmp_path: Path) -> None:
    (tmp_path / CATALOGUE_NAME).write_bytes(b"this is not a database" * 100)
    with pytest.raises(PublishError, match=r"damaged.*articleaudio feed"):
        list_episodes(tmp_path)


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / CATALOGUE_NAME)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(PublishError, match="newer articleaudio"):
        list_episodes(tmp_path)


def test_naive_build_time_is_taken_as_utc(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "a", "A")
    naive = replace(episode, built_at=datetime(2026, 11, 5, 7, 0))
    _add(tmp_path, naive)
    assert list_episodes(tmp_path)[0].published == datetime(2026, 11, 5, 7, 0, tzinfo=UTC)


def _dated(episode: Episode, published: datetime | None) -> Episode:
    return replace(episode, article=replace(episode.article, published=published))


def test_publish_date_is_the_articles_held_at_the_build_time(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "a", "A", url="https://x.example/a", built_at=DAY2)
    naive_2019 = datetime(2019, 5, 3, 7, 30)  # a source without a zone: taken as UTC
    with open_catalogue(tmp_path) as catalogue:
        done = catalogue.upsert(_dated(episode, naive_2019), {})
        assert done.entry.published == naive_2019.replace(tzinfo=UTC)
        # A date after the build (wrong zone, embargo) would hide the item in apps.
        done = catalogue.upsert(_dated(episode, datetime(2030, 1, 1, tzinfo=UTC)), {})
        assert done.entry.published == DAY2


def test_a_rebuild_without_the_article_date_keeps_the_one_published(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "a", "A", url="https://x.example/a", built_at=DAY2)
    dated = _dated(episode, DAY1)
    with open_catalogue(tmp_path) as catalogue:
        first = catalogue.upsert(dated, {}).entry
        later = replace(episode, built_at=datetime(2026, 11, 9, tzinfo=UTC))
        again = catalogue.upsert(later, {}).entry
    assert (again.published, again.guid) == (first.published, first.guid) == (DAY1, first.guid)


def test_a_folder_seen_between_the_two_renames_of_a_swap_is_measured_again(
    tmp_path: Path,
) -> None:
    """Another build of the slug moves the folder aside, then its new one in (the swap
    runs under the episode's lock, not the feed lock publishing holds)."""
    episode = make_episode(tmp_path, "a", "A")
    folder = tmp_path / "episodes" / "a"
    aside = folder.with_name(".a.old")
    os.replace(folder, aside)
    back = threading.Timer(0.03, os.replace, (aside, folder))
    back.start()
    try:
        chosen, sizes = current_build(tmp_path, episode)
    finally:
        back.join()
    assert chosen == episode
    assert sizes == measure_files(tmp_path, episode)


def test_a_file_missing_from_a_steady_folder_is_an_incomplete_episode(tmp_path: Path) -> None:
    episode = make_episode(tmp_path, "a", "A")
    (tmp_path / "episodes" / "a" / episode.files["chapters_json"]).unlink()
    with pytest.raises(PublishError, match=r"incomplete.*chapters"):
        current_build(tmp_path, episode)
