"""Which voice reads an article: its language decides, unless ``--voice`` names one.

An English voice reading German says every word with English sounds: the date
comes out as "April 8, 2015" and the rest means nothing to a listener. So for an
article whose detected language the voice does not speak, the voice is taken
from the library's ``[voices]`` table (language → voice), else from the installed
voices that speak it; when none does, or ``--voice`` insists on another
language, the build warns (and ``--strict`` refuses the article).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..config import PodcastConfig
from ..errors import LanguageError
from ..models import Article, Spoken
from .cache import DEFAULT_MAX_BYTES
from .voices import DEFAULT_VOICE, Voice, find_voice, list_voices
from .workers import Synthesis

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VoiceChoice:
    """The voice for one article and, when it does not speak the article's language, why."""

    voice: str | None
    """Name or path for :func:`find_voice` (None: the default voice)."""
    mismatch: str | None = None
    """What is wrong, in words, when the voice speaks another language."""


def primary_language(tag: str) -> str:
    """The language part of a tag or a Piper code.

    >>> primary_language("de-AT"), primary_language("en_US"), primary_language("PT")
    ('de', 'en', 'pt')
    """
    return tag.replace("_", "-").split("-")[0].casefold()


def speaks(voice: Voice, language: str) -> bool:
    """Whether the voice's model was trained on the article's language."""
    return primary_language(voice.language) == primary_language(language)


def choose_voice(
    language: str, named: str | None, config: PodcastConfig, library: Path | None = None
) -> VoiceChoice:
    """``--voice`` if given, else the ``[voices]`` entry, else a voice that speaks ``language``.

    ``library`` is the output folder, whose ``voices/`` is searched as a build searches it.
    """
    if named:
        return VoiceChoice(named, _mismatch(find_voice(named, library), language))
    mapped = config.voice_for(language)
    if mapped:
        chosen = None if mapped == DEFAULT_VOICE else mapped
        return VoiceChoice(chosen, _mismatch(find_voice(mapped, library), language))
    default = find_voice(None, library)
    if speaks(default, language):
        return VoiceChoice(None)
    for voice in list_voices(library):
        if speaks(voice, language):
            return VoiceChoice(voice.name)
    return VoiceChoice(None, _mismatch(default, language))


def _mismatch(voice: Voice, language: str) -> str | None:
    if speaks(voice, language):
        return None
    return (
        f"the article is in '{language}' but voice {voice.name} speaks '{voice.language}', "
        "so listeners would hear its words with the wrong sounds; install a voice for "
        f'{language!r} and name it in [voices] of the library\'s settings ({language} = "VOICE")'
        ", or pass --voice"
    )


Opener = Callable[[str | None], tuple[Synthesis, Spoken]]
"""Opens a voice's synthesis and speech step (lexicon checked against that voice)."""


class VoicePool:
    """A batch's syntheses, one per voice its articles' languages call for, opened on use."""

    def __init__(
        self,
        config: PodcastConfig,
        opener: Opener,
        *,
        first: tuple[str | None, Synthesis, Spoken],
        strict: bool = False,
        library: Path | None = None,
    ) -> None:
        self.config, self.opener, self.strict = config, opener, strict
        self.library = library
        """The output folder, whose ``voices/`` is searched too."""
        self.named = first[0]
        """``--voice`` (None: choose by language)."""
        self.opened = {first[0]: first[1:]}
        # A synthesizer that is no Piper voice has no language to compare.
        self.fixed = first[1].synthesizer.voice is None

    def synthesis(self, voice: str | None) -> Synthesis:
        """The synthesis of a voice :meth:`for_article` chose."""
        return self.opened[voice][0]

    def for_article(self, article: Article, location: str) -> tuple[str | None, Spoken]:
        """The article's voice and speech step; a mismatch is logged, or refused if strict."""
        if self.fixed:
            return self.named, self.opened[self.named][1]
        choice = choose_voice(article.language, self.named, self.config, self.library)
        if choice.mismatch and self.strict:
            raise LanguageError(
                f"{location}: {choice.mismatch} (refused: --strict)", source=location
            )
        if choice.mismatch:
            log.warning("%s: %s", location, choice.mismatch)
        if choice.voice not in self.opened:
            self.opened[choice.voice] = self.opener(choice.voice)
        return choice.voice, self.opened[choice.voice][1]

    def close(self, *, now: bool = False) -> None:
        """Close every synthesis, then keep the shared cache bounded.

        ``now``: kill the sentences being synthesised, for a build that is
        stopping (Ctrl-C, an error) rather than finishing; the cache is left as is.
        """
        for synthesis, _ in self.opened.values():
            synthesis.close(now=now)
        if now:
            return
        for synthesis, _ in self.opened.values():
            if synthesis.cache is not None and synthesis.synthesized:
                synthesis.cache.prune(max_bytes=DEFAULT_MAX_BYTES)
                break  # every voice shares one cache

    def __enter__(self) -> VoicePool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        self.close(now=kind is not None)
