"""Normalize stage: written text → what the voice should say.

Rules are data: ``RULES[language]`` is an ordered table of (pattern,
replacement) rows walked by :func:`to_spoken`. Adding a case means adding a row.
"""

from __future__ import annotations

import re
from collections.abc import Callable

Replacement = str | Callable[[re.Match[str]], str]

_EN_RULES: tuple[tuple[re.Pattern[str], Replacement], ...] = (
    (re.compile(r"\s*&\s*"), " and "),
    (re.compile(r"(?<=\d)\s*%"), " percent"),
    (re.compile(r"[\u2018\u2019]"), "'"),
    (re.compile(r"[\u201c\u201d]"), '"'),
    (re.compile(r"\s*[\u2014\u2013]\s*(?=\D)"), ", "),
)
"""English rules in the order they apply."""

RULES: dict[str, tuple[tuple[re.Pattern[str], Replacement], ...]] = {"en": _EN_RULES}
"""Language (primary subtag) → rule table. Unknown languages get whitespace cleanup only."""

_SPACE = re.compile(r"\s+")


def to_spoken(text: str, language: str = "en") -> str:
    """Rewrite ``text`` so the voice reads it as a listener expects.

    >>> to_spoken("Sales rose 5% at Marks & Spencer")
    'Sales rose 5 percent at Marks and Spencer'
    """
    for pattern, replacement in RULES.get(language.split("-")[0].lower(), ()):
        text = pattern.sub(replacement, text)
    return _SPACE.sub(" ", text).strip()
