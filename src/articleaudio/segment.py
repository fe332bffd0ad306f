"""Segment stage: :class:`Article` → ordered :class:`Segment` list.

The episode reads title → byline/date → disclosure → body (or the disclosure
last). Body paragraphs are split into sentences; headings are their own
segments and open chapters. Articles without headings get chapters made of
paragraph groups so listeners can still skip around.
"""

from __future__ import annotations

import enum
import functools
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pysbd
from pysbd.languages import LANGUAGE_CODES

from .models import Article, BlockKind, Role, Segment
from .normalize import to_spoken

DEFAULT_DISCLOSURE = "This audio is created with AI assistance."
CHAPTER_MIN_WORDS = 180
"""Without headings, a new chapter starts at the first paragraph past this many words."""
CHAPTER_TITLE_WORDS = 7
MAX_SENTENCE_CHARS = 400
"""Longer sentences are split at clause punctuation (Piper's memory grows with length)."""


class DisclosurePosition(enum.StrEnum):
    """Where the spoken AI-assistance disclosure goes."""

    START = "start"
    END = "end"
    OFF = "off"


@dataclass(frozen=True)
class SpeechSettings:
    """What is read besides the body, and how text is prepared."""

    disclosure: str = DEFAULT_DISCLOSURE
    """Spoken disclosure text."""
    disclosure_position: DisclosurePosition = DisclosurePosition.START
    """Start (after the byline), end, or off."""
    read_byline: bool = True
    """Read authors and date after the title."""
    chapter_min_words: int = CHAPTER_MIN_WORDS
    """Paragraph-group chapter size for articles without headings."""
    intro_chapter_title: str = "Introduction"
    """Title of the first chapter (headline, byline, disclosure)."""


Spoken = Callable[[str, str], str]
"""``(text, language) -> spoken text``; the normalise + lexicon step."""

_CLAUSE_BREAK = re.compile(r"(?<=[,;:])\s+|\s+(?=[—–]\s)")
"""Where an over-long sentence may break: after clause punctuation or before a spaced dash."""
_PYSBD_FALLBACK = "en"


@functools.lru_cache(maxsize=8)
def _segmenter(language: str) -> pysbd.Segmenter:
    code = language.split("-")[0].split("_")[0].lower()
    # pysbd knows abbreviations ("Dr.", "U.S.", "Jan.") per language; others use English rules.
    known = code if code in LANGUAGE_CODES else _PYSBD_FALLBACK
    return pysbd.Segmenter(language=known, clean=False, char_span=True)


def split_sentences(paragraph: str, language: str = "en") -> list[str]:
    """Split a paragraph into sentences, keeping abbreviations intact.

    Over-long sentences are further split by :func:`split_long`. Joining the
    result with single spaces gives the paragraph back, whitespace collapsed.

    >>> split_sentences('Dr. Lee met Gen. Smith in the U.S. on Oct. 2. "It worked," she said.')
    ['Dr. Lee met Gen. Smith in the U.S. on Oct. 2.', '"It worked," she said.']
    """
    text = " ".join(paragraph.split())
    if not text:
        return []
    # pysbd proposes boundaries; only those at a space are kept, so a sentence is
    # never cut inside a token ("Dr.." stays whole) and the pieces rejoin exactly.
    starts = [span.start for span in _segmenter(language).segment(text)]
    cuts = [0, *(b for b in starts if 0 < b < len(text) and text[b - 1] == " "), len(text)]
    pieces = (text[a:b].strip() for a, b in itertools.pairwise(cuts))
    return [part for piece in pieces if piece for part in split_long(piece)]


def split_long(sentence: str, limit: int = MAX_SENTENCE_CHARS) -> list[str]:
    """Split an over-long sentence at clause punctuation, then at spaces; never mid-word."""
    if len(sentence) <= limit:
        return [sentence]
    parts: list[str] = []
    current = ""
    for clause in _CLAUSE_BREAK.split(sentence):
        for piece in _hard_wrap(clause, limit):
            if current and len(current) + 1 + len(piece) > limit:
                parts.append(current)
                current = piece
            else:
                current = f"{current} {piece}".strip()
    if current:
        parts.append(current)
    return parts


def _hard_wrap(text: str, limit: int) -> Iterator[str]:
    line = ""
    for word in text.split(" "):
        if line and len(line) + 1 + len(word) > limit:
            yield line
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        yield line


def byline_text(article: Article) -> str | None:
    """The spoken byline: authors, then the date.

    >>> from datetime import datetime
    >>> byline_text(Article("T", (), authors=("A", "B", "C"), published=datetime(2024, 6, 12)))
    'By A, B and C. June 12, 2024.'
    """
    parts: list[str] = []
    if article.authors:
        names = list(article.authors)
        joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"By {joined}.")
    if article.published:
        parts.append(f"{article.published:%B} {article.published.day}, {article.published.year}.")
    return " ".join(parts) or None


def segment_article(
    article: Article,
    settings: SpeechSettings | None = None,
    spoken: Spoken = to_spoken,
) -> tuple[Segment, ...]:
    """Turn an article into the ordered list of things the voice will say."""
    settings = settings or SpeechSettings()
    lang = article.language
    rows: list[tuple[Role, str, int, str | None]] = [
        (Role.TITLE, article.title, -1, settings.intro_chapter_title)
    ]
    if settings.read_byline and (byline := byline_text(article)):
        rows.append((Role.BYLINE, byline, -1, None))
    disclosure = (Role.DISCLOSURE, settings.disclosure, -1, None)
    if settings.disclosure_position is DisclosurePosition.START and settings.disclosure:
        rows.append(disclosure)
    rows.extend(_body_rows(article, settings))
    if settings.disclosure_position is DisclosurePosition.END and settings.disclosure:
        rows.append(disclosure)
    said = [(row, spoken(row[1], lang)) for row in rows]
    kept = [(row, words) for row, words in said if words.strip()]
    return tuple(
        Segment(index=i, role=role, text=text, spoken=words, paragraph=p, chapter=ch)
        for i, ((role, text, p, ch), words) in enumerate(kept)
    )


def _body_rows(
    article: Article, settings: SpeechSettings
) -> Iterator[tuple[Role, str, int, str | None]]:
    has_headings = any(b.kind is BlockKind.HEADING for b in article.blocks)
    words_in_chapter = settings.chapter_min_words  # the first paragraph opens a chapter
    for index, block in enumerate(article.blocks):
        if block.kind is BlockKind.HEADING:
            yield Role.HEADING, block.text, index, block.text
            continue
        sentences = split_sentences(block.text, article.language)
        chapter = None
        if not has_headings and words_in_chapter >= settings.chapter_min_words:
            chapter = _group_title(sentences[0]) if sentences else None
            words_in_chapter = 0
        words_in_chapter += len(block.text.split())
        for n, sentence in enumerate(sentences):
            yield Role.SENTENCE, sentence, index, chapter if n == 0 else None


def _group_title(sentence: str) -> str:
    """A chapter title from the first words of the group's first sentence.

    >>> _group_title("The withdrawal of a Russian contingent from the region concluded.")
    'The withdrawal of a Russian contingent from…'
    """
    words = sentence.split()
    if len(words) <= CHAPTER_TITLE_WORDS:
        return sentence
    return " ".join(words[:CHAPTER_TITLE_WORDS]).rstrip(",;:") + "…"
