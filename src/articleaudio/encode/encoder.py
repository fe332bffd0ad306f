"""Encode stage: mastered audio → MP3 (and optional M4A/Opus) with ffmpeg.

ffmpeg is found by :mod:`.ffmpeg`. PCM is streamed to ffmpeg's stdin rather
than through a temporary WAV file.
"""

from __future__ import annotations

import contextlib
import math
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import AudioToolError
from ..models import Chapter
from .ffmpeg import QUIET as _QUIET
from .ffmpeg import decode_stream, ffmpeg_path
from .mp3frames import MP3_RATE, SpanStore, SpanWriter, holds_tags, supports

DEFAULT_BITRATE = 64
OPUS_SPEECH_KBPS = 32
"""Opus rate for the voice: Opus carries mono speech at 24-32 kb/s with room to spare
(RFC 6716 §2.1.1, xiph.org "Opus recommended settings"), half what MP3 needs."""


@dataclass(frozen=True)
class Format:
    """One output rendition."""

    suffix: str
    """File suffix."""
    codec: tuple[str, ...]
    """ffmpeg output arguments."""
    mime: str
    """Content type."""
    max_kbps: int | None = None
    """Cap on the bit rate asked for (a codec that needs less for speech)."""
    chapters: bool = False
    """ffmpeg writes the chapters into the file (MP4: Nero ``chpl`` and a QuickTime
    chapter track; MP3 and Opus get theirs from :mod:`articleaudio.encode.tags`)."""

    def kbps(self, asked: int) -> int:
        """The rate this format is encoded at when ``asked`` kb/s is the episode's.

        >>> FORMATS["opus"].kbps(64), FORMATS["m4a"].kbps(64)
        (32, 64)
        """
        return min(asked, self.max_kbps) if self.max_kbps else asked


FORMATS: dict[str, Format] = {
    "mp3": Format(
        ".mp3",
        ("-c:a", "libmp3lame", "-compression_level", "7", "-ar", str(MP3_RATE)),
        "audio/mpeg",
    ),
    "m4a": Format(
        ".m4a",
        ("-c:a", "aac", "-ar", str(MP3_RATE), "-movflags", "+faststart"),
        "audio/mp4",
        chapters=True,
    ),
    # "voip" tunes the encoder for speech intelligibility (libopus OPUS_APPLICATION_VOIP).
    "opus": Format(
        ".opus",
        ("-c:a", "libopus", "-ar", "48000", "-application", "voip"),
        "audio/ogg",
        max_kbps=OPUS_SPEECH_KBPS,
    ),
    # ``say`` only (no episode rendition): 16-bit PCM at the voice's own rate, no -ar,
    # so a pronunciation is heard as the voice made it, with nothing resampled; the
    # bit rate asked for does not apply to PCM. bitexact leaves ffmpeg's version
    # out of the header, so the same line gives the same bytes on any ffmpeg.
    "wav": Format(".wav", ("-c:a", "pcm_s16le", "-fflags", "+bitexact"), "audio/wav"),
}
"""Format name → how ffmpeg makes it."""


@dataclass(frozen=True)
class EncodeSettings:
    """Encoder choices."""

    bitrate_kbps: int = DEFAULT_BITRATE
    """Constant bit rate for MP3 (and the other formats' target)."""
    extra_formats: tuple[str, ...] = ()
    """Also write these renditions (``m4a``, ``opus``)."""


PROBE_SECONDS = 20.0
"""Length of the excerpt used to measure an encoder's level change."""
MAX_COMPENSATION_DB = 1.5


def level_change(excerpt: np.ndarray, rate: int, fmt: str, bitrate_kbps: int) -> float:
    """How many LU the encoder changes the loudness of ``excerpt`` (decoded minus input).

    Measured, not assumed: LAME output decodes about 0.45 LU quieter than its
    input for Piper speech at any bit rate, which alone would miss the target.
    """
    from ..master import LoudnessMeter

    before, after = LoudnessMeter(rate), LoudnessMeter(rate)
    before.add(excerpt, peaks=False)
    with tempfile.TemporaryDirectory(prefix="articleaudio-probe-") as tmp:
        probe = Path(tmp) / f"probe{FORMATS[fmt].suffix}"
        encode([excerpt], rate, probe, fmt, bitrate_kbps)
        after.add(decode(probe, rate), peaks=False)
    change = after.integrated - before.integrated
    if not np.isfinite(change):
        return 0.0
    return float(np.clip(change, -MAX_COMPENSATION_DB, MAX_COMPENSATION_DB))


