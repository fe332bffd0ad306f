"""MP3 built from independently encoded spans, so an edit re-encodes only what it touched.

LAME's output depends on everything before it (the bit reservoir lets a frame
borrow bytes from earlier ones), so one edited sentence normally means
re-encoding the whole episode. Here the episode is cut into spans at long
pauses and each span is encoded by a fresh LAME encoder. A fresh encoder's
first frame borrows nothing, so the spans' frames can simply be concatenated,
and a span whose samples did not change is taken from the cache as bytes.

The timing is exact because the master lays spans out on the MP3 frame grid:
a span that starts ``n`` frames into the file and is fed ``(m - 1)`` frames of
samples encodes to exactly ``m`` frames (LAME's 576-sample delay plus its
flush fill the last one), and its samples decode exactly where they were laid
out. The silence the master leaves at each cut hides the seam. One Xing/LAME
"Info" frame in front gives players the frame count and the gapless delay and
padding, so the decoded episode has exactly the Timeline's length.
"""

from __future__ import annotations

import hashlib
import logging
import math
import struct
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import BinaryIO, Protocol

import lameenc
import numpy as np

from ..errors import AudioToolError, PublishError
from ..master import samples_key
from .ffmpeg import load_mp3_decoder_soon
from .span_peaks import PeakBatches

log = logging.getLogger(__name__)

MP3_RATE = 44100
FRAME = 1152
"""Samples per MPEG-1 Layer III frame."""
ENCODER_DELAY = 576
"""Samples LAME puts before the input (the Info frame tells decoders to skip them)."""
LAME_QUALITY = 7
"""LAME's ``-q``: 7 is as fast as 8 and 9 here and what ffmpeg's compression level 7 picks."""
SPAN_FORMAT_VERSION = 2
"""Bump when the bytes made for a span change meaning (resets cached spans)."""
_BITRATES = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
"""MPEG-1 Layer III bit rate index → kbps."""
BITRATES = _BITRATES[1:]
"""The constant bit rates an MPEG-1 Layer III file can have (kbps)."""
_TAGS_END = 4 + 17 + 120 + 36
"""Where the LAME tag ends in the Info frame: header, side information, Xing, LAME."""
_HEADER = 0xFFFB0000 | 0b11 << 6 | 1 << 2
"""Frame header bits: MPEG-1 Layer III without CRC, 44.1 kHz, no padding slot, mono,
original (the bit rate index goes in bits 12-15)."""
_INFO_FLAGS = 0x0F
"""Xing fields present: frames, bytes, table of contents, quality."""
UPSAMPLE_TAPS = 32
"""Filter taps per phase, each side of the centre: at 22.05 kHz, images above
11.6 kHz are 80 dB down."""
UPSAMPLE_BETA = 8.0
"""Kaiser window shape for the upsampler."""
_MAX_QUEUED_SAMPLES = 1 << 22
"""Samples of spans waiting for the encoder thread before the producer waits for it
(16 MB of float32, about 3 minutes at 22.05 kHz). Counted in samples, not spans: after
an edit the master lays dozens of finished spans while the thread encodes the new one,
and almost all of them it only looks up."""
PEAK_BATCH_SECONDS = 30.0
"""Audio of new spans measured in one ffmpeg run while the file is still being made
(a run costs about 30 ms to start; the last batch is left for :meth:`SpanWriter.finish`)."""


class SpanStore(Protocol):
    """Where encoded spans are kept between builds (the cache's spans), by :func:`span_key`,
    each with its decoded true peak once that is measured (see :mod:`.span_peaks`)."""

    def recall(self, key: str) -> tuple[bytes, float | None] | None:
        """Stored bytes and their decoded true peak (linear; None: not measured), or None."""

    def put(self, key: str, data: bytes, peak: float | None = None) -> None:
        """Keep bytes and, when known, their decoded true peak (failures only cost speed)."""


@dataclass(frozen=True)
class _Span:
    """One span of the file as the writer made or recalled it."""

    key: str
    """Its :func:`span_key`."""
    data: bytes
    """Its MP3 frames."""
    peak: float | None
    """Its decoded true peak (linear), when the store knew it."""
    frames: int
    """How many frames :attr:`data` holds (counted once, on the encoder thread)."""


def supports(rate: int) -> bool:
    """Whether spans can be cut on the frame grid at ``rate`` (it divides 44.1 kHz)."""
    return rate > 0 and MP3_RATE % rate == 0


