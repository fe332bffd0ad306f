"""The lines of a whole-page text copy, as the text-copy reader judges them one by one."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass


class Kind(enum.Enum):
    """What one line is judged to be on its own."""

    GOOD = "good"
    SHORT = "short"
    BAD = "bad"


@dataclass(frozen=True)
class Line:
    """One non-empty line of the copy."""

    text: str
    alone: bool
    """True when blank lines surround it (it is its own paragraph)."""
    kind: Kind = Kind.BAD
    n_words: int = 0
    """Length in word-sized units (:func:`.scripts.units`)."""


LINK_LIKE = re.compile(r"https?://|www\.|\S+@\S+\.\w+|\s[>›»|]\s.*\s[>›»|]\s|<[a-z/][^>]*>", re.I)
"""URLs, e-mail addresses, breadcrumbs ('Home > News > World') and literal markup."""
NAV_MARKS = re.compile(r"\s\|\s|^[«‹<]\s|\s[»›>]$")
"""Pagers and breadcrumbs ('« Previous | Next »'), never a headline."""
