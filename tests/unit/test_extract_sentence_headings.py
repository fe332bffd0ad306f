"""A full sentence set as a heading: the standfirst before the body, a paragraph inside it."""

from __future__ import annotations

from articleaudio.extract.article import extract
from articleaudio.extract.ingest import SourceKind

TITLE = "Council closes the old bridge after engineers find deep cracks"
STANDFIRST = (
    "Engineers found cracks in two of the five arches during a routine inspection, and the "
    "council says the bridge will stay shut until the spring."
)
BODY = (
    "The bridge was closed to cars and walkers at noon on Monday, an hour after the report "
    "reached the council, and barriers now stand at both ends.",
    "The mayor said the closure was the only safe choice, and that the council would pay for "
    "a ferry across the river while the repairs go on.",
    "Shops on the east bank said they expected to lose customers, and asked for help with the "
    "rent until the bridge reopens to everyone next year.",
)
SENTENCE_HEADING = (
    "Residents who cross the river every day to work will have to take the ferry or drive "
    "around by the ring road."
)


def _page() -> str:
    first, second, third = BODY
    return (
        f"<html><head><title>{TITLE}</title></head><body><article><h1>{TITLE}</h1>"
        f"<h2>{STANDFIRST}</h2><p>{first}</p><p>{second}</p><h2>{SENTENCE_HEADING}</h2>"
        f"<p>{third}</p></article></body></html>"
    )


def test_a_sentence_heading_inside_the_body_is_read_as_a_paragraph() -> None:
    article = extract(_page(), kind=SourceKind.HTML)
    first, second, third = BODY
    assert article.body_text == "\n\n".join((TITLE, first, second, SENTENCE_HEADING, third))


def test_the_sentence_heading_before_the_body_is_still_the_standfirst() -> None:
    article = extract(_page(), kind=SourceKind.HTML)
    assert article.description == STANDFIRST
    assert STANDFIRST not in article.body_text
