"""Segment stage: :class:`Article` → ordered :class:`Segment` list.

The episode reads title → byline/date → disclosure → body (or the disclosure
last). Body paragraphs are split into sentences; headings are their own
segments and open chapters. Articles without headings get chapters made of
paragraph groups of about equal length so listeners can still skip around.
Small tables are read row by row; larger ones are replaced by a spoken note.
"""

from __future__ import annotations

import bisect
import enum
import functools
import itertools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import pysbd
from pysbd.languages import LANGUAGE_CODES

from ..models import Article, BlockKind, Role, Segment, Spoken
from .normalize import to_spoken
from .normalize_en_vocab import AFTER_TIME, NEVER_FINAL

DEFAULT_DISCLOSURE = "This audio is created with AI assistance."
DEFAULT_TABLE_NOTE = "A table follows in the article."
"""Said where a table too long to read aloud stands."""
TABLE_MAX_ROWS = 4
"""Tables with at most this many rows (besides the header) are read row by row."""
CHAPTER_SECONDS = 60.0
"""Without headings, chapters are paragraph groups of about this length (~150 words)."""
CHARS_PER_SECOND = 18.5
"""Spoken characters per second of speech (en_US-joe-medium measures 18-20); chapters are
grouped before synthesis, so durations are estimated from the spoken text."""
PAUSE_ESTIMATES = {"intro": 1.0, "paragraph": 0.8, "sentence": 0.35}
"""Seconds of silence estimated after an intro line, a paragraph and a sentence (the
master stage's default pauses; the estimate only has to rank groups, not time them)."""
CHAPTER_TITLE_WORDS = 7
CHAPTER_TITLE_CHARS = 50
TITLE_END_WORDS = frozenset(
    "a an the and or but nor of to in on at by for from with as into onto than that "
    "which who whose whom this these those his her its their our your my is are was were "
    "be been has have had will would can could".split()
)
"""Words a cut chapter title may not end on ("…came a…" reads as a cut-off)."""
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
    chapter_seconds: float = CHAPTER_SECONDS
    """Paragraph-group chapter length for articles without headings."""
    intro_chapter_title: str = "Introduction"
    """Title of the first chapter (headline, byline, disclosure)."""
    table_note: str = DEFAULT_TABLE_NOTE
    """Said instead of a table too long to read (empty: say nothing)."""
    table_max_rows: int = TABLE_MAX_ROWS
    """Tables with at most this many rows are read row by row (0: always the note)."""


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
    kept = (b for b in starts if 0 < b < len(text) and text[b - 1] == " ")
    cuts = [0, *(b for b in kept if not false_stop(text, b, language)), len(text)]
    pieces = (text[a:b].strip() for a, b in itertools.pairwise(cuts))
    return [part for piece in pieces if piece for part in split_long(piece)]


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


Row = tuple[Role, str, int, str | None]
"""``(role, display text, block index, chapter title)`` before the spoken form is known."""


def segment_article(
    article: Article,
    settings: SpeechSettings | None = None,
    spoken: Spoken = to_spoken,
) -> tuple[Segment, ...]:
    """Turn an article into the ordered list of things the voice will say."""
    settings = settings or SpeechSettings()
    lang = article.language
    rows: list[Row] = [(Role.TITLE, article.title, -1, settings.intro_chapter_title)]
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
    if not any(b.kind is BlockKind.HEADING for b in article.blocks):
        kept = _balanced_chapters(kept, article, settings)
    return tuple(
        Segment(index=i, role=role, text=text, spoken=words, paragraph=p, chapter=ch)
        for i, ((role, text, p, ch), words) in enumerate(kept)
    )


def _body_rows(article: Article, settings: SpeechSettings) -> Iterator[Row]:
    for index, block in enumerate(article.blocks):
        if block.kind is BlockKind.HEADING:
            yield Role.HEADING, block.text, index, block.text
        elif block.kind is BlockKind.TABLE:
            yield from _table_rows(block.text, index, settings)
        else:
            for sentence in split_sentences(block.text, article.language):
                yield Role.SENTENCE, sentence, index, None


def _table_rows(text: str, index: int, settings: SpeechSettings) -> Iterator[Row]:
    """A small table row by row (each row one sentence), a larger one as the note."""
    rows = [row for row in text.split("\n") if row.strip()]
    if len(rows) <= settings.table_max_rows:
        for row in rows:
            yield Role.SENTENCE, row, index, None
    elif settings.table_note:
        yield Role.SENTENCE, settings.table_note, index, None


Said = tuple[Row, str]


