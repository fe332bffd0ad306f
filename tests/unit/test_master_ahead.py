"""Pieces prepared before their turn (master/ahead.py) give the episode laid in order."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest

from articleaudio.master import Ahead, MasterSettings, Stream, WeightedPieces, master
from articleaudio.master.ahead import Prepared
from articleaudio.master.mastering import Mastered
from articleaudio.models import Article, Block, BlockKind, Segment
from articleaudio.synth.cache import Cache, LimitCache
from articleaudio.synth.synthesize import Piece
from articleaudio.text.segment import segment_article

from ..support.fake_synthesizer import FakeSynthesizer
from .test_master import Collector

LOW = MasterSettings(true_peak_ceiling=-9.0)
"""Low enough for the fake voice to be limited, so every piece's envelope matters."""


def _segments() -> tuple[Segment, ...]:
    # About 90 s of fake speech: longer than the streamer's warm-up (60 s).
    words = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi"
    blocks = tuple(Block(BlockKind.PARAGRAPH, f"{words} {n}. {words} {n} again.") for n in range(8))
    return segment_article(Article("A headline", blocks, ("Ann Lee",)))


class _Counting(Ahead):
    """An Ahead that records which turns found their preparation."""

    def __init__(self) -> None:
        super().__init__()
        self.taken: list[int] = []

    def take(self, index: int, piece: Piece) -> Prepared | None:
        prepared = super().take(index, piece)
        self.taken.extend([index] if prepared is not None else [])
        return prepared


def _read_ahead(pieces: Sequence[Piece], ahead: Ahead) -> Iterator[Piece]:
    """Yield ``pieces`` in order, but before the first one hand every later piece to
    ``ahead``, last first, as the synth stage does while a sentence is being spoken:
    the raw and final spools then hold them in reverse."""
    for index in reversed(range(1, len(pieces))):
        ahead.prepare(index, pieces[index])
    yield from pieces


def _both(
    stream: Stream | None, gain_db: float | None, second: Stream | None = None
) -> tuple[Mastered, Mastered, list[int]]:
    segments = _segments()
    synth = FakeSynthesizer()
    pieces = [synth.synthesize(s.spoken) for s in segments]
    plain = master(segments, iter(pieces), LOW, first_gain_db=gain_db, stream=stream)
    ahead = _Counting()
    made = master(
        segments,
        _read_ahead(pieces, ahead),
        LOW,
        first_gain_db=gain_db,
        stream=second,
        ahead=ahead,
    )
    return plain, made, ahead.taken


def _assert_same(plain: Mastered, made: Mastered) -> None:
    with plain, made:
        assert np.array_equal(made.audio(), plain.audio())
        assert made.loudness == plain.loudness
        assert made.timeline == plain.timeline
        assert made.encoded == plain.encoded


def test_the_exact_search_limits_each_piece_with_its_own_envelope() -> None:
    # No stream: every piece is trimmed and stored ahead, then the search reads them
    # back by their own places (the envelopes were once read at the raw spool's).
    plain, made, taken = _both(None, None)
    assert len(taken) == len(plain.layout) - 1
    _assert_same(plain, made)
    assert made.loudness.true_peak_dbtp <= -9.0 + 0.01


def test_a_stream_that_guesses_its_gain_is_unchanged_by_pieces_made_ahead() -> None:
    sinks = [Collector(), Collector()]
    plain, made, taken = _both(
        Stream(lambda _r, _e: sinks[0]), None, Stream(lambda _r, _e: sinks[1])
    )
    assert len(taken) == len(plain.layout) - 1 and plain.encoded
    _assert_same(plain, made)
    assert np.array_equal(np.concatenate(sinks[1].chunks), np.concatenate(sinks[0].chunks))


def _stream(sink: Collector, limits: LimitCache, weighted: WeightedPieces) -> Stream:
    return Stream(lambda _rate, _excerpt: sink, limits=limits, weighted=weighted)


def test_an_edit_bet_finishes_pieces_ahead_and_sends_the_same_samples(tmp_path: Path) -> None:
    segments = _segments()
    synth = FakeSynthesizer()
    first = master(segments, (synth.synthesize(s.spoken) for s in segments), LOW)
    gain = first.loudness.gain_db  # what an edit bets on
    first.close()
    weighted = [WeightedPieces(), WeightedPieces()]
    sinks = [Collector(), Collector()]
    limits = [Cache(tmp_path / "a").limits, Cache(tmp_path / "b").limits]
    streams = [_stream(sinks[n], limits[n], weighted[n]) for n in (0, 1)]
    plain, made, taken = _both(streams[0], gain, streams[1])
    assert plain.encoded and made.encoded
    assert len(taken) == len(plain.layout) - 1
    _assert_same(plain, made)
    assert np.array_equal(np.concatenate(sinks[1].chunks), np.concatenate(sinks[0].chunks))
    # The pieces were limited and weighted before their turn: the same limiter entries
    # were made, and the meter's memo holds each piece and its ringing once.
    assert sorted(p.name for p in (tmp_path / "b").glob("limits/??/*.lim")) == sorted(
        p.name for p in (tmp_path / "a").glob("limits/??/*.lim")
    )
    for memo in weighted:
        memo.close()


def test_a_piece_prepared_from_another_object_is_laid_afresh() -> None:
    segments = _segments()
    synth = FakeSynthesizer()
    pieces = [synth.synthesize(s.spoken) for s in segments]
    ahead = Ahead()
    copies = [Piece(p.audio * 0.5, p.sample_rate, p.words) for p in pieces]

    def given() -> Iterator[Piece]:
        for index in range(1, len(pieces)):
            ahead.prepare(index, copies[index])  # not the objects laid below
        yield from pieces

    made = master(segments, given(), LOW, ahead=ahead)
    plain = master(segments, iter(pieces), LOW)
    _assert_same(plain, made)


@pytest.mark.parametrize("index", [0, 5])
def test_ahead_prepares_nothing_before_the_master_attaches_it(index: int) -> None:
    piece = FakeSynthesizer().synthesize("Nothing yet.")
    ahead = Ahead()
    ahead.prepare(index, piece)
    assert ahead.take(index, piece) is None
