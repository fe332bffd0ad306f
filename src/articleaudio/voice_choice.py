"""Which voice reads an article: its language decides, unless ``--voice`` names one.

An English voice reading German says every word with English sounds: the date
comes out as "April 8, 2015" and the rest means nothing to a listener. So for an
article whose detected language the voice does not speak, the voice is taken
from the library's ``[voices]`` table (language → voice), else from the installed
voices that speak it; when none does, or ``--voice`` insists on another
language, the build warns (and ``--strict`` refuses the article).
"""

from __future__ import annotations

from dataclasses import dataclass

from .config import PodcastConfig
from .voices import DEFAULT_VOICE, Voice, find_voice, list_voices


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


def choose_voice(language: str, named: str | None, config: PodcastConfig) -> VoiceChoice:
    """``--voice`` if given, else the ``[voices]`` entry, else a voice that speaks ``language``."""
    if named:
        return VoiceChoice(named, _mismatch(find_voice(named), language))
    mapped = config.voice_for(language)
    if mapped:
        chosen = None if mapped == DEFAULT_VOICE else mapped
        return VoiceChoice(chosen, _mismatch(find_voice(mapped), language))
    default = find_voice(None)
    if speaks(default, language):
        return VoiceChoice(None)
    for voice in list_voices():
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
