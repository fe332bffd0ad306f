"""Pieces mastered ahead of their turn, as far as where they lie does not matter.

The master lays pieces in episode order, so after an edit every piece after the
new sentence waits for it, and once it is in they are all mastered at once: in a
warm runner, an edit of the benchmark article's first paragraph spent 0.30 s after
its sentence (0.17 s now).
While that sentence is synthesised, the synth stage reads the cached pieces
after it (``Synthesis.pieces(..., ahead=)``) and hands each to :meth:`Ahead.prepare`,
which does here what needs no position: trimming, storing the trimmed piece, the
streamed gain and its limiting, storing the finished piece and weighting it for
the loudness meter. Its turn then only places it: its pause, the meter's hops,
its cue and the encoder.

Every float is made by the function the in-order path uses on the same samples
(:func:`.trim.trim_piece`, :func:`.stream.limit_piece`,
:meth:`.loudness.WeightedPieces.prime`), so the episode is the same to the bit.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..synth import Piece
from .layout import Finished
from .spool import Spool
from .stream import Stream, Streamer, limit_piece, piece_source
from .trim import trim_piece


@dataclass(frozen=True)
class Prepared:
    """What a piece's turn needs from it, made before that turn."""

    piece: Piece
    """The piece it was made from (a turn with another object ignores it)."""
    start: int
    """Samples trimmed from its front."""
    raw: tuple[int, int]
    """Where its trimmed samples lie in the raw spool: (byte offset, samples)."""
    finished: Finished | None
    """Its streamed pass 2, when the gain was known."""


@dataclass
class Ahead:
    """Prepares the pieces it is given (see the module docstring); the master stage
    takes them back by index as their turn comes.

    It prepares nothing until :func:`~.mastering.master` has given it its spools,
    and a finished piece only when the gain is known from the start: a stream's
    bet (``gain_db``, an edit's), never a guess after the first minute.
    """

    _raw: Spool | None = field(default=None, repr=False)
    _stream: Stream | None = field(default=None, repr=False)
    _final: Spool | None = field(default=None, repr=False)
    _gain_db: float | None = None
    _ceiling_db: float = 0.0
    _ready: dict[int, Prepared] = field(default_factory=dict, repr=False)

    def attach(self, raw: Spool, streamer: Streamer | None, ceiling_db: float) -> None:
        """Start preparing: trimmed pieces into ``raw`` and, when the ``streamer`` has its
        bet on the gain already, finished pieces into its final spool."""
        self._raw, self._ceiling_db = raw, ceiling_db
        if streamer is not None:
            self._stream, self._final = streamer.stream, streamer.final
            self._gain_db = streamer.gain_db

    def prepare(self, index: int, piece: Piece) -> None:
        """Do now what piece ``index`` needs that does not depend on where it lies."""
        if self._raw is None or index in self._ready:
            return
        start, trimmed = trim_piece(piece.audio, piece.sample_rate)
        raw = self._raw.append(trimmed)
        finished = self._finish(trimmed, piece) if trimmed.size else None
        self._ready[index] = Prepared(piece, start, raw, finished)

    def _finish(self, trimmed: np.ndarray, piece: Piece) -> Finished | None:
        stream, final, gain_db = self._stream, self._final, self._gain_db
        if stream is None or final is None or gain_db is None:
            return None
        rate, memo = piece.sample_rate, stream.weighted
        source = piece_source(piece.digest, rate, gain_db, self._ceiling_db)
        made = memo.made_keys(source) if memo is not None and source is not None else None
        limited = limit_piece(
            trimmed, rate, gain_db, self._ceiling_db, stream.limits, key=made[0] if made else ""
        )
        key = None
        if memo is not None:
            audio = np.asarray(limited.audio, np.float32)
            key = memo.prime(audio, rate, key=made[1] if made else None)
            if source is not None:
                memo.learn_keys(source, (limited.key, key))
        return Finished(gain_db, limited.peak, key, final, final.append(limited.audio))

    def take(self, index: int, piece: Piece) -> Prepared | None:
        """Piece ``index``'s preparation, if it was prepared from ``piece``."""
        prepared = self._ready.pop(index, None)
        return prepared if prepared is not None and prepared.piece is piece else None

    def close(self) -> None:
        """Stop preparing and forget what was not taken (the spools are the master's)."""
        self._ready.clear()
        self._raw = self._stream = self._final = None
        self._gain_db = None
