"""The master stage's shared types: settings, pass 1's layout, pass 2's results.

A leaf: :mod:`.mastering`, :mod:`.stream` and :mod:`.exact` all import it, and it
imports none of them, so the three read in one direction (mastering → stream →
exact → here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..models import Cue, Loudness
from .loudness import LoudnessMeter
from .spool import Spool

TARGET_LUFS = -16.0
"""Podcast loudness (Apple's and most hosts' recommendation for spoken word)."""
TRUE_PEAK_CEILING = -2.0
"""dBTP before encoding; MP3 encoding overshoots a little, and -1 dBTP must hold after it."""


@dataclass(frozen=True)
class Pauses:
    """Silence, in seconds, inserted after each kind of boundary."""

    lead_in: float = 0.3
    """Before the first word."""
    after_title: float = 1.0
    after_byline: float = 0.7
    after_disclosure: float = 1.0
    after_heading: float = 0.7
    before_heading: float = 1.1
    """Before a section heading (and before a closing disclosure)."""
    paragraph: float = 0.8
    """Between paragraphs."""
    sentence: float = 0.35
    """Between sentences of one paragraph."""
    tail: float = 1.0
    """After the last word."""


@dataclass(frozen=True)
class MasterSettings:
    """Stitching and loudness settings."""

    pauses: Pauses = field(default_factory=Pauses)
    target_lufs: float = TARGET_LUFS
    true_peak_ceiling: float = TRUE_PEAK_CEILING


class Placement(NamedTuple):
    """Where one piece lies in the episode and in the spool that holds it."""

    silence: int
    """Samples of silence before the piece."""
    offset: int
    """Byte offset of its samples in the spool."""
    samples: int
    """Its length in samples."""


Placed = tuple[Placement, ...]
"""Every piece's placement, in episode order."""


class Exact(NamedTuple):
    """An exact search's result."""

    loudness: Loudness
    """Measured on the final samples."""
    placed: Placed
    """Where each finished piece lies in ``final``."""
    final: Spool
    """The spool holding the finished pieces (the caller closes it)."""


@dataclass(frozen=True)
class Finished:
    """A piece gained and limited before its turn (what the streamed pass 2 makes)."""

    gain_db: float
    """The gain it was made with (the stream's bet)."""
    peak: float
    """Its true peak after limiting (linear)."""
    key: bytes | None
    """Its loudness meter's memo key (None: the stream keeps no weighting)."""
    final: Spool
    """The spool it is stored in (read back at its turn: holding every finished piece
    in memory until then would double what the read-ahead holds)."""
    stored: tuple[int, int]
    """Where: (byte offset, samples)."""

    def load(self, start: int = 0, count: int | None = None) -> np.ndarray:
        """``count`` of its samples (default: to its end) from sample ``start``."""
        offset, samples = self.stored
        count = samples - start if count is None else count
        return self.final.read(offset + self.final.dtype.itemsize * start, count)


@dataclass
class Output:
    """Finished pieces as pass 2 writes them: where each lies, their loudness and peak.

    Shared by the exact pass 2 and the streamed one, so both measure alike.
    """

    final: Spool
    meter: LoudnessMeter
    placed: list[Placement] = field(default_factory=list)
    peak: float = 0.0

    def add(
        self,
        silence: int,
        audio: np.ndarray,
        peak: float,
        *,
        key: bytes | None = None,
        stored: tuple[int, int] | None = None,
    ) -> bytes | None:
        """Lay a finished piece after ``silence`` samples; ``peak`` is its true peak.

        A piece prepared ahead (:mod:`.ahead`) brings its meter ``key`` and, when
        it is in :attr:`final` already, where it is ``stored`` (offset, samples).
        Returns the meter's key for the piece (see :meth:`LoudnessMeter.add`).
        """
        self.meter.add_silence(silence)
        used = self.meter.add(audio, peaks=False, key=key)
        self.peak = max(self.peak, peak)
        self.placed.append(Placement(silence, *(stored or self.final.append(audio))))
        return used

    def add_finished(self, silence: int, done: Finished) -> None:
        """:meth:`add` for a piece finished ahead and stored in :attr:`final` already,
        without reading it back (see :meth:`LoudnessMeter.add_stored`)."""
        assert done.key is not None
        self.meter.add_silence(silence)
        self.meter.add_stored(done.key, done.stored[1], done.load)
        self.peak = max(self.peak, done.peak)
        self.placed.append(Placement(silence, *done.stored))

    def loudness(self, tail: int, gain_db: float) -> Loudness:
        """Measured loudness of everything added, followed by ``tail`` samples of silence."""
        self.meter.add_silence(tail)
        peak_db = 20 * math.log10(self.peak) if self.peak > 0 else -math.inf
        return Loudness(self.meter.integrated, peak_db, gain_db)


@dataclass
class Layout:
    """Pass 1's bookkeeping while pieces arrive."""

    rate: int
    pieces: list[Placement] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    position: int = 0
    metered: int = 0
    """Leading pieces the pass 1 meter has seen (it stops once a streamed gain is chosen)."""
    cuts: dict[int, int] = field(default_factory=dict)
    """Piece index → samples into the silence before it where a span may start."""
    span_start: int = 0
    """Where the current span began, in samples."""
    digests: list[bytes | None] = field(default_factory=list)
    """Each laid piece's ``Piece.digest`` (what names its samples), by index."""
