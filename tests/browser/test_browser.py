"""The player in real headless Chromium (Debian's ``chromium``, driven by Playwright).

Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from articleaudio import layout
from articleaudio.library.publish import default_artwork
from articleaudio.models import Role
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from articleaudio.web import player

from ..support.episodes import (
    BRIDGE,
    DISCLOSURE,
    HOSTILE_SENTENCE,
    HOSTILE_TITLE,
    LONG_WORD,
    make_library,
)
from ..support.fake_synthesizer import FakeSynthesizer
from ..support.paths import ARTIFACTS, SAMPLE
from ..support.servers import running_server

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

ELEMENT = "document.querySelector('article-audio')"
AUDIO = f"{ELEMENT}.audio"
CURRENT_CUE = f"{ELEMENT}.shadowRoot.querySelector('.aa-cue.aa-current')?.textContent ?? null"
CURRENT_WORD = f"{ELEMENT}.shadowRoot.querySelector('.aa-word.aa-current')?.textContent ?? null"
SLUG = "bridge"


@dataclass(frozen=True)
class Library:
    """Episodes on disk and the URL a real server publishes them at."""

    root: Path
    url: str

    def embed(self, slug: str) -> str:
        return (self.root / "episodes" / slug / layout.EMBED_FILE).as_uri()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    base = tmp_path_factory.mktemp("browser")
    root = base / "library"
    variants: dict[str, dict[str, bool]] = {
        SLUG: {},
        "hostile": {"hostile": True},
        "words": {"words": True},
    }
    for slug, options in variants.items():
        folder, episode = make_library(root, slug, **options)
        player.write_embed(folder, episode)
    with running_server(root) as url:
        yield Library(root, url)


def open_player(page: Any, url: str) -> None:
    page.goto(url)
    page.wait_for_function(f"{AUDIO} && {AUDIO}.readyState >= 1", timeout=10_000)


def current_time(page: Any) -> float:
    return float(page.evaluate(f"{AUDIO}.currentTime"))


def screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True, animations="disabled")
    return path


def test_disclosure_label_visible_by_default(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    label = page.locator("article-audio .aa-disclosure")
    assert label.is_visible()
    assert label.text_content() == DISCLOSURE
    box = label.bounding_box()
    assert box is not None and box["y"] < 100 and box["height"] > 10  # above the controls
    screenshot(page, "player-800-light.png")


@pytest.mark.parametrize("scheme", ["file", "http"])
def test_content_security_policy_lets_the_player_work(
    browser: Any, library: Library, scheme: str
) -> None:
    context = browser.new_context()  # CSP enforced
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    url = f"{library.url}/episodes/{SLUG}/" if scheme == "http" else library.embed(SLUG)
    page.goto(url)
    page.get_by_role("button", name="Play").click()
    page.get_by_role("button", name="Pause").wait_for(timeout=10_000)  # audio loaded and playing
    page.locator("article-audio .aa-cue.aa-current").wait_for(timeout=10_000)
    context.close()
    assert not [m for m in console if "Content Security Policy" in m]


def test_disclosure_links_to_the_explanation(page: Any, library: Library, tmp_path: Path) -> None:
    folder, episode = player.load_episode(library.root, SLUG)
    settings = player.PlayerSettings(disclosure_url="https://news.example/how-we-use-ai")
    html = player.render_embed(episode, settings)
    (folder / "embed-linked.html").write_text(html, encoding="utf-8")
    open_player(page, (folder / "embed-linked.html").as_uri())
    link = page.get_by_role("link", name=DISCLOSURE)
    assert link.get_attribute("href") == "https://news.example/how-we-use-ai"
    assert link.get_attribute("rel") == "noopener"


def test_play_advances_current_time_in_real_time(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(f"{AUDIO}.currentTime > 0.2", timeout=10_000)
    start_media, start_wall = current_time(page), time.monotonic()
    page.wait_for_timeout(1000)
    advanced = current_time(page) - start_media
    elapsed = time.monotonic() - start_wall
    assert page.evaluate(f"{AUDIO}.paused") is False
    assert 0.5 * elapsed < advanced < 1.5 * elapsed + 0.3
    assert page.get_by_role("button", name="Pause").is_visible()
    # MediaSession: lock screen and headset controls know what is playing.
    assert page.evaluate("navigator.mediaSession.metadata.title") == BRIDGE.lines[0].text
    page.get_by_role("button", name="Pause").click()
    assert page.evaluate(f"{AUDIO}.paused") is True


def test_media_session_shows_the_episode_art(page: Any, library: Library) -> None:
    # The article's image URL is relative to the article, not to the episode folder;
    # the lock screen gets the episode's own art file instead.
    folder, episode = make_library(library.root, "with-art")
    art = "art-0123456789ab.png"
    (folder / art).write_bytes(default_artwork())
    article = replace(episode.article, image="images/lead.jpg")
    episode = replace(episode, article=article, files={**episode.files, "art": art})
    player.write_embed(folder, episode)
    open_player(page, (folder / layout.EMBED_FILE).as_uri())
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("navigator.mediaSession.metadata !== null", timeout=10_000)
    src = page.evaluate("navigator.mediaSession.metadata.artwork[0].src")
    assert src == (folder / art).as_uri()


def test_speed_changes_playback_rate_and_is_remembered(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    speed = page.get_by_role("combobox", name="Playback speed")
    options = speed.locator("option").all_text_contents()
    assert options == ["0.75×", "1×", "1.25×", "1.5×", "1.75×", "2×"]
    speed.select_option("1.5")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5
    speed.select_option("0.75")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 0.75
    page.reload()
    page.wait_for_function(f"{AUDIO} && {AUDIO}.readyState >= 1")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 0.75
    assert speed.input_value() == "0.75"


def test_skip_buttons_and_seek_bar(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    page.get_by_role("button", name="Forward 15 seconds").click()
    assert current_time(page) == pytest.approx(15.0, abs=0.01)
    page.get_by_role("button", name="Back 15 seconds").click()
    assert current_time(page) == pytest.approx(0.0, abs=0.01)
    seek = page.get_by_role("slider", name="Seek")
    seek.fill("10")  # what dragging the thumb to 0:10 does
    assert current_time(page) == pytest.approx(10.0, abs=0.01)
    assert page.locator("article-audio .aa-elapsed").text_content() == "0:10"
    assert page.locator("article-audio .aa-total").text_content() == "0:20"
    # Written on the media element's timeupdate, which follows the seek by a task.
    sync_api.expect(seek).to_have_attribute("aria-valuetext", "10 s of 20 s")


# Counts, from inside the page, animation frames, timeupdate events and writes
# of the slider's aria-valuetext while the player plays.
COUNT_UPDATES = """() => {
  const player = document.querySelector('article-audio');
  const seek = player.shadowRoot.querySelector('.aa-seek');
  window.counts = { frames: 0, timeupdates: 0, valuetexts: 0 };
  const frame = () => { window.counts.frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  player.audio.addEventListener('timeupdate', () => window.counts.timeupdates++);
  new MutationObserver((records) => { window.counts.valuetexts += records.length; })
    .observe(seek, { attributeFilter: ['aria-valuetext'] });
}"""


def test_slider_speaks_at_timeupdate_pace_not_every_frame(page: Any, library: Library) -> None:
    open_player(page, library.embed("words"))
    page.evaluate(COUNT_UPDATES)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function(f"{AUDIO}.currentTime > 2.2", timeout=10_000)
    counts = page.evaluate("window.counts")
    # Words are highlighted every frame, but a screen reader hears the slider's
    # text change at most once a timeupdate, and only when its words change
    # (once a second here), instead of ~60 times a second.
    assert counts["frames"] > 2 * counts["timeupdates"] > 0, counts
    assert 2 <= counts["valuetexts"] <= min(counts["timeupdates"], 4), counts


@pytest.mark.parametrize("index", [1, 2])
def test_clicking_a_chapter_seeks_there(page: Any, library: Library, index: int) -> None:
    title, start = BRIDGE.chapters[index].title, BRIDGE.chapters[index].start
    open_player(page, library.embed(SLUG))
    button = page.locator("article-audio .aa-chapters button", has_text=title)
    button.click()
    assert start <= current_time(page) < start + 1.0
    assert button.get_attribute("aria-current") == "true"


def test_parts_fold_away(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    toggle = page.get_by_role("button", name="Chapters")
    assert toggle.get_attribute("aria-expanded") == "true"
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not page.locator("article-audio .aa-chapters ol").is_visible()
    toggle.click()
    assert page.locator("article-audio .aa-chapters ol").is_visible()


def test_clicking_a_sentence_seeks_to_it(page: Any, library: Library) -> None:
    line = BRIDGE.lines[7]
    text, start, end = line.text, line.start, line.end
    open_player(page, library.embed(SLUG))
    page.locator("article-audio .aa-cue", has_text=text).click()
    assert start <= current_time(page) < end
    assert page.evaluate(CURRENT_CUE) == text


# Logs (sentence, currentTime) whenever a sentence becomes highlighted, from
# inside the page, so the time is read in the same task as the change.
WATCH_HIGHLIGHT = """() => {
  const player = document.querySelector('article-audio');
  window.highlights = [];
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.target.classList.contains('aa-cue') && r.target.classList.contains('aa-current')) {
        window.highlights.push([r.target.textContent, player.audio.currentTime]);
      }
    }
  }).observe(player.shadowRoot, { subtree: true, attributeFilter: ['class'] });
}"""


def test_highlight_follows_playback(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    page.evaluate(f"{ELEMENT}.seekTo({BRIDGE.lines[4].start + 0.5}, false)")
    page.evaluate(WATCH_HIGHLIGHT)
    page.get_by_role("button", name="Play").click()
    page.wait_for_function("window.highlights.length >= 3", timeout=15_000)
    log = page.evaluate("window.highlights")
    # Each sentence lights up as it begins, in spoken order.
    expected = BRIDGE.lines[5:8]
    assert [text for text, _ in log[:3]] == [line.text for line in expected]
    for (_, at), line in zip(log, expected, strict=False):
        assert line.start <= at < line.start + 0.35, log
    assert page.locator("article-audio .aa-cue.aa-current").count() == 1
    screenshot(page, "player-highlight.png")


def test_word_highlight_when_cues_carry_words(page: Any, library: Library) -> None:
    line = BRIDGE.lines[4]
    text, start, end = line.text, line.start, line.end
    words = text.split()
    step = (end - start) / len(words)
    open_player(page, library.embed("words"))
    for i in (0, 3, len(words) - 1):
        page.evaluate(f"{ELEMENT}.seekTo({start + (i + 0.5) * step}, false)")
        assert page.evaluate(CURRENT_WORD) == words[i]
        assert page.evaluate(CURRENT_CUE) == " ".join(words)


def test_sentence_level_when_cues_have_no_words(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    page.evaluate(f"{ELEMENT}.seekTo(8, false)")
    assert page.evaluate(CURRENT_CUE) == BRIDGE.lines[4].text
    assert page.evaluate(CURRENT_WORD) is None
    assert page.locator("article-audio .aa-text").get_attribute("lang") == "en"


def test_keyboard_only(page: Any, library: Library) -> None:
    open_player(page, library.embed(SLUG))
    page.keyboard.press("Tab")  # first stop: the play button
    assert page.evaluate(f"{ELEMENT}.shadowRoot.activeElement.className") == "aa-play"
    page.keyboard.press("Enter")
    page.wait_for_function(f"!{AUDIO}.paused && {AUDIO}.currentTime > 0")
    page.keyboard.press("k")  # player shortcut: play/pause
    assert page.evaluate(f"{AUDIO}.paused") is True
    page.locator("article-audio .aa-cue").first.focus()
    for _ in range(4):
        page.keyboard.press("ArrowDown")
    focused = page.evaluate(f"{ELEMENT}.shadowRoot.activeElement.textContent")
    assert focused == BRIDGE.lines[4].text
    page.keyboard.press("Enter")
    assert BRIDGE.lines[4].start <= current_time(page) < BRIDGE.lines[4].end


def test_hostile_text_is_shown_as_text(page: Any, library: Library) -> None:
    open_player(page, library.embed("hostile"))
    root = f"{ELEMENT}.shadowRoot"
    title = page.evaluate(f"{root}.querySelector('.aa-title').textContent")
    assert title == HOSTILE_TITLE.replace("\u0007", "")  # controls have no glyph: dropped
    cue_texts = page.evaluate(f"[...{root}.querySelectorAll('.aa-cue')].map(n => n.textContent)")
    assert HOSTILE_SENTENCE in cue_texts
    assert any(LONG_WORD in t for t in cue_texts)
    assert page.evaluate("window.pwned") is None  # no injected script ran
    assert page.evaluate(f"{root}.querySelectorAll('img, script').length") == 0
    assert page.evaluate("document.querySelectorAll('script').length") == 2  # data + player
    assert page.title() == HOSTILE_TITLE.replace("\u0007", "")
    # A 10,000-character word wraps instead of widening the page.
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    screenshot(page, "player-hostile.png")


def test_narrow_phone_and_dark_mode(browser: Any, library: Library) -> None:
    for scheme, width, name in (("light", 320, "player-320.png"), ("dark", 800, "player-dark.png")):
        context = browser.new_context(
            viewport={"width": width, "height": 800}, color_scheme=scheme, bypass_csp=True
        )
        page = context.new_page()
        open_player(page, library.embed("hostile"))
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        for control in ("Play", "Back 15 seconds", "Forward 15 seconds"):
            box = page.get_by_role("button", name=control).bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width
            assert box["height"] >= 40  # touch target
        # The transcript scrolls inside the frame to keep the spoken sentence in view.
        page.evaluate(f"{ELEMENT}.seekTo({BRIDGE.lines[7].start + 0.5}, false)")
        box, cue = (
            page.evaluate(f"{ELEMENT}.shadowRoot.querySelector('{sel}').getBoundingClientRect()")
            for sel in (".aa-text", ".aa-cue.aa-current")
        )
        assert box["top"] <= cue["top"] and cue["bottom"] <= box["bottom"], (box, cue)
        assert box["bottom"] <= 800
        background = page.evaluate(
            f"getComputedStyle({ELEMENT}.shadowRoot.querySelector('.aa')).backgroundColor"
        )
        channels = [int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]]
        assert (sum(channels) < 150) == (scheme == "dark"), background
        screenshot(page, name)
        context.close()


def test_iframe_snippet_plays_from_the_server(page: Any, library: Library) -> None:
    folder = library.root / "episodes" / SLUG
    episode = player.load_episode(library.root, SLUG)[1]
    host = library.root / "iframe-host.html"
    snippet = player.embed_snippet(episode, library.url)
    host.write_text(f"<!doctype html><title>Host</title><h1>News</h1>{snippet}")
    page.goto(f"{library.url}/iframe-host.html")
    frame = page.frame_locator("iframe")
    assert frame.locator("article-audio .aa-disclosure").text_content() == DISCLOSURE
    frame.get_by_role("button", name="Play").click()
    inner = page.frames[1]
    inner.wait_for_function(f"{AUDIO}.currentTime > 0.3", timeout=10_000)
    assert inner.url == f"{library.url}/episodes/{SLUG}/embed.html"
    # The player fits the frame: its card ends inside it instead of being cut off.
    card = inner.evaluate(
        f"{ELEMENT}.shadowRoot.querySelector('.aa').getBoundingClientRect().bottom"
    )
    assert card <= inner.evaluate("innerHeight")
    assert (folder / layout.EMBED_FILE).is_file()
    screenshot(page, "player-iframe.png")


HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge</title></head>
<body><article>
<h1>Harbour bridge reopens after repairs</h1>
$snippet
<h2>What changed</h2>
<p>The  bridge opened at dawn on <em>Monday</em>.
   Crews had worked on it for nine months.</p>
<p>TOLLS return in the spring — the council said. Cyclists get a wider lane on the east side.</p>
<p>An unrelated paragraph that the audio does not read.</p>
</article></body></html>
"""


