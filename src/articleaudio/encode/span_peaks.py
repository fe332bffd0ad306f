"""The decoded true peak of MP3 spans, each measured once, when it is first encoded.

The episode reports the true peak of its MP3 as a player decodes it (issue 13),
and decoding a whole episode and oversampling it cost a one-sentence edit more
than the edit itself. But an MP3 made by :class:`.mp3frames.SpanWriter` is a
row of independently encoded spans, and every span starts and ends in digital
silence: a fresh encoder's first frame borrows nothing from the bit reservoir,
and the frames around each seam carry silence, so a span decodes to the same
samples alone as in the file. The file's true peak is then the largest of its
spans' peaks, and a span taken from the cache brings its peak with it.

The spans still to measure are decoded (by FFmpeg's decoder, in this process) in
runs over their frames laid end to end: without an Info frame it trims nothing,
so span ``i`` decodes to exactly its frame count times 1,152 samples, in order. A writer measures
them in batches while the episode is still being made (one run over all of
them took 2 s at the end of a cold build of 1,500 words), and each batch's
samples are cut into the same chunks as one run over all spans would be cut
(``offset``), so a span is measured from the very same arrays and its peak is
equal to the bit, whatever the batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from ..errors import AudioToolError
from .ffmpeg import DECODE_CHUNK_SAMPLES, decode_mp3_frames


def decoded_peaks(spans: Sequence[bytes], lengths: Sequence[int], offset: int = 0) -> list[float]:
    """Linear true peak of each span of MP3 frames as FFmpeg decodes it.

    ``lengths`` are the samples each span decodes to (its frames x 1,152);
    ``offset`` is where the first span starts in the run of all spans measured
    together, whose chunks this batch's samples are cut like.
    """
    from ..master import streamed_true_peak

    if not spans:
        return []
    chunks = _aligned(decode_mp3_frames(b"".join(spans)), offset, DECODE_CHUNK_SAMPLES)
    return [streamed_true_peak(parts) for parts in _split(chunks, lengths)]


def _aligned(stream: Iterable[np.ndarray], offset: int, size: int) -> Iterator[np.ndarray]:
    """``stream`` cut into chunks that end where ``offset`` plus the position is a multiple
    of ``size``: as a stream starting ``offset`` samples earlier was cut.

    The true-peak measure only oversamples around loud enough samples, judged
    per chunk, so another cut could move its result in the last bits.

    >>> [len(c) for c in _aligned([np.zeros(4), np.zeros(4), np.zeros(3)], 6, 4)]
    [2, 4, 4, 1]
    """
    held: list[np.ndarray] = []
    have, need = 0, size - offset % size
    for block in stream:
        while len(block):
            held.append(block[: need - have])
            have += len(held[-1])
            block = block[len(held[-1]) :]
            if have == need:
                yield held[0] if len(held) == 1 else np.concatenate(held)
                held, have, need = [], 0, size
    if held:
        yield held[0] if len(held) == 1 else np.concatenate(held)


def _split(stream: Iterable[np.ndarray], lengths: Sequence[int]) -> Iterator[list[np.ndarray]]:
    """The chunks of ``stream`` regrouped into runs of ``lengths`` samples, one list each
    (AudioToolError unless the stream holds exactly that many samples).

    >>> [sum(map(len, run)) for run in _split([np.zeros(5), np.zeros(4)], [3, 6])]
    [3, 6]
    """
    chunks = iter(stream)
    left = np.zeros(0, np.float32)
    for length in lengths:
        run: list[np.ndarray] = []
        need = length
        while need > 0:
            if not len(left):
                left = next(chunks, left)
                if not len(left):
                    raise AudioToolError("the MP3 decoder gave fewer samples than the spans hold")
            run.append(left[:need])
            need -= len(run[-1])
            left = left[len(run[-1]) :]
        yield run
    if len(left) or next(chunks, None) is not None:
        raise AudioToolError("the MP3 decoder gave more samples than the spans hold")


class PeakBatches:
    """Spans' decoded peaks, measured a batch at a time on one background thread while
    later spans are still being made; :meth:`peaks` measures the rest and waits.

    Each measured span is kept with its peak by ``keep(key, data, peak)``.
    """

    def __init__(self, keep: Callable[[str, bytes, float], None], batch_samples: int) -> None:
        self.keep, self.batch_samples = keep, batch_samples
        self._waiting: list[tuple[str, bytes, int]] = []
        self._offset = 0
        """Where the next batch starts in the run of all spans measured here."""
        self._batches: list[Future[list[float]]] = []
        self._thread: ThreadPoolExecutor | None = None

    def add(self, key: str, data: bytes, samples: int) -> None:
        """Measure this span (decoding to ``samples``), in a batch once there is enough."""
        self._waiting.append((key, data, samples))
        if sum(n for *_, n in self._waiting) >= self.batch_samples:
            self._send()

    def flush(self) -> None:
        """Measure the spans added so far now, without waiting for a whole batch."""
        self._send()

    def peaks(self) -> list[float]:
        """Every added span's linear peak, in order (AudioToolError if decoding failed)."""
        self._send()
        return [peak for batch in self._batches for peak in batch.result()]

    def close(self) -> None:
        """Stop: batches not started are dropped, a running one is waited for."""
        if self._thread is not None:
            self._thread.shutdown(cancel_futures=True)
        self._waiting = []

    def _send(self) -> None:
        if not self._waiting:
            return
        batch, self._waiting = self._waiting, []
        self._batches.append(self._executor().submit(self._measure, batch, self._offset))
        self._offset += sum(n for *_, n in batch)

    def _executor(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="articleaudio-peaks")
        return self._thread

    def _measure(self, batch: list[tuple[str, bytes, int]], offset: int) -> list[float]:
        peaks = decoded_peaks([data for _, data, _ in batch], [n for *_, n in batch], offset)
        for (key, data, _), peak in zip(batch, peaks, strict=True):
            self.keep(key, data, peak)
        return peaks
