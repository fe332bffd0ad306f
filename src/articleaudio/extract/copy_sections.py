"""Where the article in a page copy starts and ends, from the page's own structure.

The densest run of prose (found first, see :mod:`.text`) often runs on past the
article: comment threads, "more stories" blurbs and the next story on a live page
are written in full sentences too. So the run is cut into *sections* wherever
something other than prose stands between two paragraphs (a boundary label such
as "Share" or "Related", a date stamp, several lines of furniture), and the
article grows from its strongest section outwards, one section at a time, while
the next one

* is still about the same story (its content words were used by the article so far),
* is not a list: comments and teasers come as header lines + date + blurb, over and over,
* and does not sit behind a boundary label unless it is strongly on topic.

Inside the article, a title-shaped line between paragraphs that shares no content
words with the story is a link to another story, not a subheading; a block that
repeats the headline or an earlier paragraph almost word for word is an embedded
video's title and blurb.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..models import Block, BlockKind
from .copy_lines import Kind, Line
from .measures import SENTENCE_END, content_terms, overlap, units
from .meta import is_date_line

BOUNDARY_MAX_UNITS = 8
"""Boundary labels are short lines; a longer line that starts 'Share…' is prose."""
BREAK_GAP_LINES = 3
"""This many lines of furniture between two paragraphs cut the run into sections."""


@cache
def boundary_labels(group: str) -> tuple[str, ...]:
    """Every language's ``closers`` or ``interrupts`` (``data/boundaries.toml``)."""
    raw = resources.files("articleaudio").joinpath("data", "boundaries.toml").read_text("utf-8")
    table = tomllib.loads(raw)
    return tuple(sorted({label for entry in table.values() for label in entry[group]}))


_LEADING_COUNT = re.compile(r"^[\W\d_]+")


def boundary(text: str) -> str | None:
    """``"closers"`` (share bar, comments, tags, credits, copyright), ``"interrupts"``
    (advertising label, most-read box), ``"links"`` (related, read also) or None.

    >>> boundary("Share this:"), boundary("34 Comments"), boundary("【関連記事】")
    ('closers', 'closers', 'links')
    >>> boundary("Shares in the company fell sharply after the announcement was made.")
    """
    lowered = text.strip().lower()
    if "©" in lowered and units(lowered) <= 30:
        return "closers"
    if units(lowered) > BOUNDARY_MAX_UNITS:
        return None
    lowered = _LEADING_COUNT.sub("", lowered)
    for group in ("closers", "interrupts", "links"):
        if any(_starts_with_label(lowered, label) for label in boundary_labels(group)):
            return group
    return None


def is_boundary(text: str) -> bool:
    """Whether the line is a boundary of either kind (see :func:`boundary`)."""
    return boundary(text) is not None


def _starts_with_label(text: str, label: str) -> bool:
    if not text.startswith(label):
        return False
    after = text[len(label) : len(label) + 1]
    return not after or not after.isalpha() or not label[-1:].isascii()


@dataclass(frozen=True)
class Section:
    """A stretch of paragraphs with nothing but short lines between them."""

    first: int
    last: int
    good: tuple[int, ...]
    """Indices of its prose lines."""


def sections(lines: list[Line], start: int, end: int) -> list[Section]:
    """The prose lines of ``lines[start:end + 1]``, cut where furniture stands between."""
    good = [i for i in range(start, end + 1) if lines[i].kind is Kind.GOOD]
    groups: list[list[int]] = []
    for i in good:
        if groups and not is_break(lines[groups[-1][-1] + 1 : i]):
            groups[-1].append(i)
        else:
            groups.append([i])
    return [Section(g[0], g[-1], tuple(g)) for g in groups]


