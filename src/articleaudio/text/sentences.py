"""Sentences: a paragraph cut where its sentences end, in any script.

pysbd (Sadvilkar and Neumann, 2020) proposes the boundaries, with abbreviation
rules per language ("Dr.", "U.S.", "г."); :func:`_boundary` keeps the ones that end
a sentence. Where pysbd is not right, the rules here say so:

- a boundary must be at a space, except after a full-width stop (。！？): Chinese
  and Japanese put no space between sentences;
- a closing quote or bracket belongs to the sentence its stop ends (pysbd's
  Chinese rules put ``”`` at the start of the next one);
- a comma or semicolon never ends a sentence (pysbd's Arabic rules cut after ``،``);
  Greek's question mark is ``;`` and pysbd's Greek rules know it;
- an article tagged with a language whose rules do not read its script (an
  unknown page tagged ``en`` that is Japanese) gets the script's rules;
- Hebrew, Korean, Thai and Ukrainian have no pysbd rules; they end sentences with
  ``.?!`` and a space, which the English rules read right.

Right-to-left text is cut, never rewritten: each sentence is a slice of the
paragraph, its bidi marks (LRM, RLM) and its order as written.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

import pysbd
from pysbd.languages import LANGUAGE_CODES

from ..extract import NO_SPACE_CHARS, collapse_breaks, dominant_script, writes
from .normalize_en_vocab import AFTER_TIME, NEVER_FINAL

MAX_SENTENCE_CHARS = 400
"""Longer sentences are split at clause punctuation (Piper's memory grows with length)."""

_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–]\s)|(?<=[，、；：،؛])\s*")
"""Where an over-long sentence may break: after clause punctuation (Latin, CJK, Arabic)
or before a spaced dash."""
_PYSBD_FALLBACK = "en"
SCRIPT_RULES = {"kana": "ja", "han": "zh", "arabic": "ar", "greek": "el", "devanagari": "hi"}
"""pysbd's rules for a script, used when the article's language has none for it (an
article tagged ``en`` whose text is Japanese still ends sentences at 。). Hebrew, Korean,
Thai and Cyrillic end sentences with a space after ``.?!``, as English does, so the
English fallback is right for them (pysbd has no ``he``, ``ko``, ``th`` or ``uk``)."""
CLOSERS = frozenset("」』）》〉】〕〗〙〛”’\"')]］｝")
"""Closing quotes and brackets: they end the sentence their full stop ends."""
CJK_STOPS = frozenset("。｡！？")
"""Full-width sentence ends: a boundary right after one needs no space."""
CJK_CHAR = re.compile(f"[{NO_SPACE_CHARS}]")
CLAUSE_MARKS = frozenset(",，、،؛；")
"""Commas and semicolons end clauses, not sentences: pysbd's Arabic rules cut after ،."""


@functools.lru_cache(maxsize=16)
def _segmenter(code: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=code, clean=False, char_span=True)


def rules_language(language: str, text: str) -> str:
    """The pysbd language for ``text``: the article's, if pysbd has rules for it and the
    text is not in a script those rules do not read; else the script's; else English.

    >>> rules_language("en", "東京で雨が降った。"), rules_language("fa", "گفت؟")
    ('ja', 'fa')
    >>> rules_language("ja", "東京都庁。"), rules_language("ru", "Τι θα γίνει;")
    ('ja', 'el')
    >>> rules_language("de-AT", "Es regnet."), rules_language("he", "ירד גשם.")
    ('de', 'en')
    """
    code = language.split("-")[0].split("_")[0].lower()
    script = dominant_script(text) or ""
    by_script = SCRIPT_RULES.get(script)
    if code in LANGUAGE_CODES and (by_script is None or writes(code, script)):
        return code
    return by_script or (code if code in LANGUAGE_CODES else _PYSBD_FALLBACK)


def split_sentences(paragraph: str, language: str = "en") -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations intact.

    Over-long sentences are further split by :func:`split_long`. The pieces are
    slices of the paragraph (whitespace collapsed): joined with a space where the
    paragraph had one, they give it back.

    >>> split_sentences('Dr. Lee met Gen. Smith in the U.S. on Oct. 2. "It worked," she said.')
    ['Dr. Lee met Gen. Smith in the U.S. on Oct. 2.', '"It worked," she said.']
    >>> split_sentences("雨が降った。「もう帰れない」と彼は言った。", "ja")
    ['雨が降った。', '「もう帰れない」と彼は言った。']
    """
    return list(_split_text(collapse_breaks(paragraph), language))


@functools.lru_cache(maxsize=4096)
def _split_text(text: str, language: str) -> tuple[str, ...]:
    """:func:`split_sentences` of whitespace-collapsed text, remembered: pysbd was a tenth
    of a warm runner's rebuild after an edit, and every paragraph but one was unchanged."""
    if not text:
        return ()
    # pysbd proposes boundaries; _boundary keeps those that end a sentence, so a
    # sentence is never cut inside a token ("Dr.." stays whole) or after a comma.
    segmenter = _segmenter(rules_language(language, text))
    proposed = (_boundary(text, span.start) for span in segmenter.segment(text))
    kept = (b for b in proposed if b is not None and not false_stop(text, b, language))
    cuts = sorted({0, len(text), *kept})
    pieces = (text[a:b].strip() for a, b in itertools.pairwise(cuts))
    return tuple(part for piece in pieces if piece for part in split_long(piece))


