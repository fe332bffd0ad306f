"""Widget text in HTML bodies: players, caption menus, buttons and hidden bars go by their markup.

Every page here is synthetic. The widget labels are chosen so that no phrase list
could catch them (no 'Share', 'Play', 'Read more' alone): only the markup says
they are controls, so a test passes only if the markup rule works.
"""

from __future__ import annotations

import json

import pytest
from lxml import html as lxml_html

from articleaudio.extract.article import extract
from articleaudio.extract.ingest import SourceKind
from articleaudio.extract.widgets import prune_widgets

PARAGRAPHS = (
    "The river rose by almost two metres overnight, and by dawn the water had reached the steps "
    "of the town hall on the market square.",
    "Emergency crews moved forty families from the lowest streets before midnight, the mayor "
    "said, and opened the sports centre as a shelter for those with nowhere else to go.",
    "Forecasters expect the rain to ease on Thursday, but the river is not likely to fall below "
    "its banks until the weekend, when the upstream reservoirs stop releasing water.",
    "Farmers downstream said the flooded fields would not be planted again this season, and "
    "asked the regional government for help with the cost of the lost harvest.",
    "The mayor said the town would review its flood defences once the water had gone, starting "
    "with the wall along the old quay that failed shortly after three in the morning.",
)
TITLE = "Floods reach the town square as the river bursts its banks"


def _page(*inserts: str) -> str:
    """An article page; ``inserts[i]`` goes after paragraph ``i``."""
    body = []
    for i, paragraph in enumerate(PARAGRAPHS):
        body.append(f"<p>{paragraph}</p>")
        if i < len(inserts):
            body.append(inserts[i])
    return (
        f"<html><head><title>{TITLE}</title></head><body>"
        "<header><a href='/'>The Valley Courier</a></header>"
        f"<article><h1>{TITLE}</h1>{''.join(body)}</article>"
        "<footer><p>The Valley Courier, 12 Quay Street</p></footer></body></html>"
    )


VIDEO_PLAYER = """
<div class="media-block">
  <video src="flood.mp4" poster="flood.jpg">
    <track kind="captions" srclang="en" label="English captions">
    Your browser cannot show this clip of the quay.
  </video>
  <div class="controls">
    <div role="button" tabindex="0">Pause the clip for a moment</div>
    <button type="button" aria-label="Mute">Turn the sound down</button>
    <div role="slider" aria-valuenow="0">Elapsed 0:00 of 2:31</div>
    <ul role="menu">
      <li role="menuitemradio">Captions switched off</li>
      <li role="menuitemradio">Subtitles in English</li>
      <li role="menuitemradio">Sous-titres en français</li>
    </ul>
  </div>
  <p class="now-playing">Now showing: water pours over the quay wall at dawn</p>
</div>
"""
PLAYER_FIGURE = """
<figure class="lead-video">
  <iframe src="https://player.example/embed/123"></iframe>
  <figcaption>Drone footage shows the flooded streets around the market from above</figcaption>
</figure>
"""
READ_MORE = """
<button type="button" class="expand">Read more</button>
<div class="more"><span role="button" tabindex="0">Show me the whole report please</span></div>
"""
HIDDEN_SHARE_BAR = """
<div class="share-bar" aria-hidden="true">
  <a href="https://social.example/post">Post this story to your friends</a>
  <a href="sms:">Send it by text message</a>
</div>
<div hidden><p>Thanks for waiting while we load the comments section for you.</p></div>
"""
LINK_CARD = """
<div class="inline-story"><ul><li>
  <h3><span>New</span> <a href="/s">Council votes to rebuild the old quay wall by spring</a></h3>
</li></ul></div>
"""
SOCIAL_POST = """
<p><em>See how the water came in:</em></p>
<div class="embed"><blockquote class="post">
  <p lang="en">Quay wall gone at 3am, water everywhere <a href="https://t.example/x">pic.example/x</a></p>
  — River Watch (@riverwatch) <a href="https://social.example/riverwatch/1">March 3, 2026</a>
</blockquote></div>
"""
WIDGET_TEXT = (
    "Pause the clip",
    "Turn the sound down",
    "Elapsed 0:00",
    "Captions switched off",
    "Subtitles in English",
    "Sous-titres",
    "Your browser cannot",
    "Now showing",
    "Drone footage",
    "Read more",
    "whole report",
    "Post this story",
    "text message",
    "load the comments",
    "rebuild the old quay",
    "See how the water came in",
    "water everywhere",
    "riverwatch",
)


