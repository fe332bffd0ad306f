"""Sentences packed into Whisper windows, and the words heard in a window given back to
their sentences.

Whisper's encoder hears a fixed stretch (30 seconds in faster-whisper, 20 here: see
``recogniser.ENCODER_S``): a 4-second sentence heard alone costs as much encoder work
as that stretch of speech. So consecutive sentences' spans are laid
end to end in one window, a short silence between them, the window is heard once
with word timestamps, and each heard word goes back to the span its midpoint falls
in (a word in the joining silence to the nearer span). Each sentence is still judged
on its own words, and a flag still points at one sentence and its own time.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

WINDOW_S = 15.0
"""Longest window of packed spans (under Whisper's 30 s, so none is cut at its end).
Not 28: with more sentences around it the recogniser hears a misread sentence as
the article meant it more often ("six four percent" heard as "64%"); measured on the
planted faults (``benchmarks/bench_check.py``; README), 15 s kept them found."""
JOIN_S = 0.3
"""Silence laid between two spans of a window: with the spans' own padding, a clear
pause that tells the recogniser one sentence ended, and room to tell whose a word is."""


@dataclass(frozen=True)
class Window:
    """Consecutive spans of a recording, heard together as one clip."""

    first: int
    """The index of its first span among all the spans."""
    pieces: tuple[tuple[int, int], ...]
    """Each span's ``(start, end)`` sample in the recording, in order."""
    join: int
    """Samples of silence between two spans."""

    @property
    def placed(self) -> tuple[tuple[int, int], ...]:
        """Each span's ``(start, end)`` sample in the window's clip.

        >>> Window(0, ((100, 150), (200, 220)), 10).placed
        ((0, 50), (60, 80))
        """
        found: list[tuple[int, int]] = []
        at = 0
        for start, end in self.pieces:
            found.append((at, at + end - start))
            at += end - start + self.join
        return tuple(found)

    @property
    def length(self) -> int:
        """The clip's samples."""
        return self.placed[-1][1]

    def clip(self, audio: np.ndarray) -> np.ndarray:
        """The window's clip: its spans of ``audio``, silence between them."""
        silence = np.zeros(self.join, dtype=audio.dtype)
        parts: list[np.ndarray] = []
        for n, (start, end) in enumerate(self.pieces):
            parts.extend([silence, audio[start:end]] if n else [audio[start:end]])
        return np.concatenate(parts)


def samples(span: tuple[float, float], rate: int) -> tuple[int, int]:
    """A ``(start, end)`` span in seconds as samples, at least one long.

    >>> samples((0.5, 0.5), 16_000)
    (8000, 8001)
    """
    start = int(span[0] * rate)
    return start, max(int(span[1] * rate), start + 1)


def pack(spans: Sequence[tuple[int, int]], limit: int, join: int, first: int = 0) -> list[Window]:
    """Consecutive sample spans laid into windows of at most ``limit`` samples, each
    span whole in one window (a span longer than ``limit`` in a window of its own).

    >>> [w.pieces for w in pack([(0, 4), (5, 9), (10, 14), (20, 40)], 10, 1)]
    [((0, 4), (5, 9)), ((10, 14),), ((20, 40),)]
    """
    windows: list[Window] = []
    group: list[tuple[int, int]] = []
    used = 0
    for n, (start, end) in enumerate(spans):
        size = end - start + (join if group else 0)
        if group and used + size > limit:
            windows.append(Window(first + n - len(group), tuple(group), join))
            group, used, size = [], 0, end - start
        group.append((start, end))
        used += size
    if group:
        windows.append(Window(first + len(spans) - len(group), tuple(group), join))
    return windows


def owner(placed: Sequence[tuple[int, int]], at: float, lean: int = 0) -> int:
    """The position of the span a word whose midpoint is at sample ``at`` belongs to:
    the span holding it, else, in the silence between two, the one ``lean`` points to
    (-1: the earlier, 1: the later) or, with no lean, the nearer one.

    >>> [owner([(0, 10), (20, 30)], at) for at in (5, 14, 16, 25, 40, -3)]
    [0, 0, 1, 1, 1, 0]
    >>> owner([(0, 10), (20, 30)], 19, lean=-1), owner([(0, 10), (20, 30)], 11, lean=1)
    (0, 1)
    """
    n = max(bisect.bisect_right([s for s, _ in placed], at) - 1, 0)
    if n + 1 == len(placed) or at <= placed[n][1]:
        return n
    if lean:
        return n if lean < 0 else n + 1
    return n + 1 if placed[n + 1][0] - at < at - placed[n][1] else n


_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
"""A word that ends a sentence as Whisper writes it: its stop attached (``coast.``)."""


def words_to_spans(
    words: Sequence[tuple[float, float, str]], window: Window, rate: int
) -> list[str]:
    """What was heard in each span of ``window``, from the words heard in its clip:
    ``(start, end, word)``, seconds from the clip's start, as Whisper writes words (a
    leading space, punctuation attached).

    Word times come from aligning the text with the audio, and they are least sure at
    a silence: a sentence's last word is often given no time at all, at the moment the
    next sentence starts. So a word in the silence between two spans that ends a
    sentence goes to the earlier span, one right after such a word to the later span,
    and any other to the nearer; and words stay in order (none goes back to a span
    before the last word's).

    >>> window = Window(4, ((0, 20), (30, 50)), 5)  # at 10 Hz: 0-2 s, then 2.5-4.5 s
    >>> heard = [(0.2, 0.6, " One"), (0.8, 1.6, " two"), (2.4, 2.4, " three.")]
    >>> words_to_spans([*heard, (2.45, 2.6, " Four"), (2.8, 3.6, " five.")], window, 10)
    ['One two three.', 'Four five.']
    """
    placed = window.placed
    heard: list[list[str]] = [[] for _ in placed]
    last, ended = 0, False
    for start, end, word in words:
        stop = bool(_SENTENCE_END.search(word.strip()))
        lean = -1 if stop else int(ended)
        last = max(last, owner(placed, (start + end) / 2 * rate, lean))
        heard[last].append(word)
        ended = stop
    return ["".join(h).strip() for h in heard]
