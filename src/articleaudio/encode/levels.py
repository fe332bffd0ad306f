"""The encoders' level changes for one voice, measured once and remembered.

A lossy encoder shifts the loudness a little (its own filter and quantisation);
the master gain is offset by the opposite so the file measures what mastering
aimed at. Measuring costs an encode of an excerpt, so the value is kept in the
build cache, keyed by everything that shapes it. The streamed and the exact
encode both read the same value, so a span encoded by either is reused by the other.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from ..version import __version__
from .encoder import level_change
from .mp3frames import SPAN_FORMAT_VERSION


class Memory(Protocol):
    """Where small measurements are kept between builds (the synthesis cache)."""

    def recall(self, name: str) -> float | None:
        """The value kept under ``name``, if any."""

    def keep(self, name: str, value: float) -> None:
        """Keep ``value`` under ``name``."""


@dataclass(frozen=True)
class EncoderLevels:
    """The level change of each format at one bit rate, for one voice."""

    voice: dict[str, Any]
    """The synthesizer's identity: another voice may be shifted differently."""
    bitrate: int
    """Kilobits per second of the lossy renditions."""
    memory: Memory | None = None
    """Where the values are kept (None: measured every time)."""

    def _name(self, fmt: str) -> str:
        parts = ["level-change", fmt, self.bitrate, self.voice, __version__, SPAN_FORMAT_VERSION]
        return json.dumps(parts, sort_keys=True)

    def known(self, fmt: str) -> float | None:
        """The kept offset for ``fmt``, if any."""
        return self.memory.recall(self._name(fmt)) if self.memory else None

    def offset(self, fmt: str, rate: int, excerpt: np.ndarray) -> float:
        """Gain that cancels the encoder's level change: kept, else measured on ``excerpt``."""
        known = self.known(fmt)
        if known is not None:
            return known
        offset = -level_change(excerpt, rate, fmt, self.bitrate)
        if self.memory:
            self.memory.keep(self._name(fmt), offset)
        return offset
