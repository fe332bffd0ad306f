"""The one cleaner for text leaving the pipeline (articleaudio.textclean), as properties."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from articleaudio.textclean import FORBIDDEN_CLASS, LINE_BREAKS, clean_text, close_bidi

from ..support.strategies import ANY_TEXT

FORBIDDEN_RE = re.compile(f"[{FORBIDDEN_CLASS}]")
BIDI_OPENERS = {"\u202a", "\u202b", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"}


def _bidi_depth_at_end(text: str) -> int:
    """Embeddings and isolates still open at the end (UAX #9 X1-X8, depth limit aside)."""
    stack: list[str] = []
    for char in text:
        if char in BIDI_OPENERS:
            stack.append("isolate" if char >= "\u2066" else "embedding")
        elif char == "\u202c" and stack and stack[-1] == "embedding":
            stack.pop()
        elif char == "\u2069" and "isolate" in stack:
            while stack.pop() != "isolate":
                pass
    return len(stack)


@given(ANY_TEXT, st.booleans())
def test_cleaned_text_has_no_forbidden_code_point(text: str, line: bool) -> None:
    cleaned = clean_text(text, line=line)
    assert not FORBIDDEN_RE.search(cleaned)
    assert not any(0xD800 <= ord(c) <= 0xDFFF or c in "\ufffe\uffff" for c in cleaned)
    cleaned.encode("utf-8")  # every output is UTF-8
    if line:
        assert not any(c in LINE_BREAKS for c in cleaned)


@given(ANY_TEXT, st.booleans())
def test_cleaning_is_idempotent(text: str, line: bool) -> None:
    once = clean_text(text, line=line)
    assert clean_text(once, line=line) == once


@given(ANY_TEXT)
def test_no_embedding_or_isolate_is_left_open(text: str) -> None:
    assert _bidi_depth_at_end(clean_text(text)) == 0


@given(st.text(st.characters(codec=None).filter(str.isprintable)), st.booleans())
def test_ordinary_printable_text_is_unchanged(text: str, line: bool) -> None:
    assert clean_text(text, line=line) == text


@given(ANY_TEXT)
def test_every_allowed_character_is_kept_in_order(text: str) -> None:
    allowed = FORBIDDEN_RE.sub("", text)
    cleaned = clean_text(text)
    assert cleaned.startswith(allowed)  # only closers of open bidi controls are added
    assert set(cleaned[len(allowed) :]) <= {"\u202c", "\u2069"}


@given(st.text(st.characters(codec=None).filter(str.isprintable) | st.sampled_from("\t\n\r")))
def test_only_line_mode_touches_tabs_and_line_breaks(text: str) -> None:
    assert clean_text(text) == text
    assert clean_text(text, line=True) == re.sub("[\t\n\r]", " ", text)


def test_each_rule_drops_its_code_points() -> None:
    assert clean_text("a\x00b\x08c\x0bd\x1fe\x7ff\x85g\x9fh\ud800i\udfffj\ufffek\uffffl") == (
        "abcdefghijkl"
    )
    assert clean_text("tab\tline\nreturn\r") == "tab\tline\nreturn\r"


def test_balanced_bidi_text_is_kept_and_open_controls_are_closed() -> None:
    assert clean_text("\u202eevil\u202c and \u2067\u05e9\u05dc\u05d5\u05dd\u2069") == (
        "\u202eevil\u202c and \u2067\u05e9\u05dc\u05d5\u05dd\u2069"
    )
    assert clean_text("\u202eexe.txt") == "\u202eexe.txt\u202c"
    # A PDI closes the embedding opened inside its isolate, so only the isolate matters.
    assert close_bidi("\u2066a\u202bb\u2069c\u2067") == "\u2066a\u202bb\u2069c\u2067\u2069"
    assert close_bidi("stray \u202c and \u2069") == "stray \u202c and \u2069"
