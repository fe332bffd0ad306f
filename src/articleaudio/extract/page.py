"""The source page as the confidence signals read it: its visible lines and its title.

Its own small reading of the page (lxml for HTML, lines for text), not the extractors',
so that what an extraction is compared with does not change when they do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

SKIP = ("script", "style", "noscript", "template", "svg", "iframe", "head", "object", "canvas")
"""Elements whose text a reader never sees."""
BLOCK = frozenset(
    "p li h1 h2 h3 h4 h5 h6 div td th dd dt figcaption blockquote pre section article "
    "header footer aside nav ul ol table main form address".split()
)
"""Elements that start a line of their own on screen."""
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class PageView:
    """What a reader of the whole page sees."""

    lines: tuple[str, ...]
    """The visible lines (non-empty, whitespace collapsed): a text's lines, an HTML page's
    innermost blocks."""
    title: str = ""
    """The page's ``<title>`` (or ``og:title``); empty for text."""


def page_view(source: str, *, html: bool) -> PageView:
    """Read ``source`` as a page: HTML through lxml, anything else line by line."""
    if html:
        view = _html_view(source)
        if view is not None:
            return view
    lines = tuple(line for raw in source.splitlines() if (line := _clean(raw)))
    return PageView(lines)


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def _html_view(source: str) -> PageView | None:
    from lxml import etree  # lazy, as extract_html is: text sources never pay for lxml
    from lxml import html as lxml_html

    try:
        tree = lxml_html.document_fromstring(source)
    except (etree.ParserError, ValueError):
        return None  # nothing parsable: read as text
    title = _clean(tree.findtext(".//title") or "") or _og_title(tree)
    etree.strip_elements(tree, *SKIP, with_tail=False)
    lines = tuple(line for el in tree.iter(*BLOCK) if not _has_block(el) and (line := _text(el)))
    return PageView(lines, title)


def _og_title(tree: Any) -> str:
    found = tree.xpath('//meta[@property="og:title"]/@content')
    return _clean(str(found[0])) if found else ""


def _has_block(element: Any) -> bool:
    return any(child.tag in BLOCK for child in element.iterdescendants())


def _text(element: Any) -> str:
    return _clean("".join(element.itertext()))
