"""Extract stage: source text → :class:`Article` (headline, byline, body, in order).

Pure: no I/O. :func:`extract` dispatches on the source kind through
``EXTRACTORS``; each extractor returns an :class:`Article` or raises
:class:`ExtractionError`. HTML goes through :mod:`.extract_html` (trafilatura
plus fixes), plain text through :mod:`.extract_text` (clean text as is, page
copies by block classification); shared tables live in :mod:`.extract_meta`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .errors import EmptyArticleError, ExtractionError
from .extract_meta import detect_language, parse_byline, parse_date, split_names, words
from .extract_text import extract_plain_text
from .ingest import Source, SourceKind
from .models import Article, Block, BlockKind

__all__ = ["extract", "extract_source", "format_article", "split_names"]

_SPACE = re.compile(r"\s+")


def extract(text: str, *, kind: SourceKind, url: str | None = None) -> Article:
    """Find the article in ``text`` of the given kind."""
    if not text.strip():
        raise EmptyArticleError("the source is empty: there is no article to read")
    article = EXTRACTORS[kind](text, url)
    if url and not article.url:
        article = replace(article, url=url)
    if not article.title.strip():
        raise ExtractionError("no headline found; give the source a title line or an <h1>")
    if not any(b.text.strip() for b in article.blocks):
        raise EmptyArticleError("no article text found: the source has a title but no body")
    return replace(article, blocks=drop_repeats(article.blocks))


def drop_repeats(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    """Drop a block whose words all appear in another one: a pull quote repeats the body.

    >>> a = Block(BlockKind.PARAGRAPH, '"We are against gridlock," said a resident.')
    >>> b = Block(BlockKind.HEADING, '"We are against gridlock"')
    >>> drop_repeats((a, b, a)) == (a,)
    True
    """
    keys = [" ".join(words(b.text)) for b in blocks]
    exact = Counter(keys)
    joined = "\n".join(keys)
    kept: list[Block] = []
    seen: set[str] = set()
    for block, key in zip(blocks, keys, strict=True):
        short = MIN_REPEAT_WORDS <= len(key.split()) <= MAX_REPEAT_WORDS
        if key in seen or (short and joined.count(key) > exact[key]):
            continue
        seen.add(key)
        kept.append(block)
    return tuple(kept)


MIN_REPEAT_WORDS = 4
"""Shorter blocks may repeat by chance ('He said no.')."""
MAX_REPEAT_WORDS = 60
"""Pull quotes are short; longer blocks are not searched for inside others."""


def extract_source(source: Source) -> Article:
    """Convenience wrapper for a :class:`Source` from the ingest stage."""
    return extract(source.text, kind=source.kind, url=source.url)


def format_article(article: Article) -> str:
    """Title, blank line, then each paragraph and heading on its own, blank-line separated.

    >>> blocks = (Block(BlockKind.HEADING, "H"), Block(BlockKind.PARAGRAPH, "P."))
    >>> print(format_article(Article("T", blocks)))
    T
    <BLANKLINE>
    H
    <BLANKLINE>
    P.
    """
    return "\n\n".join([article.title, *(b.text for b in article.blocks)])


def clean_line(text: str) -> str:
    """Collapse whitespace to single spaces.

    >>> clean_line("  a\\n b\\t c ")
    'a b c'
    """
    return _SPACE.sub(" ", text).strip()


def extract_text(text: str, url: str | None = None) -> Article:
    """Plain text: clean article text as it is, whole-page copies by block classification."""
    return extract_plain_text(text)


_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images: alt text is not read
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"<https?://[^>]+>"), ""),  # bare autolinks are not read
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<!\w)[*_](.+?)[*_](?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^\s{0,3}>\s?", re.MULTILINE), ""),
    (re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE), ""),
)
"""Markdown inline syntax → plain text, applied in order."""


def extract_markdown(text: str, url: str | None = None) -> Article:
    """Markdown: the first heading is the title, later ``#`` lines are section headings."""
    title = ""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        for block in _markdown_chunk(chunk):
            if block.kind is BlockKind.HEADING and not title:
                title = block.text
            elif block.text:
                blocks.append(block)
    if not title:
        return extract_plain_text("\n\n".join(b.text for b in blocks))
    return _with_byline(title, blocks, " ".join(b.text for b in blocks))


