"""HTML → Article: trafilatura finds the main content, then we remove what it leaves in.

trafilatura (Barbaresi, ACL 2021) is the reference extractor. On news pages it
still keeps cross-links styled as paragraphs ('SEE MORE: …', all-caps story
links), 'Don't miss' lists, date stamps, standfirsts set as headings, and
promotional tails ('Follow us on …'). Each fix below is one row in
``BLOCK_FILTERS``. Metadata comes from JSON-LD and ``<meta>`` first (they carry
full timestamps with offsets), trafilatura's guesses second.

When trafilatura finds nothing, the page's visible text goes through the same
block classifier as a copied page (:mod:`articleaudio.extract.text`).
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

import trafilatura
from lxml import etree
from lxml import html as lxml_html
from trafilatura.utils import load_html

from ..errors import EmptyArticleError, ExtractionError
from ..models import Article, Block, BlockKind
from .dom import dom_blocks, rescue_blocks, standfirst, visible_lines
from .furniture import (
    boilerplate_hit,
    is_caption,
    is_promotion,
    is_shouting,
    is_social_prompt,
    is_ui_label,
)
from .meta import (
    detect_language,
    is_date_line,
    parse_date,
    split_names,
    words,
)
from .pagemeta import page_metadata
from .text import extract_plain_text
from .widgets import prune_widgets

log = logging.getLogger(__name__)

LINK_DOMINATED = 0.8
"""Share of a paragraph's text inside links above which it is a link to elsewhere."""
STANDFIRST_MIN_WORDS = 15
"""A 'heading' this long that ends in a full stop is the standfirst."""
BRACKET_LABEL = re.compile(r"^[\[\]()A-Z\s|:]{0,20}$")
"""Leftovers like '[VIDEO]' or 'REACTION]' from link labels split across tags."""


@dataclass(frozen=True)
class Item:
    """One block trafilatura kept, with the features our filters read."""

    kind: BlockKind
    text: str
    level: int = 0
    """Heading level (1 for h1), 0 for paragraphs."""
    link_share: float = 0.0
    """Share of the text that is link text."""
    emphasised: bool = False
    """Whole block in italics or bold (sign-offs, standfirsts)."""


MAX_HTML_CHARS = 5_000_000
"""Largest page we parse. Real article pages are well under 3 MB; bigger ones are archives
or generated junk, and trafilatura's tree walks would take minutes on them."""


def extract_html_page(text: str, url: str | None = None) -> Article:
    """Find the article in an HTML page."""
    if len(text) > MAX_HTML_CHARS:
        size = len(text) / 1e6
        raise ExtractionError(
            f"the HTML page is {size:.0f} MB, too large to be one article "
            f"(limit {MAX_HTML_CHARS / 1e6:.0f} MB); save just the article page"
        )
    tree = _parse(text)
    meta = page_metadata(tree)
    prune_widgets(tree)
    # trafilatura prunes the tree it is given, so it gets its own parse (its parser, its
    # repairs), with the same controls and players taken out.
    own = load_html(text)
    if own is not None:
        prune_widgets(own)
    doc = trafilatura.bare_extraction(
        own if own is not None else text,
        url=url,
        with_metadata=True,
        include_links=True,
        include_formatting=True,
        include_comments=False,
        include_tables=False,
        include_images=False,
    )
    body = getattr(doc, "body", None)
    items = list(_items(body)) if body is not None else []
    if not any(item.kind is BlockKind.PARAGRAPH for item in items):
        log.info("trafilatura found no body; classifying the page's visible text instead")
        return _fallback(tree, meta)
    if _one_lump(items):
        # Pages laid out with <br> or <font> and no <p> come back as one block of all
        # the page's text; the line-by-line classifier can still tell them apart.
        log.info("trafilatura returned one lump of text; classifying the page's lines instead")
        with contextlib.suppress(ExtractionError):
            return _fallback(tree, meta)
    return _build(items, meta, doc, tree)


LUMP_WORDS = 150
"""A single 'paragraph' this long next to at most one other is the whole page run together."""


def _one_lump(items: list[Item]) -> bool:
    paragraphs = [item for item in items if item.kind is BlockKind.PARAGRAPH]
    return len(paragraphs) <= 2 and max(len(p.text.split()) for p in paragraphs) >= LUMP_WORDS