_WORD_BEFORE = re.compile(r"([A-Za-z.]+)\.\s$")
_WORD_AFTER = re.compile(r"[^\W\d_]+")


def false_stop(text: str, cut: int, language: str) -> bool:
    """Whether a proposed sentence break at ``cut`` follows a full stop that ends no
    sentence in English: "approx. 40 km", "at 10 a.m. ET on Sunday", "5 p.m. Tuesday".

    >>> false_stop("It is approx. 40 km long.", 14, "en")
    True
    >>> false_stop("We met at 5 p.m. Then", 17, "en"), false_stop("At 5 p.m. ET", 10, "en")
    (False, True)
    """
    if not language.lower().startswith("en"):
        return False
    before = _WORD_BEFORE.search(text, 0, cut)
    if before is None:
        return False
    word = before.group(1).lower()
    if word in NEVER_FINAL:
        return True
    after = _WORD_AFTER.match(text, cut)
    return word in ("a.m", "p.m") and after is not None and after.group(0) in AFTER_TIME


def _boundary(text: str, start: int) -> int | None:
    """Where a sentence pysbd starts at ``start`` really starts, or None if it does not.

    Kept: a boundary at a space, or right after a full-width stop (Chinese and Japanese
    put no space after 。！？). Closers pysbd left at the start of the next sentence
    (its Chinese rules do: ``…再来。”天气…``) go back to the one they close.
    """
    if not 0 < start < len(text):
        return None
    while (
        start < len(text) and text[start] in CLOSERS and _before(text, start, CLOSERS) in CJK_STOPS
    ):
        start += 1
    if start == len(text) or _before(text, start, SPACES) in CLAUSE_MARKS:
        return None
    stop = _before(text, start, CLOSERS)
    if text[start - 1] == " " or stop in CJK_STOPS:
        return start
    return start if stop in {"!", "?"} and CJK_CHAR.match(text[start]) else None


SPACES = frozenset(" ")


def _before(text: str, end: int, skipped: frozenset[str]) -> str:
    """The last character of ``text[:end]`` that is not in ``skipped`` ('' if none)."""
    while end > 0 and text[end - 1] in skipped:
        end -= 1
    return text[end - 1] if end > 0 else ""


Span = tuple[int, int]


def split_long(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Split an over-long sentence at clause punctuation, then at spaces; never mid-word
    (in Chinese and Japanese, between any two characters, as line breaking allows)."""
    if len(sentence) <= limit:
        return [sentence]
    clauses: list[Span] = []
    start = 0
    for brk in _CLAUSE_BREAK.finditer(sentence):
        if brk.start() > start:
            clauses.append((start, brk.start()))
        start = brk.end()
    clauses.append((start, len(sentence)))
    packed: list[Span] = []
    for a, b in (line for clause in clauses for line in _hard_wrap(sentence, clause, limit)):
        if packed and b - packed[-1][0] <= limit:
            packed[-1] = (packed[-1][0], b)
        else:
            packed.append((a, b))
    return [sentence[a:b] for a, b in packed]


def _hard_wrap(text: str, clause: Span, limit: int) -> Iterator[Span]:
    """The clause as lines of at most ``limit`` characters, cut at spaces."""
    line: Span | None = None
    for word in re.finditer(r"\S+", text[clause[0] : clause[1]]):
        for a, b in _chop(text, (clause[0] + word.start(), clause[0] + word.end()), limit):
            if line and b - line[0] > limit:
                yield line
                line = None
            line = (line[0], b) if line else (a, b)
    if line:
        yield line


def _chop(text: str, word: Span, limit: int) -> Iterator[Span]:
    """A run without spaces longer than ``limit``, cut between Chinese or Japanese characters
    (UAX #14 allows a line break there); a Latin word stays whole however long."""
    a, end = word
    while end - a > limit:
        cut = next(
            (
                i
                for i in range(a + limit, a, -1)
                if CJK_CHAR.match(text[i - 1]) or CJK_CHAR.match(text[i])
            ),
            None,
        )
        if cut is None:
            break
        yield a, cut
        a = cut
    yield a, end
