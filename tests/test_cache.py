"""The segment cache: identical hits, only edited sentences re-synthesised, damage ignored."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from articleaudio.encode.encoder import decode
from articleaudio.pipeline import build_episode, open_synthesis
from articleaudio.settings import BuildSettings
from articleaudio.synth.cache import Entry, SegmentCache, segment_key

ARTICLE = (
    "# Harbour ferry returns\n\nBy Lee Chan\n\n"
    "The harbour ferry returned to service on Friday after a two-week repair. "
    "Crews replaced a worn propeller shaft.\n\n"
    "Passengers said they had missed the crossing. The operator apologised for the delay.\n"
)


def test_entries_round_trip_exactly(tmp_path: Path) -> None:
    cache = SegmentCache(tmp_path)
    audio = np.random.default_rng(1).standard_normal(1000).astype(np.float32)
    key = segment_key("Hello there.", {"model": "x"})
    cache.put(key, Entry(audio, 22050, (("hello", 0.0, 0.2),)))
    entry = cache.get(key)
    assert entry is not None and entry.audio.tobytes() == audio.tobytes()
    assert entry.words == (("hello", 0.0, 0.2),) and entry.sample_rate == 22050
    assert cache.stats().entries == 1


@pytest.mark.parametrize("damage", ["truncate", "flip", "empty"])
def test_damaged_entries_are_dropped(tmp_path: Path, damage: str) -> None:
    cache = SegmentCache(tmp_path)
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
    import os

    cache = SegmentCache(tmp_path)
    for n in range(5):
        cache.put(str(n) * 64, Entry(np.zeros(1000, dtype=np.float32), 22050, ()))
        path = next(tmp_path.glob(f"{n}{n}/*.pcm"))
        os.utime(path, (1000 + n, 1000 + n))
    size = next(tmp_path.glob("00/*.pcm")).stat().st_size
    assert cache.prune(max_bytes=2 * size) == 3
    assert {p.name[0] for p in tmp_path.glob("??/*.pcm")} == {"3", "4"}


@pytest.mark.slow
def test_real_voice_cache_reuse_and_edits(tmp_path: Path) -> None:
    source = tmp_path / "ferry.md"
    source.write_text(ARTICLE, encoding="utf-8")
    settings = BuildSettings(output=tmp_path / "a", cache_dir=tmp_path / "cache", jobs=2)

    synthesis = open_synthesis(settings)
    try:
        first = build_episode(str(source), settings, synthesis=synthesis)
        fresh = len(synthesis.synthesized)
        assert fresh == len(first.episode.timeline.cues)
        spans = len(list((tmp_path / "cache" / "spans").glob("??/*.span")))
        assert spans > 2  # one MP3 span per paragraph or so

        # Unchanged: nothing synthesised, nothing rewritten.
        again = build_episode(str(source), settings, synthesis=synthesis)
        assert again.reused and len(synthesis.synthesized) == fresh

        # Forced into another library: all from the cache, and byte-identical audio.
        other = build_episode(str(source), replace(settings, output=tmp_path / "b", force=True),
                              synthesis=synthesis)  # fmt: skip
        assert len(synthesis.synthesized) == fresh
        assert (
            Path(other.paths()["audio"]).read_bytes() == Path(first.paths()["audio"]).read_bytes()
        )

        # One sentence edited: only that sentence is synthesised.
        source.write_text(ARTICLE.replace("two-week repair", "three-week repair"), "utf-8")
        edited = build_episode(str(source), settings, synthesis=synthesis)
        assert synthesis.synthesized[fresh:] == [
            "The harbour ferry returned to service on Friday after a three-week repair."
        ]
        assert not edited.reused
        # (Only its MP3 span is encoded again when the gain bet holds; the real voice's
        # random noise can move a four-sentence article's loudness past it, so that is
        # tested with the deterministic fake voice in test_stream_build.)
        decoded = decode(Path(edited.paths()["audio"]))
        assert abs(len(decoded) - edited.episode.timeline.duration * 44100) <= 1

        # A damaged entry is synthesised again, never stitched in.
        for entry in (tmp_path / "cache").glob("??/*.pcm"):
            entry.write_bytes(entry.read_bytes()[:-10])
            break
        build_episode(str(source), replace(settings, force=True), synthesis=synthesis)
        assert len(synthesis.synthesized) == fresh + 2
    finally:
        synthesis.close()
