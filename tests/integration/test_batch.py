"""Batch builds, through the public ``build_all`` with the fake synthesizer passed in:
articles are built in order, one bad source does not stop the rest, and the shared
cache means no sentence of the batch is synthesised twice. The workers' queue-ahead
is measured on :class:`Synthesis`, the object that does it."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import Future
from pathlib import Path

import numpy as np
import pytest

from articleaudio.master.ahead import Prepared
from articleaudio.models import Role, Segment
from articleaudio.pipeline import build_all
from articleaudio.settings import BuildSettings
from articleaudio.synth.cache import Cache, Entry, segment_key
from articleaudio.synth.synthesize import Piece
from articleaudio.synth.workers import FEW_MISSES, Synthesis

from ..support.audio import mp3_info
from ..support.fake_synthesizer import FakeSynthesizer

SENTENCES = 6
WORDS = ("zero", "one", "two", "three", "four", "five", "six")
"""Numbers as words, so the spoken text is the written one."""


class RecordingSynthesizer(FakeSynthesizer):
    """The fake voice, noting each text it speaks in a shared event list."""

    def __init__(self, events: list[str]) -> None:
        super().__init__()
        self.events = events

    def synthesize(self, text: str) -> Piece:
        self.events.append(f"say {text}")
        return super().synthesize(text)


class _EventHandler(logging.Handler):
    """Puts the library's "episode … built in …" log lines into the same event list."""

    def __init__(self, events: list[str]) -> None:
        super().__init__(logging.INFO)
        self.events = events

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("episode "):
            self.events.append(" ".join(message.split()[:3]))


@pytest.fixture
def events() -> Iterator[list[str]]:
    found: list[str] = []
    handler = _EventHandler(found)
    logger = logging.getLogger("articleaudio")
    saved = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield found
    finally:
        logger.removeHandler(handler)
        logger.setLevel(saved)


def _sentence(n: int, k: int) -> str:
    return f"Story {WORDS[n]} sentence {WORDS[k]} is about the harbour."


def _sources(folder: Path) -> list[str]:
    """Three articles with a missing file between the first and the second."""
    sources = []
    for n in range(3):
        path = folder / f"story-{n}.md"
        body = " ".join(_sentence(n, k) for k in range(SENTENCES))
        path.write_text(f"# Story number {n}\n\n{body}\n", encoding="utf-8")
        sources.append(str(path))
    sources.insert(1, str(folder / "missing.md"))
    return sources


def test_a_batch_builds_each_article_in_turn_and_speaks_each_sentence_once(
    tmp_path: Path, events: list[str]
) -> None:
    sources = _sources(tmp_path)
    settings = BuildSettings(output=tmp_path / "out", publish=False, cache_dir=tmp_path / "cache")
    outcomes = build_all(sources, settings, synthesizer=RecordingSynthesizer(events))

    assert [o.location for o in outcomes] == sources
    missing = outcomes[1]
    assert missing.built is None and missing.error is not None
    assert "missing.md" in str(missing.error)  # the batch carried on past it
    built = [o.built for o in outcomes if o.built is not None]
    assert [b.episode.slug for b in built] == [f"story-number-{n}" for n in range(3)]

    # One article at a time: each one's sentences are spoken after the previous
    # episode was written and before its own.
    written = [events.index(f"episode story-number-{n} built") for n in range(3)]
    for n, end in enumerate(written):
        start = written[n - 1] if n else -1
        spoken = {e for e in events[start + 1 : end] if e.startswith("say ")}
        assert {f"say {_sentence(n, k)}" for k in range(SENTENCES)} <= spoken

    # The cache is shared by the batch: the disclosure is spoken for the first
    # article only, and nothing is spoken twice.
    said = [e for e in events if e.startswith("say ")]
    assert len(said) == len(set(said)) == 3 * (1 + SENTENCES) + 1
    for b in built:
        cues = b.episode.timeline.cues
        assert [c.role for c in cues].count(Role.DISCLOSURE) == 1
        mp3 = mp3_info(b.directory / b.episode.files["audio"])
        assert abs(mp3.length - b.episode.timeline.duration) < 0.05


class RecordingPool:
    """Stands in for the worker processes: synthesises at once and logs what is queued."""

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


def test_prefetched_sentences_are_queued_at_once_and_used_later(tmp_path: Path) -> None:
    """What a batch does with the next article while the current one is mastered."""
    events: list[str] = []
    pool = RecordingPool(events)
    synthesis = Synthesis(
        FakeSynthesizer(),
        pool_factory=lambda: pool,  # type: ignore[arg-type, return-value]
        cache=Cache(tmp_path / "cache"),
    )
    texts = [_sentence(1, k) for k in range(FEW_MISSES + 3)]
    with synthesis:
        synthesis.prefetch(texts)
        assert events == [f"queue {t}" for t in texts]  # queued before anything asks
        pieces = list(synthesis.pieces(texts))
    assert events == [f"queue {t}" for t in texts] + ["close"]  # none queued twice
    expected = [FakeSynthesizer().synthesize(t) for t in texts]
    assert [len(p.audio) for p in pieces] == [len(p.audio) for p in expected]
    assert synthesis.synthesized == texts


