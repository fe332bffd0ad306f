"""The text stages composed: lexicon, then normalisation, then the script of an article.

:func:`make_spoken` builds the ``spoken(text, language)`` callable that
:func:`articleaudio.text.segment.segment_article` applies to each segment. The lexicon
runs first, on the article's own wording (editors write entries as words appear
in articles: "OSCE", "Kyiv"); its phoneme blocks are set aside while the
normaliser runs so no rule touches the IPA, then put back as ``[[ ... ]]``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..extract import load_article
from ..models import Article, Segment
from ..synth import Voice, find_voice
from .lexicon import Lexicon, LexiconEntry, restore_phonemes
from .normalize import to_spoken
from .segment import SpeechSettings, segment_article

Spoken = Callable[[str, str], str]
SPOKEN_MEMO = 8192
"""Sentences whose spoken form each ``spoken`` step remembers (with the lexicon applied)."""


def make_spoken(
    lexicon: Lexicon | None,
    voice_name: str | None = None,
    phonemes: frozenset[str] | None = None,
) -> Spoken:
    """Normalisation plus lexicon as one ``(text, language) -> str`` function.

    With ``phonemes`` (the voice's symbol table) the lexicon's IPA entries are
    checked first and a :class:`~articleaudio.errors.ConfigError` names any entry
    Piper would garble.

    >>> say = make_spoken(Lexicon.parse('[[entry]]\\nword = "Kyiv"\\nsay = "Keev"'))
    >>> say("Kyiv's 2 mayors", "en")
    "Keev's two mayors"
    """
    if lexicon is None or not lexicon.entries:
        return to_spoken
    if phonemes is not None:
        lexicon.check_phonemes(phonemes, voice_name)

    # Remembered: a warm runner's edit speaks every other sentence of its article again.
    @functools.lru_cache(maxsize=SPOKEN_MEMO)
    def spoken(text: str, language: str) -> str:
        marked, blocks = lexicon.apply_parts(text, voice_name, language)
        return restore_phonemes(to_spoken(marked, language), blocks)

    return spoken


def load_lexicon(paths: Sequence[Path] = (), *, include_default: bool = True) -> Lexicon:
    """The default lexicon followed by each file in ``paths`` (later entries win)."""
    lexicon = Lexicon.default() if include_default else Lexicon()
    for path in paths:
        lexicon = lexicon + Lexicon.load(path)
    return lexicon


@dataclass(frozen=True)
class Script:
    """What the voice will say for one article, and lexicon entries that found nothing."""

    article: Article
    """The extracted article."""
    segments: tuple[Segment, ...]
    """Segments with their original and spoken wording."""
    unmatched: tuple[LexiconEntry, ...]
    """Entries from the user's lexicon files that matched no segment."""


def spoken_for(voice: Voice, lexicon_paths: Sequence[Path] = ()) -> Spoken:
    """The ``spoken`` step for a build with ``voice``: default lexicon plus ``lexicon_paths``,
    its IPA entries checked against the voice's phoneme table."""
    return make_spoken(load_lexicon(lexicon_paths), voice.name, voice.phonemes)


def script_article(
    location: str,
    lexicon_paths: Sequence[Path] = (),
    *,
    settings: SpeechSettings | None = None,
    voice: str | None = None,
    library: Path | None = None,
) -> Script:
    """Extract, segment and speak-prepare an article without synthesising it.

    ``voice`` is a name or model path as for ``build --voice`` (default voice if None),
    looked up in ``library``'s voice folder too.
    """
    article = load_article(location)
    chosen = find_voice(voice, library)
    segments = segment_article(article, settings, spoken=spoken_for(chosen, lexicon_paths))
    user = load_lexicon(lexicon_paths, include_default=False)
    unmatched = user.unmatched((s.text for s in segments), chosen.name, article.language)
    return Script(article, segments, unmatched)