def holds_tags(bitrate_kbps: int) -> bool:
    """Whether a frame at this rate holds the Info frame's tags (not below 56 kb/s).

    A file's frames must all have one rate for players to treat it as CBR (ffmpeg
    misplaces the end when the tag frame's rate differs), so lower rates are
    encoded by ffmpeg as one stream instead of spans.
    """
    return _frame_size(bitrate_kbps) >= _TAGS_END


def frame_grid(rate: int) -> int | None:
    """Samples at ``rate`` per MP3 frame, when spans can be cut there (else None)."""
    return FRAME // (MP3_RATE // rate) if supports(rate) else None


def frames_for(samples: int) -> int:
    """Frames LAME writes for ``samples`` at 44.1 kHz (measured: one more than needed)."""
    return math.ceil(samples / FRAME) + 1


def count_frames(data: bytes) -> int:
    """Frames in a run of MPEG-1 Layer III frames (AudioToolError if it is not one)."""
    position = frames = 0
    while position < len(data):
        header = int.from_bytes(data[position : position + 4], "big")
        rate_index = (header >> 12) & 0xF
        if header >> 21 != 0x7FF or (header >> 17) & 0xF != 0xD or rate_index in (0, 15):
            raise AudioToolError(f"the MP3 encoder wrote a damaged frame at byte {position}")
        padding = (header >> 9) & 1
        position += 144000 * _BITRATES[rate_index] // MP3_RATE + padding
        frames += 1
    return frames


@cache
def _upsampler(factor: int) -> np.ndarray:
    """Windowed-sinc low-pass for ``factor``-times upsampling, split into its phases.

    The sinc is zero at every multiple of ``factor`` but the centre, so phase 0
    is the input itself and only the other phases need filtering.
    """
    size = 2 * UPSAMPLE_TAPS * factor + 1
    m = np.arange(size) - (size - 1) / 2
    taps = np.sinc(m / factor) * np.kaiser(size, UPSAMPLE_BETA)
    return np.asarray(taps.reshape(-1)[: size - 1].reshape(-1, factor).T, dtype=np.float32)


def upsample(audio: np.ndarray, factor: int) -> np.ndarray:
    """``audio`` at ``factor`` times its rate (linear phase, aligned sample for sample).

    LAME can resample too, but its resampler took about four times as long as
    this for 22.05 kHz speech, on the thread that also encodes.
    """
    if factor == 1:
        return np.asarray(audio, dtype=np.float32)
    phases = _upsampler(factor)
    x = np.asarray(audio, dtype=np.float32)
    out = np.empty(len(x) * factor, dtype=np.float32)
    out[0::factor] = x
    lag = UPSAMPLE_TAPS  # the filter's delay, in input samples
    for p in range(1, factor):
        out[p::factor] = np.convolve(x, phases[p])[lag : lag + len(x)]
    return out


