"""Exact pass 2: one gain for the whole episode, searched until the limited result
meets the loudness target.

It runs once every piece is in: when a build has no streamed gain to bet on,
when that bet missed, and on the first minute of a new episode to make the bet
(:mod:`articleaudio.master.stream`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import partial

import numpy as np

from ..models import GAIN_DECIMALS, Loudness
from .layout import Exact, Layout, MasterSettings, Output, Placed
from .loudness import LoudnessMeter, WeightedPieces, limit_with_envelope, true_peak_envelope
from .spool import Spool

LOUDNESS_TOLERANCE = 0.3
"""LU: close enough to the target to keep a streamed master made with a bet on the gain."""
SEARCH_TOLERANCE = 0.1
"""LU: where the exact search stops. Tighter than :data:`LOUDNESS_TOLERANCE`, so the
next build's bet on this gain survives a small edit's change in loudness."""
LOUDNESS_PASSES = 5
FIRST_SLOPE = 0.5
"""Loudness gained per dB of gain, guessed for the first correction: Piper speech lifted
to -16 LUFS under a -2 dBTP ceiling loses about half of any extra gain to the limiter
(measured: +1.8 dB of gain bought +0.9 LU). Later corrections use the measured secant."""
GAIN_SEARCH_DB = 4.0
"""How far above the first gain estimate the limiter-loss correction may go."""


def normalise(
    layout: Layout,
    measured: float,
    raw: Spool,
    tail: int,
    settings: MasterSettings,
    *,
    first_gain_db: float | None = None,
    memo: WeightedPieces | None = None,
) -> Exact:
    """Pass 2: one gain for the whole episode, then true-peak limiting, re-metered.

    Each piece is oversampled once (:func:`_envelopes`); every gain tried after
    that only rescales the stored envelope. ``memo`` keeps the finished pieces'
    K-weighting for a later build at the same gain.
    """
    gain_db = settings.target_lufs - measured if math.isfinite(measured) else 0.0
    highest = gain_db + GAIN_SEARCH_DB
    if first_gain_db is not None and gain_db <= first_gain_db <= highest:
        gain_db = first_gain_db
    envelopes = _envelopes(layout, raw, settings.true_peak_ceiling - highest)
    apply = partial(_apply_gain, layout, raw, envelopes, tail=tail, settings=settings, memo=memo)
    final: Spool | None = None
    previous: tuple[float, float] | None = None
    try:
        for _attempt in range(LOUDNESS_PASSES):
            if final is not None:
                final.close()
            final = Spool()
            # Rounded as episode.json records it, so the next build's bet on this gain
            # reproduces these samples (and their cached MP3 spans) exactly.
            gain_db = round(gain_db, GAIN_DECIMALS)
            loudness, placed = apply(final, gain_db=gain_db)
            error = settings.target_lufs - loudness.integrated_lufs
            if not math.isfinite(error) or abs(error) < SEARCH_TOLERANCE:
                break
            # The limiter takes some loudness away, so a dB of gain buys less than a
            # dB of loudness: step by the secant of the last two tries.
            slope = FIRST_SLOPE
            if previous is not None and gain_db != previous[0]:
                slope = (loudness.integrated_lufs - previous[1]) / (gain_db - previous[0])
                slope = min(1.0, max(0.2, slope))
            previous = (gain_db, loudness.integrated_lufs)
            gain_db = min(highest, gain_db + error / slope)
    finally:
        envelopes.close()
    assert final is not None  # LOUDNESS_PASSES >= 1
    return Exact(loudness, placed, final)


@dataclass
class _Envelopes:
    """Every raw piece's true-peak envelope, in a spool of its own, by piece index.

    Indexed by piece, not by the raw spool's offsets: pieces prepared before their
    turn (:mod:`.ahead`) lie in the raw spool out of episode order.
    """

    spool: Spool
    stored: list[tuple[int, int]]
    """Piece index → (byte offset, samples) in :attr:`spool`."""

    def read(self, index: int) -> np.ndarray:
        return self.spool.read(*self.stored[index])

    def close(self) -> None:
        self.spool.close()


def _envelopes(layout: Layout, raw: Spool, level_db: float) -> _Envelopes:
    """True-peak envelope of every raw piece, exact wherever it could reach ``level_db``."""
    envelopes = _Envelopes(Spool(), [])
    level = 10 ** (level_db / 20)
    for piece in layout.pieces:
        envelope = true_peak_envelope(raw.read(piece.offset, piece.samples), level)
        envelopes.stored.append(envelopes.spool.append(envelope))
    return envelopes


def _apply_gain(
    layout: Layout,
    raw: Spool,
    envelopes: _Envelopes,
    final: Spool,
    *,
    tail: int,
    gain_db: float,
    settings: MasterSettings,
    memo: WeightedPieces | None = None,
) -> tuple[Loudness, Placed]:
    """Gain and limit every piece into ``final``, metering the result."""
    gain = np.float32(10 ** (gain_db / 20))
    output = Output(final, LoudnessMeter(layout.rate, memo))
    for index, piece in enumerate(layout.pieces):
        audio = raw.read(piece.offset, piece.samples) * gain
        env = envelopes.read(index) * gain
        limited, peak = limit_with_envelope(audio, env, layout.rate, settings.true_peak_ceiling)
        output.add(piece.silence, limited, peak)
    return output.loudness(tail, gain_db), tuple(output.placed)