def test_script_embed_follows_the_host_page(page: Any, library: Library) -> None:
    episode = player.load_episode(library.root, SLUG)[1]
    snippet = player.script_snippet(episode, library.url)
    (library.root / "script-host.html").write_text(HOST_PAGE.replace("$snippet", snippet))
    open_player(page, f"{library.url}/script-host.html")
    assert page.locator("article-audio .aa-disclosure").text_content() == DISCLOSURE
    toggle = page.get_by_role("button", name="Transcript")
    assert toggle.get_attribute("aria-expanded") == "false"  # the page itself is the transcript
    assert not page.locator("article-audio .aa-text").is_visible()
    paragraphs = page.locator("article > p")
    linked = [paragraphs.nth(i).get_attribute("data-article-audio-paragraph") for i in range(3)]
    assert linked == ["1", "3", None]  # matched by fingerprint, the stray one left alone
    paragraphs.nth(1).click()
    start, end = BRIDGE.lines[7].start, BRIDGE.lines[7].end
    assert start <= current_time(page) < end
    page.wait_for_function(f"{AUDIO}.currentTime > {start + 0.3}", timeout=10_000)
    assert paragraphs.nth(1).get_attribute("data-article-audio-reading") == ""
    assert paragraphs.nth(0).get_attribute("data-article-audio-reading") is None
    screenshot(page, "script-embed.png")


