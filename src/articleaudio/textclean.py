"""The one cleaner for text leaving the pipeline: ID3/MP4/Vorbis tags, the feed, WebVTT
captions, JSON sidecars and the player's HTML.

Article text can hold anything a page or file held. :data:`FORBIDDEN` is the union
of what each output cannot carry, one row per rule with its reason; every output
drops those code points, so what one output shows another shows too. Bidi
controls are kept, since right-to-left text uses them, but any the text leaves open
are closed at its end (:func:`close_bidi`), so a title cannot reverse the line of
the podcast app or page that shows it. What an output needs beyond that is its
own, small, and stays with it: ``line=True`` for one-line fields (tags, cues,
feed titles), escaping for XML, HTML and WebVTT, and whitespace collapsing where
the format asks for it.
"""

from __future__ import annotations

import re

FORBIDDEN: tuple[tuple[str, str, str], ...] = (
    (
        "\x00-\x08\x0b\x0c\x0e-\x1f",
        "C0 controls but tab, LF and CR",
        "outside XML 1.0's Char production (§2.2); NUL separates ID3v2.4 values; no glyph",
    ),
    (
        "\x7f-\x9f",
        "DEL and the C1 controls",
        "no glyph (they show as boxes); XML 1.0 §2.2 asks authors to avoid them",
    ),
    (
        "\ud800-\udfff",
        "lone surrogates",
        "not characters: UTF-8 cannot encode them and XML 1.0's Char excludes them",
    ),
    (
        "\ufffe\uffff",
        "U+FFFE and U+FFFF",
        "noncharacters outside XML 1.0's Char; U+FFFE reads as a byte-swapped BOM",
    ),
)
"""Rule table: (regex character-class range, what it is, why no output may carry it)."""

LINE_BREAKS = "\t\n\r\u2028\u2029"
"""What ``line=True`` turns into spaces: tab, the line breaks XML and WebVTT keep
(a line break ends a cue's line, a blank line ends the cue, W3C WebVTT §4.1) and
Unicode's line and paragraph separators."""

_EMBEDDINGS = "\u202a\u202b\u202d\u202e"
"""LRE, RLE, LRO, RLO: each opens an embedding or override that PDF closes (UAX #9 §2.1)."""
_PDF = "\u202c"
_ISOLATES = "\u2066\u2067\u2068"
"""LRI, RLI, FSI: each opens an isolate that PDI closes (UAX #9 §2.4)."""
_PDI = "\u2069"
_BIDI_RE = re.compile(f"[{_EMBEDDINGS}{_PDF}{_ISOLATES}{_PDI}]")
FORBIDDEN_CLASS = "".join(chars for chars, _, _ in FORBIDDEN)
""":data:`FORBIDDEN` as the inside of a regex character class, for rule tables."""
_FORBIDDEN_RE = re.compile(f"[{FORBIDDEN_CLASS}]")
_LINE_BREAKS = str.maketrans(dict.fromkeys(LINE_BREAKS, " "))


def clean_text(text: str, *, line: bool = False) -> str:
    r"""``text`` without :data:`FORBIDDEN` code points, its bidi controls closed.

    ``line=True`` also turns each tab and line break into a space, for fields
    that are one line. Ordinary text comes back unchanged, and cleaning twice
    gives what cleaning once gave.

    >>> clean_text("A\x00B\tC\x7f\ud800")
    'AB\tC'
    >>> clean_text("A\nB\tC", line=True)
    'A B C'
    >>> clean_text("\u202eevil") == "\u202eevil\u202c"
    True
    """
    text = _FORBIDDEN_RE.sub("", text)
    if line:
        text = text.translate(_LINE_BREAKS)
    return close_bidi(text)


def close_bidi(text: str) -> str:
    r"""``text`` with every embedding, override or isolate it opens closed at its end.

    An unclosed U+202E (RLO) would reverse whatever follows the text on the same
    line of the app that shows it (the "Trojan Source" trick, CVE-2021-42574);
    closed, the text's own characters keep the order its author gave them. A
    PDI also closes the embeddings opened inside its isolate (UAX #9 X6a);
    unmatched closers do nothing (X7, X6a) and are left as they are.

    >>> close_bidi("\u2067a\u202bb") == "\u2067a\u202bb\u202c\u2069"
    True
    """
    if not _BIDI_RE.search(text):
        return text
    stack: list[str] = []
    for match in _BIDI_RE.finditer(text):
        char = match.group()
        if char in _EMBEDDINGS:
            stack.append(_PDF)
        elif char in _ISOLATES:
            stack.append(_PDI)
        elif char == _PDF and stack and stack[-1] == _PDF:
            stack.pop()
        elif char == _PDI and _PDI in stack:
            del stack[len(stack) - 1 - stack[::-1].index(_PDI) :]
    return text + "".join(reversed(stack))