def _parse(text: str) -> Any:
    # lxml refuses str input that declares an encoding; the text is already decoded.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text)
    try:
        tree = lxml_html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"the HTML cannot be parsed ({exc}); check it is a web page") from exc
    return tree


def _items(body: Any) -> Iterator[Item]:
    for element in body:
        tag = element.tag
        if tag == "head":
            level = int((element.get("rend") or "h2").lstrip("h") or 2)
            share = _paragraph(element).link_share
            yield Item(BlockKind.HEADING, _text(element), level=level, link_share=share)
        elif tag in {"p", "quote"}:
            yield _paragraph(element)
        elif tag == "list":
            for entry in element.iter("item"):
                yield _paragraph(entry)


def _text(element: Any) -> str:
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def _paragraph(element: Any) -> Item:
    text = _text(element)
    linked = sum(len(_text(ref)) for ref in element.iter("ref"))
    styled = sum(len(_text(hi)) for hi in element.iter("hi"))
    share = linked / len(text) if text else 0.0
    emphasised = bool(text) and styled >= 0.9 * len(text.replace(" ", "")) - linked
    return Item(BlockKind.PARAGRAPH, text, link_share=share, emphasised=emphasised)


# --- filters --------------------------------------------------------------------------

BLOCK_FILTERS: tuple[tuple[str, Callable[[Item], bool]], ...] = (
    ("empty", lambda item: not words(item.text)),
    ("interface label", lambda item: is_ui_label(item.text)),
    ("link to another page", lambda item: item.link_share >= LINK_DOMINATED),
    ("label fragment", lambda item: bool(BRACKET_LABEL.match(item.text)) and "]" in item.text),
    ("date stamp", lambda item: is_date_line(item.text)),
    ("caption or credit", lambda item: is_caption(item.text)),
    ("social prompt", lambda item: is_social_prompt(item.text)),
    ("all-caps story link", lambda item: is_shouting(item.text)),
    ("furniture phrase", lambda item: len(item.text) < 200 and boilerplate_hit(item.text)),
)
"""(why, test): a block that passes a test is not article text."""


def _keep(item: Item) -> bool:
    for why, test in BLOCK_FILTERS:
        if test(item):
            log.debug("dropped %s: %.60s", why, item.text)
            return False
    return True


def _is_standfirst(item: Item) -> bool:
    return (
        item.kind is BlockKind.HEADING
        and len(item.text.split()) >= STANDFIRST_MIN_WORDS
        and item.text.rstrip("”\"'’").endswith((".", "!", "?"))
    )


def _promo_tail(item: Item) -> bool:
    """Closing blocks that advertise: all-italic with a link, or a call to action."""
    short = len(words(item.text)) < 30
    return short and ((item.emphasised and item.link_share > 0) or is_promotion(item.text))


def _body(items: list[Item]) -> tuple[list[Block], str | None]:
    description = next((item.text for item in items if _is_standfirst(item)), None)
    kept: list[Item] = []
    teaser = False
    for item in items:
        if _is_standfirst(item) and any(k.kind is BlockKind.PARAGRAPH for k in kept):
            # After the body has begun, a sentence set as a heading is a paragraph.
            item = replace(item, kind=BlockKind.PARAGRAPH, level=0)
        if item.level == 1 or _is_standfirst(item):
            continue
        # A linked headline and the blurb under it are a teaser card for another story.
        blurb = teaser and item.kind is BlockKind.PARAGRAPH and len(item.text.split()) < 40
        teaser = item.kind is BlockKind.HEADING and item.link_share >= LINK_DOMINATED
        if not blurb and _keep(item):
            kept.append(item)
    while kept and (_promo_tail(kept[-1]) or kept[-1].kind is BlockKind.HEADING):
        kept.pop()
    blocks = [Block(item.kind, item.text) for item in kept]
    return _merge_orphans(blocks), description


def _merge_orphans(blocks: list[Block]) -> list[Block]:
    """Rejoin a sign-off like '(bsc)' that trafilatura split from its paragraph."""
    out: list[Block] = []
    for block in blocks:
        if out and out[-1].kind is BlockKind.PARAGRAPH and re.fullmatch(r"\(\w{1,6}\)", block.text):
            out[-1] = Block(BlockKind.PARAGRAPH, f"{out[-1].text} {block.text}")
        else:
            out.append(block)
    return out