LIST_HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge</title></head>
<body><article>
<h1>Harbour bridge reopens after repairs</h1>
$snippet
<h2>What changed</h2>
<p>The bridge opened at dawn on Monday. Crews had worked on it for nine months.</p>
<h2>What comes next</h2>
<ul><li>Tolls return in the spring, the council said.
Cyclists get a wider lane on the east side.</li></ul>
</article></body></html>
"""


def host_page(page: Any, library: Library, template: str, name: str) -> None:
    episode = player.load_episode(library.root, SLUG)[1]
    snippet = player.script_snippet(episode, library.url)
    (library.root / name).write_text(template.replace("$snippet", snippet))
    open_player(page, f"{library.url}/{name}")
    page.wait_for_selector("[data-article-audio-paragraph]", timeout=10_000)


def test_script_embed_highlights_list_items(page: Any, library: Library) -> None:
    # Issue 13 item 15: a list item is read as a paragraph, so the host page's <li>
    # is linked, highlighted while it is read and plays from a click.
    host_page(page, library, LIST_HOST_PAGE, "list-host.html")
    item = page.locator("article > ul > li")
    assert item.get_attribute("data-article-audio-paragraph") == "3"
    heading = page.locator("article > h2").nth(1)
    assert heading.get_attribute("data-article-audio-paragraph") == "2"
    start, end = BRIDGE.lines[7].start, BRIDGE.lines[7].end
    item.click()
    assert start <= current_time(page) < end
    page.wait_for_function(f"{AUDIO}.currentTime > {start + 0.3}", timeout=10_000)
    assert item.get_attribute("data-article-audio-reading") == ""


def test_script_embed_host_paragraphs_work_by_keyboard(page: Any, library: Library) -> None:
    host_page(page, library, LIST_HOST_PAGE, "keys-host.html")
    paragraph = page.locator("article > p")
    focused = "document.activeElement?.dataset?.articleAudioParagraph ?? null"
    for _ in range(30):  # past the player's own controls, to the first host block
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "1":
            break
    assert page.evaluate(focused) == "1", "Tab never reached the host paragraph"
    # The focus is visible: the host style draws an outline round the paragraph.
    assert paragraph.evaluate("n => getComputedStyle(n).outlineStyle") == "solid"
    assert paragraph.get_attribute("role") == "button"
    assert page.locator("article > ul > li").get_attribute("role") is None  # stays a list item
    page.keyboard.press("Enter")
    start, end = BRIDGE.lines[4].start, BRIDGE.lines[4].end
    assert start <= current_time(page) < end
    page.wait_for_function(f"!{AUDIO}.paused", timeout=10_000)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the second heading, then the list item
    assert page.evaluate(focused) == "3"
    scroll = page.evaluate("scrollY")
    page.keyboard.press(" ")
    start, end = BRIDGE.lines[7].start, BRIDGE.lines[7].end
    assert start <= current_time(page) < end
    assert page.evaluate("scrollY") == scroll  # Space played; it did not scroll the page
    screenshot(page, "script-embed-keyboard.png")


def test_host_highlight_is_themed_with_custom_properties(page: Any, library: Library) -> None:
    themed = LIST_HOST_PAGE.replace(
        "</title>",
        "</title><style>:root { --article-audio-highlight: rgb(0, 128, 0);"
        " --article-audio-focus: rgb(200, 0, 0); }</style>",
    )
    host_page(page, library, themed, "themed-host.html")
    item = page.locator("article > ul > li")
    item.click()
    page.wait_for_selector("[data-article-audio-reading]", timeout=10_000)
    assert item.evaluate("n => getComputedStyle(n).backgroundColor") == "rgb(0, 128, 0)"
    assert item.evaluate("n => getComputedStyle(n).boxShadow").startswith("rgb(0, 128, 0)")
    page.locator("article > h2").first.focus()
    page.keyboard.press("Tab")  # from the heading before it: a keyboard focus
    paragraph = page.locator("article > p")
    assert paragraph.evaluate("n => n === document.activeElement")
    assert paragraph.evaluate("n => getComputedStyle(n).outlineColor") == "rgb(200, 0, 0)"


def test_host_highlight_default_colour(page: Any, library: Library) -> None:
    host_page(page, library, LIST_HOST_PAGE, "default-host.html")
    item = page.locator("article > ul > li")
    item.click()
    page.wait_for_selector("[data-article-audio-reading]", timeout=10_000)
    assert item.evaluate("n => getComputedStyle(n).backgroundColor") == "rgba(255, 213, 79, 0.35)"


# Counts the page's requestAnimationFrame calls, the player's included.
COUNT_FRAMES = """
window.frameRequests = 0;
const request = window.requestAnimationFrame.bind(window);
window.requestAnimationFrame = (callback) => { window.frameRequests++; return request(callback); };
"""
LINK_ATTRIBUTES = """[...document.querySelectorAll('article > *')].flatMap((n) =>
  ['data-article-audio-paragraph', 'data-article-audio-reading', 'tabindex', 'role']
    .filter((a) => n.hasAttribute(a)))"""


def test_removed_player_stops_and_gives_the_page_back(page: Any, library: Library) -> None:
    page.add_init_script(COUNT_FRAMES)
    host_page(page, library, LIST_HOST_PAGE, "removed-host.html")
    page.locator("article > ul > li").click()
    page.wait_for_function(f"{AUDIO}.currentTime > 13.5", timeout=10_000)
    # A move within the page (out and back in one task) keeps it playing.
    page.evaluate(f"(p => p.parentNode.append(p))({ELEMENT})")
    page.wait_for_timeout(200)
    assert page.evaluate(f"{AUDIO}.paused") is False
    assert page.evaluate(f"{ELEMENT}.shadowRoot.querySelectorAll('.aa').length") == 1
    page.evaluate(f"window.removed = {ELEMENT}; window.removed.remove()")
    page.wait_for_function("window.removed.audio === null", timeout=5_000)
    frames = page.evaluate("window.frameRequests")
    page.wait_for_timeout(300)
    assert page.evaluate("window.frameRequests") == frames  # its animation loop ended
    assert page.evaluate(LINK_ATTRIBUTES) == []  # every attribute it added is gone
    assert page.evaluate("window.removed.shadowRoot.childElementCount") == 0
    assert page.evaluate("navigator.mediaSession.metadata") is None
    page.locator("article > p").click()  # no longer a player's paragraph: nothing happens
    # Put back, it is a whole player again.
    page.evaluate("document.querySelector('article').prepend(window.removed)")
    page.wait_for_selector("[data-article-audio-paragraph]", timeout=10_000)
    page.locator("article > p").click()
    page.wait_for_function(f"!{AUDIO}.paused", timeout=10_000)
    assert BRIDGE.lines[4].start <= current_time(page) < BRIDGE.lines[4].end


def test_changing_src_loads_the_other_episode(page: Any, library: Library) -> None:
    host_page(page, library, LIST_HOST_PAGE, "switch-host.html")
    title = f"{ELEMENT}.shadowRoot.querySelector('.aa-title')?.textContent ?? null"
    assert page.evaluate(title) == BRIDGE.lines[0].text
    page.evaluate(f"{ELEMENT}.setAttribute('src', '{library.url}/episodes/hostile/episode.json')")
    # Waits for the new title itself: while the player reloads there is none at all.
    hostile = HOSTILE_TITLE.replace("\u0007", "")
    page.wait_for_function(f"({title}) === {json.dumps(hostile)}", timeout=10_000)
    assert page.evaluate(f"{ELEMENT}.shadowRoot.querySelectorAll('.aa').length") == 1
    # The hostile episode's paragraph 1 reads otherwise: that block is unlinked.
    assert page.locator("article > p").get_attribute("data-article-audio-paragraph") is None
    assert page.locator("article > ul > li").get_attribute("data-article-audio-paragraph") == "3"
    page.evaluate(f"{ELEMENT}.removeAttribute('follow-page')")
    linked = "document.querySelectorAll('[data-article-audio-paragraph]').length"
    page.wait_for_function(f"{AUDIO} !== null && {linked} === 0", timeout=10_000)


def test_real_built_episode(page: Any, tmp_path: Path) -> None:
    # The lead's pipeline end to end (fake voice for speed), then the player on top.
    sample = SAMPLE
    settings = BuildSettings(output=tmp_path / "out")
    built = build_episode(str(sample), settings, synthesizer=FakeSynthesizer())
    player.write_embed(built.directory, built.episode)
    timeline = built.episode.timeline
    open_player(page, (built.directory / layout.EMBED_FILE).as_uri())
    label = page.locator("article-audio .aa-disclosure")
    assert label.is_visible() and label.text_content() == built.episode.disclosure
    # The MP3 the browser decodes is as long as the timeline says.
    assert page.evaluate(f"{AUDIO}.duration") == pytest.approx(timeline.duration, abs=0.15)
    titles = page.locator("article-audio .aa-chapter-title").all_text_contents()
    assert titles == [ch.title for ch in timeline.chapters]
    sentences = [c for c in timeline.cues if c.role is Role.SENTENCE]
    target, following = sentences[2], timeline.cues[sentences[2].index + 1]
    page.locator("article-audio .aa-cue", has_text=target.text).click()
    # episode.json carries times to the millisecond (Timeline.to_dict).
    assert round(target.start, 3) <= current_time(page) < target.end
    page.evaluate(f"{AUDIO}.currentTime = {target.end - 0.4}")
    page.wait_for_function(f"({CURRENT_CUE}) === {json.dumps(following.text)}", timeout=10_000)
    assert round(following.start, 3) <= current_time(page) < following.end
    screenshot(page, "player-built-episode.png")
