"""The headline of a page copy: the title-shaped line before the body that the page
itself points at.

A copy has many title-shaped lines above its body: menu entries, the headlines of
other stories, a gallery's or a video's title, a section name. The headline is
the one that

* the body's first paragraphs *echo* (they share its content words: a teaser for
  another story shares none),
* a byline or date follows (straight away, or after a share bar),
* is not one item of a list of short lines (menus and teaser lists),
* is repeated on the page (the title bar, the breadcrumb, the most-read list),
* and is not below a byline (a gallery's or video's title sits there), nor a byline
  itself ('Helen Marsh Transport correspondent').

Each signal adds its weight to a score; the best-scoring line wins. When no line
is clearly the headline, the first strong candidate is used and the choice is
logged (``-v`` shows it) rather than refusing the copy.
"""

from __future__ import annotations

import logging
import re
from collections import Counter

from .copy_lines import NAV_MARKS, Kind, Line, is_link_like, is_photo_caption
from .copy_sections import boundary
from .furniture import boilerplate_hit, is_caption
from .measures import SENTENCE_END, caseless, content_terms, overlap, units
from .meta import BYLINE_PREFIX, is_date_line, is_name_line, parse_byline, parse_date

log = logging.getLogger(__name__)

TITLE_WORDS = (3, 35)
"""Headline length range, in word-sized units."""
TITLE_LOOKBACK = 80
"""How many lines before the body the headline may sit."""
HEADLINE_MIN_WORDS = 5
"""Shorter title-shaped lines just above the headline are kickers ('LOCAL NEWS')."""
LEAD_UNITS = 120
"""The body's opening that a headline is echoed by (about its first three paragraphs)."""
DATED_LINE_UNITS = 14
"""A line this short that carries a full date is a byline or a time stamp."""
BYLINE_REACH = 16
"""A byline this many lines below a candidate still belongs to it (share bars between)."""
DEK_ECHO = 0.2
"""A line above the best candidate is the headline over its dek only if the body echoes it."""
CLEAR_SCORE = 2.5
"""Below this score no line is clearly the headline: the choice is logged."""

WEIGHTS = {
    "length": 3.0,
    "distance": 1.0,
    "echo": 4.0,
    "byline_next": 5.0,
    "name_next": 2.0,
    "byline_near": 2.0,
    "date_before": 3.0,
    "repeated": 1.0,
    "two_sentences": 1.5,
    "name_line": 3.0,
    "byline_above": 3.0,
    "list_item": 2.0,
}
"""Weight of each headline signal (see :func:`headline_score`); set on the development
copies and checked on the held-out ones."""


def title_shaped(text: str) -> bool:
    """A line that could be a headline: short, no closing full stop, capitalised (in a
    script with case), not a byline, date, caption, link or furniture."""
    n = units(text)
    low, high = TITLE_WORDS
    return (
        low <= n <= high
        and not text.endswith((".", ",", ";", ":", "。", "、"))
        and not boilerplate_hit(text)
        and not is_link_like(text)
        and not is_date_line(text)
        and not (n <= DATED_LINE_UNITS and parse_date(text) is not None)
        and not is_caption(text)
        and not is_photo_caption(text)
        and BYLINE_PREFIX.match(text) is None
        and _capitalised(text)
        and text.count(",") < 3
        and not NAV_MARKS.search(text)
    )


TWO_SENTENCES = re.compile(r"[^\W\d_]{3}[a-z][.!?]\s+[A-Z]")
"""A full stop after a lower-case word, then more: often a caption and its credit."""


def _capitalised(text: str) -> bool:
    """The first letter is a capital, or its script has none (digits may come first)."""
    first = next((c for c in text if c.isalnum()), "")
    return caseless(text) or first.isupper() or first.isdigit()


def is_byline_or_date(text: str) -> bool:
    """A byline ('By Ann Lee'), a bare name line or a date stamp."""
    return is_date_line(text) or is_name_line(text) or parse_byline(text) is not None


GLUED_BYLINE = re.compile(
    r"^(?P<title>\S.*?\S)(?:\s+(?i:by|von|par|por|di|door|od|av)|(?<=[a-z.!?\"”’])By)"
    r"\s+(?P<name>[A-ZÀ-ÞĀ-ŽА-Я][\w'’.-]+(?:\s+[A-ZÀ-ÞĀ-ŽА-Я][\w'’.-]+){1,3})"
    r"(?P<tail>\s*[|,·•–]\s*.*)?$"
)
"""A headline with its byline on the same line ('Bridge to reopen by May By Ann Lee', or
'…reopenBy Ann Lee' where the copy lost the space between two elements)."""


def split_glued_byline(text: str) -> tuple[str, str] | None:
    """Headline and byline when a line is both.

    >>> split_glued_byline("Council approves new bridge over the Tamar By Ann Lee | 3 Sep 2024")
    ('Council approves new bridge over the Tamar', 'By Ann Lee | 3 Sep 2024')
    >>> split_glued_byline("Council approves new river bridgeBy Ann Lee")
    ('Council approves new river bridge', 'By Ann Lee')

    A title-cased headline may end 'by Name' on its own ('… Bitten By Police Dog'), so
    there the byline must carry a date or a separator.

    >>> split_glued_byline("Elderly Local Man Badly Bitten By Police Dog") is None
    True
    """
    match = GLUED_BYLINE.match(text.strip())
    if not match or len(match["title"].split()) < HEADLINE_MIN_WORDS:
        return None
    title = match["title"]
    byline = "By " + match["name"] + (match["tail"] or "")
    if parse_byline(byline) is None or not title_shaped(title):
        return None
    if _title_cased(title) and not match["tail"]:
        return None
    return title, byline