# --- assembling ------------------------------------------------------------------------


def _with_rescued(items: list[Item], tree: Any) -> list[Item]:
    """Put back headings and list items trafilatura dropped from the article container."""
    rescued = rescue_blocks(tree, [item.text for item in items])
    out: list[Item] = []
    for i, item in enumerate(items):
        out.append(item)
        out.extend(
            Item(r.kind, r.text, level=2 if r.kind is BlockKind.HEADING else 0)
            for r in rescued
            if r.after == i
        )
    return out


def fragment_blocks(text: str) -> tuple[Block, ...]:
    """Blocks of markup that is already only the article (a CMS ``body_html``).

    No main-content search (trafilatura flattens short fragments); only captions,
    figures, asides and the :data:`BLOCK_FILTERS` furniture are removed.
    """
    tree = _parse(f"<html><body>{text}</body></html>")
    prune_widgets(tree)
    items = [
        Item(kind, t, level=2 if kind is BlockKind.HEADING else 0) for kind, t in dom_blocks(tree)
    ]
    blocks, _ = _body(items)
    return tuple(blocks)


def _build(items: list[Item], meta: dict[str, Any], doc: Any, tree: Any) -> Article:
    blocks, description = _body(_with_rescued(items, tree))
    if not blocks:
        # trafilatura's fallback can merge a short page into one block that a filter then
        # drops; read the page's own paragraphs instead.
        blocks, description = _body([Item(k, t) for k, t in dom_blocks(tree)])
    if not blocks:
        raise EmptyArticleError("the page's main content has no article paragraphs")
    h1 = next((item.text for item in items if item.level == 1 and item.text), None)
    title = h1 or _visible_h1(tree, doc.title) or meta.get("title") or doc.title or ""
    if not title:
        # No <h1> and no title metadata: the line classifier can still spot the
        # headline by its shape and the byline under it.
        with contextlib.suppress(ExtractionError):
            return _fallback(tree, meta)
    body_text = " ".join(block.text for block in blocks)
    authors = meta.get("authors") or tuple(split_names((doc.author or "").replace(";", ",")))
    publisher = meta.get("publisher") or doc.sitename
    # An organisation given as author (JSON-LD often does this) is the publisher, not a byline.
    authors = tuple(a for a in authors if a != publisher)
    return Article(
        title=title,
        blocks=tuple(blocks),
        authors=tuple(authors),
        published=meta.get("published") or parse_date(doc.date or ""),
        url=meta.get("url") or doc.url,
        image=meta.get("image") or doc.image,
        language=detect_language(body_text, meta.get("language")),
        publisher=publisher,
        tags=tuple(meta.get("tags") or _doc_tags(doc)),
        description=meta.get("description")
        or description
        or standfirst(tree, [item.text for item in items])
        or doc.description,
    )


def _doc_tags(doc: Any) -> list[str]:
    tags: list[str] = []
    for raw in [*(doc.tags or []), *(doc.categories or [])]:
        tags.extend(t.strip() for t in raw.split(",") if t.strip())
    return list(dict.fromkeys(tags))


def _visible_h1(tree: Any, meta_title: str | None) -> str | None:
    """The page's <h1> that shares most words with the meta title (the headline readers see)."""
    reference = set(words(meta_title or ""))
    candidates = [_text(h1) for h1 in tree.iter("h1")]
    candidates = [c for c in candidates if 3 <= len(c.split()) <= 40]
    if not candidates:
        return None
    return max(candidates, key=lambda c: len(reference.intersection(words(c))))


def _fallback(tree: Any, meta: dict[str, Any]) -> Article:
    text = "\n".join(visible_lines(tree))
    if not words(text):
        raise EmptyArticleError("the page has no visible text")
    article = extract_plain_text(text)
    return Article(
        title=meta.get("title") or article.title,
        blocks=article.blocks,
        authors=tuple(meta.get("authors") or article.authors),
        published=meta.get("published") or article.published,
        url=meta.get("url"),
        image=meta.get("image"),
        language=detect_language(" ".join(article.paragraphs), meta.get("language")),
        publisher=meta.get("publisher") or article.publisher,
        tags=tuple(meta.get("tags") or article.tags),
        description=meta.get("description") or article.description,
    )
