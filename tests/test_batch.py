"""Batch builds keep the workers busy: the next article is queued before the current one
is mastered, and every queued sentence is used exactly once."""

from __future__ import annotations

from concurrent.futures import Future
from pathlib import Path

import pytest

from articleaudio import pipeline
from articleaudio.pipeline import build_all
from articleaudio.settings import BuildSettings
from articleaudio.synth.cache import Cache
from articleaudio.synth.synthesize import Piece
from articleaudio.synth.workers import Synthesis

from .fakes import FakeSynthesizer


class RecordingPool:
    """Stands in for the worker processes: synthesises at once and logs the order."""

    def __init__(self, events: list[str]) -> None:
        self.events = events
        self.synth = FakeSynthesizer()

    def warm_up(self) -> None:
        self.events.append("warm up")

    def submit(self, text: str) -> Future[Piece]:
        self.events.append(f"queue {text}")
        future: Future[Piece] = Future()
        future.set_result(self.synth.synthesize(text))
        return future

    def close(self, *, now: bool = False) -> None:
        self.events.append("close now" if now else "close")


def _article(n: int) -> str:
    sentences = " ".join(f"Story {n} sentence {k} is about the harbour." for k in range(6))
    return f"# Story number {n}\n\n{sentences}\n"


def test_next_article_is_queued_before_the_current_one_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    pool = RecordingPool(events)
    synthesis = Synthesis(
        FakeSynthesizer(),
        pool_factory=lambda: pool,  # type: ignore[arg-type, return-value]
        cache=Cache(tmp_path / "cache"),
    )
    monkeypatch.setattr(pipeline, "open_synthesis", lambda _settings, _synth=None: synthesis)
    render = pipeline._render_and_write

    def recording_render(*args: object, **kwargs: object) -> pipeline.Built:
        built = render(*args, **kwargs)  # type: ignore[arg-type]
        events.append(f"written {built.episode.slug}")
        return built

    monkeypatch.setattr(pipeline, "_render_and_write", recording_render)
    sources = []
    for n in range(3):
        path = tmp_path / f"story-{n}.md"
        path.write_text(_article(n), encoding="utf-8")
        sources.append(str(path))
    settings = BuildSettings(output=tmp_path / "out", publish=False, use_cache=False)
    outcomes = build_all(sources, settings)

    assert all(o.built is not None for o in outcomes)
    assert events[0] == "warm up"  # new articles: the workers start before segmenting
    first_written = events.index("written story-number-0")
    queued_before = [e for e in events[:first_written] if e.startswith("queue Story one sent")]
    assert len(queued_before) == 6  # all of story 1 was queued while story 0 was mastered
    queued = [e for e in events if e.startswith("queue")]
    # Titles, 6 sentences each, and the disclosure once: no sentence synthesised twice.
    assert len(queued) == len(set(queued)) == 3 * 7 + 1
    assert synthesis.synthesized.count("Story two sentence five is about the harbour.") == 1
