"""Check stage: an episode's MP3 heard back by a speech recogniser, sentence by sentence,
and compared with what the voice was given and with the article (``articleaudio check``).

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing the stage
does not load the recogniser: faster-whisper is imported only when a model is loaded.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .flags import FLAG_AT, Judgement, Sentence, judge
    from .listen import (
        CheckSettings,
        check_episode,
        check_folders,
        episode_folder,
        episode_folders,
        open_recogniser,
        write_report,
    )
    from .normalise import normal_words
    from .recogniser import (
        DEFAULT_MODEL,
        MODELS,
        Recogniser,
        RecogniserSettings,
        require_recogniser,
    )
    from .retry import Retry, try_respelling

__all__ = [
    "DEFAULT_MODEL",
    "FLAG_AT",
    "MODELS",
    "CheckSettings",
    "Judgement",
    "Recogniser",
    "RecogniserSettings",
    "Retry",
    "Sentence",
    "check_episode",
    "check_folders",
    "episode_folder",
    "episode_folders",
    "judge",
    "normal_words",
    "open_recogniser",
    "require_recogniser",
    "try_respelling",
    "write_report",
]

__getattr__ = exports(
    __name__,
    {
        "CheckSettings": ".listen",
        "DEFAULT_MODEL": ".recogniser",
        "FLAG_AT": ".flags",
        "Judgement": ".flags",
        "MODELS": ".recogniser",
        "Recogniser": ".recogniser",
        "RecogniserSettings": ".recogniser",
        "Retry": ".retry",
        "Sentence": ".flags",
        "check_episode": ".listen",
        "check_folders": ".listen",
        "episode_folder": ".listen",
        "episode_folders": ".listen",
        "judge": ".flags",
        "normal_words": ".normalise",
        "open_recogniser": ".listen",
        "require_recogniser": ".recogniser",
        "try_respelling": ".retry",
        "write_report": ".listen",
    },
)
