"""articleaudio: news articles → narrated, tagged podcast episodes with a local Piper voice.

The public API is the names in ``__all__``: build one article or a batch
(:func:`build_episode`, :func:`build_all`), speak one line (:func:`say`), read an
article or its spoken script without synthesising (:func:`load_article`,
:func:`script_article`), the settings of each stage, the data models and the
errors. Everything else lives in the stage packages and is private by convention.

The names load on first use (:func:`articleaudio._lazy.exports`): ``import articleaudio``
stays cheap and loads no stage.
"""

from __future__ import annotations

from ._lazy import exports
from .version import __version__

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .config import PodcastConfig, load_config
    from .encode import EncodeSettings
    from .errors import (
        ArticleAudioError,
        AudioToolError,
        ConfigError,
        EmptyArticleError,
        EpisodeNotFoundError,
        ExtractionError,
        FetchError,
        HTTPStatusError,
        InputError,
        LanguageError,
        LibraryNotFoundError,
        PrivateAddressError,
        PublishError,
        SourceError,
        SourceNotFoundError,
        SynthesisError,
        UncertainExtractionError,
        VoiceError,
        VoiceNotFoundError,
    )
    from .extract import extract, load_article
    from .library import BuildStatus, Built
    from .master import MasterSettings, Pauses
    from .models import (
        Article,
        Block,
        BlockKind,
        Chapter,
        Cue,
        Episode,
        Loudness,
        Role,
        Segment,
        Spoken,
        Timeline,
        WordTime,
    )
    from .pipeline import build_all, build_episode, say
    from .settings import BuildSettings
    from .synth import SynthesisSettings, Synthesizer
    from .text import DisclosurePosition, Script, SpeechSettings, script_article

__all__ = [
    "Article",
    "ArticleAudioError",
    "AudioToolError",
    "Block",
    "BlockKind",
    "BuildSettings",
    "BuildStatus",
    "Built",
    "Chapter",
    "ConfigError",
    "Cue",
    "DisclosurePosition",
    "EmptyArticleError",
    "EncodeSettings",
    "Episode",
    "EpisodeNotFoundError",
    "ExtractionError",
    "FetchError",
    "HTTPStatusError",
    "InputError",
    "LanguageError",
    "LibraryNotFoundError",
    "Loudness",
    "MasterSettings",
    "Pauses",
    "PodcastConfig",
    "PrivateAddressError",
    "PublishError",
    "Role",
    "Script",
    "Segment",
    "SourceError",
    "SourceNotFoundError",
    "SpeechSettings",
    "Spoken",
    "SynthesisError",
    "SynthesisSettings",
    "Synthesizer",
    "Timeline",
    "UncertainExtractionError",
    "VoiceError",
    "VoiceNotFoundError",
    "WordTime",
    "__version__",
    "build_all",
    "build_episode",
    "extract",
    "load_article",
    "load_config",
    "say",
    "script_article",
]

__getattr__ = exports(
    __name__,
    {
        "Article": ".models",
        "ArticleAudioError": ".errors",
        "AudioToolError": ".errors",
        "Block": ".models",
        "BlockKind": ".models",
        "BuildSettings": ".settings",
        "BuildStatus": ".library.write",
        "Built": ".library.write",
        "Chapter": ".models",
        "ConfigError": ".errors",
        "Cue": ".models",
        "DisclosurePosition": ".text.segment",
        "EmptyArticleError": ".errors",
        "EncodeSettings": ".encode.encoder",
        "Episode": ".models",
        "EpisodeNotFoundError": ".errors",
        "ExtractionError": ".errors",
        "FetchError": ".errors",
        "HTTPStatusError": ".errors",
        "InputError": ".errors",
        "LanguageError": ".errors",
        "LibraryNotFoundError": ".errors",
        "Loudness": ".models",
        "MasterSettings": ".master.layout",
        "Pauses": ".master.layout",
        "PodcastConfig": ".config",
        "PrivateAddressError": ".errors",
        "PublishError": ".errors",
        "Role": ".models",
        "Script": ".text.speech",
        "Segment": ".models",
        "SourceError": ".errors",
        "SourceNotFoundError": ".errors",
        "SpeechSettings": ".text.segment",
        "Spoken": ".models",
        "SynthesisError": ".errors",
        "SynthesisSettings": ".synth.synthesize",
        "Synthesizer": ".synth.synthesize",
        "Timeline": ".models",
        "UncertainExtractionError": ".errors",
        "VoiceError": ".errors",
        "VoiceNotFoundError": ".errors",
        "WordTime": ".models",
        "build_all": ".pipeline",
        "build_episode": ".pipeline",
        "extract": ".extract.article",
        "load_article": ".extract",
        "load_config": ".config",
        "say": ".pipeline",
        "script_article": ".text.speech",
    },
)
