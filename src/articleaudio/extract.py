"""Extract stage: source text → :class:`Article` (headline, byline, body, in order).

Pure: no I/O. :func:`extract` dispatches on the source kind through
``EXTRACTORS``; each extractor returns an :class:`Article` or raises
:class:`ExtractionError`.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from html.parser import HTMLParser
from typing import ClassVar

from .errors import EmptyArticleError, ExtractionError
from .ingest import Source, SourceKind
from .models import Article, Block, BlockKind

_SPACE = re.compile(r"\s+")
_BYLINE = re.compile(r"^\s*by\s+(?P<names>.+?)\s*$", re.IGNORECASE)


def extract(text: str, *, kind: SourceKind, url: str | None = None) -> Article:
    """Find the article in ``text`` of the given kind."""
    article = EXTRACTORS[kind](text)
    if url and not article.url:
        article = _replace_url(article, url)
    if not article.title.strip() or not any(b.text.strip() for b in article.blocks):
        raise EmptyArticleError("no article text found: the source has a title but no body")
    return article


def extract_source(source: Source) -> Article:
    """Convenience wrapper for a :class:`Source` from the ingest stage."""
    return extract(source.text, kind=source.kind, url=source.url)


def _replace_url(article: Article, url: str) -> Article:
    from dataclasses import replace

    return replace(article, url=url)


def clean_line(text: str) -> str:
    """Collapse whitespace to single spaces.

    >>> clean_line("  a\\n b\\t c ")
    'a b c'
    """
    return _SPACE.sub(" ", text).strip()


def _split_blocks(text: str) -> list[str]:
    """Blank-line separated blocks, or one block per line when there are none."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = [clean_line(c) for c in re.split(r"\n\s*\n", text)]
    chunks = [c for c in chunks if c]
    if len(chunks) <= 2 and text.count("\n") > 2:
        chunks = [clean_line(c) for c in text.split("\n") if c.strip()]
    return chunks


def _from_plain_blocks(chunks: list[str]) -> Article:
    if not chunks:
        raise EmptyArticleError("the source contains no text")
    title, rest = chunks[0], chunks[1:]
    authors: tuple[str, ...] = ()
    if rest and (match := _BYLINE.match(rest[0])) and len(rest[0]) < 200:
        authors = split_names(match["names"])
        rest = rest[1:]
    blocks = tuple(Block(BlockKind.PARAGRAPH, c) for c in rest)
    return Article(title=title, blocks=blocks, authors=authors)


def split_names(names: str) -> tuple[str, ...]:
    """Split a byline's names on commas and 'and'.

    >>> split_names("Ann Lee, Bo Li and Cy Tan")
    ('Ann Lee', 'Bo Li', 'Cy Tan')
    """
    parts = re.split(r",\s*|\s+and\s+|\s*&\s*", names)
    return tuple(p.strip() for p in parts if p.strip())


def extract_text(text: str) -> Article:
    """Plain text: first block is the title, an optional 'By …' line the byline."""
    return _from_plain_blocks(_split_blocks(text))


_MD_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"!\[[^\]]*\]\([^)]*\)"), ""),  # images: alt text is not read
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1"),  # links keep their text
    (re.compile(r"(\*\*|__)(.+?)\1"), r"\2"),
    (re.compile(r"(?<!\w)[*_](.+?)[*_](?!\w)"), r"\1"),
    (re.compile(r"`([^`]*)`"), r"\1"),
    (re.compile(r"^\s{0,3}>\s?", re.MULTILINE), ""),
    (re.compile(r"^\s*[-*+]\s+", re.MULTILINE), ""),
)
"""Markdown inline syntax → plain text, applied in order."""


def extract_markdown(text: str) -> Article:
    """Markdown: ``#`` is the title, ``##``+ are section headings."""
    title = ""
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        for line_block in _markdown_chunk(chunk):
            if line_block.kind is BlockKind.HEADING and not title:
                title = line_block.text
            elif line_block.text:
                blocks.append(line_block)
    if not title:
        return _from_plain_blocks([b.text for b in blocks])
    return _with_headings(title, blocks)


def _with_headings(title: str, blocks: list[Block]) -> Article:
    authors: tuple[str, ...] = ()
    if blocks and blocks[0].kind is BlockKind.PARAGRAPH and (m := _BYLINE.match(blocks[0].text)):
        authors = split_names(m["names"])
        blocks = blocks[1:]
    return Article(title=title, blocks=tuple(blocks), authors=authors)


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
            para.append(line)
    if para:
        out.append(Block(BlockKind.PARAGRAPH, _md_inline(" ".join(para))))
    return [b for b in out if b.text]


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return clean_line(text)


class _SimpleHTML(HTMLParser):
    """Collects h1 (title), h2–h4 (headings) and p text, skipping scripts and asides."""

    SKIP = frozenset({"script", "style", "nav", "header", "footer", "aside", "figure", "form"})
    KINDS: ClassVar[dict[str, str]] = {
        "h1": "title",
        "h2": "heading",
        "h3": "heading",
        "h4": "heading",
        "p": "p",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.items: list[tuple[str, str]] = []
        self.page_title = ""
        self._skip = 0
        self._current: tuple[str, list[str]] | None = None
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.KINDS and not self._skip:
            self._current = (self.KINDS[tag], [])
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP and self._skip:
            self._skip -= 1
        elif tag in self.KINDS and self._current:
            self.items.append((self._current[0], clean_line("".join(self._current[1]))))
            self._current = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.page_title += data
        if self._current and not self._skip:
            self._current[1].append(data)


def extract_html(text: str) -> Article:
    """HTML: the first ``h1`` (or ``<title>``) and the paragraphs and headings after it."""
    parser = _SimpleHTML()
    parser.feed(text)
    title = next((t for k, t in parser.items if k == "title" and t), clean_line(parser.page_title))
    blocks = [
        Block(BlockKind.HEADING if k == "heading" else BlockKind.PARAGRAPH, t)
        for k, t in parser.items
        if k != "title" and t
    ]
    if not title:
        raise ExtractionError("the HTML page has no headline (no <h1> or <title>)")
    return _with_headings(title, blocks)


def extract_json(text: str) -> Article:
    """A CMS-style JSON object: title, body_html or body, authors, published, url…"""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"invalid JSON: {exc.msg} at line {exc.lineno}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("title"), str):
        raise ExtractionError('the JSON must be an object with a "title" string')
    if isinstance(data.get("body_html"), str):
        body = extract_html(f"<h1>{html.escape(data['title'])}</h1>{data['body_html']}")
        blocks = body.blocks
    else:
        blocks = extract_text(f"{data['title']}\n\n{data.get('body') or ''}").blocks
    authors = data.get("authors") or ()
    return Article.from_dict(
        {
            "title": clean_line(data["title"]),
            "blocks": [{"kind": b.kind.value, "text": b.text} for b in blocks],
            "authors": [authors] if isinstance(authors, str) else list(authors),
            "published": data.get("published"),
            "url": data.get("url"),
            "image": data.get("image"),
            "language": data.get("language"),
        }
    )


EXTRACTORS: dict[SourceKind, Callable[[str], Article]] = {
    SourceKind.TEXT: extract_text,
    SourceKind.MARKDOWN: extract_markdown,
    SourceKind.HTML: extract_html,
    SourceKind.JSON: extract_json,
}
"""Source kind → extractor."""