@pytest.fixture(scope="module")
def text() -> str:
    page = _page(VIDEO_PLAYER, PLAYER_FIGURE + SOCIAL_POST, READ_MORE, HIDDEN_SHARE_BAR + LINK_CARD)
    return extract(page, kind=SourceKind.HTML).body_text


@pytest.mark.parametrize("label", WIDGET_TEXT)
def test_widget_text_is_not_read(text: str, label: str) -> None:
    assert label not in text


def test_the_article_is_exactly_headline_and_paragraphs(text: str) -> None:
    assert text == "\n\n".join((TITLE, *PARAGRAPHS))


def _pruned(fragment: str) -> str:
    tree = lxml_html.document_fromstring(f"<html><body>{fragment}</body></html>")
    prune_widgets(tree)
    return " ".join("".join(tree.itertext()).split())


def test_an_aria_hidden_drop_cap_inside_a_paragraph_is_kept() -> None:
    # Removing an inline hidden letter would cut the word; a screen reader reading the
    # paragraph as a whole still gets it from the visible text.
    assert _pruned('<p><span aria-hidden="true">T</span>he river rose.</p>') == "The river rose."


def test_collapsed_text_hidden_until_found_is_kept() -> None:
    assert _pruned('<div hidden="until-found"><p>The rest.</p></div>') == "The rest."


def test_a_lead_in_line_before_a_player_goes_with_it() -> None:
    fragment = "<p>Watch the moment the wall gave way:</p><video src='a.mp4'>x</video><p>After.</p>"
    assert _pruned(fragment) == "After."


def test_a_lead_in_line_before_a_picture_stays() -> None:
    fragment = "<p>The survey found three things:</p> <ul><li>One thing.</li></ul>"
    assert _pruned(fragment) == "The survey found three things: One thing."


def test_an_embedded_social_post_goes_with_its_lead_in() -> None:
    assert _pruned(SOCIAL_POST + "<p>After.</p>") == "After."


def test_a_quotation_signed_by_a_person_stays() -> None:
    fragment = (
        "<p>She wrote:</p><blockquote><p>We will <a href='/r'>rebuild</a> the wall.</p>"
        "— Mayor Anna Berg (in a letter)</blockquote>"
    )
    assert _pruned(fragment) == "She wrote:We will rebuild the wall.— Mayor Anna Berg (in a letter)"


def test_a_list_item_whose_heading_is_a_link_is_a_teaser_card() -> None:
    fragment = (
        "<ul><li><h3><span>Updated</span><a href='/x'>Bridge closed after cracks found</a></h3>"
        "<p>Engineers will inspect it.</p></li></ul><p>Kept.</p>"
    )
    assert _pruned(fragment) == "Kept."


def test_a_list_item_that_is_prose_with_a_link_stays() -> None:
    fragment = "<ul><li>The council <a href='/x'>voted</a> on Monday to close the bridge.</li></ul>"
    assert _pruned(fragment) == "The council voted on Monday to close the bridge."


def test_the_player_wrapper_stops_at_the_article_prose() -> None:
    # The player sits beside two prose paragraphs inside one div: only the player goes.
    first, second = PARAGRAPHS[:2]
    fragment = (
        f"<div><p>{first}</p> <div><video src='a.mp4'></video><button>Stop it</button></div>"
        f"<p>{second}</p></div>"
    )
    assert _pruned(fragment) == f"{first} {second}"


def test_a_hidden_wrapper_around_the_article_prose_is_still_read() -> None:
    # A consent dialog open at load time: the page hides its content from screen readers
    # until it is closed. The prose is the article, whatever the attribute says.
    page = _page().replace("<article>", "<div aria-hidden='true'><article>")
    page = page.replace("</article>", "</article></div><div role='dialog'>We use cookies.</div>")
    assert extract(page, kind=SourceKind.HTML).body_text == "\n\n".join((TITLE, *PARAGRAPHS))


def test_the_rest_of_a_story_hidden_behind_read_more_is_read() -> None:
    rest = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:])
    page = _page().replace("".join(f"<p>{p}</p>" for p in PARAGRAPHS[2:]), "")
    page = page.replace(
        "</article>", f"<button>Read more</button><div hidden>{rest}</div></article>"
    )
    assert extract(page, kind=SourceKind.HTML).body_text == "\n\n".join((TITLE, *PARAGRAPHS))


def test_a_cms_body_html_loses_its_widgets_too() -> None:
    body = "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2]) + VIDEO_PLAYER + HIDDEN_SHARE_BAR
    data = json.dumps({"title": TITLE, "body_html": body})
    text = extract(data, kind=SourceKind.JSON).body_text
    assert text == "\n\n".join((TITLE, *PARAGRAPHS[:2]))
