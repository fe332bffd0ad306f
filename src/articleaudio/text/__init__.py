"""Text stage: an :class:`~articleaudio.models.Article` → spoken segments
(lexicon, normalisation, segmentation).

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .normalize import to_spoken
    from .segment import DEFAULT_DISCLOSURE, DisclosurePosition, SpeechSettings, segment_article
    from .speech import Script, load_lexicon, make_spoken, script_article, spoken_for

__all__ = [
    "DEFAULT_DISCLOSURE",
    "DisclosurePosition",
    "Lexicon",
    "Script",
    "SpeechSettings",
    "load_lexicon",
    "make_spoken",
    "script_article",
    "segment_article",
    "spoken_for",
    "to_spoken",
]

__getattr__ = exports(
    __name__,
    {
        "DEFAULT_DISCLOSURE": ".segment",
        "DisclosurePosition": ".segment",
        "Lexicon": ".lexicon",
        "Script": ".speech",
        "SpeechSettings": ".segment",
        "load_lexicon": ".speech",
        "make_spoken": ".speech",
        "script_article": ".speech",
        "segment_article": ".segment",
        "spoken_for": ".speech",
        "to_spoken": ".normalize",
    },
)