def _with_byline(title: str, blocks: list[Block], sample: str) -> Article:
    authors: tuple[str, ...] = ()
    published = None
    if (
        blocks
        and blocks[0].kind is BlockKind.PARAGRAPH
        and (byline := parse_byline(blocks[0].text))
    ):
        authors, published, _ = byline
        blocks = blocks[1:]
    return Article(
        title=title,
        blocks=tuple(blocks),
        authors=authors,
        published=published,
        language=detect_language(sample),
    )


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


def _markdown_chunk(chunk: str) -> list[Block]:
    out: list[Block] = []
    para: list[str] = []
    for line in chunk.split("\n"):
        heading = re.match(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", line)
        if heading:
            if para:
                out.append(Block(BlockKind.PARAGRAPH, _md_inline(" ".join(para))))
                para = []
            out.append(Block(BlockKind.HEADING, _md_inline(heading[2])))
        elif line.strip() and not re.match(r"^\s*([-*_]\s*){3,}$", line):
            if LIST_ITEM.match(line) and para:
                # each list item is read as its own paragraph, as <li> is in HTML
                out.append(Block(BlockKind.PARAGRAPH, _md_inline(" ".join(para))))
                para = []
            para.append(line)
    if para:
        out.append(Block(BlockKind.PARAGRAPH, _md_inline(" ".join(para))))
    return [b for b in out if b.text]


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return clean_line(text)


def extract_html(text: str, url: str | None = None) -> Article:
    """HTML page: trafilatura's main content, cleaned (see :mod:`.extract_html`)."""
    # Imported here: trafilatura and lxml take a fifth of a second to import, which
    # an unchanged rebuild of a Markdown or text article should not pay.
    from .extract_html import extract_html_page

    return extract_html_page(text, url)


def extract_json(text: str, url: str | None = None) -> Article:
    """A CMS-style JSON object: title, body_html or body, authors, published, url…"""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise ExtractionError('the JSON must be an object with a "title" string')
    title = clean_line(data["title"])
    blocks = _json_blocks(data, title)
    authors = data.get("authors") or data.get("author") or ()
    published = data.get("published")
    return Article(
        title=title,
        blocks=blocks,
        authors=tuple(split_names(authors) if isinstance(authors, str) else map(str, authors)),
        published=parse_date(published) if isinstance(published, str) else None,
        url=_str(data.get("url")),
        image=_str(data.get("image")),
        language=detect_language(" ".join(b.text for b in blocks), _str(data.get("language"))),
        publisher=_str(data.get("publisher")),
        tags=tuple(str(t) for t in data.get("tags") or ()),
        description=_str(data.get("description")),
    )


def _json_blocks(data: dict[str, Any], title: str) -> tuple[Block, ...]:
    if isinstance(data.get("body_html"), str):
        from .extract_html import fragment_blocks  # lazy, as in extract_html()

        blocks = fragment_blocks(data["body_html"])
        if not blocks:
            raise EmptyArticleError('the JSON "body_html" has no paragraphs to read')
        return blocks
    body = data.get("body")
    if not isinstance(body, str) or not body.strip():
        raise EmptyArticleError('the JSON has no "body_html" or "body" text to read')
    paragraphs = [clean_line(p) for p in re.split(r"\n\s*\n", body.replace("\r\n", "\n"))]
    return tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs if p)


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


EXTRACTORS: dict[SourceKind, Callable[[str, str | None], Article]] = {
    SourceKind.TEXT: extract_text,
    SourceKind.MARKDOWN: extract_markdown,
    SourceKind.HTML: extract_html,
    SourceKind.JSON: extract_json,
}
"""Source kind → extractor."""