class Encoder:
    """One ffmpeg process fed chunk by chunk, so encoding runs beside mastering.

    ``gain_db`` offsets a level change the encoder was measured to make;
    ``chapters`` go into formats whose chapters ffmpeg writes. Call
    :meth:`finish` to complete the file or :meth:`abort` to stop and delete it.
    """

    def __init__(
        self,
        path: Path,
        rate: int,
        fmt: str,
        bitrate_kbps: int,
        gain_db: float = 0.0,
        *,
        chapters: Sequence[Chapter] = (),
    ) -> None:
        self.path = path
        self._scale = np.float32(10 ** (gain_db / 20))
        spec = FORMATS[fmt]
        # Closed by finish() or abort(): the process outlives this call.
        self._meta = _chapter_metadata(chapters) if spec.chapters and chapters else None
        meta = ("-f", "ffmetadata", "-i", self._meta.name) if self._meta else ()
        command = [
            ffmpeg_path(),
            *_QUIET,
            "-y",
            *("-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0"),
            *meta,
            *(("-map", "0:a", "-map_chapters", "1") if meta else ()),
            *spec.codec,
            *("-ac", "1", "-b:a", f"{spec.kbps(bitrate_kbps)}k"),
            # Global metadata only: a bare -map_metadata -1 empties the chapter titles too.
            *("-map_metadata:g", "-1", str(path)),
        ]
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=self._errors)
        except OSError as exc:
            self._close_files()
            raise AudioToolError(f"cannot run ffmpeg ({command[0]}): {exc.strerror}") from exc
        self._broken = False
        self.true_peak_db: float | None = None
        """ffmpeg's file is measured by decoding it whole (:func:`decoded_true_peak`)."""

    def write(self, chunk: np.ndarray, *, key: bytes | None = None) -> None:
        """Queue the next samples (blocks while ffmpeg is behind; ``key`` is not needed)."""
        if self._broken:
            return
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(np.ascontiguousarray(chunk * self._scale, dtype="<f4").tobytes())
        except BrokenPipeError:
            self._broken = True  # ffmpeg stopped early; finish() reports why

    def write_stored(self, samples: int, key: bytes, load: Callable[[], np.ndarray]) -> None:
        """ffmpeg is sent every sample: the piece is read."""
        self.write(load())

    def cut(self) -> None:
        """ffmpeg encodes one continuous stream; span cuts do not apply."""

    def finish(self) -> None:
        """Close the input and wait for the file; AudioToolError if ffmpeg failed."""
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        code = self._proc.wait()
        self._errors.seek(0)
        tail = self._errors.read().decode(errors="replace")[-800:].strip()
        self._close_files()
        if code != 0:
            self.path.unlink(missing_ok=True)
            raise AudioToolError(f"ffmpeg failed to write {self.path.name}: {tail}", stderr=tail)

    def abort(self) -> None:
        """Stop ffmpeg and delete whatever it wrote."""
        self._proc.kill()
        self._proc.wait()
        if self._proc.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._proc.stdin.close()
        self._close_files()
        self.path.unlink(missing_ok=True)

    def _close_files(self) -> None:
        self._errors.close()
        if self._meta is not None:
            self._meta.close()


def _chapter_metadata(chapters: Sequence[Chapter]) -> tempfile._TemporaryFileWrapper[str]:
    """An FFMETADATA1 file of the chapters (ffmpeg-formats(1), "Metadata")."""
    handle = tempfile.NamedTemporaryFile("w", suffix=".txt", encoding="utf-8")  # noqa: SIM115
    lines = [";FFMETADATA1"]
    for ch in chapters:
        lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={round(ch.start * 1000)}"]
        lines += [f"END={round(ch.end * 1000)}", f"title={_ffmetadata_escape(ch.title)}"]
    handle.write("\n".join(lines) + "\n")
    handle.flush()
    return handle


def _ffmetadata_escape(text: str) -> str:
    r"""``=``, ``;``, ``#``, ``\`` and line breaks escaped with a backslash.

    >>> _ffmetadata_escape("a=b; #c\nd")
    'a\\=b\\; \\#c\\\nd'
    """
    return "".join("\\" + ch if ch in "=;#\\\n" else ch for ch in text)


