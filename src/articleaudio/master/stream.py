"""Streaming pass 2: gain, limit and encode each piece while later ones are synthesised.

The exact pass 2 (:func:`articleaudio.master.exact.normalise`) has to wait for the
whole episode, because loudness is measured over all of it; then mastering and
encoding run alone on one core after the synthesis workers have finished.
This module bets instead. It picks the gain early, from the episode's previous
build (after an edit) or from the first minute of audio, and sends every
finished piece straight to the encoder. When the whole episode is in and its
measured loudness lands within tolerance of the target, the encoded file is
kept; otherwise it is thrown away and the exact search runs as before. Either
way the episode gets one gain, so dynamics between sentences are untouched.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import NamedTuple, Protocol

import numpy as np

from ..models import Loudness
from .exact import normalise
from .layout import Finished, Layout, MasterSettings, Output, Placed, Placement
from .loudness import (
    Cuts,
    LoudnessMeter,
    WeightedPieces,
    apply_cuts,
    limiter_cuts,
    true_peak_envelope,
)
from .spool import Spool

WARM_UP = 60.0
"""Seconds of audio metered before a gain is guessed when there is no earlier build."""
PROBE = 20.0
"""Seconds of finished audio the sink is shown before it opens, by default (for an
encoder level probe)."""


class Sink(Protocol):
    """Where finished samples go: an encoder that can be completed or thrown away."""

    def write(self, chunk: np.ndarray, *, key: bytes | None = None) -> None:
        """Take the next samples; ``key`` is their :func:`~.loudness.samples_key` when
        the master knows it (a sink that keys what it makes need not hash them again)."""

    def write_stored(self, samples: int, key: bytes, load: Callable[[], np.ndarray]) -> None:
        """Take the next ``samples`` samples, finished ahead: ``key`` is their
        :func:`~.loudness.samples_key` and ``load()`` reads them (a sink that keys
        what it makes by its samples need not read them at all)."""

    def cut(self) -> None:
        """The next samples may start an independent span (see ``Mastered.cuts``)."""

    def finish(self) -> None:
        """Complete the output."""

    def abort(self) -> None:
        """Stop and delete the output."""


OpenSink = Callable[[int, np.ndarray], Sink]
"""(sample rate, the first finished seconds of the episode) → a sink for all of it."""

LIMITER_VERSION = 1
"""Bump when the limiter's cuts for the same samples, gain and ceiling change."""


class LimitStore(Protocol):
    """Where the limiter's cuts for each piece are kept between builds (the cache's),
    by :func:`limit_key`, with the piece's true peak after them."""

    def recall(self, key: str) -> tuple[Cuts, float] | None:
        """The cuts and the peak kept, or None."""

    def put(self, key: str, cuts: Cuts, peak: float) -> None:
        """Keep them (failures only cost speed)."""


class Limited(NamedTuple):
    """A piece gained and limited (:func:`limit_piece`)."""

    audio: np.ndarray
    peak: float
    """Its true peak after limiting (linear)."""
    key: str
    """Its :func:`limit_key` ("" without a store)."""


def limit_piece(
    audio: np.ndarray,
    rate: int,
    gain_db: float,
    ceiling_db: float,
    store: LimitStore | None,
    *,
    key: str = "",
) -> Limited:
    """A piece gained and limited, and its true peak after.

    The limiter's cuts depend only on the piece's samples, the gain and the
    ceiling, so they are remembered in ``store``: after an edit, the pieces it
    left alone are not oversampled and smoothed again. ``key`` is its
    :func:`limit_key` when known (see ``WeightedPieces.made_keys``).
    """
    gain = 10 ** (gain_db / 20)
    key = key or (limit_key(audio, rate, gain_db, ceiling_db) if store else "")
    kept = store.recall(key) if store else None
    if kept is None:
        # Only runs that the gain lifts near the ceiling are oversampled.
        envelope = true_peak_envelope(audio, 10 ** (ceiling_db / 20) / gain) * gain
        kept = limiter_cuts(envelope, rate, ceiling_db)
        if store:
            store.put(key, *kept)
    cuts, peak = kept
    return Limited(apply_cuts(audio * np.float32(gain), cuts), peak, key)


