"""Encode stage: mastered audio → MP3 (and optional M4A/Opus) with ffmpeg.

ffmpeg is the one on ``PATH`` or, failing that, the binary shipped in the
``imageio-ffmpeg`` wheel, so no system package is needed. PCM is streamed to
ffmpeg's stdin rather than through a temporary WAV file.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from .errors import AudioToolError

MP3_RATE = 44100
DEFAULT_BITRATE = 64


@dataclass(frozen=True)
class Format:
    """One output rendition."""

    suffix: str
    """File suffix."""
    codec: tuple[str, ...]
    """ffmpeg output arguments."""
    mime: str
    """Content type."""


FORMATS: dict[str, Format] = {
    "mp3": Format(".mp3", ("-c:a", "libmp3lame", "-compression_level", "7", "-ar", str(MP3_RATE)),
                  "audio/mpeg"),
    "m4a": Format(".m4a", ("-c:a", "aac", "-ar", str(MP3_RATE), "-movflags", "+faststart"),
                  "audio/mp4"),
    "opus": Format(".opus", ("-c:a", "libopus", "-ar", "48000"), "audio/ogg"),
}  # fmt: skip
"""Format name → how ffmpeg makes it."""


@dataclass(frozen=True)
class EncodeSettings:
    """Encoder choices."""

    bitrate_kbps: int = DEFAULT_BITRATE
    """Constant bit rate for MP3 (and the other formats' target)."""
    extra_formats: tuple[str, ...] = ()
    """Also write these renditions (``m4a``, ``opus``)."""


@cache
def ffmpeg_path() -> str:
    """ffmpeg on PATH, else the one bundled with imageio-ffmpeg."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise AudioToolError(
            "ffmpeg not found: install the imageio-ffmpeg package or put ffmpeg on PATH"
        ) from exc


PROBE_SECONDS = 20.0
"""Length of the excerpt used to measure an encoder's level change."""
MAX_COMPENSATION_DB = 1.5


def level_change(excerpt: np.ndarray, rate: int, fmt: str, bitrate_kbps: int) -> float:
    """How many LU the encoder changes the loudness of ``excerpt`` (decoded minus input).

    Measured, not assumed: LAME output decodes about 0.45 LU quieter than its
    input for Piper speech at any bit rate, which alone would miss the target.
    """
    from .loudness import LoudnessMeter

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


def encode(
    chunks: Iterable[np.ndarray],
    rate: int,
    path: Path,
    fmt: str,
    bitrate_kbps: int,
    gain_db: float = 0.0,
) -> None:
    """Stream mono float chunks at ``rate`` into ffmpeg, writing ``path`` (mono, CBR).

    ``gain_db`` offsets a level change the encoder was measured to make.
    """
    scale = np.float32(10 ** (gain_db / 20))
    spec = FORMATS[fmt]
    command = [
        ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
        "-f", "f32le", "-ar", str(rate), "-ac", "1", "-i", "pipe:0",
        *spec.codec, "-ac", "1", "-b:a", f"{bitrate_kbps}k", "-map_metadata", "-1", str(path),
    ]  # fmt: skip
    with tempfile.TemporaryFile() as errors:
        try:
            proc = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        except OSError as exc:
            raise AudioToolError(f"cannot run ffmpeg ({command[0]}): {exc.strerror}") from exc
        assert proc.stdin is not None
        try:
            for chunk in chunks:
                proc.stdin.write(np.ascontiguousarray(chunk * scale, dtype="<f4").tobytes())
        except BrokenPipeError:
            pass  # ffmpeg stopped early; its exit status and stderr say why
        finally:
            proc.stdin.close()
            code = proc.wait()
        errors.seek(0)
        tail = errors.read().decode(errors="replace")[-800:].strip()
    if code != 0:
        raise AudioToolError(f"ffmpeg failed to write {path.name}: {tail}", stderr=tail)


def decode(path: Path, rate: int = MP3_RATE) -> np.ndarray:
    """Decode any audio file to mono float32 at ``rate`` (for checks and tests)."""
    command = [
        ffmpeg_path(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-i", str(path), "-f", "f32le", "-ac", "1", "-ar", str(rate), "pipe:1",
    ]  # fmt: skip
    proc = subprocess.run(command, capture_output=True, check=False)
    if proc.returncode != 0:
        raise AudioToolError(f"ffmpeg cannot decode {path}", stderr=proc.stderr.decode()[-800:])
    return np.frombuffer(proc.stdout, dtype="<f4").copy()
