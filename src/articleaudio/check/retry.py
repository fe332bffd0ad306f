"""``check --try "Word=Respelling"``: the flagged sentences holding a word, said again with
a respelling and heard again, so an editor hears whether a lexicon entry fixes them
before adding it to a lexicon and rebuilding. The episode itself is not changed.
"""

from __future__ import annotations

import json
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..check_report import read_check_report
from ..encode import decode_audio
from ..errors import CheckReportError, ConfigError
from ..layout import read_episode
from ..models import Cue
from ..pipeline import say
from ..settings import BuildSettings
from ..text import Lexicon, load_lexicon, make_spoken
from .flags import Judgement, Sentence, judge
from .listen import CheckSettings, spans, spoken_texts
from .recogniser import RATE, Recogniser


@dataclass(frozen=True)
class Retry:
    """One sentence, as the episode has it and as the respelling says it."""

    before: Judgement
    after: Judgement


def parse_entry(entry: str) -> tuple[str, str]:
    """``Word=Respelling`` as its two halves (:class:`ConfigError` if it is not one).

    >>> parse_entry("NATO = Nay-toe")
    ('NATO', 'Nay-toe')
    """
    word, sep, respelling = entry.partition("=")
    if not sep or not word.strip() or not respelling.strip():
        raise ConfigError(
            f"--try takes WORD=RESPELLING (for example 'NATO=Nay-toe'), not {entry!r}"
        )
    return word.strip(), respelling.strip()


def _lexicon(word: str, respelling: str) -> Lexicon:
    # JSON strings are TOML basic strings: quotes and backslashes escaped alike.
    return Lexicon.parse(f"[[entry]]\nword = {json.dumps(word)}\nsay = {json.dumps(respelling)}\n")


def _chosen(folder: Path, slug: str, cues: tuple[Cue, ...], word: str) -> list[int]:
    """Positions of the cues holding ``word``: the flagged ones, if the last check
    flagged any, else all."""
    pattern = re.compile(rf"(?<!\w){re.escape(word)}(?!\w)")
    holding = [n for n, c in enumerate(cues) if pattern.search(c.text)]
    try:
        flagged = {f.index for f in read_check_report(folder, slug).flags}
    except CheckReportError:  # never checked, or a report this version cannot read
        flagged = set()
    return [n for n in holding if cues[n].index in flagged] or holding


def try_respelling(
    folder: Path, entry: str, recogniser: Recogniser, settings: CheckSettings
) -> list[Retry]:
    """Hear each chosen sentence from the episode, then said with the entry, and judge both."""
    word, respelling = parse_entry(entry)
    episode = read_episode(folder)
    cues = episode.timeline.cues
    chosen = _chosen(folder, episode.slug, cues, word)
    if not chosen:
        raise ConfigError(f"no sentence of {episode.slug} holds {word!r} (the case must match)")
    audio = decode_audio(folder / episode.audio.file, RATE)
    windows = spans(cues, settings.pad)
    lexicon = load_lexicon(settings.lexicons) + _lexicon(word, respelling)
    spoken = make_spoken(lexicon)
    language = episode.article.language
    build = BuildSettings(output=folder.parent.parent, voice=episode.voice, jobs=1)
    given = spoken_texts(episode, settings)
    retries: list[Retry] = []
    with tempfile.TemporaryDirectory(prefix="articleaudio-try-") as scratch:
        for n in chosen:
            cue, (start, end) = cues[n], windows[n]
            (heard,) = recogniser.hear_spans(audio, [(start, end)])
            before = Sentence(cue.index, cue.start, cue.end, cue.text, given[n], heard)
            wav = say(cue.text, Path(scratch) / f"{n}.wav", build, spoken=spoken, language=language)
            heard = recogniser.hear(decode_audio(wav, RATE))
            after = Sentence(
                cue.index, cue.start, cue.end, cue.text, spoken(cue.text, language), heard
            )
            retries.append(Retry(judge(before, settings.flag_at), judge(after, settings.flag_at)))
    return retries