def piece_source(digest: bytes | None, rate: int, gain_db: float, ceiling_db: float) -> Hashable:
    """What a finished piece is made from (see ``WeightedPieces.made_keys``); None when
    its samples are not named (a sentence just spoken)."""
    return None if digest is None else (digest, rate, gain_db, ceiling_db)


def limit_key(audio: np.ndarray, rate: int, gain_db: float, ceiling_db: float) -> str:
    """Cache key of a piece's limiting: its samples and everything the limiter is told."""
    digest = hashlib.sha256(np.ascontiguousarray(audio, dtype="<f4").data)
    digest.update(f"{rate}:{gain_db!r}:{ceiling_db!r}:{LIMITER_VERSION}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Stream:
    """A request to encode while mastering."""

    open_sink: OpenSink
    probe_seconds: float = PROBE
    """Finished audio the sink must be shown before it opens (0: open at once)."""
    limits: LimitStore | None = None
    """Keeps each piece's limiting for the next build (see :func:`limit_piece`)."""
    weighted: WeightedPieces | None = None
    """Keeps each finished piece's K-weighting for the next build (a warm runner's)."""


@dataclass
class Streamer:
    """Pass 2 run piece by piece behind pass 1 (see the module docstring)."""

    stream: Stream
    settings: MasterSettings
    final: Spool
    gain_db: float | None = None
    """The gain bet on: the previous build's, or guessed after :data:`WARM_UP`."""
    retry_gain_db: float | None = None
    """Where the exact search should start when the bet is lost."""
    output: Output | None = None
    _sink: Sink | None = None
    _pending: list[_Chunk] = field(default_factory=list)
    """Samples (and ``None`` for cuts) held until the sink opens."""
    _pending_samples: int = 0
    _searched: Loudness | None = None
    """The loudness the exact search measured, when it made the whole episode."""
    ready: dict[int, Finished] = field(default_factory=dict)
    """Pieces finished before their turn (:mod:`.ahead`), by index, until they are laid."""

    def follow(
        self, layout: Layout, raw: Spool, meter: LoudnessMeter, *, tail: int | None = None
    ) -> None:
        """Finish every piece pass 1 has laid out so far (once a gain is chosen).

        ``tail`` (the closing silence) says every piece is in. A short episode
        has no gain before then, and the search that chooses it makes the whole
        episode, tail included, as the final measurement does: that result is
        sent as it is rather than made a second time.
        """
        if self.gain_db is None:
            if tail is None and layout.position < WARM_UP * layout.rate:
                return
            loudness, placed, final = normalise(
                layout, meter.integrated, raw, tail or 0, self.settings, memo=self.stream.weighted
            )
            self.gain_db = loudness.gain_db
            if tail is not None:
                self._adopt(layout, loudness, placed, final)
                return
            final.close()
        if self.output is None:
            self.output = Output(self.final, LoudnessMeter(layout.rate, self.stream.weighted))
        for piece in layout.pieces[len(self.output.placed) :]:
            self._finish_piece(layout, raw, piece)

    def _finish_piece(self, layout: Layout, raw: Spool, piece: Placement) -> None:
        """Gain, limit, meter and send the next piece (or take it as :mod:`.ahead` made it)."""
        assert self.output is not None and self.gain_db is not None
        index = len(self.output.placed)
        done = self.ready.pop(index, None)
        if done is not None and done.gain_db == self.gain_db and done.final is self.final:
            if done.key is not None:  # neither the meter nor the encoder reads it whole
                self.output.add_finished(piece.silence, done)
                self._emit_piece(layout, index, piece.silence, _Stored(done.key, done))
                return
            audio = done.load()
            key = self.output.add(piece.silence, audio, done.peak, stored=done.stored)
        else:
            audio, key = self._limit_laid(layout, raw, index)
        self._emit_piece(layout, index, piece.silence, _Keyed(key, audio) if key else audio)

    def _limit_laid(
        self, layout: Layout, raw: Spool, index: int
    ) -> tuple[np.ndarray, bytes | None]:
        """Limit and meter laid piece ``index`` from its trimmed samples in ``raw``: its
        finished samples and memo key (keys it was made with before are not made again)."""
        assert self.output is not None and self.gain_db is not None
        piece, ceiling = layout.pieces[index], self.settings.true_peak_ceiling
        source = piece_source(layout.digests[index], layout.rate, self.gain_db, ceiling)
        memo = self.stream.weighted if source is not None else None
        made = memo.made_keys(source) if memo is not None else None
        raw_audio = raw.read(piece.offset, piece.samples)
        limited = limit_piece(
            raw_audio,
            layout.rate,
            self.gain_db,
            ceiling,
            self.stream.limits,
            key=made[0] if made else "",
        )
        known = made[1] if made else None
        key = self.output.add(piece.silence, limited.audio, limited.peak, key=known)
        if memo is not None and key is not None:
            memo.learn_keys(source, (limited.key, key))
        return limited.audio, key

    def _adopt(self, layout: Layout, loudness: Loudness, placed: Placed, final: Spool) -> None:
        """Take the exact search's episode as this stream's, and send it to the sink."""
        self.final.close()
        self.final = final
        self.output = Output(final, LoudnessMeter(layout.rate), list(placed))
        self._searched = loudness
        for index, piece in enumerate(placed):
            self._emit_piece(layout, index, piece.silence, final.read(piece.offset, piece.samples))

    def _emit_piece(
        self, layout: Layout, index: int, silence: int, audio: np.ndarray | _Keyed | _Stored
    ) -> None:
        """Send one finished piece after its pause, with a cut where a span may start."""
        if index in layout.cuts:
            self._emit(np.zeros(layout.cuts[index], np.float32), layout.rate)
            self._emit(None, layout.rate)
            silence -= layout.cuts[index]
        self._emit(np.zeros(silence, np.float32), layout.rate)
        self._emit(audio, layout.rate)

    def end(self, layout: Layout, raw: Spool, meter: LoudnessMeter, tail: int) -> Loudness:
        """Finish the last pieces and the tail; the loudness of what the sink received."""
        self.follow(layout, raw, meter, tail=tail)
        assert self.output is not None and self.gain_db is not None
        self._emit(np.zeros(tail, np.float32), layout.rate, flush=True)
        if self._searched is not None:
            return self._searched
        return self.output.loudness(tail, self.gain_db)

    def finish(self) -> None:
        """Keep the sink's output."""
        if self._sink is not None:
            self._sink.finish()
            self._sink = None

    def abort(self) -> None:
        """Throw the sink's output away (safe to call at any time)."""
        if self._sink is not None:
            self._sink.abort()
            self._sink = None

    def _emit(self, chunk: _Chunk, rate: int, *, flush: bool = False) -> None:
        """Send samples (``None``: a cut) to the sink, opening it once it can be shown
        ``probe_seconds`` of the episode."""
        if self._sink is not None:
            _send(self._sink, chunk)
            return
        self._pending.append(chunk)
        self._pending_samples += 0 if chunk is None else len(chunk)
        if self._pending_samples >= self.stream.probe_seconds * rate or flush:
            pending, self._pending, self._pending_samples = self._pending, [], 0
            shown = np.concatenate(
                [np.zeros(0, np.float32), *(_samples(c) for c in pending if c is not None)]
            )
            self._sink = self.stream.open_sink(rate, shown)
            for item in pending:
                _send(self._sink, item)


@dataclass(frozen=True)
class _Stored:
    """A finished piece sent to the sink by its key (read only if the sink needs it)."""

    key: bytes
    piece: Finished

    def __len__(self) -> int:
        return self.piece.stored[1]


@dataclass(frozen=True)
class _Keyed:
    """A finished piece's samples with the key the meter worked out for them."""

    key: bytes
    audio: np.ndarray

    def __len__(self) -> int:
        return len(self.audio)


_Chunk = np.ndarray | _Keyed | _Stored | None
"""What the streamer sends: samples (keyed or not), a piece finished ahead, or a cut (None)."""


def _samples(chunk: np.ndarray | _Keyed | _Stored) -> np.ndarray:
    if isinstance(chunk, _Stored):
        return chunk.piece.load()
    return chunk.audio if isinstance(chunk, _Keyed) else chunk


def _send(sink: Sink, chunk: _Chunk) -> None:
    if chunk is None:
        sink.cut()
    elif isinstance(chunk, _Stored):
        sink.write_stored(len(chunk), chunk.key, chunk.piece.load)
    elif isinstance(chunk, _Keyed):
        sink.write(chunk.audio, key=chunk.key)
    else:
        sink.write(chunk)
