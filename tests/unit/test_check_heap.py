"""The recogniser's heap settings (:mod:`articleaudio.check.heap`): inside
``kept_heap`` a big block freed and asked for again costs no new page faults, as it
does with glibc's defaults; after it, the defaults are back."""

from __future__ import annotations

import ctypes
import resource

import pytest

from articleaudio.check.heap import _glibc, kept_heap

BLOCK = 64 * 1024 * 1024
"""Twice glibc's largest mmap threshold: by default always a fresh mapping."""


def _faults_of_a_second_block() -> int:
    """Page faults while a big block is written, freed, asked for again and written."""
    libc = _glibc()
    assert libc is not None
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = [ctypes.c_void_p]
    first = libc.malloc(BLOCK)
    ctypes.memset(first, 1, BLOCK)
    libc.free(first)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    second = libc.malloc(BLOCK)
    ctypes.memset(second, 2, BLOCK)
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
    libc.free(second)
    return faults


@pytest.mark.skipif(_glibc() is None, reason="the heap knobs are glibc's")
def test_a_freed_block_is_reused_inside_kept_heap_and_not_after() -> None:
    pages = BLOCK // resource.getpagesize()
    assert _faults_of_a_second_block() > pages // 2  # glibc's default: mapped afresh
    with kept_heap():
        _faults_of_a_second_block()  # the heap grows once
        assert _faults_of_a_second_block() < pages // 50
    assert _faults_of_a_second_block() > pages // 2  # the defaults are back
