"""A warm runner's meter reuses the K-weighting of the pieces an edit left alone (real voice):
the edited episode's loudness is the one a fresh meter measures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from articleaudio.master import (
    LoudnessMeter,
    Mastered,
    MasterSettings,
    Stream,
    WeightedPieces,
    master,
)
from articleaudio.models import Role, Segment
from articleaudio.synth import Piece, PiperSynthesizer, find_voice

SENTENCES = (
    "The ferry returns to the harbour on Monday.",
    "Residents asked about the timetable for an hour.",
    "The council will publish the new fares next week.",
    "A second boat may follow in the spring.",
    "Tickets go on sale at the pier.",
)
EDITED = "Residents asked about the winter timetable for an hour."
SETTINGS = MasterSettings(target_lufs=-20.0)
"""A target five short sentences reach without the limiter taking half of every dB (at
-16 LUFS they miss it by 0.4 LU, so no build would bet on the gain before)."""


class _Sink:
    """Takes the finished samples, as an encoder would."""

    def write(self, chunk: np.ndarray, *, key: bytes | None = None) -> None:
        pass

    def write_stored(self, samples: int, key: bytes, load: Callable[[], np.ndarray]) -> None:
        pass

    def cut(self) -> None:
        pass

    def finish(self) -> None:
        pass

    def abort(self) -> None:
        pass


def _segments(texts: tuple[str, ...]) -> list[Segment]:
    return [Segment(n, Role.SENTENCE, t, t, paragraph=n // 2) for n, t in enumerate(texts)]


def _master(
    texts: tuple[str, ...],
    pieces: dict[str, Piece],
    gain: float | None,
    memo: WeightedPieces | None,
) -> Mastered:
    stream = Stream(lambda _rate, _shown: _Sink(), probe_seconds=0.0, weighted=memo)
    segments = _segments(texts)
    return master(segments, [pieces[t] for t in texts], SETTINGS, first_gain_db=gain, stream=stream)


def _entries(memo: WeightedPieces) -> int:
    return len(memo)


@pytest.mark.slow
def test_an_edit_meters_the_episode_as_a_fresh_meter_does(tmp_path: Path) -> None:
    voice = PiperSynthesizer(find_voice(None, tmp_path))
    pieces = {text: voice.synthesize(text) for text in (*SENTENCES, EDITED)}
    edited = (SENTENCES[0], EDITED, *SENTENCES[2:])
    with _master(SENTENCES, pieces, None, None) as new:
        gain = new.loudness.gain_db  # chosen by the exact search: the episode is short
    with WeightedPieces() as memo:
        # A rebuild at that gain, as a warm runner's first job may be: streamed, metered.
        with _master(SENTENCES, pieces, gain, memo) as first:
            assert first.encoded
        assert _entries(memo) == 2 * len(SENTENCES)  # each piece, and its ringing
        # The edit bets on the same gain: the pieces it left alone (those after it shifted
        # by the new sentence's length) are not filtered again, only the new one is.
        with _master(edited, pieces, gain, memo) as warm:
            assert warm.encoded and warm.loudness.gain_db == gain
            assert _entries(memo) == 2 * len(SENTENCES) + 2
            whole = LoudnessMeter(warm.sample_rate)
            whole.add(warm.audio(), peaks=False)  # the whole episode at once, no memo
            from_scratch = whole.integrated
    with _master(edited, pieces, gain, None) as fresh:
        assert warm.loudness == fresh.loudness  # the same floats as without the memo
    assert abs(warm.loudness.integrated_lufs - from_scratch) < 0.01
    assert abs(warm.loudness.integrated_lufs - first.loudness.integrated_lufs) > 1e-6
