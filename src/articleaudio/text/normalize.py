"""Normalize stage: written text → what the voice should say.

Rules are data: ``RULES[language]`` is an ordered table of :class:`Rule` rows
walked by :func:`to_spoken`; the English table, with its vocabulary, is in
:mod:`articleaudio.text.normalize_en`. Adding a case means adding a row; adding a
language means adding a table under its primary subtag.

Every language gets the same frame around its table: Unicode NFKC first (so
"℃", "½" and full-width digits reach the rules in one spelling), whitespace and
punctuation tidying last.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..textclean import FORBIDDEN_CLASS
from . import normalize_en

Replacement = str | Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Rule:
    """One row of a normalisation table."""

    name: str
    """What the row reads ("currency before the amount")."""
    pattern: re.Pattern[str]
    """What it matches."""
    replacement: Replacement
    """A ``re.sub`` template or a function of the match."""


def compile_rules(rows: Iterable[tuple[str, str, Replacement]]) -> tuple[Rule, ...]:
    """Turn ``(name, regex, replacement)`` rows into :class:`Rule` values."""
    return tuple(Rule(name, re.compile(regex), replacement) for name, regex, replacement in rows)


RULES: dict[str, tuple[Rule, ...]] = {"en": compile_rules(normalize_en.RULES)}
"""Language (primary subtag) → rule table. Unknown languages get the frame only."""

_TIDY = compile_rules(
    (
        (
            # What no output carries, and invisible breaks the voice would misread. Not
            # ZWNJ/ZWJ (Persian and Indic words need them) nor LRM/RLM (right-to-left
            # text needs them; espeak-ng reads none of them as a sound).
            "control characters",
            f"[{FORBIDDEN_CLASS}\r\u200b\u2028\u2029\ufeff]",
            " ",
        ),
        ("soft hyphen", "\u00ad", ""),
        ("space before punctuation", r"\s+(?=[,.;:!?])", ""),
        ("repeated commas", r",(?:\s*,)+", ","),
        ("comma before stop", r",\s*(?=[.;:!?])", ""),
        ("leading comma", r"^\s*,\s*", ""),
        ("trailing comma", r"\s*,\s*$", ""),
        ("spaces", r"\s+", " "),
    )
)
"""Language-neutral tidying applied after the language table."""


def rules_for(language: str) -> tuple[Rule, ...]:
    """The table for a BCP 47 tag (``en-GB`` uses ``en``); empty if there is none."""
    return RULES.get(language.split("-")[0].split("_")[0].lower(), ())


def apply_rules(text: str, rules: Iterable[Rule]) -> str:
    """Walk a table over ``text``, each row once, in order."""
    for rule in rules:
        text = rule.pattern.sub(rule.replacement, text)
    return text


def to_spoken(text: str, language: str = "en") -> str:
    """Rewrite ``text`` so the voice reads it as a listener expects.

    >>> to_spoken("Sales rose 5% at Marks & Spencer")
    'Sales rose five percent at Marks and Spencer'
    >>> to_spoken("Dr. Lee paid $3.4bn on Oct. 2–4.")
    'Doctor Lee paid three point four billion dollars on October second to fourth.'
    """
    text = unicodedata.normalize("NFKC", text)
    # Spaces before punctuation go first as well as last: "v ." must meet the
    # abbreviation rules as "v." or a second pass would read it differently.
    text = apply_rules(text, _TIDY[:3])
    text = apply_rules(text, rules_for(language))
    return apply_rules(text, _TIDY[2:]).strip()
