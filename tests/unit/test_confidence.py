"""The extraction confidence score: each signal on small inputs, the model's range, and
the score travelling with the Article without changing what is written about it."""

from __future__ import annotations

import json

import pytest

from articleaudio.extract import extract
from articleaudio.extract.confidence import WARN_BELOW, WEIGHTS, combine, score_extraction
from articleaudio.extract.evidence import (
    Evidence,
    boundary_share,
    content_words,
    drift_share,
    ends_sentence,
    headline_echo,
    measure,
    repeated_share,
    sentence_share,
    stray_headings,
    tokens_of,
)
from articleaudio.extract.ingest import SourceKind
from articleaudio.extract.page import page_view
from articleaudio.models import Article, Block, BlockKind

P, H = BlockKind.PARAGRAPH, BlockKind.HEADING
LEAD = (
    "The city council votes on Monday on a tram line through the city centre.",
    "Work on the tram line starts in May and will take two years, the council said.",
)
TRAM = Article(
    "Council votes for a tram line through the centre",
    tuple(Block(P, text) for text in LEAD),
    language="en",
)


@pytest.mark.parametrize(
    ("paragraph", "ends"),
    [
        ("The tram runs again.", True),
        ("“We are ready,” she said.”", True),
        ("Is the tram late?", True),
        ("東京で大雨。", True),
        ("서울에 비가 왔다！", True),
        ("هل يعود الترام؟", True),
        ("Five things to know about the tram", False),
        ("Share this article", False),
    ],
)
def test_a_sentence_ends_with_its_scripts_full_stop(paragraph: str, ends: bool) -> None:
    assert ends_sentence(paragraph) is ends


def test_sentence_share_counts_paragraphs() -> None:
    assert sentence_share(["One.", "Two.", "Three", "Four!"]) == 0.75
    assert sentence_share([]) == 0.0


def test_cjk_words_are_character_pairs_and_inflections_share_a_stem() -> None:
    assert tokens_of("公衆無線LAN") == ["公衆", "衆無", "無線", "線l", "la", "an"]
    assert content_words("Die Brücken", "de") == content_words("der Brücke", "de") == {"brück"}


def test_headline_echoed_by_the_body_or_the_page_title() -> None:
    text_page = page_view("Menu\nCouncil votes for a tram line through the centre\n", html=False)
    assert headline_echo(TRAM, text_page) == 1.0  # every headline word is in the body
    menu = Article("Submit a Topic", TRAM.blocks)
    assert headline_echo(menu, text_page) == 0.0
    html = "<html><head><title>Submit a Topic | News</title></head><body><p>x</p></body></html>"
    assert headline_echo(menu, page_view(html, html=True)) == 1.0  # the page title says it
    assert headline_echo(Article("", TRAM.blocks), text_page) == 0.0


def test_repeated_paragraphs_are_those_the_page_shows_twice() -> None:
    teaser = "Cup final tickets go on sale next week"
    source = "\n".join([LEAD[0], teaser, LEAD[1], "More stories", teaser.upper()])
    page = page_view(source, html=False)
    assert repeated_share([LEAD[0], LEAD[1], teaser], page) == pytest.approx(1 / 3)
    assert repeated_share([], page) == 0.0


def test_boundary_phrases_in_english_and_the_articles_language() -> None:
    assert boundary_share(["Related stories", "It rained.", "© 2026 News"], "en") == pytest.approx(
        2 / 3
    )
    assert boundary_share(["Mehr zum Thema: Bahn", "Es regnete."], "de") == 0.5
    assert boundary_share(["Mehr zum Thema: Bahn"], "fr") == 0.0  # German phrases stay German
    assert boundary_share(["The market share of trams rose."], "en") == 0.0  # "share" alone


def test_drift_is_the_share_of_words_off_the_leads_topic() -> None:
    on_topic = "The tram line will cross the river on a new bridge near the council offices."
    off_topic = "Striker scores twice as United beat Rovers in the cup semi final tonight."
    article = Article(TRAM.title, (*TRAM.blocks, Block(P, on_topic), Block(P, off_topic)))
    share = len(tokens_of(off_topic)) / (len(tokens_of(on_topic)) + len(tokens_of(off_topic)))
    assert drift_share(article) == pytest.approx(share)
    assert drift_share(TRAM) == 0.0  # nothing after the lead


def test_headings_that_name_nothing_under_them_are_stray() -> None:
    section = Block(H, "Tram line costs")
    costs = Block(P, "The tram line costs the council 300 million pounds.")
    teaser = Block(H, "Striker scores twice in cup semi final")
    article = Article(TRAM.title, (*TRAM.blocks, section, costs, teaser, Block(P, LEAD[1])))
    assert stray_headings(article) == 0.5
    assert stray_headings(TRAM) == 0.0


def test_html_page_lines_skip_scripts_and_keep_innermost_blocks() -> None:
    html = (
        "<html><head><title> Tram | News </title><script>var a = 1;</script></head><body>"
        "<div><p>First line.</p><div><a href='/x'>Teaser</a></div></div>"
        "<script>track()</script><p>Second <b>line</b>.</p></body></html>"
    )
    page = page_view(html, html=True)
    assert page.title == "Tram | News"
    assert page.lines == ("First line.", "Teaser", "Second line.")


def test_a_clean_article_scores_above_the_threshold_and_a_teaser_list_below() -> None:
    source = "\n".join([TRAM.title, *LEAD])
    good = score_extraction(TRAM, source, SourceKind.TEXT)
    teasers = ["Five things to know about the budget", "Cup final tickets on sale next week"]
    tail = (*teasers, "Related stories", "Share this article", "Weather: storms at the weekend")
    poor = Article("Latest news", tuple(Block(P, t) for t in tail))
    bad = score_extraction(poor, "\n".join(["Latest news", *tail, *teasers]), SourceKind.TEXT)
    assert good >= WARN_BELOW > bad
    assert 0.0 <= bad < good <= 1.0


def test_markdown_and_json_score_one_their_author_marked_the_article() -> None:
    assert score_extraction(TRAM, "# x", SourceKind.MARKDOWN) == 1.0
    assert score_extraction(TRAM, "{}", SourceKind.JSON) == 1.0


def test_the_model_reads_every_signal_and_stays_in_range() -> None:
    signals = [name for name in WEIGHTS if name != "bias"]
    assert set(signals) == set(Evidence.__dataclass_fields__)
    worst = Evidence(**{name: float(WEIGHTS[name] < 0) for name in signals})
    best = Evidence(**{name: float(WEIGHTS[name] > 0) for name in signals})
    assert 0.0 <= combine(worst) < WARN_BELOW < combine(best) <= 1.0
    assert measure(TRAM, "\n".join(LEAD), SourceKind.TEXT).values().keys() == set(signals)


def test_extraction_carries_the_score_but_not_into_the_record() -> None:
    text = "\n\n".join([TRAM.title, *LEAD])
    article = extract(text, kind=SourceKind.TEXT)
    assert article.confidence is not None and 0.0 <= article.confidence <= 1.0
    assert "confidence" not in article.to_dict()  # episode.json and build keys unchanged
    unscored = Article.from_dict(json.loads(json.dumps(article.to_dict())))
    assert unscored.confidence is None and unscored == article  # not part of equality
