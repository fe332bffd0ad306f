"""The editors' review page (``embed --review``) in headless Chromium, on an episode
built with the real voice and a hand-written check.json of two flags.

Screenshots go to tests/artifacts/ (git-ignored) for a person to look at.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from articleaudio.models import Cue, Role
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from articleaudio.web import publish_review

from ..support.check_reports import flag_record, report_record, write_report
from ..support.paths import ARTIFACTS

pytestmark = pytest.mark.slow  # the real Piper voice

ELEMENT = "document.querySelector('article-audio')"
AUDIO = f"{ELEMENT}.audio"
ROOT = f"{ELEMENT}.shadowRoot"
ARTICLE = """# Harbour council approves repairs

The council met on Tuesday evening. It approved twelve million euros for the harbour wall.
Work starts in May and ends next spring.
"""
HOSTILE_HEARD = '<img src=x onerror="window.pwned=1"></script>'
# Logs, from inside the page, every play and pause with the audio's time then.
WATCH_PLAYBACK = """() => {
  const audio = document.querySelector('article-audio').audio;
  window.playback = [];
  for (const type of ['playing', 'pause']) {
    audio.addEventListener(type, () => window.playback.push([type, audio.currentTime]));
  }
}"""
# The audio's time is sampled every frame, and a pause has no exact moment: the
# page stops within a frame or two of the sentence's end.
STOP_SLACK = 0.25


@dataclass(frozen=True)
class Review:
    """The built episode's review page and the two flagged sentences, by flag rank."""

    page: Path
    flagged: tuple[Cue, Cue]
    plain: Cue
    """A cue with no flag (the title)."""


@pytest.fixture(scope="module")
def review(tmp_path_factory: pytest.TempPathFactory) -> Review:
    base = tmp_path_factory.mktemp("review")
    (base / "harbour.md").write_text(ARTICLE, encoding="utf-8")
    # One process: for five short sentences, starting synthesis workers costs more
    # than it saves (about 14 s against 31 s here, the voice already prepared).
    settings = BuildSettings(output=base / "library", jobs=1)
    built = build_episode(str(base / "harbour.md"), settings)
    timeline = built.episode.timeline
    sentences = [c for c in timeline.cues if c.role is Role.SENTENCE]
    first, second = sentences[1], sentences[0]  # flag 1 is the later sentence (higher score)
    flags = [
        flag_record(first.index, timeline, kind="number", score=0.9, heard="twelve million"),
        flag_record(second.index, timeline, score=0.6, heard=HOSTILE_HEARD, suggestion="A=B"),
    ]
    write_report(built.directory, report_record(built.episode.slug, timeline, flags))
    page = publish_review(built.directory.parent.parent, built.episode.slug)
    return Review(page, (first, second), timeline.cues[0])


def open_review(page: Any, review: Review) -> None:
    page.goto(review.page.as_uri())
    page.wait_for_function(f"{AUDIO} && {AUDIO}.readyState >= 1", timeout=10_000)
    page.evaluate(WATCH_PLAYBACK)


def current_time(page: Any) -> float:
    return float(page.evaluate(f"{AUDIO}.currentTime"))


def assert_plays_just(page: Any, cue: Cue) -> None:
    """The audio plays from the cue's start and pauses at its end, by itself."""
    start, end = round(cue.start, 3), round(cue.end, 3)  # episode.json's millisecond times
    assert start - 0.01 <= current_time(page) < start + 0.5
    timeout = int((end - start) * 1000) + 10_000
    page.wait_for_function(f"{AUDIO}.paused && {AUDIO}.currentTime > {start}", timeout=timeout)
    log = page.evaluate("window.playback")
    kinds = [kind for kind, _ in log]
    assert kinds[-1] == "pause" and "playing" in kinds, log
    started = next(at for kind, at in log if kind == "playing")
    assert start - 0.01 <= started < start + 0.3, log
    assert end <= log[-1][1] < end + STOP_SLACK, log
    assert end <= current_time(page) < end + STOP_SLACK


