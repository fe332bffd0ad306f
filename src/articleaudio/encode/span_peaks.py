"""The decoded true peak of MP3 spans, each measured once, when it is first encoded.

The episode reports the true peak of its MP3 as a player decodes it (issue 13),
and decoding a whole episode and oversampling it cost a one-sentence edit more
than the edit itself. But an MP3 made by :class:`.mp3frames.SpanWriter` is a
row of independently encoded spans, and every span starts and ends in digital
silence: a fresh encoder's first frame borrows nothing from the bit reservoir,
and the frames around each seam carry silence, so a span decodes to the same
samples alone as in the file. The file's true peak is then the largest of its
spans' peaks, and a span taken from the cache brings its peak with it.

The spans still to measure are decoded in one ffmpeg run over their frames
laid end to end: without an Info frame ffmpeg trims nothing, so span ``i``
decodes to exactly its frame count times 1,152 samples, in order.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import numpy as np

from ..errors import AudioToolError
from .ffmpeg import decode_stream


def decoded_peaks(spans: Sequence[bytes], lengths: Sequence[int]) -> list[float]:
    """Linear true peak of each span of MP3 frames as ffmpeg decodes it.

    ``lengths`` are the samples each span decodes to (its frames x 1,152).
    """
    from ..master import streamed_true_peak

    if not spans:
        return []
    with tempfile.TemporaryDirectory(prefix="articleaudio-peaks-") as tmp:
        joined = Path(tmp) / "spans.mp3"
        joined.write_bytes(b"".join(spans))
        return [streamed_true_peak(parts) for parts in _split(decode_stream(joined), lengths)]


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
                    raise AudioToolError("ffmpeg decoded fewer samples than the MP3 spans hold")
            run.append(left[:need])
            need -= len(run[-1])
            left = left[len(run[-1]) :]
        yield run
    if len(left) or next(chunks, None) is not None:
        raise AudioToolError("ffmpeg decoded more samples than the MP3 spans hold")
