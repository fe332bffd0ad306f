"""The MP3 encoded while mastering (fast fake voice, real ffmpeg): kept when its loudness
lands, thrown away and re-encoded when it does not."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import numpy as np
import pytest

from articleaudio import Built, pipeline
from articleaudio.encode.encoder import decode, decoded_true_peak
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings

from ..support.audio import ebur128
from ..support.fake_synthesizer import FAKE_VOICE, FakeSynthesizer

WORDS = "The council met on Tuesday to discuss the harbour, the ferry and the new bridge"
ARTICLE = "# Harbour news\n\nBy Lee Chan\n\n" + "\n\n".join(
    f"{WORDS}, item {n}. Residents asked questions for an hour." for n in range(20)
)


def _build(tmp_path: Path) -> Built:
    tmp_path.mkdir(parents=True, exist_ok=True)
    source = tmp_path / "harbour.md"
    source.write_text(ARTICLE, encoding="utf-8")
    settings = BuildSettings(output=tmp_path / "out", publish=False, use_cache=False)
    return build_episode(str(source), settings, synthesizer=FakeSynthesizer())


@pytest.mark.parametrize("hint_offset", [None, 6.0])
def test_streamed_or_redone_mp3_meets_the_loudness_target(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    hint_offset: float | None,
) -> None:
    if hint_offset is not None:
        # A wrong previous gain makes the streamed encode miss; the build must redo it.
        first = _build(tmp_path / "first")
        wrong = first.episode.audio.gain_db + hint_offset
        monkeypatch.setattr(pipeline, "previous_gain", lambda _output, _slug: wrong)
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="articleaudio.master.mastering"):
        built = _build(tmp_path)
    assert ("streamed master missed" if hint_offset else "streamed master kept") in caplog.text
    audio = built.directory / built.episode.files["audio"]
    lufs, peak = ebur128(audio)
    assert lufs == pytest.approx(-16.0, abs=1.0)
    assert peak <= -1.0
    assert built.episode.audio.integrated_lufs == pytest.approx(-16.0, abs=0.3)
    assert built.episode.timeline.duration > 60
    assert built.episode.voice == FAKE_VOICE  # named by the synthesizer, not guessed
    assert not list(built.directory.parent.glob(".*.tmp"))


@pytest.mark.parametrize(("rate", "spans"), [(16000, False), (22050, True), (44100, True)])
def test_mp3_length_at_every_voice_rate(tmp_path: Path, rate: int, spans: bool) -> None:
    # Rates that divide 44.1 kHz get MP3 spans; others (16 kHz voices) one ffmpeg stream.
    source = tmp_path / "harbour.md"
    source.write_text(ARTICLE, encoding="utf-8")
    settings = BuildSettings(output=tmp_path / "out", publish=False, cache_dir=tmp_path / "c")
    built = build_episode(str(source), settings, synthesizer=FakeSynthesizer(sample_rate=rate))
    audio = built.directory / built.episode.files["audio"]
    seconds = len(decode(audio)) / 44100
    # Spans carry exact gapless lengths; ffmpeg's resampler may round by a few samples.
    assert seconds == pytest.approx(built.episode.timeline.duration, abs=0.001 if spans else 0.03)
    assert bool(list((tmp_path / "c" / "spans").glob("??/*.span"))) is spans
    lufs, peak = ebur128(audio)
    assert lufs == pytest.approx(-16.0, abs=1.0) and peak <= -1.0


def test_an_edit_encodes_and_decodes_only_its_span_again(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    source = tmp_path / "harbour.md"
    source.write_text(ARTICLE, encoding="utf-8")
    settings = BuildSettings(output=tmp_path / "out", publish=False, cache_dir=tmp_path / "c")
    with caplog.at_level(logging.INFO, logger="articleaudio.encode.mp3frames"):
        first = build_episode(str(source), settings, synthesizer=FakeSynthesizer())
    old = decode(first.directory / first.episode.files["audio"])  # before it is replaced
    before = set((tmp_path / "c" / "spans").glob("??/*.span"))
    spans = len(before)
    assert _spans_decoded(caplog) == (spans, spans)  # a first build measures every span
    _assert_peak_is_the_whole_files(first)
    source.write_text(ARTICLE.replace("item 12.", "item 112."), encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="articleaudio.encode.mp3frames"):
        edited = build_episode(str(source), settings, synthesizer=FakeSynthesizer())
    assert len(set((tmp_path / "c" / "spans").glob("??/*.span")) - before) == 1
    # The edit decodes only the span it encoded; the others' peaks come from the cache.
    assert _spans_decoded(caplog) == (1, spans)
    _assert_peak_is_the_whole_files(edited)
    # Everything before the edited paragraph decodes to exactly the same samples.
    cue = next(c for c in edited.episode.timeline.cues if "item 112" in c.text)
    new = decode(edited.directory / edited.episode.files["audio"])
    end = int((cue.start - 0.5) * 44100)
    assert end > 44100 * 30 and np.array_equal(old[:end], new[:end])
    assert not np.array_equal(old[end : end + 44100 * 5], new[end : end + 44100 * 5])


def _spans_decoded(caplog: pytest.LogCaptureFixture) -> tuple[int, int]:
    """(spans decoded, spans in the file) as the MP3 writer logged them."""
    found = [re.search(r"(\d+) of (\d+) spans decoded", r.getMessage()) for r in caplog.records]
    counts = [(int(m[1]), int(m[2])) for m in found if m]
    assert len(counts) == 1, caplog.text
    return counts[0]


def _assert_peak_is_the_whole_files(built: Built) -> None:
    """The reported true peak (from the spans' peaks) is the whole decoded file's."""
    whole = decoded_true_peak(built.directory / built.episode.files["audio"])
    assert abs(built.episode.audio.true_peak_dbtp - whole) <= 0.01, whole
