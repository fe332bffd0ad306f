"""The cache with the real voice: a rebuild reuses every sentence, an edit synthesises
only itself, another library gets byte-identical audio, damage is synthesised again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from articleaudio import Built
from articleaudio.encode.encoder import decode, decoded_true_peak
from articleaudio.pipeline import build_episode, open_synthesis
from articleaudio.settings import BuildSettings

ARTICLE = (
    "# Harbour ferry returns\n\nBy Lee Chan\n\n"
    "The harbour ferry returned to service on Friday after a two-week repair. "
    "Crews replaced a worn propeller shaft.\n\n"
    "Passengers said they had missed the crossing. The operator apologised for the delay.\n"
)


@pytest.mark.slow
def test_real_voice_cache_reuse_and_edits(tmp_path: Path) -> None:
    source = tmp_path / "ferry.md"
    source.write_text(ARTICLE, encoding="utf-8")
    settings = BuildSettings(output=tmp_path / "a", cache_dir=tmp_path / "cache", jobs=2)

    with open_synthesis(settings) as synthesis:
        first = build_episode(str(source), settings, synthesis=synthesis)
        fresh = len(synthesis.synthesized)
        assert fresh == len(first.episode.timeline.cues)
        spans = len(list((tmp_path / "cache" / "spans").glob("??/*.span")))
        assert spans > 2  # one MP3 span per paragraph or so
        _assert_peak_is_the_whole_files(first)

        # Unchanged: nothing synthesised, nothing rewritten.
        again = build_episode(str(source), settings, synthesis=synthesis)
        assert again.reused and len(synthesis.synthesized) == fresh

        # Forced into another library: all from the cache, and byte-identical audio.
        forced = replace(settings, output=tmp_path / "b", force=True)
        other = build_episode(str(source), forced, synthesis=synthesis)
        assert len(synthesis.synthesized) == fresh
        assert (
            Path(other.paths()["audio"]).read_bytes() == Path(first.paths()["audio"]).read_bytes()
        )
        # Every span's peak came from the cache with its bytes.
        assert other.episode.audio.true_peak_dbtp == first.episode.audio.true_peak_dbtp

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
        _assert_peak_is_the_whole_files(edited)

        # A damaged entry is synthesised again, never stitched in.
        for entry in (tmp_path / "cache").glob("??/*.pcm"):
            entry.write_bytes(entry.read_bytes()[:-10])
            break
        build_episode(str(source), replace(settings, force=True), synthesis=synthesis)
        assert len(synthesis.synthesized) == fresh + 2


def _assert_peak_is_the_whole_files(built: Built) -> None:
    """The true peak reported (the largest of the spans' decoded peaks, most of them from
    the cache) is the whole decoded file's: within the report's rounding (0.005 dB) and
    0.005 dB more, so spans decode alone as they do in the file."""
    whole = decoded_true_peak(Path(built.paths()["audio"]))
    assert abs(built.episode.audio.true_peak_dbtp - whole) <= 0.01, whole
