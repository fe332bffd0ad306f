"""Stitching, pauses, timeline and loudness with the fast fake synthesizer."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyloudnorm
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articleaudio.master.layout import MasterSettings, Pauses
from articleaudio.master.loudness import (
    LoudnessMeter,
    limit,
    limit_with_envelope,
    limiter_cuts,
    true_peak,
)
from articleaudio.master.mastering import Mastered, master, pause_between
from articleaudio.master.stream import PROBE, Stream
from articleaudio.master.trim import trim_silence
from articleaudio.models import Article, Block, BlockKind, Role, Segment
from articleaudio.synth.cache import Cache, LimitCache
from articleaudio.synth.synthesize import Piece
from articleaudio.text.segment import segment_article

from ..support.fake_synthesizer import FakeSynthesizer

RATE = 22050


def _article(blocks: list[tuple[str, str]]) -> Article:
    return Article("A headline", tuple(Block(BlockKind(k), t) for k, t in blocks), ("Ann Lee",))


def _render(article: Article) -> tuple[tuple[Segment, ...], Mastered]:
    segments = segment_article(article)
    synth = FakeSynthesizer()
    return segments, master(segments, (synth.synthesize(s.spoken) for s in segments))


def test_pause_table_follows_structure() -> None:
    p = Pauses()

    def seg(role: Role, par: int) -> Segment:
        return Segment(0, role, "x", "x", par)

    assert pause_between(seg(Role.TITLE, -1), seg(Role.BYLINE, -1), p) == p.after_title
    assert pause_between(seg(Role.SENTENCE, 0), seg(Role.SENTENCE, 0), p) == p.sentence
    assert pause_between(seg(Role.SENTENCE, 0), seg(Role.SENTENCE, 1), p) == p.paragraph
    assert pause_between(seg(Role.SENTENCE, 0), seg(Role.HEADING, 1), p) == p.before_heading
    assert p.after_title > p.paragraph > p.sentence


def test_measured_gaps_match_the_pause_table() -> None:
    article = _article([("paragraph", "One two. Three four."), ("paragraph", "Five six.")])
    _segments, mastered = _render(article)
    cues = mastered.timeline.cues
    gaps = [b.start - a.end for a, b in itertools.pairwise(cues)]
    roles = [c.role for c in cues]
    assert roles == [Role.TITLE, Role.BYLINE, Role.DISCLOSURE] + [Role.SENTENCE] * 3
    p = Pauses()
    expected = [p.after_title, p.after_byline, p.after_disclosure, p.sentence, p.paragraph]
    assert gaps == pytest.approx(expected, abs=0.002)


def test_trim_keeps_speech_and_cuts_margins() -> None:
    synth = FakeSynthesizer()
    piece = synth.synthesize("hello world")
    trimmed = trim_silence(piece.audio, RATE)
    speech = len("hello world") * 0.06
    assert speech <= len(trimmed) / RATE <= speech + 0.1
    assert trimmed[0] == 0 and trimmed[-1] == 0  # faded edges: no click
    assert trim_silence(np.zeros(1000, dtype=np.float32), RATE).size == 0


def test_loudness_is_normalised_once_for_the_whole_episode() -> None:
    article = _article([("paragraph", "Loud sentence here. " * 5)] * 4)
    _segments, mastered = _render(article)
    assert mastered.loudness.integrated_lufs == pytest.approx(-16.0, abs=0.2)
    assert mastered.loudness.true_peak_dbtp <= -2.0 + 0.01
    # Measured again, independently, on the samples the encoder would receive.
    audio = mastered.audio().astype(np.float64)
    assert pyloudnorm.Meter(RATE).integrated_loudness(audio) == pytest.approx(-16.0, abs=0.3)


def test_limiter_respects_ceiling_and_spares_quiet_audio() -> None:
    t = np.arange(RATE) / RATE
    loud = (1.5 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    assert 20 * math.log10(true_peak(limit(loud, RATE, -2.0))) <= -2.0 + 0.05
    quiet = (0.1 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)
    assert np.array_equal(limit(quiet, RATE, -2.0), quiet)


def test_silence_has_no_loudness() -> None:
    meter = LoudnessMeter(RATE)
    meter.add_silence(RATE * 3)
    assert meter.integrated == -math.inf


@pytest.mark.parametrize("rate", [22050, 44100, 48000])
def test_streaming_meter_agrees_with_pyloudnorm(rate: int) -> None:
    """An independent BS.1770 implementation, fed the same signal whole."""
    rng = np.random.default_rng(7)
    t = np.arange(rate * 20) / rate
    audio = (
        0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 - 0.5 * np.cos(2 * np.pi * 2 * t))
        + 0.05 * rng.standard_normal(len(t))
    ).astype(np.float32)
    audio[rate * 5 : rate * 9] = 0  # a pause the gate must ignore
    meter = LoudnessMeter(rate)
    for chunk in np.array_split(audio, 23):
        meter.add(chunk)
    reference = pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64))
    assert meter.integrated == pytest.approx(reference, abs=0.15)


def test_chapters_from_headings_cover_the_episode() -> None:
    article = _article(
        [
            ("paragraph", "Intro text."),
            ("heading", "Part one"),
            ("paragraph", "Body one."),
            ("heading", "Part two"),
            ("paragraph", "Body two."),
        ]
    )
    _segments, mastered = _render(article)
    chapters = mastered.timeline.chapters
    assert [c.title for c in chapters] == ["Introduction", "Part one", "Part two"]
    assert chapters[0].start == 0
    assert chapters[-1].end == mastered.timeline.duration
    for a, b in itertools.pairwise(chapters):
        assert a.end == b.start


def test_articles_without_headings_get_paragraph_group_chapters() -> None:
    paragraph = "This sentence has exactly ten words in it for counting. " * 5
    _segments, mastered = _render(_article([("paragraph", paragraph)] * 8))
    chapters = mastered.timeline.chapters
    # About a minute each: the intro opens the first group rather than standing alone.
    assert len(chapters) >= 2
    assert chapters[0].title == "Introduction"
    assert chapters[1].title.startswith("This sentence has exactly")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["paragraph", "heading"]),
            st.text(
                st.characters(codec="utf-8", exclude_categories=["Cs"]), min_size=1, max_size=60
            ),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_cue_times_increase_and_stay_inside_duration(blocks: list[tuple[str, str]]) -> None:
    article = _article([*blocks, ("paragraph", "The end.")])
    segments = segment_article(article)
    synth = FakeSynthesizer()
    mastered = master(segments, [synth.synthesize(s.spoken) for s in segments], MasterSettings())
    timeline = mastered.timeline
    previous = 0.0
    for cue in timeline.cues:
        assert previous <= cue.start <= cue.end <= timeline.duration
        previous = cue.end
    assert abs(timeline.duration - len(mastered.audio()) / mastered.sample_rate) < 1e-9
    for cue in timeline.cues:
        for word in cue.words:
            assert cue.start <= word.start <= word.end <= cue.end
    ends = [c.end for c in timeline.chapters]
    assert ends[-1] == timeline.duration


class Collector:
    """An in-memory sink standing in for the encoder."""

    def __init__(self) -> None:
        self.chunks: list[np.ndarray] = []
        self.excerpt_seconds = 0.0
        self.finished = self.aborted = False

    def write(self, chunk: np.ndarray, *, key: bytes | None = None) -> None:
        self.chunks.append(chunk.copy())

    def write_stored(self, samples: int, key: bytes, load: Callable[[], np.ndarray]) -> None:
        self.write(load())

    def cut(self) -> None:
        """A span may start here; an in-memory sink has nothing to do."""

    def finish(self) -> None:
        self.finished = True

    def abort(self) -> None:
        self.aborted = True


def _long_article() -> Article:
    # About two minutes of fake speech: longer than the streamer's warm-up.
    words = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi"
    return _article([("paragraph", f"{words} {n}. {words} again.") for n in range(30)])


def _stream_master(
    gain_db: float | None = None,
    pieces: list[Piece] | None = None,
    limits: LimitCache | None = None,
    settings: MasterSettings | None = None,
) -> tuple[Mastered, Collector, list[float]]:
    segments = segment_article(_long_article())
    synth = FakeSynthesizer()
    sink, shown = Collector(), []

    def open_sink(rate: int, excerpt: np.ndarray) -> Collector:
        shown.append(len(excerpt) / rate)
        return sink

    source = pieces if pieces is not None else [synth.synthesize(s.spoken) for s in segments]
    mastered = master(
        segments,
        iter(source),
        settings or MasterSettings(),
        first_gain_db=gain_db,
        stream=Stream(open_sink, limits=limits),
    )
    return mastered, sink, shown


def test_each_pieces_limiting_is_remembered_and_makes_the_same_episode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from articleaudio.master import stream as master_stream

    low = MasterSettings(true_peak_ceiling=-9.0)  # low enough for the fake voice to be limited
    gain = _stream_master(settings=low)[0].loudness.gain_db  # as an edit bets on it again
    plain, plain_sink, _shown = _stream_master(gain, settings=low)
    limited: list[int] = []

    def counted_cuts(envelope: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        limited.append(len(envelope))
        return limiter_cuts(envelope, *args, **kwargs)

    monkeypatch.setattr(master_stream, "limiter_cuts", counted_cuts)
    limits = Cache(tmp_path).limits
    first, first_sink, _shown = _stream_master(gain, limits=limits, settings=low)
    entries = sorted(tmp_path.glob("limits/??/*.lim"))
    # One entry per distinct piece: the article repeats a sentence, limited once.
    assert len(limited) == len(entries) < len(first.layout)
    kept = [limits.recall(path.stem) for path in entries]
    assert entries and all(kept)
    assert any(cuts for cuts, _peak in filter(None, kept))  # the limiter did cut
    again, again_sink, _shown = _stream_master(gain, limits=limits, settings=low)
    assert len(limited) == len(entries)  # nothing limited the second time
    for mastered, sink in ((first, first_sink), (again, again_sink)):
        assert mastered.encoded and mastered.loudness == plain.loudness
        assert np.array_equal(np.concatenate(sink.chunks), np.concatenate(plain_sink.chunks))
    # A damaged entry is limited again, never used (read by another process: this one's
    # cache holds what it read and wrote in memory).
    entries[0].write_bytes(entries[0].read_bytes()[:-8])
    limits = Cache(tmp_path).limits
    _damaged, damaged_sink, _shown = _stream_master(gain, limits=limits, settings=low)
    assert len(limited) == len(entries) + 1
    assert np.array_equal(np.concatenate(damaged_sink.chunks), np.concatenate(plain_sink.chunks))


def test_streamed_master_is_kept_and_the_sink_got_exactly_the_episode() -> None:
    mastered, sink, shown = _stream_master()
    assert mastered.timeline.duration > 90
    assert mastered.encoded and sink.finished and not sink.aborted
    streamed = np.concatenate(sink.chunks)
    assert np.array_equal(streamed, mastered.audio())
    assert shown == [pytest.approx(PROBE, abs=10)]  # the encoder saw ~20 s before opening
    assert pyloudnorm.Meter(RATE).integrated_loudness(streamed.astype(np.float64)) == pytest.approx(
        -16.0, abs=0.3
    )
    assert true_peak(streamed) <= 10 ** (-2.0 / 20) * 1.001


def test_short_episode_is_searched_once_and_sent_as_the_search_made_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Under the warm-up, the search that picks the gain makes the episode; the streamer
    sends that episode instead of limiting and metering it a second time."""
    from articleaudio.master import exact as master_exact
    from articleaudio.master import stream as master_stream

    article = _article([("paragraph", "A short story. It has three sentences. That is all.")])
    segments = segment_article(article)
    synth = FakeSynthesizer()
    limited: list[int] = []

    def counted(audio: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        limited.append(len(audio))
        return limit_with_envelope(audio, *args, **kwargs)

    def counted_cuts(envelope: np.ndarray, *args: Any, **kwargs: Any) -> Any:
        limited.append(len(envelope))
        return limiter_cuts(envelope, *args, **kwargs)

    monkeypatch.setattr(master_exact, "limit_with_envelope", counted)
    monkeypatch.setattr(master_stream, "limiter_cuts", counted_cuts)
    exact = master(segments, [synth.synthesize(s.spoken) for s in segments], MasterSettings())
    searched = len(limited)
    sink = Collector()
    streamed = master(
        segments,
        iter([synth.synthesize(s.spoken) for s in segments]),
        MasterSettings(),
        stream=Stream(lambda _rate, _excerpt: sink),
    )
    assert streamed.timeline.duration < 60
    assert searched >= len(segments)
    assert len(limited) == 2 * searched  # no pieces limited beyond the search's own passes
    assert streamed.encoded and sink.finished
    assert np.array_equal(np.concatenate(sink.chunks), exact.audio())
    assert np.array_equal(streamed.audio(), exact.audio())
    assert streamed.loudness == exact.loudness


def test_a_lost_bet_is_thrown_away_and_the_exact_search_runs() -> None:
    exact, _sink, _shown = _stream_master()
    mastered, sink, _shown = _stream_master(gain_db=exact.loudness.gain_db + 6)
    assert sink.aborted and not sink.finished and not mastered.encoded
    assert mastered.loudness.integrated_lufs == pytest.approx(-16.0, abs=0.3)
    audio = mastered.audio()
    assert pyloudnorm.Meter(RATE).integrated_loudness(audio.astype(np.float64)) == pytest.approx(
        -16.0, abs=0.3
    )


def test_a_failure_mid_stream_aborts_the_sink() -> None:
    segments = segment_article(_long_article())
    synth = FakeSynthesizer()
    sink = Collector()

    def pieces() -> Iterator[Piece]:
        for n, segment in enumerate(segments):
            if n == len(segments) - 3:
                raise RuntimeError("worker died")
            yield synth.synthesize(segment.spoken)

    with pytest.raises(RuntimeError):
        master(segments, pieces(), MasterSettings(), stream=Stream(lambda _r, _e: sink))
    assert sink.chunks and sink.aborted and not sink.finished


def test_the_with_block_owns_the_mastered_samples() -> None:
    _segments, mastered = _render(_article([("paragraph", "One two. Three four.")]))
    with mastered as same:
        assert same is mastered and len(mastered.audio()) > 0
    with pytest.raises(ValueError, match="closed file"):
        mastered.audio()  # the spool is gone with the block
    assert mastered.timeline.duration > 0  # what was measured stays