def test_both_flagged_sentences_are_marked_and_labelled(page: Any, review: Review) -> None:
    open_review(page, review)
    marked = page.locator("article-audio .aa-cue.aa-flagged")
    assert marked.count() == 2
    indexes = sorted(int(marked.nth(i).get_attribute("data-index") or -1) for i in range(2))
    assert indexes == sorted(c.index for c in review.flagged)
    first = page.locator(f"article-audio .aa-cue[data-index='{review.flagged[0].index}']")
    label = first.get_attribute("aria-label") or ""
    assert label.startswith(f"Flagged sentence (flag 1): {review.flagged[0].text} ")
    assert "Number heard differently: heard “twelve million”, meant “" in label
    # The visible mark: the flag's number before the sentence, and a wavy underline.
    before = first.evaluate("n => getComputedStyle(n, '::before').content")
    assert before == '"⚑" "1" " "' or before.startswith('"⚑1')
    assert first.evaluate("n => getComputedStyle(n).textDecorationStyle") == "wavy"
    assert page.locator("article-audio .aa-cue:not(.aa-flagged)[aria-label]").count() == 0
    # The list, highest score first; report text shown as text, never run.
    buttons = page.locator("article-audio .aa-flag")
    assert buttons.count() == 2
    assert buttons.nth(0).locator(".aa-flag-kind").text_content() == "1. Number heard differently"
    assert buttons.nth(1).locator(".aa-flag-text").text_content() == review.flagged[1].text
    why = buttons.nth(1).locator(".aa-flag-why").text_content() or ""
    assert f"heard “{HOSTILE_HEARD}”" in why
    assert page.evaluate("window.pwned") is None
    assert page.evaluate(f"{ROOT}.querySelectorAll('img, script').length") == 0
    summary = page.locator("article-audio .aa-review-summary").text_content() or ""
    assert summary.startswith("2 of ") and "heard by tiny.en" in summary
    assert page.title().startswith("Review: ")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "review-page.png"), full_page=True)


def test_clicking_the_second_flag_plays_just_its_sentence(page: Any, review: Review) -> None:
    open_review(page, review)
    page.locator("article-audio .aa-flag").nth(1).click()
    assert_plays_just(page, review.flagged[1])


def test_enter_on_the_focused_flag_plays_just_its_sentence(page: Any, review: Review) -> None:
    open_review(page, review)
    focused = f"{ROOT}.activeElement?.dataset?.index ?? null"
    target = str(review.flagged[1].index)
    for _ in range(12):  # from the page's start, past the player's controls and flag 1
        page.keyboard.press("Tab")
        if page.evaluate(focused) == target:
            break
    assert page.evaluate(f"{ROOT}.activeElement.className") == "aa-flag"
    assert page.evaluate(focused) == target, "Tab never reached the second flag"
    page.keyboard.press("Enter")
    assert_plays_just(page, review.flagged[1])


def test_a_marked_sentence_plays_alone_and_a_seek_elsewhere_plays_on(
    page: Any, review: Review
) -> None:
    open_review(page, review)
    cue = review.flagged[0]
    page.locator(f"article-audio .aa-cue[data-index='{cue.index}']").click()
    assert_plays_just(page, cue)
    # While a flagged sentence plays, a click on another sentence leaves the clip:
    # the audio plays on past that sentence's end, as in the public player.
    page.locator(f"article-audio .aa-cue[data-index='{review.flagged[1].index}']").click()
    page.wait_for_function(f"{AUDIO}.currentTime > {review.flagged[1].start + 0.3}")
    page.locator(f"article-audio .aa-cue[data-index='{review.plain.index}']").click()
    assert review.plain.start - 0.01 <= current_time(page) < review.plain.end
    passed = review.plain.end + 0.4
    page.wait_for_function(f"{AUDIO}.currentTime > {passed}", timeout=15_000)
    assert page.evaluate(f"{AUDIO}.paused") is False
