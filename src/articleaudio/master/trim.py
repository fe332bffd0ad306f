"""Trimming a piece: its speech plus a little silence each side, faded at both edges.

A leaf of the master stage, so that the pieces prepared ahead of their turn
(:mod:`.ahead`) and the ones laid in order (:mod:`.mastering`) are cut by the same code.
"""

from __future__ import annotations

import numpy as np

SILENCE_THRESHOLD_DB = -42.0
"""Below this (10 ms window peak, dBFS) a piece's edge counts as silence."""
EDGE_KEEP = 0.03
"""Seconds of silence kept at each trimmed edge so soft consonants are not clipped."""
FADE = 0.006
"""Seconds of raised-cosine fade at every seam (no clicks)."""


def speech_bounds(audio: np.ndarray, rate: int, keep: float = EDGE_KEEP) -> tuple[int, int]:
    """Sample range to keep: the speech plus ``keep`` seconds each side ((0, 0) if silent)."""
    window = max(1, int(0.01 * rate))
    whole = len(audio) // window * window
    # Each window's largest magnitude, as its largest value or its smallest negated
    # (the same floats): no array of magnitudes as long as the piece is made.
    frames = _peak_magnitudes(audio[:whole].reshape(-1, window))
    if whole < len(audio):  # a last, shorter window (padding it with zeros copied everything)
        frames = np.append(frames, _peak_magnitudes(audio[whole:].reshape(1, -1)))
    loud = np.flatnonzero(frames > 10 ** (SILENCE_THRESHOLD_DB / 20))
    if loud.size == 0:
        return 0, 0
    margin = int(keep * rate)
    return max(0, int(loud[0]) * window - margin), min(
        len(audio), (int(loud[-1]) + 1) * window + margin
    )


def _peak_magnitudes(windows: np.ndarray) -> np.ndarray:
    peaks: np.ndarray = np.maximum(windows.max(axis=1), -windows.min(axis=1))
    return peaks


def trim_silence(audio: np.ndarray, rate: int, keep: float = EDGE_KEEP) -> np.ndarray:
    """Cut leading/trailing silence down to ``keep`` seconds and fade both edges."""
    return trim_piece(audio, rate, keep)[1]


def fade_edges(audio: np.ndarray, rate: int, seconds: float = FADE) -> np.ndarray:
    """Raised-cosine fade in and out so seams start and end at zero."""
    n = min(int(seconds * rate), len(audio) // 2)
    if n == 0:
        return audio
    ramp = (0.5 - 0.5 * np.cos(np.linspace(0, np.pi, n))).astype(np.float32)
    out = audio.copy()
    out[:n] *= ramp
    out[-n:] *= ramp[::-1]
    return out


def trim_piece(audio: np.ndarray, rate: int, keep: float = EDGE_KEEP) -> tuple[int, np.ndarray]:
    """(samples cut from the front, the trimmed and faded float32 piece)."""
    start, end = speech_bounds(audio, rate, keep)
    # One copy: fade_edges makes it (astype copied the piece once more before).
    return start, fade_edges(audio[start:end].astype(np.float32, copy=False), rate)
