"""Lazy re-exports for the packages' ``__init__`` modules.

A package's public names are re-exported from its private modules, but importing
them eagerly would make ``import articleaudio`` (or any one module of a stage)
load every stage: lxml, feedgen, numpy and, worst, Starlette. A module-level
``__getattr__`` (PEP 562) imports a name's module only when the name is used.
"""

from __future__ import annotations

import importlib

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""
if TYPE_CHECKING:
    from collections.abc import Callable


def exports(package: str, table: dict[str, str]) -> Callable[[str], object]:
    """``__getattr__`` for ``package``: each name in ``table`` from its relative module.

    >>> getattr_ = exports("articleaudio", {"ArticleAudioError": ".errors"})
    >>> getattr_("ArticleAudioError").__name__
    'ArticleAudioError'
    """

    def __getattr__(name: str) -> object:
        if name not in table:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(table[name], package), name)

    return __getattr__
