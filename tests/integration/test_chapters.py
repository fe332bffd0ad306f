"""Chapters of articles without headings, and the pause between headline and byline.

Chapter times come from the Timeline of a real build (decoded MP3 lengths agree
with it elsewhere); the grouping is made before synthesis from an estimate, so the
balance is measured on what the build produced, with the fake voice and the real one.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest

from articleaudio.encode.ffmpeg import ffmpeg_path
from articleaudio.library.write import Built
from articleaudio.models import Cue, Role, Timeline
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from articleaudio.text.segment import TITLE_END_WORDS, SpeechSettings, _group_title
from articleaudio.text.sentences import split_sentences

from ..support.fake_synthesizer import FakeSynthesizer

PARAGRAPHS = [
    "The city council voted on Tuesday night to close the old swimming baths on Mill Lane "
    "after engineers found that the roof could no longer carry the weight of winter snow.",
    "The decision came after a long meeting.",
    "Residents who had campaigned for two years to keep the baths open filled the public "
    "gallery, and several of them spoke before the vote. One swimmer, who has used the pool "
    "every morning since 1984, said the building was the only place in the district where "
    "older people could exercise without paying private club fees. Another said her "
    "children had learned to swim there, as she had, and that the nearest other pool was "
    "two bus rides away.",
    "Council officers said the repairs would cost more than four million pounds.",
    "The leader of the council said the vote was the hardest the chamber had faced this "
    "year. She said the authority had looked at every way of paying for a new roof, "
    "including a loan, a sale of land behind the baths and a partnership with a private "
    "operator, and that none of them would have kept the pool open without cutting money "
    "from schools or social care.",
    "Opposition members asked for the vote to be delayed until the spring.",
    "They argued that a national fund for community sport, due to open for bids in March, "
    "might cover part of the cost, and that closing the building now would make it harder "
    "to reopen later. The motion to delay was defeated by four votes.",
    "The baths will close at the end of next month. Swimming lessons for schools will move "
    "to the leisure centre on the ring road, and the council said it would pay for the "
    "buses. Campaigners said they would ask the courts to review the decision and would "
    "keep collecting signatures in the meantime.",
    "A spokesperson for the campaign said the fight was not over.",
    "The baths opened in 1911 and were paid for by a public subscription among the mill "
    "workers of the town, who had no bathrooms at home. For decades the building held "
    "washing cubicles as well as the pool, and the tiled entrance hall still carries the "
    "names of the families who gave money.",
    "Historians say the building is one of the last of its kind in the north.",
    "The heritage society has asked for the baths to be listed, which would stop any "
    "demolition while the future of the site is decided. The council said it had no plans "
    "to demolish the building and would look for a buyer who could bring it back into use, "
    "perhaps as a market hall or a theatre, if the courts upheld the decision to close it.",
]
ARTICLE = (
    "Council votes to close the Mill Lane baths\n\nBy Priya Raman\n\n"
    + "\n\n".join(PARAGRAPHS)
    + "\n"
)
PUNCTUATION = '.,;:"“”‘’'
BALANCE = 1.6
"""Longest chapter / shortest chapter, measured; the grouping works in whole paragraphs."""


def _build(
    tmp_path: Path, fake: bool, speech: SpeechSettings | None = None, article: str = ARTICLE
) -> Built:
    source = tmp_path / "article.md"
    source.write_text(article, encoding="utf-8")
    settings = BuildSettings(output=tmp_path / "out", speech=speech or SpeechSettings())
    return build_episode(str(source), settings, synthesizer=FakeSynthesizer() if fake else None)


def _check_chapters(timeline: Timeline, at_least: int) -> list[float]:
    chapters = timeline.chapters
    assert len(chapters) >= at_least
    assert chapters[0].title == SpeechSettings().intro_chapter_title
    first_of_paragraph: dict[int, Cue] = {}
    for cue in timeline.cues:
        first_of_paragraph.setdefault(cue.paragraph, cue)
    for chapter in chapters[1:]:
        cue = next(c for c in timeline.cues if c.start == chapter.start)
        assert first_of_paragraph[cue.paragraph] is cue, "chapters start at paragraphs"
        _assert_word_boundary_title(chapter.title, cue.text)
    lengths = [ch.end - ch.start for ch in chapters]
    assert chapters[-1].end == timeline.duration
    print("chapter seconds:", [round(n, 1) for n in lengths])
    return lengths


def _assert_word_boundary_title(title: str, sentence: str) -> None:
    words = [w.strip(PUNCTUATION) for w in sentence.split()]
    shown = [w.strip(PUNCTUATION) for w in title.removesuffix("…").split()]
    assert shown == words[: len(shown)], f"{title!r} is not cut at a word of {sentence!r}"
    if title.endswith("…"):
        assert shown[-1].lower() not in TITLE_END_WORDS
    else:
        assert len(shown) == len(words)


def test_chapters_without_headings_are_balanced_on_the_timeline(tmp_path: Path) -> None:
    lengths = _check_chapters(_build(tmp_path, fake=True).episode.timeline, at_least=2)
    assert max(lengths) / min(lengths) <= BALANCE, lengths


def test_short_chapters_are_balanced_too(tmp_path: Path) -> None:
    built = _build(tmp_path, fake=True, speech=SpeechSettings(chapter_seconds=25))
    lengths = _check_chapters(built.episode.timeline, at_least=5)
    assert max(lengths) / min(lengths) <= BALANCE, lengths


@pytest.mark.slow
def test_chapters_without_headings_are_balanced_with_the_real_voice(tmp_path: Path) -> None:
    # Half the article in shorter chapters: as many chapters as the whole gives at 50 s,
    # for half the synthesis.
    half = ARTICLE.split("\n\n")[: 2 + len(PARAGRAPHS) // 2]
    speech = SpeechSettings(chapter_seconds=25)
    built = _build(tmp_path, fake=False, speech=speech, article="\n\n".join(half) + "\n")
    lengths = _check_chapters(built.episode.timeline, at_least=3)
    assert max(lengths) / min(lengths) <= BALANCE, lengths


@pytest.mark.parametrize("paragraph", PARAGRAPHS)
def test_group_titles_end_at_a_whole_word(paragraph: str) -> None:
    sentence = split_sentences(paragraph)[0]
    _assert_word_boundary_title(_group_title(sentence), sentence)


def test_cut_title_does_not_hang_on_a_small_word() -> None:
    title = _group_title("The news of the miscarriage came a month after the announcement.")
    assert title == "The news of the miscarriage came…"


def _pcm(path: Path, rate: int = 16000) -> np.ndarray:
    raw = subprocess.run(
        [
            ffmpeg_path(),
            "-v",
            "error",
            "-i",
            str(path),
            "-ac",
            "1",
            "-ar",
            str(rate),
            "-f",
            "f32le",
            "-",
        ],
        capture_output=True,
        check=True,
    ).stdout
    return np.frombuffer(raw, dtype=np.float32)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".md", ".txt"])
def test_headline_and_byline_have_a_real_pause_between(tmp_path: Path, suffix: str) -> None:
    """A byline on the line under an unmarked headline is its own segment, after a pause
    that is silent in the decoded MP3 (real voice)."""
    source = tmp_path / f"storms{suffix}"
    source.write_text(
        "Flood barriers fail in March storms\nBy Priya Raman\n\n"
        + "\n\n".join(PARAGRAPHS[:2])
        + "\n",
        encoding="utf-8",
    )
    built = build_episode(str(source), BuildSettings(output=tmp_path / "out"))
    title, byline = built.episode.timeline.cues[:2]
    assert (title.role, title.text) == (Role.TITLE, "Flood barriers fail in March storms")
    assert (byline.role, byline.text) == (Role.BYLINE, "By Priya Raman.")
    assert byline.start - title.end >= 0.8
    audio = _pcm(built.directory / built.episode.files["audio"])
    gap = audio[int((title.end + 0.1) * 16000) : int((byline.start - 0.1) * 16000)]
    assert gap.size >= 0.6 * 16000
    assert float(np.abs(gap).max()) < 10 ** (-40 / 20)
