"""Listening to an episode: each cue's span of its MP3 heard on its own, judged, and the
report written beside the episode as ``check.json``.

The MP3 is decoded once, at the recogniser's rate, and every sentence is cut from it
at the times the episode's Timeline gives (padded a little, never into the next
sentence), so a flag points at one sentence and a long episode never becomes one long
transcription. Consecutive sentences are heard together in one Whisper window and the
words heard given back to each (:mod:`.pack`), so each is still judged on its own.
One model serves every episode of a ``check --all``.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from ..check_report import CheckReport, Flag, FlagKind, SentenceScore
from ..encode import decode_audio
from ..errors import EpisodeNotFoundError, EpisodeReadError
from ..fsutil import atomic_write_text
from ..layout import (
    CHECK_FILE,
    EPISODE_FILE,
    EPISODES_DIR,
    episode_dir,
    episodes_dir,
    library_lock,
    read_episode,
)
from ..models import Cue, Episode
from ..synth import Progress, default_cache_dir
from ..text import load_lexicon, make_spoken
from .flags import FLAG_AT, Judgement, Sentence, judge
from .pack import samples
from .recogniser import RATE, Recogniser, RecogniserSettings

log = logging.getLogger(__name__)

PAD_S = 0.2
"""Seconds of audio kept before and after a sentence's cue (at most half the pause to
its neighbour): the cue's edges sit on the voice's first and last sample."""


@dataclass(frozen=True)
class CheckSettings:
    """What ``check`` can be told."""

    recogniser: RecogniserSettings = field(default_factory=RecogniserSettings)
    flag_at: float = FLAG_AT
    """Flag differences scored at least this."""
    pad: float = PAD_S
    cache_dir: Path | None = None
    """Where a model in parts is joined (None: the user cache folder)."""
    lexicons: tuple[Path, ...] = ()
    """Lexicons for ``--try`` and for episodes built before the spoken text was recorded."""


def open_recogniser(settings: CheckSettings) -> Recogniser:
    """Load the recogniser once for any number of episodes."""
    return Recogniser.load(settings.recogniser, settings.cache_dir or default_cache_dir())


def episode_folder(library: Path, target: str) -> Path:
    """The folder of the episode ``target`` names: a slug in ``library``, or an MP3 path."""
    path = Path(target)
    if path.suffix.lower() == ".mp3" and path.is_file():
        return path.parent
    folder = episode_dir(library, target)
    if not (folder / EPISODE_FILE).is_file():
        raise EpisodeNotFoundError(
            f"no episode {target!r} in {library}; "
            f"list them with 'articleaudio episodes -o {library}'"
        )
    return folder


def episode_folders(library: Path) -> list[Path]:
    """Every episode folder of ``library`` (``check --all``), in slug order."""
    parent = episodes_dir(library)
    found = parent.iterdir() if parent.is_dir() else iter(())
    return sorted(p for p in found if (p / EPISODE_FILE).is_file())


def spans(cues: Sequence[Cue], pad: float) -> list[tuple[float, float]]:
    """``(start, end)`` seconds to hear each cue in, padded up to half the pause either side.

    >>> from articleaudio.models import Role
    >>> spans([Cue(0, Role.TITLE, "A", 0.1, 1.0), Cue(1, Role.SENTENCE, "B", 1.2, 2.0)], 0.2)
    [(0.0, 1.1), (1.1, 2.2)]
    """
    found: list[tuple[float, float]] = []
    for n, cue in enumerate(cues):
        before = cues[n - 1].end if n else cue.start - 2 * pad
        after = cues[n + 1].start if n + 1 < len(cues) else cue.end + 2 * pad
        start = max(cue.start - pad, (before + cue.start) / 2, 0.0)
        end = min(cue.end + pad, (cue.end + after) / 2)
        found.append((round(start, 3), round(end, 3)))
    return found


def check_episode(
    folder: Path,
    recogniser: Recogniser,
    settings: CheckSettings,
    progress: Progress | None = None,
) -> CheckReport:
    """Hear every cue of the episode in ``folder`` and judge it."""
    began = time.monotonic()
    episode = read_episode(folder)
    audio = decode_audio(folder / episode.audio.file, RATE)
    cues = episode.timeline.cues
    spoken = spoken_texts(episode, settings)
    padded = spans(cues, settings.pad)
    heard = recogniser.hear_spans(audio, padded, progress)
    judgements = [
        judge(Sentence(c.index, c.start, c.end, c.text, spoken[n], heard[n]), settings.flag_at)
        for n, c in enumerate(cues)
    ]
    for n in [n for n, j in enumerate(judgements) if _unheard(j)]:
        # Whisper can skip a whole sentence of a window it hears: a sentence flagged as
        # unheard is heard again on its own, and judged on that (a sentence the voice
        # really left out is unheard alone too).
        start, end = samples(padded[n], RATE)
        again = replace(judgements[n].sentence, heard=recogniser.hear(audio[start:end]))
        judgements[n] = judge(again, settings.flag_at)
    words = sum(j.words for j in judgements)
    return CheckReport(
        slug=episode.slug,
        model=recogniser.name,
        checked=datetime.now(UTC).replace(microsecond=0),
        sentences=len(judgements),
        wer=sum(j.edits for j in judgements) / words if words else 0.0,
        flags=tuple(sorted((f for j in judgements for f in j.flags), key=_rank)),
        scores=tuple(_score(j) for j in judgements),
        seconds=time.monotonic() - began,
        build_key=episode.build_key,
    )


def _unheard(judgement: Judgement) -> bool:
    return any(f.kind is FlagKind.UNHEARD for f in judgement.flags)


def _rank(flag: Flag) -> tuple[float, int]:
    """The likeliest flag first; of equal scores, the earlier sentence."""
    return -flag.score, flag.index


def _score(judgement: Judgement) -> SentenceScore:
    s = judgement.sentence
    return SentenceScore(s.index, s.start, s.end, judgement.score, bool(judgement.flags))


def spoken_texts(episode: Episode, settings: CheckSettings) -> list[str]:
    """What the voice was given for each cue, as the build recorded it; for an episode
    built before that was recorded, made again with today's text stage."""
    if all(c.spoken is not None for c in episode.timeline.cues):
        return [c.spoken or "" for c in episode.timeline.cues]
    again = make_spoken(load_lexicon(settings.lexicons))
    language = episode.article.language
    return [
        c.spoken if c.spoken is not None else again(c.text, language) for c in episode.timeline.cues
    ]


def write_report(folder: Path, report: CheckReport) -> bool:
    """Write ``check.json`` in the episode's folder, atomically and under the library's
    lock; not when the episode was rebuilt while it was being heard (False)."""
    text = json.dumps(report.to_dict(), ensure_ascii=False, indent=2) + "\n"
    in_library = folder.parent.name == EPISODES_DIR
    with library_lock(folder.parent.parent) if in_library else nullcontext():
        try:
            current = read_episode(folder).build_key
        except EpisodeReadError:
            current = None
        if current != report.build_key:
            log.warning("%s was rebuilt while it was checked: check it again", report.slug)
            return False
        atomic_write_text(folder / CHECK_FILE, text)
    return True


def check_folders(
    folders: Sequence[Path], settings: CheckSettings, progress: Progress | None = None
) -> Iterator[CheckReport]:
    """Check each episode folder with one recogniser, writing each one's ``check.json``."""
    recogniser = open_recogniser(settings)
    for folder in folders:
        report = check_episode(folder, recogniser, settings, progress)
        write_report(folder, report)
        yield report