def _balanced_chapters(kept: list[Said], article: Article, settings: SpeechSettings) -> list[Said]:
    """Chapters for an article without headings: paragraph groups of about equal length.

    Groups start at paragraphs (never inside one, nor at a table); the first group
    holds the intro and keeps the intro title. Lengths are estimated from the spoken
    text (this runs before synthesis); the Timeline later measures the real times.
    """
    starts = _paragraph_starts(kept, article)
    ends = [*starts[1:], len(kept)]
    seconds = [estimate_seconds(words, _pause_after(kept, n)) for n, (_, words) in enumerate(kept)]
    weights = [sum(seconds[a:b]) for a, b in zip(starts, ends, strict=True)]
    count = max(1, round(sum(weights) / settings.chapter_seconds))
    opens = {starts[g] for g in balanced_groups(weights, count)}
    out: list[Said] = []
    for n, ((role, text, p, _), words) in enumerate(kept):
        title = None
        if n in opens:
            title = _group_title(text) if n else settings.intro_chapter_title
        out.append(((role, text, p, title), words))
    return out


def _paragraph_starts(kept: list[Said], article: Article) -> list[int]:
    """Where a chapter may start: the first row, and each paragraph's first sentence."""
    blocks = article.blocks
    return [
        n
        for n, ((_, _, p, _), _) in enumerate(kept)
        if n == 0 or (p >= 0 and p != kept[n - 1][0][2] and blocks[p].kind is BlockKind.PARAGRAPH)
    ]


def _pause_after(kept: list[Said], n: int) -> float:
    role, paragraph = kept[n][0][0], kept[n][0][2]
    if role in (Role.TITLE, Role.BYLINE, Role.DISCLOSURE, Role.HEADING):
        return PAUSE_ESTIMATES["intro"]
    last = n + 1 == len(kept) or kept[n + 1][0][2] != paragraph
    return PAUSE_ESTIMATES["paragraph" if last else "sentence"]


def estimate_seconds(spoken: str, pause: float = 0.0) -> float:
    """Estimated length of a segment, with the pause after it.

    >>> round(estimate_seconds("x" * 185, pause=0.35), 2)
    10.35
    """
    return len(spoken) / CHARS_PER_SECOND + pause


def balanced_groups(weights: Sequence[float], count: int) -> list[int]:
    """Start indexes of ``count`` contiguous, non-empty groups of ``weights`` of about
    equal totals: each cut falls at the boundary nearest its share of the whole, so a
    group is off by at most about one item (linear in the items, for any article length).

    >>> balanced_groups([5, 1, 1, 1, 1, 1], 2), balanced_groups([1, 1, 1, 1], 2)
    ([0, 1], [0, 2])
    >>> balanced_groups([9, 9, 3, 25, 5, 18, 4, 13, 16, 4, 16, 4, 18], 3)
    [0, 4, 9]
    """
    n = len(weights)
    count = max(1, min(count, n))
    prefix = list(itertools.accumulate(weights, initial=0.0))
    starts = [0]
    for g in range(1, count):
        goal = prefix[-1] * g / count
        # Leave at least one item for this group and each one after it.
        low, high = starts[-1] + 1, n - (count - g)
        i = min(max(bisect.bisect_left(prefix, goal), low), high)
        if i > low and goal - prefix[i - 1] < prefix[i] - goal:
            i -= 1
        starts.append(i)
    return starts


def _group_title(sentence: str) -> str:
    """A chapter title from the first words of the group's first sentence, cut at a word
    boundary and never on a word that leaves the phrase hanging.

    >>> _group_title("The withdrawal of a Russian contingent from the region concluded.")
    'The withdrawal of a Russian contingent…'
    >>> _group_title("The news of the miscarriage came a month after the announcement.")
    'The news of the miscarriage came…'
    >>> _group_title("Prices rose.")
    'Prices rose'
    >>> _group_title('"Hearing the heartbeat was something we never expected," he said.')
    'Hearing the heartbeat was something we never…'
    """
    words = sentence.split()
    if len(words) <= CHAPTER_TITLE_WORDS and len(sentence) <= CHAPTER_TITLE_CHARS:
        return sentence.rstrip(".")
    cut = words[:CHAPTER_TITLE_WORDS]
    while len(cut) > 1 and len(" ".join(cut)) > CHAPTER_TITLE_CHARS:
        cut.pop()
    while len(cut) > 1 and cut[-1].strip(",;:—–-\"'“”‘’").lower() in TITLE_END_WORDS:
        cut.pop()
    title = " ".join(cut).rstrip(",;:—–-")
    if title[:1] in '"“‘' and not re.search('["”’]', title[1:]):
        title = title[1:]  # the quote's close was cut off
    return title + "…"
