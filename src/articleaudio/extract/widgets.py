"""Controls, players and link cards in a page: removed by their markup, before the article is read.

A page that embeds a video carries the player's interface as text (play, mute,
caption menus, 'Up next', 'Copy link'); share bars, 'Read more' buttons, search
boxes and dialogs do the same. Their words differ by site and language, but
their markup says what they are, so they are found by it, never by phrase:

- WAI-ARIA widget roles (``button``, ``menu``, ``slider``, ``tablist``, ``dialog``
  …; WAI-ARIA 1.2 §5.3.2), and the HTML elements that are controls (``button``,
  ``select``, ``dialog``, a ``<details>``' ``summary`` label);
- what assistive technology skips: ``aria-hidden="true"`` blocks and the ``hidden``
  attribute (HTML §6.1, except ``hidden="until-found"``, collapsed text meant to be
  read);
- media players: ``video``/``audio`` with the smallest wrapper that also holds the
  player's controls, a ``figure`` around a player with its caption, and the short
  lead-in line ('Watch the moment:') that introduced it;
- embedded posts: a ``blockquote`` signed '— Name (@handle)' beside a link, as a
  social network's embed code writes it, with its lead-in line;
- link cards: a list item whose heading is a link to another story, with its blurb.

Screen readers already ignore most of this for the same reason a listener should.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

WIDGET_ROLES = frozenset(
    {
        "alertdialog",
        "button",
        "combobox",
        "dialog",
        "listbox",
        "menu",
        "menubar",
        "menuitem",
        "menuitemcheckbox",
        "menuitemradio",
        "navigation",
        "option",
        "progressbar",
        "scrollbar",
        "search",
        "slider",
        "spinbutton",
        "switch",
        "tab",
        "tablist",
        "timer",
        "toolbar",
        "tooltip",
    }
)
"""ARIA roles of controls and of the landmarks that hold only controls (navigation, search).
Not ``tabpanel`` (a tab's content may be the article) nor ``banner`` (it may hold the headline)."""
CONTROL_TAGS = frozenset({"button", "select", "input", "textarea", "dialog", "menu", "summary"})
"""HTML elements that are controls or their labels; never article text."""
MEDIA_TAGS = frozenset({"video", "audio"})
PLAYER_TAGS = MEDIA_TAGS | {"iframe", "object", "embed"}
"""What makes a ``figure`` a player rather than a picture."""
INLINE_TAGS = frozenset(
    {"a", "abbr", "b", "cite", "em", "i", "mark", "q", "s", "small", "span", "strong", "sub", "sup"}
)
"""Phrasing elements: an ``aria-hidden`` one inside running text (a drop cap, a
visual duplicate of a word) is kept, since removing it could cut a word."""
TEXT_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "dd", "td"})
ARTICLE_TAGS = frozenset({"body", "main", "article"})
"""A player wrapper never grows to one of these."""
PROSE_WORDS = 12
"""A ``p`` this long is prose: a wrapper holding two of them is more than a player."""
GUARD_PROSE = 2
"""An element holding this many prose paragraphs is the article whatever its markup says:
pages set ``aria-hidden`` on their whole content while a consent dialog is open, and
keep the rest of a story ``hidden`` behind a 'Read more' button."""
LEAD_IN_WORDS = 25
"""A line ending in ':' this short just before a player only introduced it."""
CARD_BLURB_WORDS = 40
"""A list item with a linked heading and at most this many other words is a teaser card."""
CARD_LINK_SHARE = 0.8
"""A heading this much link text is a link (an 'Updated' flag beside it does not change that)."""
SIGNED = re.compile(r"^\s*[—–-]\s*[^()\n]{1,80}\(@\w{1,30}\)")
"""'— West Ham United (@WestHam)': the signature line embed code puts after the post."""
HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _words(element: Any) -> int:
    return len("".join(element.itertext()).split())


def _roles(element: Any) -> set[str]:
    return set((element.get("role") or "").lower().split())


def is_control(element: Any) -> bool:
    """An element that is a control or a landmark of controls, by tag or ARIA role."""
    return element.tag in CONTROL_TAGS or bool(_roles(element) & WIDGET_ROLES)


