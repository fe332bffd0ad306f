"""What an extraction's output and its input say about how well it went.

Each signal is a number in 0..1 measured from the :class:`Article` and the source it was
found in, never from an extractor's internals, so the score built on them
(:mod:`.confidence`) means the same whichever extractor produced the article and
survives changes to them. :class:`Evidence` holds one value per signal; :mod:`.confidence`
weighs them.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources

from ..models import Article, BlockKind
from .ingest import SourceKind
from .meta import stopwords
from .page import PageView, page_view

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
"""Scripts written without spaces between words (kana, Han, Hangul)."""
TOKEN = re.compile(r"\w+", re.UNICODE)
SENTENCE_END = re.compile(r"[.!?…。！？؟۔।](?:[\"'”’»」』）)\]]*)$")
"""A paragraph that ends a sentence: Latin, CJK full-width, Arabic and Devanagari stops,
then any closing quotes or brackets."""
LONG_ENOUGH = 1000
"""Body words (tokens) past which length says nothing more: ``length`` is 1."""
DRIFT_OVERLAP = 0.1
"""A paragraph sharing fewer content words than this with the headline and opening has drifted."""
DRIFT_MIN_WORDS = 3
"""Paragraphs with fewer content words are too short to judge for drift."""
STEM = 5
"""Letters of a word kept to compare topics: a crude stem that serves every language."""
LEAD_PARAGRAPHS = 2
"""The lead is the headline and this many paragraphs: what the article is about."""
UNDER_HEADING = 2
"""Blocks after a heading that it is compared with."""


@dataclass(frozen=True)
class Evidence:
    """The signals, each 0..1, that an extraction is the article and all of it."""

    sentences: float
    """Share of body paragraphs that end like sentences (in their script: '.', '。', '؟')."""
    headline: float
    """Share of the headline's content words that the page title or the body repeats."""
    length: float
    """Body length in words, on a log scale (1: :data:`LONG_ENOUGH` words or more)."""
    repeated: float
    """Share of body paragraphs that the page shows more than once (teasers repeat)."""
    boundary: float
    """Share of body paragraphs holding a boundary phrase (share bar, related, copyright)."""
    drift: float
    """Share of body words in blocks that share almost nothing with the article's lead."""
    headings: float
    """Share of headings that share no content word with the paragraphs under them."""

    def values(self) -> dict[str, float]:
        """Signal name → value, in field order."""
        return dict(vars(self))


def measure(article: Article, source: str, kind: SourceKind) -> Evidence:
    """The signals of ``article``, extracted from ``source`` of the given kind."""
    page = page_view(source, html=kind is SourceKind.HTML)
    paragraphs = list(article.paragraphs)
    words = len(tokens_of(" ".join(b.text for b in article.blocks)))
    return Evidence(
        sentences=sentence_share(paragraphs),
        headline=headline_echo(article, page),
        length=min(1.0, math.log1p(words) / math.log1p(LONG_ENOUGH)),
        repeated=repeated_share(paragraphs, page),
        boundary=boundary_share(paragraphs, article.language),
        drift=drift_share(article),
        headings=stray_headings(article),
    )


def tokens_of(text: str) -> list[str]:
    """Lower-cased word tokens; runs of CJK become character pairs (their words are not
    spaced), so that overlap and length mean the same in every script.

    >>> tokens_of("Trend Micro 公衆無線")
    ['trend', 'micro', '公衆', '衆無', '無線']
    """
    out: list[str] = []
    for token in TOKEN.findall(text.lower()):
        if CJK.search(token) and len(token) > 1:
            out.extend(token[i : i + 2] for i in range(len(token) - 1))
        else:
            out.append(token)
    return out


def content_words(text: str, language: str) -> set[str]:
    """The words that carry a paragraph's topic: no stop words, numbers or one-letter tokens.

    Words are cut to their first :data:`STEM` letters, so that inflected forms of one
    word match ('Brücke', 'Brücken').

    >>> sorted(content_words("The mayor said the bridges will reopen in 2026.", "en"))
    ['bridg', 'mayor', 'reope']
    """
    stops = stopwords(language)
    return {
        t[:STEM]
        for t in tokens_of(text)
        if t not in stops and not t.isdigit() and (len(t) > 2 or CJK.search(t))
    }


def ends_sentence(paragraph: str) -> bool:
    """The paragraph ends with a full stop in its script.

    >>> ends_sentence("Der Zug fährt.”"), ends_sentence("駅で事故。"), ends_sentence("More news")
    (True, True, False)
    """
    return bool(SENTENCE_END.search(paragraph.strip()))


