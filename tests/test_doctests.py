"""Run the small helpers' doctests as part of the suite."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import articleaudio

MODULES = sorted(m.name for m in pkgutil.walk_packages(articleaudio.__path__, "articleaudio."))


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
