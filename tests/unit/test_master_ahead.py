"""Pieces prepared before their turn (master/ahead.py) give the episode laid in order."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import articleaudio.master.loudness as loudness
import articleaudio.master.stream as streaming
from articleaudio.encode.mp3frames import frame_grid
from articleaudio.master import Ahead, MasterSettings, Stream, WeightedPieces, master, samples_key
from articleaudio.master.ahead import Prepared
from articleaudio.master.mastering import Mastered
from articleaudio.models import Article, Block, BlockKind, Segment
from articleaudio.synth.cache import Cache, LimitCache
from articleaudio.synth.synthesize import Piece
from articleaudio.text.segment import segment_article

from ..support.fake_synthesizer import FakeSynthesizer

LOW = MasterSettings(true_peak_ceiling=-9.0)
"""Low enough for the fake voice to be limited, so every piece's envelope matters."""

Plan = Callable[[int], dict[int, list[int]]]
"""Pieces in an episode → before which piece each later one is prepared."""


def _all_reversed(count: int) -> dict[int, list[int]]:
    return {0: list(reversed(range(1, count)))}


def _every_other(count: int) -> dict[int, list[int]]:
    # Piece i waits for its sentence while i + 1 is read: some prepared, some not.
    return {i: [i + 1] for i in range(0, count - 1, 2)}