def open_encoder(
    path: Path,
    rate: int,
    fmt: str,
    bitrate_kbps: int,
    *,
    gain_db: float = 0.0,
    store: SpanStore | None = None,
    chapters: Sequence[Chapter] = (),
) -> Encoder | SpanWriter:
    """The encoder for ``fmt``: MP3 from spans when the rate allows, else ffmpeg.

    ``store`` keeps encoded MP3 spans, so unchanged ones are not encoded again.
    """
    if fmt == "mp3" and supports(rate) and holds_tags(bitrate_kbps):
        return SpanWriter(path, rate, bitrate_kbps, gain_db, store)
    return Encoder(path, rate, fmt, bitrate_kbps, gain_db, chapters=chapters)


def encode(
    chunks: Iterable[np.ndarray | None],
    rate: int,
    path: Path,
    fmt: str,
    bitrate_kbps: int,
    *,
    gain_db: float = 0.0,
    store: SpanStore | None = None,
    chapters: Sequence[Chapter] = (),
) -> float | None:
    """Encode mono float chunks at ``rate`` into ``path`` (mono, CBR); returns the file's
    decoded true peak in dBTP when the encoder measured it (MP3 spans with a ``store``).

    ``None`` among the chunks marks where a new MP3 span may start
    (``Mastered.stream``). ``gain_db`` offsets a level change the encoder was
    measured to make; ``chapters`` go into formats whose chapters ffmpeg writes.
    """
    encoder = open_encoder(
        path, rate, fmt, bitrate_kbps, gain_db=gain_db, store=store, chapters=chapters
    )
    try:
        for chunk in chunks:
            if chunk is None:
                encoder.cut()
            else:
                encoder.write(chunk)
    except BaseException:
        encoder.abort()
        raise
    encoder.finish()
    return encoder.true_peak_db


class SinkOpener:
    """Opens an encoder for a streamed master, offsetting the encoder's level change,
    and keeps it, so that what it measured can be asked once the master is done.

    ``offset`` gives that gain from the sample rate and the first finished
    seconds of the episode (remembered, or measured on them).
    """

    def __init__(
        self,
        path: Path,
        fmt: str,
        bitrate_kbps: int,
        offset: Callable[[int, np.ndarray], float],
        store: SpanStore | None = None,
    ) -> None:
        self.path, self.fmt, self.bitrate = path, fmt, bitrate_kbps
        self.offset, self.store = offset, store
        self.sink: Encoder | SpanWriter | None = None
        """The encoder opened last."""

    def __call__(self, rate: int, excerpt: np.ndarray) -> Encoder | SpanWriter:
        gain = self.offset(rate, excerpt[: int(PROBE_SECONDS * rate)])
        self.sink = open_encoder(
            self.path, rate, self.fmt, self.bitrate, gain_db=gain, store=self.store
        )
        return self.sink

    @property
    def true_peak_db(self) -> float | None:
        """The finished file's decoded true peak, when its encoder measured it."""
        return self.sink.true_peak_db if self.sink is not None else None


def decoded_true_peak(path: Path) -> float:
    """True peak in dBTP of ``path`` as a player decodes it, at the file's own rate.

    The limiter holds the mastered audio at its ceiling, but the MP3 encoder's
    low-pass and quantisation move the peaks (issue 13: -2.0 was reported while
    ffmpeg measured -1.3 to -1.9 dBTP), so only the decoded file says what
    listeners get. Streamed: a long episode is never held in memory whole.
    """
    from ..master import streamed_true_peak

    peak = streamed_true_peak(decode_stream(path))
    return 20 * math.log10(peak) if peak > 0 else -math.inf


def decode(path: Path, rate: int = MP3_RATE) -> np.ndarray:
    """Decode any audio file to mono float32 at ``rate`` (for checks and tests)."""
    command = [
        *(ffmpeg_path(), *_QUIET, "-i", str(path)),
        *("-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1"),
    ]
    proc = subprocess.run(command, capture_output=True, check=False)
    if proc.returncode != 0:
        raise AudioToolError(f"ffmpeg cannot decode {path}", stderr=proc.stderr.decode()[-800:])
    return np.frombuffer(proc.stdout, dtype="<f4").copy()
