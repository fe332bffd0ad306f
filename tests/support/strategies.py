"""Hypothesis strategies several test files draw from."""

from __future__ import annotations

from hypothesis import strategies as st

# Every code point, lone surrogates and noncharacters included (st.text() leaves
# surrogates out by default), weighted towards the ones the control-character rules
# are about.
ANY_CHAR = st.characters(codec=None, exclude_categories=()) | st.sampled_from(
    list("\x00\x07\x0b\x1b\x7f\x85\x9f\ud800\udfff\ufffe\uffff\u202a\u202b\u202c\u202d\u202e")
    + list("\u2066\u2067\u2068\u2069\u2028\u2029\t\n\r\u200f\u00ad\u200d")
)
ANY_TEXT = st.text(ANY_CHAR)