def _the_last_few(count: int) -> dict[int, list[int]]:
    return {count // 2: list(range(count - 4, count))}


PLANS = (_all_reversed, _every_other, _the_last_few)


def _segments(paragraphs: int = 6) -> tuple[Segment, ...]:
    # About 70 s of fake speech (6 paragraphs): longer than the streamer's warm-up (60 s).
    words = "Alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi"
    blocks = tuple(
        Block(BlockKind.PARAGRAPH, f"{words} {n}. {words} {n} again.") for n in range(paragraphs)
    )
    return segment_article(Article("A headline", blocks, ("Ann Lee",)))


class _Counting(Ahead):
    """An Ahead that records which turns found their preparation, and how far it went."""

    def __init__(self) -> None:
        super().__init__()
        self.taken: list[int] = []
        self.finished: list[int] = []

    def take(self, index: int, piece: Piece) -> Prepared | None:
        prepared = super().take(index, piece)
        if prepared is not None:
            self.taken.append(index)
            self.finished.extend([index] if prepared.finished is not None else [])
        return prepared


def _read_ahead(pieces: Sequence[Piece], ahead: Ahead, plan: Plan) -> Iterator[Piece]:
    """Yield ``pieces`` in order, handing ``ahead`` the later ones ``plan`` says before each,
    as the synth stage does while a sentence is being spoken (the raw and final spools
    then hold them out of episode order)."""
    before = plan(len(pieces))
    for index, piece in enumerate(pieces):
        for later in before.get(index, []):
            ahead.prepare(later, pieces[later])
        yield piece


@dataclass
class _Sink:
    """An in-memory encoder that keeps the samples and where spans may start."""

    chunks: list[np.ndarray | None] = field(default_factory=list)
    finished: bool = False

    def write(self, chunk: np.ndarray, *, key: bytes | None = None) -> None:
        assert key is None or samples_key(chunk, 22050) == key
        self.chunks.append(chunk.copy())

    def write_stored(self, samples: int, key: bytes, load: Callable[[], np.ndarray]) -> None:
        audio = load()
        assert len(audio) == samples and samples_key(audio, 22050) == key
        self.chunks.append(audio)

    def cut(self) -> None:
        self.chunks.append(None)

    def finish(self) -> None:
        self.finished = True

    def abort(self) -> None:
        self.chunks.clear()

    def received(self) -> tuple[np.ndarray, list[int]]:
        """Every sample, and the sample counts at which a span may start."""
        parts, cuts, total = [], [], 0
        for chunk in self.chunks:
            if chunk is None:
                cuts.append(total)
            else:
                parts.append(chunk)
                total += len(chunk)
        return np.concatenate([np.zeros(0, np.float32), *parts]), cuts


@dataclass
class _Run:
    """One way of mastering the same pieces, with what its stream sent."""

    mastered: Mastered
    sink: _Sink


def _stream(sink: _Sink, limits: LimitCache | None, memo: WeightedPieces | None) -> Stream:
    return Stream(lambda _rate, _excerpt: sink, limits=limits, weighted=memo)


def _master_twice(
    episode: tuple[tuple[Segment, ...], list[Piece]],
    plan: Plan,
    *,
    gain_db: float | None,
    streamed: bool,
    tmp_path: Path | None = None,
) -> tuple[_Run, _Run, _Counting]:
    """The episode's pieces mastered in order, then with ``plan``'s prepared ahead."""
    segments, pieces = episode
    runs = []
    ahead = _Counting()
    for n, given in enumerate((iter(pieces), _read_ahead(pieces, ahead, plan))):
        sink = _Sink()
        limits = Cache(tmp_path / f"cache-{n}").limits if tmp_path else None
        memo = WeightedPieces() if tmp_path else None
        stream = _stream(sink, limits, memo) if streamed else None
        mastered = master(
            segments,
            given,
            LOW,
            first_gain_db=gain_db,
            stream=stream,
            grid=frame_grid,
            ahead=ahead if n else None,
        )
        runs.append(_Run(mastered, sink))
        if memo is not None:
            memo.close()
    return runs[0], runs[1], ahead


def _assert_same(plain: _Run, made: _Run) -> None:
    with plain.mastered as a, made.mastered as b:
        assert np.array_equal(b.audio(), a.audio())
        assert b.loudness == a.loudness
        assert b.timeline == a.timeline
        assert (b.encoded, b.cuts, b.tail) == (a.encoded, a.cuts, a.tail)
    sent, plain_sent = made.sink.received(), plain.sink.received()
    assert np.array_equal(sent[0], plain_sent[0]) and sent[1] == plain_sent[1]


def _episode(paragraphs: int = 6) -> tuple[tuple[Segment, ...], list[Piece]]:
    segments, synth = _segments(paragraphs), FakeSynthesizer()
    return segments, [synth.synthesize(s.spoken) for s in segments]


def _gain(episode: tuple[tuple[Segment, ...], list[Piece]]) -> float:
    """The gain a first build of the episode chose: what an edit bets on."""
    segments, pieces = episode
    with master(segments, iter(pieces), LOW, grid=frame_grid) as first:
        return first.loudness.gain_db


@pytest.mark.parametrize("plan", PLANS)
def test_the_exact_search_limits_each_piece_with_its_own_envelope(plan: Plan) -> None:
    # No stream: pieces are trimmed and stored ahead, and the search reads them back by
    # their own places (the envelopes were once read at the raw spool's).
    episode = _episode()
    plain, made, ahead = _master_twice(episode, plan, gain_db=None, streamed=False)
    assert ahead.taken == sorted(j for js in plan(len(episode[1])).values() for j in js)
    assert not ahead.finished  # no gain to finish them with
    assert made.mastered.loudness.true_peak_dbtp <= -9.0 + 0.01
    _assert_same(plain, made)


@pytest.mark.parametrize("plan", PLANS)
def test_a_stream_that_guesses_its_gain_is_unchanged_by_pieces_made_ahead(plan: Plan) -> None:
    plain, made, ahead = _master_twice(_episode(), plan, gain_db=None, streamed=True)
    assert ahead.taken and not ahead.finished and plain.mastered.encoded
    _assert_same(plain, made)


@pytest.mark.parametrize("plan", PLANS)
def test_an_edit_bet_finishes_pieces_ahead_and_sends_the_same_samples(
    plan: Plan, tmp_path: Path
) -> None:
    episode = _episode()
    plain, made, ahead = _master_twice(
        episode, plan, gain_db=_gain(episode), streamed=True, tmp_path=tmp_path
    )
    assert made.mastered.encoded and made.mastered.loudness.gain_db == _gain(episode)
    # Every prepared piece was gained, limited and weighted before its turn.
    assert ahead.finished == ahead.taken and ahead.taken
    # ... and made the same limiter entries as the in-order build.
    entries = [
        sorted(p.name for p in (tmp_path / f"cache-{n}").glob("limits/??/*.lim")) for n in (0, 1)
    ]
    assert entries[0] and entries[1] == entries[0]
    _assert_same(plain, made)


@pytest.mark.parametrize("bet", [-3.0, 12.0])
def test_a_lost_bet_falls_back_to_the_search_as_in_order(bet: float, tmp_path: Path) -> None:
    episode = _episode()
    gain = _gain(episode) + bet  # far enough off for the streamed master to be thrown away
    plain, made, ahead = _master_twice(
        episode, _all_reversed, gain_db=gain, streamed=True, tmp_path=tmp_path
    )
    assert not plain.mastered.encoded and ahead.finished == ahead.taken
    _assert_same(plain, made)


def test_a_short_episode_searched_whole_is_unchanged_by_pieces_made_ahead() -> None:
    # Under the warm-up, the search makes the whole episode and the stream adopts it.
    plain, made, ahead = _master_twice(_episode(1), _all_reversed, gain_db=None, streamed=True)
    assert ahead.taken and plain.mastered.encoded
    _assert_same(plain, made)


def test_silent_and_tiny_pieces_are_prepared_as_laid() -> None:
    segments, pieces = _episode()
    rate = pieces[0].sample_rate
    pieces[3] = Piece(np.zeros(rate // 2, np.float32), rate, ())  # trims to nothing
    pieces[5] = Piece(pieces[5].audio[:300].copy(), rate, ())  # shorter than the K filter
    plain, made, ahead = _master_twice(
        (segments, pieces), _all_reversed, gain_db=None, streamed=False
    )
    assert {3, 5} <= set(ahead.taken)
    _assert_same(plain, made)


def test_a_piece_prepared_from_another_object_is_laid_afresh() -> None:
    segments, pieces = _episode()
    copies = [Piece(p.audio * 0.5, p.sample_rate, p.words) for p in pieces]
    ahead = _Counting()

    def given() -> Iterator[Piece]:
        for index in range(1, len(pieces)):
            ahead.prepare(index, copies[index])  # not the objects laid below
        yield from pieces

    made = master(segments, given(), LOW, ahead=ahead)
    plain = master(segments, iter(pieces), LOW)
    assert not ahead.taken
    _assert_same(_Run(plain, _Sink()), _Run(made, _Sink()))


@pytest.mark.parametrize("index", [0, 5])
def test_ahead_prepares_nothing_before_the_master_attaches_it(index: int) -> None:
    piece = FakeSynthesizer().synthesize("Nothing yet.")
    ahead = Ahead()
    ahead.prepare(index, piece)
    assert ahead.take(index, piece) is None


def _named(pieces: list[Piece]) -> list[Piece]:
    """The pieces as the cache gives them back: each named by a digest of its samples."""
    return [
        Piece(p.audio, p.sample_rate, p.words, hashlib.sha256(p.audio.tobytes()).digest())
        for p in pieces
    ]


@pytest.mark.parametrize("plan", PLANS)
def test_an_edit_in_a_warm_runner_hashes_only_its_new_piece(
    plan: Plan, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    episode = _episode()
    gain, (segments, pieces) = _gain(episode), episode
    edited = _named(pieces)
    edited[2] = FakeSynthesizer().synthesize(segments[2].spoken + " Now edited.")  # no digest
    hashed: list[str] = []
    for module, name in ((loudness, "samples_key"), (streaming, "limit_key")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, _counted(real, name, hashed))

    def run(given: Iterator[Piece], memo: WeightedPieces, ahead: Ahead | None = None) -> _Run:
        sink = _Sink()  # it checks every key it is given against the samples
        limits = Cache(tmp_path / "cache").limits
        to, grid = _stream(sink, limits, memo), frame_grid
        made = master(segments, given, LOW, first_gain_db=gain, stream=to, grid=grid, ahead=ahead)
        return _Run(made, sink)

    with WeightedPieces() as memo, WeightedPieces() as fresh:
        run(iter(_named(pieces)), memo).mastered.close()  # the runner's first build
        hashed.clear()
        made = run(_read_ahead(edited, _Counting(), plan), memo, _Counting())
        assert hashed == ["limit_key", "samples_key"]  # the new piece's, once each
        # The same edit with nothing remembered: the same samples, sent with the same keys.
        _assert_same(run(iter(edited), fresh), made)


def _counted(real: Callable[..., Any], name: str, calls: list[str]) -> Callable[..., Any]:
    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(name)
        return real(*args, **kwargs)

    return counting