def encode_span(audio: np.ndarray, rate: int, bitrate_kbps: int, scale: float = 1.0) -> bytes:
    """One span as MP3 frames at 44.1 kHz from a fresh encoder."""
    encoder = lameenc.Encoder()
    encoder.set_bit_rate(bitrate_kbps)
    encoder.set_in_sample_rate(MP3_RATE)
    # Below 64 kb/s LAME would otherwise pick a lower output rate on its own
    # (MPEG-2 frames at 22.05 or 16 kHz), which the frame grid and the Info frame
    # (both MPEG-1 at 44.1 kHz) cannot describe.
    encoder.set_out_sample_rate(MP3_RATE)
    encoder.set_channels(1)
    encoder.set_quality(LAME_QUALITY)
    full = upsample(audio, MP3_RATE // rate)
    pcm = np.clip(np.rint(full * np.float32(scale * 32767.0)), -32768, 32767).astype("<i2")
    try:
        data = bytes(encoder.encode(pcm.tobytes())) + bytes(encoder.flush())
    except RuntimeError as exc:
        raise AudioToolError(f"the MP3 encoder failed: {exc}") from exc
    expected = frames_for(len(full))
    if count_frames(data) != expected:
        raise AudioToolError(
            f"the MP3 encoder wrote {count_frames(data)} frames where {expected} were expected"
        )
    return data


def crc16(data: bytes, crc: int = 0) -> int:
    """CRC-16 (polynomial 0x8005, reflected), the one the LAME tag uses."""
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def _frame_size(kbps: int) -> int:
    """Bytes of an unpadded MPEG-1 Layer III frame at 44.1 kHz."""
    return 144000 * kbps // MP3_RATE


def info_frame(frames: int, audio_bytes: int, samples: int, bitrate_kbps: int) -> bytes:
    """A silent frame carrying the Xing "Info" and LAME tags for a CBR mono file.

    ``samples`` is the episode's length at 44.1 kHz; the delay and padding
    fields tell a gapless decoder to drop everything else.
    """
    size = _frame_size(bitrate_kbps)
    header = _HEADER | _BITRATES.index(bitrate_kbps) << 12
    frame = bytearray(size)
    struct.pack_into(">I", frame, 0, header)
    xing = 4 + 17  # header, then mono MPEG-1 side information
    total = size + audio_bytes
    toc = bytes(i * 256 // 100 for i in range(100))  # CBR: bytes grow evenly with time
    struct.pack_into(">4sIII100sI", frame, xing, b"Info", _INFO_FLAGS, frames, total, toc, 0)
    lame = xing + 120
    padding = frames * FRAME - ENCODER_DELAY - samples
    if not 0 <= padding < 1 << 12:
        raise AudioToolError(f"cannot describe {padding} samples of MP3 padding")
    frame[lame : lame + 9] = b"LAME3.100"
    frame[lame + 21 : lame + 24] = (ENCODER_DELAY << 12 | padding).to_bytes(3, "big")
    struct.pack_into(">I", frame, lame + 28, total)
    # The music CRC (lame + 32) stays 0: no decoder reads it, and a pure-Python
    # CRC over megabytes would cost a second per build.
    struct.pack_into(">H", frame, lame + 34, crc16(bytes(frame[:190])))
    return bytes(frame)


def span_key(parts: Sequence[tuple[int, bytes]], rate: int, bitrate_kbps: int, scale: float) -> str:
    """Cache key of a span: each part's length and :func:`samples_key`, in order, and
    everything the encoder is told.

    Keyed by its parts rather than by its samples whole, so a span of pieces the master
    finished ahead (a warm runner's edit, ``write_stored``) is looked up without reading
    them back; the master sends the same parts (pauses, pieces) on every path.
    """
    settings = f"{rate}:{bitrate_kbps}:{scale!r}:{LAME_QUALITY}:{SPAN_FORMAT_VERSION}:parts"
    digest = hashlib.sha256(settings.encode())
    for samples, key in parts:
        digest.update(struct.pack("<Q", samples))
        digest.update(key)
    return digest.hexdigest()


@dataclass
class _Part:
    """Samples of a span: given, or finished ahead and read only if the span is made."""

    samples: int
    audio: np.ndarray | None = None
    key: bytes | None = None
    """Their :func:`samples_key` (worked out on the encoder thread when not given)."""
    load: Callable[[], np.ndarray] | None = None

    def read(self) -> np.ndarray:
        if self.audio is None:
            assert self.load is not None
            self.audio = self.load()
        return self.audio

    def digest(self, rate: int) -> bytes:
        if self.key is None:
            audio = self.read()
            # Most parts the master does not key are pauses: hashed once per length.
            silent = not audio.any()
            self.key = _silence_key(len(audio), rate) if silent else samples_key(audio, rate)
        return self.key


@lru_cache(maxsize=1024)
def _silence_key(samples: int, rate: int) -> bytes:
    return samples_key(np.zeros(samples, np.float32), rate)


class SpanWriter:
    """A sink that encodes each span on a background thread and writes one MP3.

    LAME releases the GIL, so spans encode on the second core while the master
    keeps limiting later pieces. :meth:`cut` ends a span. Finished spans go
    straight to ``path`` behind room for the Info frame, which :meth:`finish`
    fills in; :meth:`abort` deletes the file. ``path`` should be a temporary or
    staging location: it is written in place.

    With a ``store``, the writer also measures the file's decoded true peak
    (:attr:`true_peak_db`), decoding only the spans whose peak the store did
    not know (:mod:`.span_peaks`), and keeps each new span with its peak. A
    third thread measures them in batches of ``peak_batch_seconds`` of audio
    as they are written, so :meth:`finish` measures only the last batch.
    """

    def __init__(
        self,
        path: Path,
        rate: int,
        bitrate_kbps: int,
        gain_db: float = 0.0,
        store: SpanStore | None = None,
        *,
        peak_batch_seconds: float = PEAK_BATCH_SECONDS,
    ) -> None:
        if not supports(rate):
            raise AudioToolError(f"MP3 spans need a rate that divides 44100 Hz, not {rate}")
        self.path, self.rate, self.bitrate = path, rate, bitrate_kbps
        self.scale = 10 ** (gain_db / 20)
        self.store = store
        self.encoded = 0
        """Spans encoded (not taken from the store) by this writer."""
        self.decoded = 0
        """Spans decoded to measure their true peak (the rest brought theirs from the store)."""
        self.true_peak_db: float | None = None
        """The file's decoded true peak in dBTP, once :meth:`finish` measured it (a store
        is needed: without one, nothing remembers the spans' peaks, so none is measured)."""
        self._known: list[float] = []
        """Peaks of the spans the store knew."""
        self._peaks = PeakBatches(self._keep, round(peak_batch_seconds * MP3_RATE))
        self._parts: list[_Part] = []
        self._samples = 0
        self._cut = False
        self._file: BinaryIO | None = None
        self._frames = 0
        self._bytes = 0
        self._queue: deque[tuple[Future[None], int]] = deque()
        """Spans sent to the encoder thread, in order, with their samples. The thread
        appends each to the file as it is made, so its peak is measured at once."""
        self._queued = 0
        """Samples in the spans of :attr:`_queue`."""
        self._failed = False
        """Set by the encoder thread when a span failed: the spans after it are skipped."""
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="articleaudio-lame")

    def write(self, chunk: np.ndarray, *, key: bytes | None = None) -> None:
        """Take the next samples (``key``: their :func:`samples_key`, when known)."""
        if not len(chunk):
            return
        if self._cut:
            self._cut = False
            self._split()
        self._parts.append(_Part(len(chunk), np.asarray(chunk, dtype=np.float32), key=key))
        self._samples += len(chunk)

    def write_stored(self, samples: int, key: bytes, load: Callable[[], np.ndarray]) -> None:
        """Take the next ``samples`` samples by their :func:`samples_key`; ``load()`` reads
        them, on the encoder thread, only if their span is not in the store."""
        if not samples:
            return
        if self._cut:
            self._cut = False
            self._split()
        self._parts.append(_Part(samples, key=key, load=load))
        self._samples += samples

    def cut(self) -> None:
        """Start a new span here if more samples follow (the last span is never cut)."""
        self._cut = True

    def _split(self) -> None:
        """End the current span, if this is a point on the frame grid in silence.

        The span's last frame of samples is left to LAME's delay and flush, so
        it must be silent. Declining a cut is always safe: the samples just
        continue the current span, and timing stays exact.
        """
        if not self._parts:
            return
        grid = FRAME // self._factor
        total = sum(part.samples for part in self._parts)
        if total % grid or total < 2 * grid or not _silent_end(self._parts, grid):
            return
        parts, self._parts = _without_end(self._parts, grid), []
        self._send(parts)
        while self._queue and (self._queued > _MAX_QUEUED_SAMPLES or self._queue[0][0].done()):
            self._take()

    def _send(self, parts: list[_Part]) -> None:
        """Queue a span for the encoder thread, which makes it and appends it to the file."""
        future = self._pool.submit(self._make, parts)
        # Only samples held in memory count: a piece the master named by its key is read
        # (if at all) when its span is made, so an edit's dozens of them never wait.
        held = sum(part.samples for part in parts if part.audio is not None)
        self._queue.append((future, held))
        self._queued += held

    def _make(self, parts: list[_Part]) -> None:
        """On the encoder thread: make a span and append it, unless one before it failed
        (its error reaches the caller at the next :meth:`_take`; the file is aborted)."""
        if self._failed:
            return
        try:
            self._store(self._span(parts))
        except BaseException:
            self._failed = True
            raise

    def _take(self) -> None:
        """Wait for the oldest queued span to be in the file (raising its error, if any)."""
        future, samples = self._queue.popleft()
        self._queued -= samples
        future.result()

    def finish(self) -> None:
        """Encode what is left and complete the file (AudioToolError/PublishError on failure)."""
        try:
            if self._parts:
                self._send(self._parts)
                self._parts = []
            while self._queue:
                self._take()
            head = info_frame(self._frames, self._bytes, self._total_samples(), self.bitrate)
            file = self._open()
            file.seek(0)
            file.write(head)
            file.close()
            self._measure_peak()
        except OSError as exc:
            self.abort()
            raise PublishError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        except BaseException:
            self.abort()
            raise
        finally:
            self._pool.shutdown()
            self._peaks.close()

    def abort(self) -> None:
        """Stop and delete whatever was written."""
        for future, _samples in self._queue:
            future.cancel()
        self._pool.shutdown()
        self._peaks.close()
        self._parts = []
        self._queue.clear()
        self._queued = 0
        if self._file is not None:
            self._file.close()
            self.path.unlink(missing_ok=True)
            self._file = None

    def _open(self) -> BinaryIO:
        if self._file is None:
            if self.store is not None:  # only a store's spans are measured
                load_mp3_decoder_soon()
            # Closed by finish() or abort(); room is left for the Info frame.
            self._file = self.path.open("wb")
            self._file.write(bytes(144000 * self.bitrate // MP3_RATE))
        return self._file

    def _store(self, span: _Span) -> None:
        """Append a finished span to the file (on the encoder thread, in span order)."""
        try:
            self._open().write(span.data)
        except OSError as exc:
            raise PublishError(f"cannot write {self.path}: {exc.strerror or exc}") from exc
        self._frames += span.frames
        self._bytes += len(span.data)
        if self.store is None:  # only a store can tell the next build the peaks
            return
        if span.peak is not None:
            self._known.append(span.peak)
            # A span the store knew ends a run of new ones (an edit's): they are measured
            # now, while the rest of the file is written, rather than in finish().
            self._peaks.flush()
        else:
            self._peaks.add(span.key, span.data, span.frames * FRAME)

    def _span(self, parts: list[_Part]) -> _Span:
        key, kept = "", None
        if self.store is not None:
            keys = [(part.samples, part.digest(self.rate)) for part in parts]
            key = span_key(keys, self.rate, self.bitrate, self.scale)
            kept = self.store.recall(key)
        frames = frames_for(sum(part.samples for part in parts) * self._factor)
        if kept is not None and _frames_kept(key, kept[0]) == frames:
            return _Span(key, *kept, frames)
        audio = np.concatenate([part.read() for part in parts])
        data = encode_span(audio, self.rate, self.bitrate, self.scale)
        self.encoded += 1
        if self.store is not None:
            self.store.put(key, data)  # the peak follows once measured (PeakBatches)
            _remember_frames(key, data, frames)  # encode_span counted them
        return _Span(key, data, None, frames)

    def _keep(self, key: str, data: bytes, peak: float) -> None:
        if self.store is not None:
            self.store.put(key, data, peak)

    def _measure_peak(self) -> None:
        """The file's decoded true peak from its spans' (see :mod:`.span_peaks`), decoding
        only those the store had no peak for, and keeping theirs for the next build."""
        if self.store is None:
            return
        measured = self._peaks.peaks()
        self.decoded = len(measured)
        top = max([*measured, *self._known], default=0.0)
        self.true_peak_db = 20 * math.log10(top) if top > 0 else -math.inf
        spans = self.decoded + len(self._known)
        log.info(
            "true peak %.2f dBTP; %d of %d spans decoded", self.true_peak_db, self.decoded, spans
        )

    @property
    def _factor(self) -> int:
        return MP3_RATE // self.rate

    def _total_samples(self) -> int:
        return self._samples * self._factor


def _silent_end(parts: Sequence[_Part], samples: int) -> bool:
    """Whether the last ``samples`` samples of ``parts`` are silent. A cut lies in a
    pause, which the master sends as samples, so a piece named by key is read here only
    when that pause is shorter than ``samples`` (then the cut is declined)."""
    for part in reversed(parts):
        tail = part.read()[-samples:]
        if np.any(tail):
            return False
        samples -= len(tail)
        if samples <= 0:
            return True
    return True


def _without_end(parts: Sequence[_Part], samples: int) -> list[_Part]:
    """``parts`` less their last ``samples`` samples (silence: see :func:`_silent_end`)."""
    kept = list(parts)
    while samples > 0:
        last = kept.pop()
        if last.samples > samples:
            audio = last.read()[:-samples]
            kept.append(_Part(len(audio), audio))
        samples -= last.samples
    return kept


def _frames_kept(key: str, data: bytes) -> int | None:
    """Frames in a span the store kept under ``key`` (None: not MP3 frames), counted once
    per process for each key and size: a warm runner's edit takes every span after its
    own from the store again, and counting them frame by frame held the GIL for 20 ms
    while the new span was being decoded."""
    frames = _COUNTED.get((key, len(data)))
    if frames is None:
        try:
            frames = count_frames(data)
        except AudioToolError:
            return None
        _remember_frames(key, data, frames)
    return frames


def _remember_frames(key: str, data: bytes, frames: int) -> None:
    if len(_COUNTED) >= COUNTED_MAX:
        _COUNTED.clear()  # counted again once, not held for ever
    _COUNTED[key, len(data)] = frames


COUNTED_MAX = 100_000
"""Spans whose frames :func:`_frames_kept` remembers at most."""
_COUNTED: dict[tuple[str, int], int] = {}
"""(span key, bytes) → its frames, for spans this process made or counted."""
