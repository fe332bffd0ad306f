"""One spelling for what was meant and what was heard, so they compare word by word.

The three texts of a sentence (the article's words, the text the voice was given, and
the recogniser's transcript) go through the same steps: a few rewrites of the raw text
(:data:`BEFORE`), Whisper's own English normaliser (lower case, no punctuation, numbers
as digits: "1,200" and "twelve hundred" both become "1200"), then a few rewrites of
the words (:data:`SAME_WORDS`, single letters joined). The article is never spoken by
this code, so its normal form is independent of the text stage's normaliser: a rule
there that changed the meaning shows up as a difference here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

WILDCARD = "zzphonemes"
"""Stands for a Piper phoneme block (``[[ ŋwˈɪn ]]``): matches any one heard word."""

_SCORE_CONTEXT = re.compile(
    r"\b(?:won|wins?|beat|beats|beaten|lost|lose|loses|drew|draw|drawn|victory|defeat|"
    r"lead|led|leads|trail(?:ed|s)?|scored?|scoreline|nil|final|match|game)\b",
    re.IGNORECASE,
)
"""Words that make "3-1" a score ("three one") rather than a range ("three to one").
Whisper writes both with a hyphen, so only the sentence tells them apart."""
_DIGIT_DASH = re.compile(r"(?<=\d)\s?[-–—]\s?(?=\d)")
_SUFFIXES = {"k": "thousand", "m": "million", "bn": "billion", "tn": "trillion"}

BEFORE: tuple[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]], ...] = (
    # A phoneme block cannot be compared letter by letter: any heard word will do.
    (re.compile(r"\[\[.*?\]\]"), f" {WILDCARD} "),
    # Spelt letters ("U-N", "F-B-I") as one word, as a transcript writes them ("UN").
    (
        re.compile(r"\b[A-Za-z](?:-[A-Za-z])+\b"),
        lambda m: m[0].replace("-", ""),
    ),
    # Money shorthand ("£3m", "$4.5bn") in words, which Whisper's normaliser reads.
    (
        re.compile(r"([£$€])\s?(\d[\d,.]*)\s?(k|m|bn|tn)\b", re.IGNORECASE),
        lambda m: f"{m[1]}{m[2]} {_SUFFIXES[m[3].lower()]}",
    ),
    (re.compile(r"\bper\s+cent\b", re.IGNORECASE), "percent"),
    # A clock time as one number, as Whisper's normaliser writes "ten thirty" ("1030").
    (re.compile(r"\b(\d{1,2}):(\d\d)(?!\d)"), r"\1\2"),
)
"""Rewrites of the raw text, each ``(pattern, replacement)``, in order."""

SAME_WORDS = {"nil": "0", "nought": "0", "okay": "ok", "one": "1"}
"""Words that mean the same as another spelling the recogniser may choose (Whisper's
normaliser leaves "one" a word, since "no one" is not a number, and writes "3 1" as
"3 one": both sides get the digit)."""
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
"""Ordinals as their numbers: "the 3rd of March" and "3 March" are one date."""
_MARK = " zzapart "
"""Keeps numbers apart through Whisper's normaliser, which joins "one two zero zero" into
"1200" and reads "3 1" as "3 one"."""
_DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_DIGIT_RUN = re.compile(
    rf"\b(?:{'|'.join(_DIGIT_WORDS)})(?:[\s,-]+(?:{'|'.join(_DIGIT_WORDS)}))+\b", re.IGNORECASE
)
"""Two or more digits read one by one ("one two zero zero", a score's "three one")."""


def _digits_apart(match: re.Match[str]) -> str:
    words = re.split(r"[\s,-]+", match[0].lower())
    return _MARK.join(str(_DIGIT_WORDS.index(w)) for w in words)


@cache
def _whisper() -> Callable[[str], str]:
    from whisper_normalizer.english import EnglishTextNormalizer

    normaliser: Callable[[str], str] = EnglishTextNormalizer()
    return normaliser


def _dashes(text: str) -> str:
    """A dash between two numbers as a score's space or a range's "to" (see _SCORE_CONTEXT)."""
    between = _MARK if _SCORE_CONTEXT.search(text) else " to "
    return _DIGIT_DASH.sub(between, text)


_MONTHS = "january|february|march|april|may|june|july|august|september|october|november|december"
DATES = (
    (re.compile(rf"\b(?:the )?(\d+) of ({_MONTHS})\b"), r"\1 \2"),
    (re.compile(rf"\b({_MONTHS}) the (\d+)\b"), r"\1 \2"),
)
"""A date as its day and month: "the 3rd of march" and "march the 3rd" are "3 march"."""


def _same_word(word: str) -> str:
    return _ORDINAL.sub(r"\1", SAME_WORDS.get(word, word))


def normal_words(text: str) -> list[str]:
    """``text`` as the words the comparison sees.

    >>> normal_words("The 1,200 workers won 3-1; the U-N said £3m.")
    ['the', '1200', 'workers', 'won', '3', '1', 'the', 'un', 'said', '£3000000']
    >>> normal_words("the twelve hundred workers won three one, the UN said three million pounds")
    ['the', '1200', 'workers', 'won', '3', '1', 'the', 'un', 'said', '£3000000']
    >>> normal_words("one two zero zero workers")
    ['1', '2', '0', '0', 'workers']
    >>> normal_words("Rates rose 4-5%.") == normal_words("rates rose four to five percent")
    True
    """
    for pattern, replacement in BEFORE:
        text = pattern.sub(replacement, text)
    text = _DIGIT_RUN.sub(_digits_apart, _dashes(text))
    words = [_same_word(w) for w in _whisper()(text).split() if w != _MARK.strip()]
    said = " ".join(_join_letters(words))
    for pattern, replacement in DATES:
        said = pattern.sub(replacement, said)
    return said.split()


def _join_letters(words: list[str]) -> list[str]:
    """Runs of two or more single letters as one word ("u s a" → "usa")."""
    joined: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1 and word.isalpha():
            run.append(word)
            continue
        joined.extend(["".join(run)] if len(run) > 1 else run)
        run = []
        if word:
            joined.append(word)
    return joined


_NAME = re.compile(r"\b(?:[A-Z][\w'’-]*[A-Za-z]|[A-Z]{2,})\b")


def names_in(text: str) -> dict[str, str]:
    """Normal form → written form of the names and acronyms in ``text``: capitalised
    words after its first, and any word in capitals.

    >>> names_in("Leaders met NATO in Vilnius on Tuesday.")
    {'nato': 'NATO', 'vilnius': 'Vilnius', 'tuesday': 'Tuesday'}
    """
    found: dict[str, str] = {}
    for match in _NAME.finditer(text):
        word = match[0]
        if match.start() == 0 and not word.isupper():
            continue  # a sentence's first word is capitalised anyway
        for normal in normal_words(word):
            found.setdefault(normal, word)
    return found
