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


LINK_LIKE = re.compile(r"https?://|www\.|\S+@\S+\.\w+|<[a-z/][^>]*>", re.I)
"""URLs, e-mail addresses and literal markup."""
BREADCRUMB = re.compile(r"\s[>›»|]\s.*\s[>›»|]\s")
"""'Home > News > World', 'Le Monde | 04.05.2015 | Par …'."""
GUILLEMETS = re.compile(r"«[^»]*»")
"""French and other prose quote « thus », with spaces: not a breadcrumb's separators."""


def is_link_like(text: str) -> bool:
    """A URL, an e-mail address, markup or a breadcrumb trail.

    >>> is_link_like("Home > News > World > Europe"), is_link_like("Voir www.example.org")
    (True, True)
    >>> is_link_like("Il parle d'une « boîte noire » et d'un « algorithme » installé chez eux.")
    False
    """
    return bool(LINK_LIKE.search(text) or BREADCRUMB.search(GUILLEMETS.sub("", text)))


NAV_MARKS = re.compile(r"\s\|\s|^[«‹<]\s|\s[»›>]$")
"""Pagers and breadcrumbs ('« Previous | Next »'), never a headline."""


PHOTO_CREDIT = re.compile(r"\b[A-Z][\w'’.&-]*/[A-Z][\w'’.& /-]*$")
"""A caption ending in its credit, photographer/agency: '… Fethi Belaid/AFP/Getty Images',
'… REUTERS/Brendan McDermid' (no full stop: prose would end with one)."""
CAPTION_LABEL = re.compile(r"^(?:file\s+)?(?:photo|foto|image|picture|bild|imagen)\s*:", re.I)
"""'FILE PHOTO: Traders work on the floor …'."""


def is_photo_caption(text: str) -> bool:
    """A photo caption by its credit or label.

    >>> is_photo_caption("Engineers inspect the viaduct. Photograph: Ben Cole/PA")
    True
    >>> is_photo_caption("FILE PHOTO: Traders work on the floor of the exchange.")
    True
    >>> is_photo_caption("The deal, worth $2bn, was signed on Monday.")
    False
    """
    return bool(PHOTO_CREDIT.search(text) or CAPTION_LABEL.match(text))
