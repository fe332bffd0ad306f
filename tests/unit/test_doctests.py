"""Run the small helpers' doctests as part of the suite.

Only modules that hold examples are collected, and each must yield at least one: a
module listed here whose examples were all removed fails instead of passing empty.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import articleaudio

FINDER = doctest.DocTestFinder()


def _examples(module: ModuleType) -> int:
    # Only the module's own objects: a name re-exported from elsewhere is tested there.
    return sum(len(test.examples) for test in FINDER.find(module) if test.examples)


def _modules_with_doctests() -> list[str]:
    names = sorted(m.name for m in pkgutil.walk_packages(articleaudio.__path__, "articleaudio."))
    return [name for name in names if _examples(importlib.import_module(name)) > 0]


MODULES = _modules_with_doctests()


def test_some_modules_have_doctests() -> None:
    assert MODULES, "no module of the package has a doctest"


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.attempted == _examples(module)
    assert result.failed == 0
