"""Finding ffmpeg and decoding with it: a leaf of the encode stage, so both the
encoder (:mod:`.encoder`) and the MP3 span writer (:mod:`.mp3frames`, through
:mod:`.span_peaks`) can decode without importing each other.

ffmpeg is the one on ``PATH`` or, failing that, the binary shipped in the
``imageio-ffmpeg`` wheel, so no system package is needed.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import numpy as np

from ..errors import AudioToolError

QUIET = ("-hide_banner", "-loglevel", "error", "-nostdin")
"""ffmpeg options for every run: errors only, and never reading the terminal."""
DECODE_CHUNK_SAMPLES = 1 << 20
"""Samples per read when a file is decoded as a stream (4 MiB of float32)."""


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


def decode_stream(path: Path, rate: int | None = None) -> Iterator[np.ndarray]:
    """Decode ``path`` to mono float32 at its own rate (or at ``rate``), chunk by chunk."""
    resample = ("-ar", str(rate)) if rate else ()
    command = [ffmpeg_path(), *QUIET, "-i", str(path), "-f", "f32le", "-ac", "1", *resample]
    command.append("pipe:1")
    # stderr goes to a file: a pipe nobody reads could fill and stall ffmpeg.
    with (
        tempfile.TemporaryFile() as errors,
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=errors) as proc,
    ):
        assert proc.stdout is not None
        while block := proc.stdout.read(DECODE_CHUNK_SAMPLES * 4):
            yield np.frombuffer(block[: len(block) // 4 * 4], "<f4")
        if proc.wait() != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")[-800:]
            raise AudioToolError(f"ffmpeg cannot decode {path}", stderr=message)


def decode_audio(path: Path, rate: int) -> np.ndarray:
    """The whole of ``path`` as mono float32 at ``rate`` Hz (a speech recogniser's input)."""
    chunks = list(decode_stream(path, rate))
    return np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
