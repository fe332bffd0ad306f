"""Master stage: pieces → one episode with structure-aware pauses, clean seams,
and a single loudness normalisation; also builds the :class:`Timeline`.

Loudness follows ITU-R BS.1770 (pyloudnorm for integrated loudness, 4x
oversampling for true peak). The whole stitched episode is normalised once, so
sentences keep their natural relative levels.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .models import Chapter, Cue, Loudness, Role, Segment, Timeline
from .synthesize import Piece

TARGET_LUFS = -16.0
"""Podcast loudness (Apple's and most hosts' recommendation for spoken word)."""
TRUE_PEAK_CEILING = -2.0
"""dBTP before encoding; MP3 encoding overshoots a little, and -1 dBTP must hold after it."""
SILENCE_THRESHOLD_DB = -42.0
"""Below this (short-window peak, dBFS) a piece's edge counts as silence."""
EDGE_KEEP = 0.03
"""Seconds of silence kept at each trimmed edge so consonants are not clipped."""
FADE = 0.006
"""Seconds of raised-cosine fade at every seam (no clicks)."""
LOUDNESS_TOLERANCE = 0.1
"""LU: close enough to the target to stop adjusting."""
LOUDNESS_ITERATIONS = 6
LIMITER_WINDOW = 0.012
"""Seconds: how far ahead/behind a peak the limiter eases the gain in and out."""


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

    pauses: Pauses = Pauses()
    target_lufs: float = TARGET_LUFS
    true_peak_ceiling: float = TRUE_PEAK_CEILING


@dataclass(frozen=True)
class Mastered:
    """The finished episode audio and where everything in it is."""

    audio: np.ndarray
    """Mono float32 samples."""
    sample_rate: int
    """Hz."""
    timeline: Timeline
    """Measured cue and chapter times."""
    loudness: Loudness
    """Measured after normalisation and limiting."""


_AFTER_ROLE = {
    Role.TITLE: "after_title",
    Role.BYLINE: "after_byline",
    Role.DISCLOSURE: "after_disclosure",
    Role.HEADING: "after_heading",
}
"""Role of the segment just spoken → the ``Pauses`` field that follows it."""


def pause_between(prev: Segment, nxt: Segment, pauses: Pauses) -> float:
    """Silence between two consecutive segments, from the structure around them."""
    if nxt.role in (Role.HEADING, Role.DISCLOSURE) and prev.role is Role.SENTENCE:
        return pauses.before_heading
    if prev.role in _AFTER_ROLE:
        return float(getattr(pauses, _AFTER_ROLE[prev.role]))
    return pauses.paragraph if nxt.paragraph != prev.paragraph else pauses.sentence


def trim_silence(audio: np.ndarray, rate: int, keep: float = EDGE_KEEP) -> np.ndarray:
    """Cut leading/trailing silence down to ``keep`` seconds and fade both edges."""
    if audio.size == 0:
        return audio
    window = max(1, int(0.01 * rate))
    level = np.abs(audio)
    padded = np.pad(level, (0, (-len(level)) % window))
    frames = padded.reshape(-1, window).max(axis=1)
    loud = np.flatnonzero(frames > 10 ** (SILENCE_THRESHOLD_DB / 20))
    if loud.size == 0:
        return np.zeros(0, dtype=np.float32)
    margin = int(keep * rate)
    start = max(0, loud[0] * window - margin)
    end = min(len(audio), (loud[-1] + 1) * window + margin)
    return fade_edges(audio[start:end].astype(np.float32), rate)


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


def stitch(
    segments: Sequence[Segment], pieces: Sequence[Piece], pauses: Pauses
) -> tuple[np.ndarray, list[Cue], int]:
    """Lay trimmed pieces end to end with pauses; return audio, cues and rate."""
    rate = pieces[0].sample_rate if pieces else 22050
    parts: list[np.ndarray] = [np.zeros(int(pauses.lead_in * rate), dtype=np.float32)]
    cues: list[Cue] = []
    offset = len(parts[0])
    for i, (segment, piece) in enumerate(zip(segments, pieces, strict=True)):
        audio = trim_silence(piece.audio, rate)
        cues.append(_cue(segment, offset / rate, (offset + len(audio)) / rate))
        gap = pauses.tail if i == len(segments) - 1 else 0.0
        if i < len(segments) - 1:
            gap = pause_between(segment, segments[i + 1], pauses)
        silence = np.zeros(int(gap * rate), dtype=np.float32)
        parts += [audio, silence]
        offset += len(audio) + len(silence)
    return np.concatenate(parts), cues, rate


