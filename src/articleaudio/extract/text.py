"""Plain text → Article: clean texts as they are, whole-page copies by block classification.

A page copied with select-all has no markup, so each line is judged on its own
shape (length in word-sized units, sentence ending, function-word density, link-like,
caption, byline, furniture phrases), then in context, after the jusText idea
(Pomikálek, *Removing Boilerplate and Duplicate Content from Web Corpora*, 2011):

1. classify each line GOOD / SHORT / BAD (any script: :mod:`.scripts`);
2. mark what the page's layout gives away: a headline and byline glued together, media
   teasers, links under a 'Related' label, captions, grouped teaser blurbs;
3. the densest run of prose is a maximum-sum subarray where BAD lines cost and GOOD
   lines pay; the headline is chosen by the page's evidence (:mod:`.headline`);
4. the run is cut into sections and the article grows from its strongest section
   while the next is on topic and not behind a closing boundary (:mod:`.copy_sections`);
5. inside it, SHORT lines survive as paragraphs or headings only next to prose;
   inserted repeats and links are dropped; byline, date and tags come from the lines
   around the headline (:mod:`.copy_meta`).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime

from ..errors import EmptyArticleError, ExtractionError
from ..models import Article, Block, BlockKind
from .copy_lines import Kind, Line, is_link_like, is_photo_caption
from .copy_meta import dek, split_standfirst, text_metadata
from .copy_sections import article_run, boundary, drop_inserts
from .furniture import (
    boilerplate_hit,
    is_caption,
    is_promotion,
    is_shouting,
    is_social_prompt,
    is_ui_label,
)
from .headline import (
    find_headline,
    split_glued_byline,
    title_shaped,
)
from .measures import SENTENCE_END, cjk_language, function_density, units
from .meta import (
    BYLINE_PREFIX,
    detect_language,
    is_date_line,
    parse_byline,
    parse_date,
    words,
)

log = logging.getLogger(__name__)

GOOD_MIN_WORDS = 10
"""A sentence-shaped line this long is article prose (jusText's 'good')."""
LONG_MIN_WORDS = 20
"""A line this long is prose even without a sentence ending."""
MIN_STOPWORD_DENSITY = 0.15
"""Prose has function words; menus and lists of names hardly any."""
MEDIA_LABELS = frozenset(
    {"video", "watch", "watch now", "play video", "audio", "gallery", "photos"}
)
TEASER_ENDINGS = re.compile(r"(mehr|more|más|mais|plus|leggi)\s*(…|\.\.\.|»|›)$", re.I)
# --- entry point ---------------------------------------------------------------


def extract_plain_text(text: str) -> Article:
    """Plain text of any kind: clean article text as is, a page copy by classification."""
    lines = split_lines(text)
    if not lines:
        raise EmptyArticleError("the text is empty: there is no article to read")
    language = _language(" ".join(line.text for line in lines))
    lines = [_classify(line, language) for line in lines]
    if _looks_clean(lines):
        return _clean_article(lines, language)
    return _page_copy_article(lines, language)


def _language(text: str) -> str:
    """Chinese, Japanese and Korean by their script; others by their stop words."""
    return cjk_language(text) or detect_language(text)


def split_lines(text: str) -> list[Line]:
    """Non-empty lines with whether each stands alone between blank lines; hard wraps undone."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ")
    out: list[Line] = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        rows = _unwrap([re.sub(r"\s+", " ", row).strip() for row in chunk.split("\n")])
        rows = [row for row in rows if row]
        out.extend(Line(row, alone=len(rows) == 1) for row in rows)
    return out


def _unwrap(rows: list[str]) -> list[str]:
    """Undo hard wraps: a long line stopping mid-sentence before a lowercase word continues."""
    joined: list[str] = []
    for row in rows:
        if (
            joined
            and len(joined[-1]) >= 40
            and row[:1].islower()
            and not SENTENCE_END.search(joined[-1])
        ):
            joined[-1] = f"{joined[-1]} {row}"
        else:
            joined.append(row)
    return joined


# --- line classification ---------------------------------------------------------


def _classify(line: Line, language: str) -> Line:
    n = units(line.text)
    return replace(line, kind=_kind(line.text, n, language), n_words=n)


def _kind(text: str, n: int, language: str) -> Kind:
    if n == 0 or _is_furniture(text, n):
        return Kind.BAD
    density = function_density(text, language)
    sentence = bool(SENTENCE_END.search(text))
    if density >= MIN_STOPWORD_DENSITY and (
        (n >= GOOD_MIN_WORDS and sentence) or n >= LONG_MIN_WORDS
    ):
        return Kind.GOOD
    return Kind.SHORT


ASIDE = re.compile(r"\[[^\]]{2,200}\]|\([^)]{2,200}\)")
"""A whole line in brackets: an inserted link ('[Read: …]') or stamp ('(Published …)')."""

FURNITURE_TESTS = (
    is_ui_label,
    is_caption,
    is_date_line,
    is_social_prompt,
    is_shouting,
    is_link_like,
    lambda text: bool(TEASER_ENDINGS.search(text)),
    lambda text: BYLINE_PREFIX.match(text) is not None and parse_byline(text) is not None,
    lambda text: text.lower().startswith(("authors:", "author:", "tags:", "topics:")),
    lambda text: ASIDE.fullmatch(text) is not None,
    is_photo_caption,
)
"""Tests that make a line page furniture whatever its length."""


def _is_furniture(text: str, n: int) -> bool:
    if any(test(text) for test in FURNITURE_TESTS):
        return True
    if boilerplate_hit(text):
        # Long prose may mention 'subscribe' once; appeals speak to the reader as 'we/us'.
        return n < 25 or len(re.findall(r"\b(we|our|us)\b", text, re.I)) >= 2
    return False


BAD_COST_UNITS = 12
"""Furniture costs the body run by its length, up to this many units."""

SHORT_TEXT_LINES = 12
"""A text this short with no furniture at all is taken as written, however brief."""


def _looks_clean(lines: list[Line]) -> bool:
    """Already an article: a title line, then only prose (bylines and headings allowed),
    or a short note with a sentence in it and nothing that looks like page furniture."""
    body = lines[1:]
    bad = sum(line.kind is Kind.BAD for line in body)
    good = sum(line.kind is Kind.GOOD for line in body)
    if good > 0 and bad <= 1 and title_shaped(lines[0].text) and good >= len(body) / 2:
        return True
    has_sentence = any(SENTENCE_END.search(line.text) for line in body)
    # ... and it opens with its title, not with a menu ('Home', 'News', 'Sport').
    opens = lines[0].n_words >= 2 or title_shaped(lines[0].text)
    return bool(body) and bad == 0 and has_sentence and opens and len(lines) <= SHORT_TEXT_LINES


def _clean_article(lines: list[Line], language: str) -> Article:
    title, rest = lines[0].text, lines[1:]
    authors: tuple[str, ...] = ()
    published: datetime | None = None
    if rest and (byline := parse_byline(rest[0].text)):
        authors, published, _ = byline
        rest = rest[1:]
    if rest and is_date_line(rest[0].text):
        published = published or parse_date(rest[0].text)
    # Even a clean text may carry a caption or a 'Share' label; those are never read.
    rest = [line for line in rest if line.kind is not Kind.BAD]
    blocks = [Block(_clean_block_kind(rest, i), line.text) for i, line in enumerate(rest)]
    return Article(
        title=title, blocks=tuple(blocks), authors=authors, published=published, language=language
    )


def _clean_block_kind(lines: list[Line], i: int) -> BlockKind:
    line = lines[i]
    heading = line.kind is Kind.SHORT and title_shaped(line.text) and i + 1 < len(lines)
    return BlockKind.HEADING if heading else BlockKind.PARAGRAPH


# --- page copies -------------------------------------------------------------------


def _page_copy_article(lines: list[Line], language: str) -> Article:
    lines = _unglue_bylines(lines, language)
    lines = _drop_media_teasers(lines)
    lines = _drop_linked_headlines(lines)
    lines = _drop_echoed_lines(lines)
    lines = _demote_grouped_prose(lines)
    start, end = _extend_span(lines, *_body_span(lines))
    if start > end:
        raise ExtractionError(
            "no article text found: the text has no run of sentences that reads like an article"
        )
    title_at = find_headline(lines, start, language)
    if title_at is not None and title_at >= start:
        start = title_at + 1  # the body's first line was its headline
    headline = lines[title_at].text if title_at is not None else ""
    start, end = _extend_span(lines, *article_run(lines, (start, end), language, headline))
    standfirst, start = split_standfirst(lines, start, end)
    if standfirst is None and title_at is not None:
        standfirst = dek(lines, title_at, start)
    blocks = drop_inserts(_body_blocks(lines, start, end), headline, language)
    if not blocks:
        raise EmptyArticleError("no article paragraphs found in the text")
    meta = text_metadata(lines, title_at if title_at is not None else start, start)
    title, blocks = (headline, blocks) if title_at is not None else _title_from_body(blocks)
    body_text = " ".join(b.text for b in blocks)
    return replace(
        meta,
        title=title,
        blocks=tuple(blocks),
        language=_language(body_text) if body_text else language,
        description=standfirst,
    )


FIRST_SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+(?=\S)|(?<=[。！？])")


def _unglue_bylines(lines: list[Line], language: str) -> list[Line]:
    """A headline and its byline on one line become two lines."""
    out: list[Line] = []
    for line in lines:
        parts = split_glued_byline(line.text) if line.kind is not Kind.GOOD else None
        if parts is None:
            out.append(line)
            continue
        out.extend(_classify(Line(part, alone=False), language) for part in parts)
    return out


def _title_from_body(blocks: list[Block]) -> tuple[str, list[Block]]:
    """No line above the body can be the headline: the body's first heading, or its first
    sentence, is used (and said so under ``-v``) rather than refusing the copy."""
    first = blocks[0]
    if first.kind is BlockKind.HEADING and len(blocks) > 1:
        log.info("no headline above the text; using its first heading %r", first.text)
        return first.text, blocks[1:]
    match = FIRST_SENTENCE_BREAK.search(first.text)
    cut = match.end() if match else len(first.text)
    sentence, rest = first.text[:cut].strip(), first.text[cut:].strip()
    log.info("no headline above the text; using its first sentence %r", sentence)
    if rest:
        return sentence, [Block(first.kind, rest), *blocks[1:]]
    return sentence, blocks[1:] or blocks


def _drop_media_teasers(lines: list[Line]) -> list[Line]:
    """A 'Video' label, the clip's title and its one-paragraph blurb are not the article."""
    out = list(lines)
    for i, line in enumerate(lines[:-2]):
        if line.text.lower().strip(" :") in MEDIA_LABELS and title_shaped(lines[i + 1].text):
            for j in (i, i + 1, i + 2):
                out[j] = replace(out[j], kind=Kind.BAD)
    return out


def _drop_linked_headlines(lines: list[Line]) -> list[Line]:
    """Under a 'Related' or 'Read also' label, the title-like lines are links to other
    stories, even when one is a long question ('… lo faranno i produttori?')."""
    out = list(lines)
    for i, line in enumerate(lines):
        if boundary(line.text) != "links":
            continue
        for j in range(i + 1, min(i + 1 + LINKED_MAX_LINES, len(lines))):
            following = lines[j]
            if following.n_words > LINKED_MAX_UNITS or following.text.endswith("."):
                break
            out[j] = replace(following, kind=Kind.BAD)
    return out


LINKED_MAX_LINES = 6
"""A 'Related' box lists at most this many links."""
LINKED_MAX_UNITS = 30
"""A linked headline is shorter than this and does not end with a full stop."""
ECHO_WINDOW = 3
"""A line said again within this many lines is an image's alt text and caption."""


def _drop_echoed_lines(lines: list[Line]) -> list[Line]:
    """A prose line repeated a line or two below is a photo's title and caption (the body
    never repeats a paragraph at once); a repeated headline stays a candidate (not prose)."""
    out = list(lines)
    for i, line in enumerate(lines):
        if line.kind is not Kind.GOOD:
            continue
        for j in range(i + 1, min(i + 1 + ECHO_WINDOW, len(lines))):
            if lines[j].text == line.text and not title_shaped(line.text):
                out[i] = replace(line, kind=Kind.BAD)
                out[j] = replace(lines[j], kind=Kind.BAD)
    return out


def _demote_grouped_prose(lines: list[Line]) -> list[Line]:
    """When the body's paragraphs stand alone between blank lines, prose packed together
    with other lines (a teaser card: headline, blurb, byline) is not body text."""
    good = [line for line in lines if line.kind is Kind.GOOD]
    if not good or sum(line.alone for line in good) < 0.7 * len(good):
        return lines
    return [
        replace(line, kind=Kind.BAD) if _teaser_blurb(lines, i) else line
        for i, line in enumerate(lines)
    ]


def _teaser_blurb(lines: list[Line], i: int) -> bool:
    """Grouped prose under a title-shaped line of its group: a teaser card's blurb."""
    line = lines[i]
    if line.kind is not Kind.GOOD or line.alone:
        return False
    return i == 0 or lines[i - 1].alone or title_shaped(lines[i - 1].text)


def _line_score(line: Line) -> float:
    if line.kind is Kind.GOOD:
        return float(line.n_words)
    if line.kind is Kind.SHORT:
        return -2.0
    # Capped: a long caption or linked headline inside the body must not cut it in two.
    return -(5.0 + min(line.n_words, BAD_COST_UNITS) / 2)


def _body_span(lines: list[Line]) -> tuple[int, int]:
    """Maximum-sum run of lines (Kadane): the densest stretch of prose."""
    best, best_span = 0.0, (0, -1)
    running, run_start = 0.0, 0
    for i, line in enumerate(lines):
        if running <= 0:
            running, run_start = 0.0, i
        running += _line_score(line)
        if running > best:
            best, best_span = running, (run_start, i)
    return best_span


def _extend_span(lines: list[Line], start: int, end: int) -> tuple[int, int]:
    """A short closing sentence right after the last good line still belongs to the body."""
    following = lines[end + 1] if end + 1 < len(lines) else None
    if (
        start <= end
        and following is not None
        and following.kind is Kind.SHORT
        and SENTENCE_END.search(following.text)
    ):
        end += 1
    return start, end


def _body_blocks(lines: list[Line], start: int, end: int) -> list[Block]:
    blocks: list[Block] = []
    for i in range(start, end + 1):
        kind = _block_kind(lines, i)
        if kind is not None:
            blocks.append(Block(kind, lines[i].text))
    while blocks and _promo_tail(blocks[-1].text):
        blocks.pop()
    while blocks and blocks[-1].kind is BlockKind.HEADING:
        blocks.pop()
    return blocks


def _block_kind(lines: list[Line], i: int) -> BlockKind | None:
    line = lines[i]
    if line.kind is Kind.GOOD:
        return BlockKind.PARAGRAPH
    if line.kind is Kind.BAD:
        return None
    next_good = i + 1 < len(lines) and lines[i + 1].kind is Kind.GOOD
    if _short_sentence(line) and _beside_prose(lines, i):
        return BlockKind.PARAGRAPH
    # A heading stands alone: before it prose or known furniture, not another short
    # line (then it is one item of a list of teasers); after it, prose.
    prev_short = i > 0 and lines[i - 1].kind is Kind.SHORT
    if _heading_shaped(line.text) and next_good and not prev_short:
        return BlockKind.HEADING
    return None


def _short_sentence(line: Line) -> bool:
    return bool(SENTENCE_END.search(line.text)) and line.n_words >= 3


def _beside_prose(lines: list[Line], i: int) -> bool:
    """The nearest line before or after that is neither furniture nor another short
    sentence is prose: a run of short sentences between paragraphs is still the text."""
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(lines) and (
            lines[j].kind is Kind.BAD or (lines[j].kind is Kind.SHORT and _short_sentence(lines[j]))
        ):
            j += step
        if 0 <= j < len(lines) and lines[j].kind is Kind.GOOD:
            return True
    return False


def _promo_tail(text: str) -> bool:
    return len(words(text)) < 30 and is_promotion(text)


def _heading_shaped(text: str) -> bool:
    n = units(text)
    return 1 <= n <= 15 and not text.endswith((".", ",", ";", ":")) and not boilerplate_hit(text)