class _WaitingVoice(FakeSynthesizer):
    """Speaks once ``asked`` is set (the cache asked for the last sentence), or after 5 s."""

    def __init__(self, asked: threading.Event) -> None:
        super().__init__()
        self.asked = asked
        self.waited_in_vain = False

    def synthesize(self, text: str) -> Piece:
        self.waited_in_vain = not self.asked.wait(5.0)
        return super().synthesize(text)


def test_the_cached_sentences_after_an_edit_are_read_while_it_is_spoken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = [_sentence(3, k) for k in range(SENTENCES)]
    with Synthesis(FakeSynthesizer(), cache=Cache(tmp_path / "cache")) as first:
        list(first.pieces(article))
    asked = threading.Event()
    voice = _WaitingVoice(asked)
    cache = Cache(tmp_path / "cache")
    last = segment_key(article[-1], voice.identity)
    read = cache.segments.get

    def get(key: str) -> Entry | None:
        if key == last:
            asked.set()
        return read(key)

    monkeypatch.setattr(cache.segments, "get", get)
    edited = [article[0], _sentence(4, 0), *article[2:]]
    with Synthesis(voice, cache=cache) as synthesis:
        pieces = list(synthesis.pieces(edited))
    # The voice spoke the new sentence only after the last one had been read.
    assert not voice.waited_in_vain
    assert synthesis.synthesized == [_sentence(4, 0)]
    assert [len(p.audio) for p in pieces] == [
        len(FakeSynthesizer().synthesize(t).audio) for t in edited
    ]


class _LoadingVoice(RecordingSynthesizer):
    """The fake voice, noting when it is opened and each text it speaks here."""

    def load(self) -> None:
        self.events.append("open here")


def test_the_cached_sentences_read_while_an_edit_is_spoken_are_mastered_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through ``render``, as a build does: every cached piece the synth stage reads while
    the new sentence is spoken reaches the master prepared, and the episode equals the
    one rendered from the same pieces when nothing waits (all of them cached)."""
    from articleaudio import pipeline
    from articleaudio.master import Ahead, MasterSettings

    article = [_sentence(5, k) for k in range(SENTENCES)]
    edited = [article[0], _sentence(6, 0), *article[2:]]
    segments = [Segment(n, Role.SENTENCE, t, t, paragraph=n // 2) for n, t in enumerate(edited)]
    with Synthesis(FakeSynthesizer(), cache=Cache(tmp_path / "cache")) as first:
        list(first.pieces(article))
    taken: list[int] = []

    class Counting(Ahead):
        def take(self, index: int, piece: Piece) -> Prepared | None:
            prepared = super().take(index, piece)
            taken.extend([index] if prepared is not None else [])
            return prepared

    monkeypatch.setattr(pipeline, "Ahead", Counting)
    asked = threading.Event()
    voice = _WaitingVoice(asked)
    cache = Cache(tmp_path / "cache")
    last, read = segment_key(article[-1], voice.identity), cache.segments.get

    def get(key: str) -> Entry | None:
        if key == last:
            asked.set()  # the voice speaks once the last cached sentence has been read
        return read(key)

    monkeypatch.setattr(cache.segments, "get", get)
    settings = MasterSettings(true_peak_ceiling=-9.0)  # the fake voice is limited
    with (
        Synthesis(voice, cache=cache) as synthesis,
        pipeline.render(segments, synthesis, settings) as made,
    ):
        assert not voice.waited_in_vain and synthesis.synthesized == [edited[1]]
        assert taken == list(range(2, len(edited)))  # every one after the new sentence
        taken.clear()
        with pipeline.render(segments, synthesis, settings) as plain:
            assert not taken  # all cached now: nothing waits, nothing is read ahead
            assert np.array_equal(made.audio(), plain.audio())
            assert made.loudness == plain.loudness and made.timeline == plain.timeline


def test_a_long_running_batch_speaks_an_edit_here_once_its_voice_is_open(tmp_path: Path) -> None:
    """``keep_edit_voice``: a few new sentences are spoken in process (every core), not
    by one worker, once that voice is open; a new article still goes to the workers."""
    events: list[str] = []
    pool = RecordingPool(events)
    synthesis = Synthesis(
        _LoadingVoice(events),
        pool_factory=lambda: pool,  # type: ignore[arg-type, return-value]
        cache=Cache(tmp_path / "cache"),
    )
    article = [_sentence(5, k) for k in range(FEW_MISSES + 3)]
    edit = [_sentence(6, 0), *article[1:]]
    with synthesis:
        list(synthesis.pieces(article))  # a new article starts the workers
        list(synthesis.pieces(edit))  # no voice here yet: the workers speak it
        synthesis.keep_edit_voice().result(timeout=5)
        edited = [_sentence(6, 1), *article[1:]]
        synthesis.prefetch(edited)  # a batch's next article, planned ahead
        list(synthesis.pieces(edited))
        again = [_sentence(6, 2), *article[1:]]
        list(synthesis.pieces(again))
        renewed = [_sentence(2, k) for k in range(FEW_MISSES + 1)]
        list(synthesis.pieces(renewed))  # more than a few: the workers again
    queued = [f"queue {t}" for t in article]
    assert events == [
        *queued,
        f"queue {_sentence(6, 0)}",
        "open here",
        f"say {_sentence(6, 1)}",
        f"say {_sentence(6, 2)}",
        *[f"queue {t}" for t in renewed],
        "close",
    ]