def _cue(segment: Segment, start: float, end: float) -> Cue:
    return Cue(segment.index, segment.role, segment.text, start, end, segment.paragraph)


def chapters_from(
    segments: Sequence[Segment], cues: Sequence[Cue], duration: float
) -> list[Chapter]:
    """Chapters open at segments that carry a chapter title and run to the next one."""
    starts = [
        (seg.chapter, cue.start) for seg, cue in zip(segments, cues, strict=True) if seg.chapter
    ]
    chapters: list[Chapter] = []
    for n, (title, start) in enumerate(starts):
        begin = 0.0 if n == 0 else start
        end = starts[n + 1][1] if n + 1 < len(starts) else duration
        chapters.append(Chapter(title, begin, end))
    return chapters


def master(
    segments: Sequence[Segment], pieces: Sequence[Piece], settings: MasterSettings | None = None
) -> Mastered:
    """Stitch, normalise loudness once, limit true peaks, and time everything."""
    settings = settings or MasterSettings()
    audio, cues, rate = stitch(segments, pieces, settings.pauses)
    audio = normalize_loudness(audio, rate, settings.target_lufs, settings.true_peak_ceiling)
    duration = len(audio) / rate
    timeline = Timeline(tuple(cues), tuple(chapters_from(segments, cues, duration)), duration)
    loudness = Loudness(integrated_loudness(audio, rate), true_peak_db(audio))
    return Mastered(audio, rate, timeline, loudness)


def integrated_loudness(audio: np.ndarray, rate: int) -> float:
    """BS.1770 gated integrated loudness in LUFS (-inf for silence or < 0.4 s)."""
    import pyloudnorm

    if len(audio) < int(0.4 * rate):
        return -math.inf
    return float(pyloudnorm.Meter(rate).integrated_loudness(audio.astype(np.float64)))


def oversampled_peaks(audio: np.ndarray, factor: int = 4) -> np.ndarray:
    """Per-sample true-peak estimate: the max of ``factor``x oversampled |x| (BS.1770 annex 2)."""
    from scipy.signal import resample_poly

    up = np.abs(resample_poly(audio.astype(np.float64), factor, 1))
    up = up[: len(audio) * factor]
    peaks: np.ndarray = up.reshape(len(audio), factor).max(axis=1)
    return peaks


def true_peak_db(audio: np.ndarray) -> float:
    """Maximum true peak in dBTP."""
    if audio.size == 0:
        return -math.inf
    peak = float(oversampled_peaks(audio).max())
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def limit_true_peaks(audio: np.ndarray, rate: int, ceiling_db: float) -> np.ndarray:
    """Look-ahead gain limiter on true peaks: smooth gain dips around each peak."""
    from scipy.ndimage import minimum_filter1d, uniform_filter1d

    ceiling = 10 ** (ceiling_db / 20)
    peaks = oversampled_peaks(audio)
    if peaks.max(initial=0.0) <= ceiling:
        return audio
    needed = np.minimum(1.0, ceiling / np.maximum(peaks, 1e-12))
    size = 2 * int(LIMITER_WINDOW * rate) + 1
    # Averaging a min-filtered gain over the same window never exceeds the needed
    # gain at any sample, yet it ramps smoothly instead of clicking.
    gain: np.ndarray = uniform_filter1d(minimum_filter1d(needed, size), size)
    limited: np.ndarray = (audio * gain).astype(np.float32)
    return limited


def normalize_loudness(
    audio: np.ndarray, rate: int, target_lufs: float, ceiling_db: float
) -> np.ndarray:
    """Gain to ``target_lufs``, then limit true peaks; repeat to make up the limiter's loss."""
    out = audio.astype(np.float32)
    for _ in range(LOUDNESS_ITERATIONS):
        current = integrated_loudness(out, rate)
        if not math.isfinite(current) or abs(current - target_lufs) < LOUDNESS_TOLERANCE:
            break
        out = (out * 10 ** ((target_lufs - current) / 20)).astype(np.float32)
        out = limit_true_peaks(out, rate, ceiling_db)
    return limit_true_peaks(out, rate, ceiling_db)