def is_unspoken(element: Any) -> bool:
    """A block hidden from assistive technology or from everyone (``aria-hidden``, ``hidden``)."""
    hidden = element.get("hidden")
    if hidden is not None and hidden.lower() != "until-found":
        return True
    if (element.get("aria-hidden") or "").lower() != "true":
        return False
    in_text = any(a.tag in TEXT_BLOCKS for a in element.iterancestors())
    return not (element.tag in INLINE_TAGS and in_text)


def _has_control(element: Any) -> bool:
    return any(isinstance(node.tag, str) and is_control(node) for node in element.iter())


def _prose_count(element: Any) -> int:
    return sum(1 for p in element.iter("p") if _words(p) >= PROSE_WORDS)


def player_of(media: Any) -> Any:
    """The element to remove for a ``video``/``audio``: its widest wrapper that still holds
    only the player (its controls, title, caption), not the article around it."""
    player = media
    for ancestor in media.iterancestors():
        if ancestor.tag in ARTICLE_TAGS or _prose_count(ancestor) >= 2:
            break
        if ancestor.tag == "figure" or _has_control(ancestor):
            player = ancestor
    return player


def _is_player_figure(element: Any) -> bool:
    return element.tag == "figure" and any(
        isinstance(n.tag, str) and n.tag in PLAYER_TAGS for n in element.iter()
    )


def is_social_post(element: Any) -> bool:
    """A quotation signed '— Name (@handle)' beside a link: the markup a social network's
    embed code pastes into a page (the widget it becomes is not article text)."""
    if element.tag != "blockquote" or next(element.iter("a"), None) is None:
        return False
    own = " ".join(t for child in element for t in (child.tail or "",))
    return bool(SIGNED.search(own))


def is_link_card(element: Any) -> bool:
    """A list item whose heading is a link, with a short blurb: a teaser for another page."""
    if element.tag != "li":
        return False
    for heading in element.iter(*HEADINGS):
        text = len("".join(heading.itertext()).strip())
        linked = sum(len("".join(a.itertext()).strip()) for a in heading.iter("a"))
        if text and linked >= CARD_LINK_SHARE * text:
            return _words(element) - _words(heading) <= CARD_BLURB_WORDS
    return False


def _wrapper(element: Any) -> Any:
    """The outermost ancestor that holds nothing but ``element`` (an embed's own div)."""
    while (parent := element.getparent()) is not None and parent.tag not in ARTICLE_TAGS:
        others = [c for c in parent if isinstance(c.tag, str) and c is not element]
        if any(c.tag != "script" for c in others) or (parent.text or "").strip():
            break
        element = parent
    return element


def _lead_in(element: Any) -> Any | None:
    """The short 'Watch the highlights:' paragraph right before ``element`` (or before the
    wrapper that holds only it), if any."""
    previous = _wrapper(element).getprevious()
    while previous is not None and not isinstance(previous.tag, str):
        previous = previous.getprevious()
    if previous is None or previous.tag != "p" or (previous.tail or "").strip():
        return None
    text = " ".join("".join(previous.itertext()).split())
    return previous if text.endswith(":") and len(text.split()) <= LEAD_IN_WORDS else None


WIDGET_RULES: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("control", is_control),
    ("hidden", is_unspoken),
    ("link card", is_link_card),
)
"""(why, test): an element passing a test is removed with everything inside it."""


def _drop(element: Any) -> None:
    """Remove an element but keep its tail text (the words after it belong to its parent)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail and tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)


def _marked(root: Any) -> list[Any]:
    marked: list[Any] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in {"html", "body", "head"}:
            continue
        if any(test(element) for _, test in WIDGET_RULES) and _prose_count(element) < GUARD_PROSE:
            marked.append(element)
    return marked


def prune_widgets(root: Any) -> int:
    """Remove controls, hidden blocks, players and link cards from a parsed page, in place.

    Returns how many elements were removed (outermost ones only).
    """
    players = [player_of(media) for media in root.iter(*MEDIA_TAGS)]
    players += [el for el in root.iter("figure") if _is_player_figure(el)]
    players += [el for el in root.iter("blockquote") if is_social_post(el)]
    marked = set(_marked(root)) | set(players)
    outermost = [
        el
        for el in root.iter()
        if el in marked and not any(a in marked for a in el.iterancestors())
    ]
    removed = 0
    for element in outermost:
        lead_in = _lead_in(element) if element in players else None
        if lead_in is not None:
            _drop(lead_in)
            removed += 1
        _drop(element)
        removed += 1
    return removed
