"""A sentence a window's transcript left out is heard again on its own before it is
flagged as unheard (``check_episode``), with a recogniser that writes down what it is
told to: the episode and its MP3 are real, the transcripts are not."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import cast

import numpy as np

from articleaudio.check import CheckSettings, check_episode
from articleaudio.check.recogniser import Recogniser
from articleaudio.check_report import FlagKind
from articleaudio.models import Role

from ..support.episodes import make_episode

BODY = "The council met on Tuesday to talk about roads. It approved the budget for the year."


class _Told:
    """Hears in windows what ``windows`` says, and alone what ``alone`` says, in turn."""

    name = "told"

    def __init__(self, windows: dict[int, str], alone: list[str]) -> None:
        self.windows, self.alone, self.heard_alone = windows, alone, 0

    def hear_spans(
        self,
        audio: np.ndarray,
        spans: Sequence[tuple[float, float]],
        progress: Callable[[int, int], None] | None = None,
    ) -> list[str]:
        return [self.windows.get(n, "") for n in range(len(spans))]

    def hear(self, clip: np.ndarray) -> str:
        self.heard_alone += 1
        return self.alone.pop(0)


def test_a_sentence_left_out_of_its_window_is_heard_alone_before_it_is_flagged(
    tmp_path: Path,
) -> None:
    episode = make_episode(tmp_path, "roads", "Council roads", body=BODY, seconds=8.0)
    cues = episode.timeline.cues
    first, second = [n for n, c in enumerate(cues) if c.role is Role.SENTENCE]
    # Every cue heard as written, but for both sentences: left out of their windows.
    told = {n: c.text for n, c in enumerate(cues) if n not in (first, second)}
    # Alone, the first is heard as written; the second is unheard again (the voice's fault).
    recogniser = _Told(told, [cues[first].text, ""])
    report = check_episode(
        tmp_path / "episodes" / "roads", cast(Recogniser, recogniser), CheckSettings()
    )
    assert recogniser.heard_alone == 2
    assert [(f.index, f.kind) for f in report.flags] == [(cues[second].index, FlagKind.UNHEARD)]
