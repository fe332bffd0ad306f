"""A spool: float32 audio pieces kept in an anonymous temporary file.

Mastering writes raw and finished pieces here rather than holding a long
episode in memory; the file disappears when closed or when the process ends.
"""

from __future__ import annotations

import tempfile
import threading
from typing import IO

import numpy as np

from ..errors import PublishError


class Spool:
    """An anonymous temporary file of float32 pieces, so long episodes stay on disk.

    Open until :meth:`close` (or the end of a ``with`` block): the final spool's
    life spans the master and encode stages, so its :class:`Mastered` closes it.
    """

    def __init__(self) -> None:
        # Not a with block here: the file outlives this call (see the class docstring).
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="articleaudio-spool-")  # noqa: SIM115
        except OSError as exc:
            raise PublishError(f"cannot create a temporary file: {exc.strerror or exc}") from exc
        self._end = 0
        # The MP3 encoder's thread reads finished pieces it was only told of (see
        # ``Sink.write_stored``) while the master appends more: one file position.
        self._lock = threading.Lock()

    def append(self, audio: np.ndarray) -> tuple[int, int]:
        """Store ``audio``; returns (byte offset, samples)."""
        # The array's own buffer is written: tobytes() copied every sample once more.
        data = np.ascontiguousarray(audio, dtype="<f4").data.cast("B")
        try:
            with self._lock:
                self._file.seek(self._end)
                self._file.write(data)
                self._file.flush()
        except OSError as exc:
            raise PublishError(
                f"cannot spool audio to the temporary folder: {exc.strerror or exc}; "
                "free some disk space or set TMPDIR to a folder with room"
            ) from exc
        offset, self._end = self._end, self._end + len(data)
        return offset, len(audio)

    def read(self, offset: int, samples: int) -> np.ndarray:
        """The piece stored at ``offset``."""
        with self._lock:
            self._file.seek(offset)
            # Straight into the array: reading bytes and copying them out copied twice.
            return np.fromfile(self._file, dtype="<f4", count=samples)

    def close(self) -> None:
        """Delete the file."""
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
