"""Reading the page's own DOM: headings and lists trafilatura dropped, and visible text.

trafilatura is good at choosing the article's paragraphs but sometimes drops
section headings and bulleted lists inside the same container (its list
pruning treats them as navigation). We find the container that holds the
paragraphs it kept, and put back the headings and list items in it that sit
between kept paragraphs, unless they are inside a figure, aside, form or a
block whose class names it as related links, sharing or a caption.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..models import BlockKind

CANDIDATE_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote")
"""Elements a kept block can come from."""
EXCLUDED_TAGS = frozenset(
    [
        "figure",
        "figcaption",
        "aside",
        "nav",
        "form",
        "footer",
        "header",
        "button",
        "select",
        "script",
        "style",
        "noscript",
    ]
)
EXCLUDED_NAMES = re.compile(
    r"related|share|social|newsletter|promo|teaser|recommend|tags?\b|comment|caption|legend|"
    r"credit|advert|\bads?\b|sidebar|leia|lee-|read-?more|nav|menu|breadcrumb|byline|author",
    re.IGNORECASE,
)
"""class/id fragments of containers whose contents are not article text."""
MAX_LINK_SHARE = 0.5
"""A list item or heading more than half link text is a link to elsewhere."""

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "li",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "section",
        "article",
        "header",
        "footer",
        "tr",
        "td",
        "th",
        "dd",
        "dt",
        "figcaption",
        "pre",
        "address",
        "aside",
        "nav",
        "ul",
        "ol",
        "table",
        "main",
        "form",
    ]
)
SKIP_TAGS = frozenset(
    ["script", "style", "noscript", "template", "svg", "iframe", "head", "object", "canvas"]
)


@dataclass(frozen=True)
class Rescued:
    """A block put back from the DOM, and after which kept block it goes."""

    after: int
    """Index of the kept block it follows."""
    kind: BlockKind
    text: str


def text_of(element: Any) -> str:
    """The element's text with whitespace collapsed."""
    return re.sub(r"\s+", " ", "".join(element.itertext())).strip()


def rescue_blocks(tree: Any, kept: list[str]) -> list[Rescued]:
    """Headings and list items inside the article container that are missing from ``kept``."""
    candidates = [(el, text_of(el)) for el in tree.iter(*CANDIDATE_TAGS)]
    positions = _match(candidates, kept)
    found = [(k, i) for i, k in enumerate(positions) if k is not None]
    if len(found) < 2:
        return []
    matched = [candidates[k][0] for k, _ in found]
    container = _common_ancestor(matched)
    taken = set(matched)
    rescued: list[Rescued] = []
    for k in range(found[0][0] + 1, found[-1][0]):
        element, text = candidates[k]
        if not text or _overlaps(element, taken) or not _inside(element, container):
            continue
        kind = _rescuable(element, text)
        if kind is not None:
            after = max(i for pos, i in found if pos < k)
            rescued.append(Rescued(after, kind, text))
    return rescued


def _overlaps(element: Any, taken: set[Any]) -> bool:
    """The element holds, or is held by, a block that was kept (an li around a kept p)."""
    return any(node in taken for node in element.iter()) or any(
        node in taken for node in element.iterancestors()
    )


MATCH_WINDOW = 500
"""How far ahead in the document a kept block is looked for (bounds the work on huge pages)."""


def _match(candidates: list[tuple[Any, str]], kept: list[str]) -> list[int | None]:
    """For each kept text, the index of the element it came from (in document order)."""
    positions: list[int | None] = []
    start = 0
    for text in kept:
        probe = text[:80]
        window = range(start, min(len(candidates), start + MATCH_WINDOW))
        hit = next((k for k in window if probe and probe in candidates[k][1]), None)
        positions.append(hit)
        if hit is not None:
            start = hit + 1
    return positions


def _common_ancestor(elements: list[Any]) -> Any:
    paths = [list(el.iterancestors())[::-1] for el in elements]
    common = None
    for level in zip(*paths, strict=False):
        if all(node is level[0] for node in level):
            common = level[0]
        else:
            break
    return common


def _inside(element: Any, container: Any) -> bool:
    return container is not None and any(a is container for a in element.iterancestors())


def _rescuable(element: Any, text: str) -> BlockKind | None:
    if _excluded(element):
        return None
    # A list item or heading that is mostly link text points to another page.
    if sum(len(text_of(a)) for a in element.iter("a")) > MAX_LINK_SHARE * len(text):
        return None
    if element.tag == "li":
        return BlockKind.PARAGRAPH
    if element.tag in {"h2", "h3", "h4", "h5", "h6"} and len(text.split()) <= 15:
        return BlockKind.HEADING
    return None


def _excluded(element: Any) -> bool:
    for node in (element, *element.iterancestors()):
        if node.tag in EXCLUDED_TAGS:
            return True
        names = f"{node.get('class') or ''} {node.get('id') or ''}"
        if EXCLUDED_NAMES.search(names):
            return True
    return False


def visible_lines(tree: Any) -> Iterator[str]:
    """The page text one block element per line, as a browser's select-all copy gives it.

    Iterative (an explicit stack), so absurdly deep markup cannot exhaust recursion.
    """
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(tree, False)]
    while stack:
        element, closing = stack.pop()
        tag = element.tag if isinstance(element.tag, str) else None
        breaks = "\n" if tag in BLOCK_TAGS or tag == "br" else ""
        if closing:
            parts.extend((breaks, element.tail or ""))
        elif tag is None or tag in SKIP_TAGS:
            parts.append(element.tail or "")
        else:
            parts.extend((breaks, element.text or ""))
            stack.append((element, True))
            stack.extend((child, False) for child in reversed(element))
    for line in "".join(parts).split("\n"):
        cleaned = re.sub(r"\s+", " ", line).strip()
        if cleaned:
            yield cleaned


STANDFIRST_TAGS = ("h2", "h3", "p", "div")
STANDFIRST_WORDS = 12
"""A standfirst is at least a full sentence."""


def standfirst(tree: Any, kept: list[str]) -> str | None:
    """The summary set right under the ``<h1>`` (often an ``h2``), if it is not body text."""
    h1 = next(tree.iter("h1"), None)
    if h1 is None:
        return None
    seen = 0
    for element in h1.itersiblings():
        if not isinstance(element.tag, str) or element.tag not in STANDFIRST_TAGS:
            continue
        text = text_of(element)
        seen += 1
        if seen > 4 or any(text[:80] in k or k[:80] in text for k in kept if k):
            return None
        if len(text.split()) >= STANDFIRST_WORDS and text.endswith((".", "!", "?")):
            return text
    return None


def dom_blocks(root: Any) -> list[tuple[BlockKind, str]]:
    """Paragraphs and headings of a fragment in document order, innermost blocks only.

    For markup that is already just the article (a CMS ``body_html``) or as a
    fallback when the main-content search finds nothing: figures, asides, forms
    and containers named like related links or captions are skipped.
    """
    out: list[tuple[BlockKind, str]] = []
    for element in root.iter(*CANDIDATE_TAGS):
        if any(
            isinstance(c.tag, str) and c.tag in CANDIDATE_TAGS for c in element.iterdescendants()
        ):
            continue  # an li or blockquote around a p: the p is taken on its own
        text = text_of(element)
        if text and not _excluded(element):
            heading = element.tag in {"h2", "h3", "h4", "h5", "h6"}
            out.append((BlockKind.HEADING if heading else BlockKind.PARAGRAPH, text))
    return out
