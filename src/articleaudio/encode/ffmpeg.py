"""Finding ffmpeg and decoding with it: a leaf of the encode stage, so both the
encoder (:mod:`.encoder`) and the MP3 span writer (:mod:`.mp3frames`, through
:mod:`.span_peaks`) can decode without importing each other.

ffmpeg is the one on ``PATH`` or, failing that, the binary shipped in the
``imageio-ffmpeg`` wheel, so no system package is needed. MP3 frames already in
memory are decoded in this process instead (:func:`decode_mp3_frames`), by FFmpeg's
own decoder through PyAV's wheel.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
import threading
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


def load_mp3_decoder_soon() -> None:
    """Start importing what :func:`decode_mp3_frames` decodes with (PyAV, about 60 ms
    holding the GIL), on a thread of its own, once per process.

    Called when a build starts writing, so the import runs beside its synthesis,
    not on the way to the first decode: in a warm runner, a one-sentence edit's
    decode waited for it, and an import begun when the edit's writer opened kept
    the edit's plan off the GIL for 35 ms.
    """
    with _LOADING_LOCK:
        if not _LOADING:
            # Not a daemon: an import cut short at exit could leave the import lock held.
            _LOADING.append(threading.Thread(target=_import_av, name="articleaudio-decoder"))
            _LOADING[0].start()


def _import_av() -> None:
    import av  # noqa: F401 (the import is the work)


_LOADING: list[threading.Thread] = []
_LOADING_LOCK = threading.Lock()


def decode_mp3_frames(data: bytes) -> Iterator[np.ndarray]:
    """MP3 frames (no tag, no Info frame) decoded to mono float32 in this process, a
    frame at a time: the samples :func:`decode_stream` gives for the same bytes.

    Both run FFmpeg's floating-point MP3 decoder; in-process it needs no ffmpeg to
    start, and ffmpeg's command line (since version 7) hands every 1,152-sample frame
    between its threads. Decoding a one-sentence edit's span took it 60 ms, most of
    them in the kernel; this takes under 10.
    """
    import av  # PyAV: about 60 ms to import, so not at start-up (see load_mp3_decoder_soon)

    try:
        with av.open(io.BytesIO(data), mode="r", format="mp3") as container:
            stream = container.streams.audio[0]
            for packet in container.demux(stream):
                for frame in packet.decode():
                    yield _mono_float(frame.to_ndarray(), frame.format.name)
    except av.FFmpegError as exc:
        raise AudioToolError(f"cannot decode MP3 frames: {exc}") from exc


def _mono_float(planes: np.ndarray, layout: str) -> np.ndarray:
    """One decoded frame's samples, from the decoder's planar float (one row a channel)."""
    if layout != "fltp" or planes.ndim != 2 or planes.shape[0] != 1:
        raise AudioToolError(f"the MP3 decoder gave {layout} samples of shape {planes.shape}")
    mono: np.ndarray = planes[0]
    return mono