def sentence_share(paragraphs: list[str]) -> float:
    """Share of paragraphs ending like sentences (0 with no paragraphs)."""
    return sum(map(ends_sentence, paragraphs)) / len(paragraphs) if paragraphs else 0.0


def _overlap(words: set[str], other: set[str]) -> float:
    return len(words & other) / len(words) if words else 0.0


def headline_echo(article: Article, page: PageView) -> float:
    """The share of the headline's content words that the page title (HTML) or the body
    repeats, whichever repeats more: a real headline names what the article is about, a
    date, a section name or a site's menu does not. 0 without a headline."""
    heads = content_words(article.title, article.language)
    body = content_words(" ".join(article.paragraphs), article.language)
    title = content_words(page.title, article.language)
    return max(_overlap(heads, body), _overlap(heads, title))


def _key(text: str) -> str:
    return " ".join(tokens_of(text))


def repeated_share(paragraphs: list[str], page: PageView) -> float:
    """Share of paragraphs the page's text holds more than once (a teaser repeats a headline
    shown elsewhere); paragraphs are matched by their words, spacing and case aside."""
    if not paragraphs:
        return 0.0
    lines = Counter(_key(line) for line in page.lines)
    return sum(lines[_key(p)] > 1 for p in paragraphs) / len(paragraphs)


@cache
def boundary_phrases(language: str) -> tuple[str, ...]:
    """Phrases of the lines that end an article on a site (share bars, related stories,
    comments, copyright) in English and the article's language, from the data file."""
    table = json.loads(
        resources.files("articleaudio").joinpath("data", "boundary.json").read_text("utf-8")
    )
    code = language.split("-")[0].lower()
    phrases = table.get("en", []) + (table.get(code, []) if code != "en" else [])
    return tuple(_key(phrase) for phrase in phrases)


def has_boundary(paragraph: str, language: str) -> bool:
    """The paragraph holds a boundary phrase as whole words.

    >>> has_boundary("Related: the tram line reopens", "en"), has_boundary("It rained.", "en")
    (True, False)
    """
    text = f" {_key(paragraph)} "
    return "©" in paragraph or any(f" {p} " in text for p in boundary_phrases(language))


def boundary_share(paragraphs: list[str], language: str) -> float:
    """Share of paragraphs holding a boundary phrase (0 with no paragraphs)."""
    hits = sum(has_boundary(p, language) for p in paragraphs)
    return hits / len(paragraphs) if paragraphs else 0.0


def drift_share(article: Article) -> float:
    """Share of the body's words in blocks (paragraphs and headings) that share almost no
    content words with the article's lead (headline and first paragraphs): another story
    appended, a teaser headline, a comment about something else."""
    paragraphs = list(article.paragraphs)
    language = article.language
    lead = content_words(" ".join([article.title, *paragraphs[:LEAD_PARAGRAPHS]]), language)
    later = [b.text for b in article.blocks if b.text not in paragraphs[:LEAD_PARAGRAPHS]]
    total = drifted = 0
    for text in later:
        own = content_words(text, language)
        size = len(tokens_of(text))
        total += size
        if len(own) >= DRIFT_MIN_WORDS and _overlap(own, lead) < DRIFT_OVERLAP:
            drifted += size
    return drifted / total if total else 0.0


def stray_headings(article: Article) -> float:
    """Share of headings (of two content words or more) that share no content word with the
    :data:`UNDER_HEADING` paragraphs under them: other stories' headlines set between the
    paragraphs, where a section heading names what follows it.

    >>> from articleaudio.models import Block
    >>> h, p = BlockKind.HEADING, BlockKind.PARAGRAPH
    >>> blocks = (Block(h, "Tram line closure"), Block(p, "The tram line closes."),
    ...           Block(h, "Cup final goals"))
    >>> stray_headings(Article("T", blocks, language="en"))
    0.5
    """
    blocks, language = article.blocks, article.language
    judged = stray = 0
    for i, block in enumerate(blocks):
        own = content_words(block.text, language)
        if block.kind is not BlockKind.HEADING or len(own) < 2:
            continue
        under = blocks[i + 1 : i + 1 + UNDER_HEADING]
        text = " ".join(b.text for b in under if b.kind is BlockKind.PARAGRAPH)
        judged += 1
        stray += not own & content_words(text, language)
    return stray / judged if judged else 0.0
