"""Extract stage: source text → :class:`Article` (headline, byline, body, in order).

Pure: no I/O. :func:`extract` dispatches on the source kind through
``EXTRACTORS``; each extractor returns an :class:`Article` or raises
:class:`ExtractionError`. HTML goes through :mod:`.html` (trafilatura
plus fixes), plain text through :mod:`.text` (clean text as is, page
copies by block classification); shared tables live in :mod:`.meta`.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ..errors import EmptyArticleError, ExtractionError
from ..models import Article, Block, BlockKind
from .confidence import score_extraction
from .frontmatter import front_matter_fields, split_front_matter
from .ingest import Source, SourceKind, read_source
from .meta import (
    detect_language,
    is_date_line,
    parse_byline,
    parse_date,
    split_names,
    words,
)
from .scripts import join_lines
from .text import extract_plain_text

__all__ = ["extract", "extract_source", "load_article", "split_names"]

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
    article = replace(article, blocks=drop_repeats(article.blocks))
    return replace(article, confidence=score_extraction(article, text, kind))


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


def load_article(location: str, *, kind: SourceKind | None = None) -> Article:
    """Ingest and extract: the article a build would read from ``location``."""
    return extract_source(read_source(location, kind=kind))


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
    """Markdown: front matter is metadata; the first heading is the title unless the front
    matter names one; later ``#`` lines are section headings; byline and date lines under
    the title are metadata; pipe tables become :attr:`BlockKind.TABLE` blocks."""
    meta, text = split_front_matter(text)
    fields = front_matter_fields(meta)
    title: str = fields.get("title", "")
    blocks: list[Block] = []
    for chunk in re.split(r"\n\s*\n", text):
        head = not any(b.kind is not BlockKind.HEADING for b in blocks)
        for block in _markdown_chunk(chunk, head=head):
            if block.kind is BlockKind.HEADING and _is_title(block.text, title, blocks):
                title = title or block.text
            elif block.text:
                blocks.append(block)
    if not title:
        # No heading to go by: the plain-text reader finds the headline line by line,
        # so a byline on the line under it stays a byline.
        return replace(extract_plain_text(_markdown_lines(text)), **fields)
    return replace(_with_byline(title, blocks), **fields)


def _is_title(heading: str, title: str, blocks: list[Block]) -> bool:
    """The first heading is the title, or repeats the front matter's title."""
    if blocks:
        return False
    return not title or clean_line(heading).casefold() == clean_line(title).casefold()


HEAD_LINES = 3
"""Byline and date lines are looked for in this many blocks under the title."""


def _with_byline(title: str, blocks: list[Block]) -> Article:
    authors: tuple[str, ...] = ()
    published = None
    taken = 0
    for block in blocks[:HEAD_LINES]:
        if block.kind is not BlockKind.PARAGRAPH:
            break
        if not authors and (byline := parse_byline(block.text)):
            authors, published = byline[0], byline[1] or published
        elif is_date_line(block.text):
            published = published or parse_date(block.text)
        else:
            break
        taken += 1
    body = blocks[taken:]
    return Article(
        title=title,
        blocks=tuple(body),
        authors=authors,
        published=published,
        language=detect_language(" ".join(b.text for b in body)),
    )


LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
RULE = re.compile(r"^\s*([-*_]\s*){3,}$")
TABLE_DELIMITER = re.compile(r"^\s*\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)+\|?\s*$")
"""The line under a GFM table's header row: ``|---|:---:|``."""


def _markdown_chunk(chunk: str, *, head: bool = False) -> list[Block]:
    """Blocks of one blank-line-separated chunk. In the ``head`` (nothing but headings
    before it), byline and date lines stand alone even without a blank line between,
    until the first line of body text."""
    out: list[Block] = []
    para: list[str] = []
    lines = chunk.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        heading = HEADING.match(line)
        table = _table_at(lines, i)
        head_line = head and not para and _is_head_line(line)
        if heading or table or (LIST_ITEM.match(line) and para):
            out.extend(_paragraph(para))
            para = []
        if heading:
            out.append(Block(BlockKind.HEADING, _md_inline(heading[2])))
        elif table:
            out.extend(table[0])
            i = table[1]
            continue
        elif head_line:
            out.extend(_paragraph([line]))
        elif line.strip() and not RULE.match(line):
            para.append(line)
        i += 1
    out.extend(_paragraph(para))
    return [b for b in out if b.text]


def _paragraph(lines: list[str]) -> list[Block]:
    # each list item is read as its own paragraph, as <li> is in HTML
    # join_lines: a wrapped Chinese or Japanese line rejoins without a space
    return [Block(BlockKind.PARAGRAPH, _md_inline(join_lines(lines)))] if lines else []


def _is_head_line(line: str) -> bool:
    text = _md_inline(line)
    return bool(text) and (is_date_line(text) or parse_byline(text) is not None)


def _table_at(lines: list[str], i: int) -> tuple[list[Block], int] | None:
    """A pipe table starting at line ``i``: its block (if it has rows) and the next line."""
    if "|" not in lines[i] or i + 1 >= len(lines) or not TABLE_DELIMITER.match(lines[i + 1]):
        return None
    header = _cells(lines[i])
    end = i + 2
    while end < len(lines) and "|" in lines[end]:
        end += 1
    rows = [_row_text(header, _cells(line)) for line in lines[i + 2 : end]]
    rows = [row for row in rows if row]
    return ([Block(BlockKind.TABLE, "\n".join(rows))] if rows else []), end


def _cells(line: str) -> list[str]:
    inner = line.strip().removeprefix("|").removesuffix("|")
    return [_md_inline(cell.replace("\\|", "|")) for cell in re.split(r"(?<!\\)\|", inner)]


def _row_text(header: list[str], cells: list[str]) -> str:
    """One table row as a sentence: ``Town: Ely; Homes flooded: 120.``

    >>> _row_text(["Town", "Homes", ""], ["Ely", "120", "x"])
    'Town: Ely; Homes: 120; x.'
    """
    names = [*header, *[""] * len(cells)][: len(cells)]
    pairs = zip(names, cells, strict=True)
    parts = [f"{name}: {cell}" if name else cell for name, cell in pairs if cell]
    text = "; ".join(parts)
    return text + "." if text and text[-1] not in ".!?" else text


def _markdown_lines(text: str) -> str:
    """Markdown as plain text with its line breaks kept (headings, rules, tables dropped)."""
    kept: list[str] = []
    lines = text.split("\n")
    skip_to = 0
    for i, line in enumerate(lines):
        if i < skip_to or HEADING.match(line) or RULE.match(line):
            continue
        if table := _table_at(lines, i):
            skip_to = table[1]
            continue
        kept.append(_md_inline(line) if line.strip() else "")
    return "\n".join(kept)


def _md_inline(text: str) -> str:
    for pattern, repl in _MD_RULES:
        text = pattern.sub(repl, text)
    return clean_line(text)


def extract_html(text: str, url: str | None = None) -> Article:
    """HTML page: trafilatura's main content, cleaned (see :mod:`.html`)."""
    # Imported here: trafilatura and lxml take a fifth of a second to import, which
    # an unchanged rebuild of a Markdown or text article should not pay.
    from .html import extract_html_page

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
        from .html import fragment_blocks  # lazy, as in extract_html()

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
