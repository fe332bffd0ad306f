"""A spool: float32 audio pieces (or other arrays) kept in an anonymous temporary file.

Mastering writes raw and finished pieces here rather than holding a long
episode in memory; the file disappears when closed or when the process ends.
"""

from __future__ import annotations

import mmap
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

    def __init__(self, dtype: str = "<f4") -> None:
        self.dtype = np.dtype(dtype)
        """What its arrays hold (float32 audio unless told otherwise)."""
        # Not a with block here: the file outlives this call (see the class docstring).
        try:
            self._file: IO[bytes] = tempfile.TemporaryFile(prefix="articleaudio-spool-")  # noqa: SIM115
        except OSError as exc:
            raise PublishError(f"cannot create a temporary file: {exc.strerror or exc}") from exc
        self._end = 0
        # The MP3 encoder's thread reads finished pieces it was only told of (see
        # ``Sink.write_stored``) while the master appends more: one file position.
        # Appends (and read_at) come from one thread only, the master's.
        self._lock = threading.Lock()
        self._mapped: mmap.mmap | None = None
        """The file mapped for :meth:`read_at`, as long as it was then."""

    def append(self, audio: np.ndarray) -> tuple[int, int]:
        """Store ``audio``; returns (byte offset, samples)."""
        # The array's own buffer is written: tobytes() copied every sample once more.
        data = np.ascontiguousarray(audio, dtype=self.dtype).data.cast("B")
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

    @property
    def samples(self) -> int:
        """Values stored so far."""
        return self._end // self.dtype.itemsize

    def read(self, offset: int, samples: int) -> np.ndarray:
        """The piece stored at ``offset``."""
        with self._lock:
            self._file.seek(offset)
            # Straight into the array: reading bytes and copying them out copied twice.
            return np.fromfile(self._file, dtype=self.dtype, count=samples)

    def read_at(self, offset: int, samples: int, indices: np.ndarray) -> np.ndarray:
        """The piece at ``offset``'s values at ``indices``, reading only the pages that
        hold them (a few values of a long piece: see ``LoudnessMeter``)."""
        with self._lock:
            end = offset + samples * self.dtype.itemsize
            if self._mapped is None or len(self._mapped) < end:
                self._unmap()  # mapped before the piece was appended: map it all again
                self._mapped = mmap.mmap(self._file.fileno(), self._end, access=mmap.ACCESS_READ)
            view = np.frombuffer(self._mapped, dtype=self.dtype, count=samples, offset=offset)
            try:
                values: np.ndarray = view[indices]  # a copy: the mapping may close
            finally:
                del view  # a view left alive would keep the mapping from closing
        return values

    def _unmap(self) -> None:
        if self._mapped is not None:
            self._mapped.close()
            self._mapped = None

    def close(self) -> None:
        """Delete the file."""
        with self._lock:
            self._unmap()
        self._file.close()

    def __enter__(self) -> Spool:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
