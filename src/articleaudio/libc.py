"""glibc's heap knobs, where the C library is glibc (elsewhere every call does nothing).

Two users: the listening check keeps big blocks on the heap while the recogniser hears
(:mod:`articleaudio.check.heap`), and a voice that speaks inside a long-running process
hands the memory of each sentence back when it is done (:mod:`articleaudio.synth`).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def glibc() -> ctypes.CDLL | None:
    """The C library, when it has glibc's ``mallopt`` and ``malloc_trim``; else None."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):
        return None
    return libc


def mallopt(option: int, value: int) -> bool:
    """Set one of glibc's ``M_*`` options; True when it was set."""
    libc = glibc()
    return bool(libc is not None and libc.mallopt(option, value) == 1)


def trim_heap() -> bool:
    """Give the free memory of every heap arena back to the system; True if some was."""
    libc = glibc()
    return bool(libc is not None and libc.malloc_trim(0))