def is_break(gap: list[Line]) -> bool:
    """Whether the lines between two paragraphs separate them into two sections: several
    lines of furniture, a closing label, a date stamp with a header beside it, or a
    labelled box ('Related' and a headline). An advertising label alone is a slot inside
    the text, and a time stamp alone the next entry of a live blog: no break."""
    furniture = [line for line in gap if not _short_sentence(line)]
    if len(furniture) >= BREAK_GAP_LINES:
        return True
    if all(is_date_line(line.text) for line in furniture):
        return False  # a time stamp alone: the next entry of a live blog
    boxed = len(furniture) >= 2 and any(boundary(line.text) for line in gap)
    return boxed or any(_marker(line.text) for line in gap)


def _marker(text: str) -> bool:
    return boundary(text) == "closers" or is_date_line(text)


def _short_sentence(line: Line) -> bool:
    return line.kind is Kind.SHORT and line.n_words >= 3 and bool(SENTENCE_END.search(line.text))


@dataclass(frozen=True)
class Features:
    """What decides whether the article continues into the next section."""

    on_topic: float
    """Share of the section's content words the article has used already."""
    closer: bool
    """A closing boundary (share bar, comments, tags, credits...) stands between."""
    dates: int
    """Date stamps between and inside the section: a list of dated items."""
    gap: int
    """Lines of furniture between."""
    listing: bool
    """This gap and the next both hold a card header (a date stamp and a name or title):
    one item of a list of comments or teasers, however much each is about the story."""


def features(
    lines: list[Line], near: Section, far: Section, topic: Topic, after: Section | None = None
) -> Features:
    """``far`` is the candidate section after ``near``, the article's last one; ``after``
    the section that follows ``far``, if any."""
    gap = lines[near.last + 1 : far.first]
    following = lines[far.last + 1 : after.first] if after else []
    inside = [lines[i] for i in range(far.first, far.last + 1) if i not in far.good]
    terms = topic.terms_of(" ".join(lines[i].text for i in far.good))
    return Features(
        on_topic=overlap(terms, topic.seen),
        closer=any(boundary(line.text) == "closers" for line in gap),
        dates=sum(is_date_line(line.text) for line in [*gap, *inside]),
        gap=len([line for line in gap if not _short_sentence(line)]),
        listing=_card_header(gap) and _card_header(following),
    )


def _card_header(gap: list[Line]) -> bool:
    """A date stamp with a name or title beside it: the header of a comment or a teaser
    card ('joetoronto says:' + date). A live blog's entries carry only the time stamp."""
    dated = any(is_date_line(line.text) for line in gap)
    return dated and any(
        line.kind is Kind.SHORT and not is_date_line(line.text) and boundary(line.text) is None
        for line in gap
    )


@dataclass
class Topic:
    """The article's vocabulary so far (mutable: it grows as sections are taken)."""

    language: str
    seen: set[str]

    def terms_of(self, text: str) -> set[str]:
        return content_terms(text, self.language)

    def take(self, lines: list[Line], section: Section) -> None:
        for i in section.good:
            self.seen |= self.terms_of(lines[i].text)


WEIGHTS = {
    "bias": -0.2,
    "on_topic": 4.0,
    "closer": -1.5,
    "dates": -0.3,
    "gap": -0.15,
    "listing": -3.0,
}
"""Continuation score = bias + Σ weight × feature; the article goes on while it is > 0.
Fitted on the development copies (see the report in the commit message)."""


def continues(f: Features) -> bool:
    """Whether the article runs on into a section with these features."""
    score = (
        WEIGHTS["bias"]
        + WEIGHTS["on_topic"] * f.on_topic
        + WEIGHTS["closer"] * f.closer
        + WEIGHTS["dates"] * min(f.dates, 3)
        + WEIGHTS["gap"] * math.log2(1 + f.gap)
        + WEIGHTS["listing"] * f.listing
    )
    return score > 0


def article_run(
    lines: list[Line], span: tuple[int, int], language: str, headline: str = ""
) -> tuple[int, int]:
    """The part of the prose run ``span`` that is one article (see the module doc).

    Sections before the strongest one are kept (the run starts at the article's top);
    after it, the article goes on while :func:`continues` says so.
    """
    found = sections(lines, *span)
    if len(found) <= 1:
        return span
    core = max(range(len(found)), key=lambda k: sum(lines[i].n_words for i in found[k].good))
    head = content_terms(headline, language)
    topic = Topic(language, set(head))
    for section in found[: core + 1]:
        topic.take(lines, section)
    hi = core
    while hi + 1 < len(found):
        after = found[hi + 2] if hi + 2 < len(found) else None
        if not continues(features(lines, found[hi], found[hi + 1], topic, after)):
            break
        hi += 1
        topic.take(lines, found[hi])
    return span[0], found[hi].last


