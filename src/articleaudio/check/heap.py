"""The C heap kept warm while the recogniser works.

CTranslate2 allocates its activations afresh for every layer of every window (the
encoder's attention scores alone are tens of megabytes) from its own worker thread.
With glibc's defaults each such block is a fresh ``mmap``, returned on free and
faulted in page by page on the next window: measured on the benchmark article, eight
million page faults and 15 of the check's 38 CPU-seconds in the kernel. With one
arena, no ``mmap`` for big blocks and no trimming while the windows are heard, the
same pages serve every window (0.26 million faults; the check 23 % faster). Afterwards
the old behaviour is restored and the memory handed back.

Only glibc has these knobs; elsewhere (musl, macOS) nothing changes.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..libc import mallopt as _mallopt
from ..libc import trim_heap

M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4
M_ARENA_MAX = -8
DEFAULT_MMAP_MAX = 65_536
"""glibc's own limits, put back when the windows are heard."""
DEFAULT_TRIM_THRESHOLD = 128 * 1024
KEEP_ALL = 2**31 - 1
"""A trim threshold no heap top reaches: freed memory stays for the next window."""


def share_one_arena() -> bool:
    """Make threads started from now on allocate from the main heap (before the model is
    loaded: its worker thread then shares the pages kept by :func:`kept_heap`). It has
    no effect once the process has given threads arenas of their own; True when set."""
    return _mallopt(M_ARENA_MAX, 1)


_HOLDERS = 0
"""Hearings inside :func:`kept_heap` now (the settings are the process's, not a thread's)."""
_KEPT = False
"""Whether the first of them managed to set the knobs (glibc)."""
_HOLDING = threading.Lock()


@contextmanager
def kept_heap() -> Iterator[None]:
    """Within: big blocks come from the heap and freed ones stay there; after: glibc's
    defaults again, and the heap's free memory returned to the system.

    Hearings may overlap (two checks in one server): the first to enter sets the
    knobs and the last to leave restores them, so none is heard with the defaults back.
    """
    _enter()
    try:
        yield
    finally:
        _leave()


def _enter() -> None:
    global _HOLDERS, _KEPT
    with _HOLDING:
        if _HOLDERS == 0:
            _KEPT = _mallopt(M_MMAP_MAX, 0) and _mallopt(M_TRIM_THRESHOLD, KEEP_ALL)
        _HOLDERS += 1


def _leave() -> None:
    global _HOLDERS
    with _HOLDING:
        _HOLDERS -= 1
        if _HOLDERS or not _KEPT:
            return
        _mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
        _mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
        trim_heap()
