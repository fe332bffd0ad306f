"""Segmentation: sentences (pysbd), long-sentence splits, headings, spoken vs. shown text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from articleaudio.models import Article, Block, BlockKind, Role
from articleaudio.text.lexicon import Lexicon
from articleaudio.text.segment import DisclosurePosition, SpeechSettings, segment_article
from articleaudio.text.sentences import split_long, split_sentences
from articleaudio.text.speech import make_spoken

SPLITS = [
    (
        "Dr. Lee met Gen. Smith in the U.S. on Oct. 2. She left.",
        ["Dr. Lee met Gen. Smith in the U.S. on Oct. 2.", "She left."],
    ),
    (
        "The U.N. met on Jan. 5 at 9 a.m. and left at 5 p.m. Prices rose 3.4% to $3.4bn.",
        ["The U.N. met on Jan. 5 at 9 a.m. and left at 5 p.m.", "Prices rose 3.4% to $3.4bn."],
    ),
    ('"It worked," she said. "We are done."', ['"It worked," she said.', '"We are done."']),
    ("John F. Kennedy was elected. It was 1960.", ["John F. Kennedy was elected.", "It was 1960."]),
    (
        "Shares of Acme Inc. rose. Mr. Smith agreed!",
        ["Shares of Acme Inc. rose.", "Mr. Smith agreed!"],
    ),
    ("Is it over? Not yet.", ["Is it over?", "Not yet."]),
    ("No full stop at the end", ["No full stop at the end"]),
    ("   ", []),
]


@pytest.mark.parametrize(("paragraph", "sentences"), SPLITS)
def test_split_sentences(paragraph: str, sentences: list[str]) -> None:
    assert split_sentences(paragraph) == sentences


def test_unknown_language_falls_back_to_english_rules() -> None:
    assert split_sentences("Dr. Lee left. Then Mr. Wu came.", "xx-YY") == [
        "Dr. Lee left.",
        "Then Mr. Wu came.",
    ]


LONG = (
    "The committee, which had met for eleven hours without a break, finally agreed on a text; "
    "it covers pensions, the health budget and the rules for regional transfers — though several "
    "members said they would fight it in the chamber: the vote is expected next week, "
    "after a further round of talks with the unions and the employers' federation."
)


def test_long_sentence_splits_at_clause_punctuation() -> None:
    parts = split_long(LONG, limit=120)
    assert len(parts) > 1
    assert " ".join(parts) == LONG
    assert all(len(p) <= 120 for p in parts)
    assert all(
        p[-1] in ",;:" or p is parts[-1] or parts[parts.index(p) + 1][0] == "—" for p in parts
    )


def test_word_longer_than_limit_is_never_cut() -> None:
    word = "x" * 50
    assert split_long(f"a {word} b", limit=10) == ["a", word, "b"]


words = st.from_regex(r"[A-Za-z]{1,12}", fullmatch=True)
tokens = st.one_of(words, st.sampled_from(["Dr.", "U.S.", "3.4%", "Oct.", "2.", "—", '"Yes,"']))
sentence = st.lists(tokens, min_size=1, max_size=30).map(" ".join).map(lambda s: s + ".")
paragraph = st.lists(sentence, min_size=1, max_size=8).map(" ".join)


@settings(max_examples=60, deadline=None)
@given(paragraph, st.integers(40, 400))
def test_sentences_rejoin_to_the_paragraph_and_never_split_words(text: str, limit: int) -> None:
    parts = [p for s in split_sentences(text) for p in split_long(s, limit)]
    assert " ".join(parts) == " ".join(text.split())
    assert [w for p in parts for w in p.split()] == text.split()


def _article() -> Article:
    return Article(
        title="Kyiv talks: $3.4bn deal",
        blocks=(
            Block(BlockKind.PARAGRAPH, "Dr. Patel said the U.S. would pay. It was -8°C."),
            Block(BlockKind.HEADING, "Q1 2026 outlook"),
            Block(BlockKind.PARAGRAPH, "The OSCE met at 09:45 — briefly."),
            Block(BlockKind.PARAGRAPH, "***"),
        ),
    )


def test_segments_keep_original_wording_and_speak_the_normalised_one() -> None:
    settings = SpeechSettings(disclosure_position=DisclosurePosition.OFF, read_byline=False)
    segments = segment_article(_article(), settings)
    title = "Kyiv talks: three point four billion dollars deal"
    heading = "The first quarter of twenty twenty-six outlook"
    osce = "The O-S-C-E met at nine forty-five, briefly."
    assert [(s.role, s.text, s.spoken) for s in segments] == [
        (Role.TITLE, "Kyiv talks: $3.4bn deal", title),
        (
            Role.SENTENCE,
            "Dr. Patel said the U.S. would pay.",
            "Doctor Patel said the U-S would pay.",
        ),
        (Role.SENTENCE, "It was -8°C.", "It was minus eight degrees Celsius."),
        (Role.HEADING, "Q1 2026 outlook", heading),
        (Role.SENTENCE, "The OSCE met at 09:45 — briefly.", osce),
    ]
    assert [s.index for s in segments] == list(range(len(segments)))
    assert segments[3].chapter == "Q1 2026 outlook"


def test_segment_article_uses_the_lexicon_through_make_spoken() -> None:
    lexicon = Lexicon.parse('[[entry]]\nword = "Kyiv"\nsay = "Keev"\n')
    segments = segment_article(_article(), spoken=make_spoken(lexicon))
    assert segments[0].spoken == "Keev talks: three point four billion dollars deal"
    assert segments[0].text == "Kyiv talks: $3.4bn deal"