def _terms(lines: list[Line], section: Section, language: str) -> set[str]:
    return content_terms(" ".join(lines[i].text for i in section.good), language)


# --- inserts inside the article ------------------------------------------------------

NEAR_DUPLICATE = 0.9
"""Share of one block's content words found in another that makes it a repeat."""
MIN_REPEAT_TERMS = 5
"""Blocks with fewer content words may share them by chance."""
TITLE_REPEAT = 0.8
"""A heading with this share of its content words in the headline says it again."""
REPEAT_GROWTH = 1.5
"""A block that contains an earlier one is its repeat only if not much longer."""
INTERLEAVED_GAP = 2
"""Headings this close together (median paragraphs between) are a link list spread
through the text, not the article's own sections."""
LINK_HEADING_UNITS = 7
"""Subheadings are short ('What happens next'); a headline-length one may be a link."""
HEADING_ON_TOPIC = 0.5
"""Among interleaved headings, those sharing less of their content words with the
article are links to other stories."""


def drop_inserts(blocks: list[Block], title: str, language: str) -> list[Block]:
    """The article's blocks without what a page inserts into it: a video's title and blurb
    (they repeat the headline and the lead) and links to other stories set between the
    paragraphs like subheadings."""
    kept = _drop_repeats(blocks, title, language)
    return _drop_interleaved(kept, title, language)


def _drop_repeats(blocks: list[Block], title: str, language: str) -> list[Block]:
    """Drop a heading that says the headline again (a video's title) with the paragraph
    under it when that contains an earlier one (its blurb: the lead plus 'NBC has edited
    the video'), and any block that says an earlier block again."""
    headline = content_terms(title, language)
    seen: list[set[str]] = []
    kept: list[Block] = []
    after_title = False
    for block in blocks:
        terms = content_terms(block.text, language)
        heading = block.kind is BlockKind.HEADING  # a lead may restate the headline
        title_again = heading and overlap(terms, headline) >= TITLE_REPEAT
        if len(terms) >= MIN_REPEAT_TERMS and (
            title_again or any(_repeats(terms, old, growth=after_title) for old in seen)
        ):
            after_title = title_again
            continue
        after_title = False
        seen.append(terms)
        kept.append(block)
    return kept


def _repeats(terms: set[str], old: set[str], *, growth: bool = False) -> bool:
    """``terms`` say ``old`` again: all but a few of its words are there, and (unless
    ``growth``) it is not much longer."""
    if len(old) < MIN_REPEAT_TERMS:
        return False
    if overlap(terms, old) >= NEAR_DUPLICATE:
        return True
    short = growth or len(terms) <= REPEAT_GROWTH * len(old)
    return short and overlap(old, terms) >= NEAR_DUPLICATE


def _drop_interleaved(blocks: list[Block], title: str, language: str) -> list[Block]:
    """Off-topic headings go when they are headline-length or come every paragraph or two."""
    headings = [k for k, b in enumerate(blocks) if b.kind is BlockKind.HEADING]
    gaps = sorted(b - a - 1 for a, b in itertools.pairwise(headings))
    dense = len(gaps) >= 2 and gaps[len(gaps) // 2] <= INTERLEAVED_GAP
    body = content_terms(
        " ".join([title, *(b.text for b in blocks if b.kind is not BlockKind.HEADING)]), language
    )
    return [
        b
        for b in blocks
        if b.kind is not BlockKind.HEADING
        or not (dense or units(b.text) >= LINK_HEADING_UNITS)
        or overlap(content_terms(b.text, language), body) >= HEADING_ON_TOPIC
    ]