def _title_cased(text: str) -> bool:
    """Most longer words capitalised, as English headlines are ('Does Marie ... Have a Net')."""
    long = [w for w in text.split() if len(w) >= 4 and w[:1].isalpha()]
    return len(long) >= 3 and sum(w[0].isupper() for w in long) >= 0.7 * len(long)


def is_candidate(line: Line) -> bool:
    """Title-shaped; prose-like lines only when title-cased (a question as headline)."""
    if not title_shaped(line.text):
        return False
    return line.kind is not Kind.GOOD or (_title_cased(line.text) and line.n_words <= 20)


def find_headline(lines: list[Line], start: int, language: str) -> int | None:
    """Index of the headline line before ``lines[start]`` (the body's first line), or the
    body's first line itself when that is a title-cased question or exclamation."""
    leads = (_lead_terms(lines, start, language), _lead_terms(lines, start + 1, language))
    counts = Counter(line.text for line in lines)
    best: tuple[float, int] | None = None
    for i in range(max(0, start - TITLE_LOOKBACK), min(start + 1, len(lines))):
        if not is_candidate(lines[i]) or (i == start and lines[i].kind is not Kind.GOOD):
            continue
        repeated = counts[lines[i].text] > 1
        lead = leads[i == start]  # the body's first line is not its own echo
        score = headline_score(lines, i, start, lead=lead, repeated=repeated, language=language)
        if best is None or score >= best[0]:
            best = (score, i)
    if best is None:
        return _fallback(lines, start)
    if best[0] < CLEAR_SCORE:
        log.info("no clear headline; using %r (score %.1f)", lines[best[1]].text, best[0])
    return _headline_over_dek(lines, best[1], leads[0], language)


def headline_score(
    lines: list[Line], i: int, start: int, *, lead: set[str], repeated: bool, language: str
) -> float:
    """How strongly the page points at ``lines[i]`` as its headline (see the module doc)."""
    text = lines[i].text
    after = [line.text for line in lines[i + 1 : i + 3]]
    before = [line.text for line in lines[max(0, i - 2) : i]]
    signals = {
        "length": min(units(text), 15) / 15,
        "distance": -(start - i) / 20,
        "echo": overlap(content_terms(text, language), lead),
        "byline_next": any(is_date_line(t) or parse_byline(t) for t in after),
        "name_next": any(is_name_line(t) for t in after),
        "byline_near": _byline_below(lines, i),
        "date_before": any(is_date_line(t) for t in before),
        "repeated": repeated,
        "two_sentences": -bool(TWO_SENTENCES.search(text)),
        "name_line": -is_name_line(text),
        "byline_above": -any(
            BYLINE_PREFIX.match(line.text) and parse_byline(line.text)
            for line in lines[max(0, i - BYLINE_REACH) : i]
        ),
        "list_item": -_in_list(lines, i),
    }
    return sum(WEIGHTS[name] * float(value) for name, value in signals.items())


def _lead_terms(lines: list[Line], start: int, language: str) -> set[str]:
    """Content words of the body's opening paragraphs."""
    text: list[str] = []
    total = 0
    for line in lines[start:]:
        if line.kind is Kind.GOOD:
            text.append(line.text)
            total += line.n_words
            if total >= LEAD_UNITS:
                break
    return content_terms(" ".join(text), language)


def _byline_below(lines: list[Line], i: int) -> bool:
    """A byline or date within reach below, with at most one paragraph (a dek) between."""
    prose = 0
    for line in lines[i + 1 : i + 1 + BYLINE_REACH]:
        if is_date_line(line.text) or parse_byline(line.text):
            return True
        prose += line.kind is Kind.GOOD
        if prose > 1:
            return False
    return False


def _in_list(lines: list[Line], i: int) -> bool:
    """Both neighbours are short title-like lines too: a menu or a list of teasers."""
    if i == 0 or i + 1 >= len(lines):
        return False
    return all(_list_item(lines[j]) for j in (i - 1, i + 1))


def _list_item(line: Line) -> bool:
    # Furniture (a share bar, a date) under a headline is normal; a list is of short lines.
    return (
        line.kind is Kind.SHORT
        and 1 <= line.n_words <= 15
        and not SENTENCE_END.search(line.text)
        and not is_date_line(line.text)
        and parse_byline(line.text) is None
        and boundary(line.text) is None
    )


def _headline_over_dek(lines: list[Line], i: int, lead: set[str], language: str) -> int:
    """Two title-shaped lines in a row, both about the story: the first is the headline,
    the second its dek."""
    above = lines[i - 1] if i > 0 else None
    if (
        above is not None
        and above.kind is not Kind.GOOD
        and title_shaped(above.text)
        and units(above.text) >= HEADLINE_MIN_WORDS
        and overlap(content_terms(above.text, language), lead) >= DEK_ECHO
    ):
        return i - 1
    return i


def _fallback(lines: list[Line], start: int) -> int | None:
    """No title-shaped line: the nearest short line above the body that is not furniture."""
    for i in range(start - 1, max(-1, start - TITLE_LOOKBACK), -1):
        line = lines[i]
        if line.kind is Kind.SHORT and line.n_words >= 2 and not is_byline_or_date(line.text):
            log.info("no headline-shaped line; using %r", line.text)
            return i
    return None
