"""The cache: identical hits, only edited sentences re-synthesised, damage ignored, and
the files of every role counted and pruned together."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

import articleaudio.synth.cache as cache_module
from articleaudio.models import WordTime
from articleaudio.synth.cache import Cache, Entry, segment_key


def test_entries_round_trip_exactly(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    audio = np.random.default_rng(1).standard_normal(1000).astype(np.float32)
    key = segment_key("Hello there.", {"model": "x"})
    cache.segments.put(key, Entry(audio, 22050, (WordTime("hello", 0.0, 0.2),)))
    entry = cache.segments.get(key)
    assert entry is not None and entry.audio.tobytes() == audio.tobytes()
    assert entry.words == (WordTime("hello", 0.0, 0.2),) and entry.sample_rate == 22050
    assert cache.stats().entries == 1


# Made by the cache before words were WordTime: keys and entries must not change, or
# every cache on every machine would be synthesised again.
OLD_ENTRY_SHA256 = "d9102c0b39e12abcbfe5012ffea13c901703faf7dd10f4a5f180400a89cb2ec9"
OLD_KEY = "d9308cc8f61073252df0aae72570e2d5f5d91d693afab44cc075c0b50db3d8be"


def test_keys_and_entries_are_as_older_builds_made_them(tmp_path: Path) -> None:
    identity = {"model": "x", "respellings": 1, "length_scale": None}
    key = segment_key("Hello there.", identity)
    assert key == OLD_KEY
    words = (WordTime("hello", 0.0, 0.2), WordTime("wörld", 0.2, 0.45))
    cache = Cache(tmp_path)
    cache.segments.put(key, Entry(np.array([0.0, 0.5, -0.25], np.float32), 22050, words))
    path = tmp_path / key[:2] / f"{key}.pcm"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == OLD_ENTRY_SHA256
    entry = cache.segments.get(key)
    assert entry is not None and entry.words == words


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_entries_are_dropped(tmp_path: Path, damage: str) -> None:
    cache = Cache(tmp_path).segments
    key = segment_key("x", {})
    cache.put(key, Entry(np.ones(500, dtype=np.float32), 22050, ()))
    path = next(tmp_path.glob("??/*.pcm"))
    data = bytearray(path.read_bytes())
    if damage == "truncate":
        data = data[:-7]
    elif damage == "flip":
        data[-100] ^= 0xFF
    else:
        data = bytearray()
    path.write_bytes(bytes(data))
    assert cache.get(key) is None
    assert not path.exists()


def test_keys_depend_on_text_and_synthesizer() -> None:
    base = segment_key("A sentence.", {"model": "m", "length_scale": None})
    assert base != segment_key("A sentence!", {"model": "m", "length_scale": None})
    assert base != segment_key("A sentence.", {"model": "m", "length_scale": 1.1})
    assert base != segment_key("A sentence.", {"model": "n", "length_scale": None})


def test_prune_by_size_keeps_newest(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    for n in range(5):
        cache.segments.put(str(n) * 64, Entry(np.zeros(1000, dtype=np.float32), 22050, ()))
        path = next(tmp_path.glob(f"{n}{n}/*.pcm"))
        os.utime(path, (1000 + n, 1000 + n))
    size = next(tmp_path.glob("00/*.pcm")).stat().st_size
    assert cache.prune(max_bytes=2 * size) == 3
    assert {p.name[0] for p in tmp_path.glob("??/*.pcm")} == {"3", "4"}


def test_every_role_keeps_its_files_where_older_builds_did(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cache.segments.put("ab" * 32, Entry(np.zeros(100, np.float32), 22050, ()))
    cache.spans.put("cd" * 32, b"span bytes")
    cache.notes.keep("level change", -0.25)
    graph = cache.models.path("voice.onnx")
    graph.parent.mkdir()
    graph.write_bytes(b"graph")
    note = hashlib.sha256(b"level change").hexdigest()
    files = {str(p.relative_to(tmp_path)): p for p in tmp_path.rglob("*") if p.is_file()}
    expected = [f"ab/{'ab' * 32}.pcm", "models/voice.onnx", f"notes/{note}.json"]
    assert sorted(files) == [*expected, f"spans/cd/{'cd' * 32}.span"]
    assert cache.spans.get("cd" * 32) == b"span bytes"
    assert cache.notes.recall("level change") == -0.25 and cache.notes.recall("other") is None

    stats = cache.stats()
    assert stats.entries == 1 and stats.model_bytes == len(b"graph")
    assert stats.bytes == sum(p.stat().st_size for p in files.values())
    for path in files.values():
        os.utime(path, (1000, 1000))
    # Sentences and spans are pruned; the small notes and the prepared graphs stay.
    assert cache.prune(older_than_days=1) == 2
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()) == [
        "models/voice.onnx",
        f"notes/{note}.json",
    ]


def test_an_unwritable_cache_warns_once_for_every_role(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = tmp_path / "cache"
    root.write_text("a file where the folder should be", encoding="utf-8")
    cache = Cache(root)
    cache.segments.put("ab" * 32, Entry(np.zeros(10, np.float32), 22050, ()))
    cache.spans.put("cd" * 32, b"span")
    cache.notes.keep("level change", 1.0)
    warnings = [r for r in caplog.records if "cannot write to the cache" in r.getMessage()]
    assert len(warnings) == 1
    assert cache.segments.get("ab" * 32) is None and cache.spans.get("cd" * 32) is None


def test_a_hit_touches_its_entry_once_an_hour(tmp_path: Path) -> None:
    # Pruning goes by last use; a warm runner's edit reads every other sentence of its
    # article again, and touching each again changed nothing pruning could see.
    cache = Cache(tmp_path)
    cache.segments.put("ef" * 32, Entry(np.zeros(100, np.float32), 22050, ()))
    path = next(tmp_path.glob("ef/*.pcm"))
    os.utime(path, (1000, 1000))
    assert cache.segments.get("ef" * 32) is not None
    assert path.stat().st_mtime > 1000  # used: touched
    os.utime(path, (1000, 1000))
    assert cache.segments.get("ef" * 32) is not None
    assert path.stat().st_mtime == 1000  # used again within the hour: left as it was


@pytest.mark.parametrize("change", ["none", "rewritten", "replaced", "touched"])
def test_an_entry_is_checked_again_only_once_its_file_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    # A warm runner's edit reads every other sentence again: their digests were checked
    # by the build before, so only a file that is not the one checked is checked again.
    cache = Cache(tmp_path).segments
    key = segment_key(f"Checked once {change}.", {})
    cache.put(key, Entry(np.arange(4000, dtype=np.float32) / 4000, 22050, ()))
    path = next(tmp_path.glob("??/*.pcm"))
    checked: list[int] = []

    def sha256(data: bytes = b"") -> hashlib._Hash:
        checked.append(len(data))
        return hashlib.sha256(data)

    monkeypatch.setattr(cache_module, "hashlib", SimpleNamespace(sha256=sha256))
    first = cache.get(key)
    assert first is not None and len(checked) == 1
    assert first.digest == path.read_bytes()[_HEADER_DIGEST]  # the one the file holds
    data = path.read_bytes()
    if change == "rewritten":  # same inode, new contents and time
        path.write_bytes(data[:-8] + bytes(8))
    elif change == "replaced":  # a new file in its place (another process's write)
        path.with_suffix(".new").write_bytes(data)
        path.with_suffix(".new").replace(path)
    elif change == "touched":
        os.utime(path, ns=(1, 1))
    again = cache.get(key)
    assert len(checked) == (1 if change == "none" else 2)
    assert (again is None) == (change == "rewritten")  # its damage found
    if again is not None:
        assert again.audio.tobytes() == first.audio.tobytes() and again.digest == first.digest


_HEADER_DIGEST = slice(24, 56)
"""Where an entry file's header keeps the SHA-256 of its samples and words."""


def test_limits_recalled_or_kept_are_held_in_memory(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    cuts = ((5, np.full(3, 0.5, np.float32)),)
    cache.limits.put("ab" * 32, cuts, 0.7)
    (path,) = tmp_path.glob("limits/??/*.lim")
    path.unlink()  # a warm runner's next edit reads no file for it
    held = cache.limits.recall("ab" * 32)
    assert held is not None and held[1] == 0.7 and np.array_equal(held[0][0][1], cuts[0][1])
    assert Cache(tmp_path).limits.recall("ab" * 32) is None  # another process reads the folder
