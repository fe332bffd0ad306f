"""What ``build`` can be told, gathered from every stage's own settings.

A leaf of the pipeline: the pipeline and the writer read it, and it imports only
the stages' settings types, so no stage imports the pipeline for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import PodcastConfig
from .encode import EncodeSettings
from .extract import WARN_BELOW, SourceKind
from .master import MasterSettings
from .synth import SynthesisSettings
from .text import SpeechSettings

MAX_WORDS = 100_000
"""Default limit on article length: about eleven hours of audio, far past any news story."""


@dataclass(frozen=True)
class BuildSettings:
    """Everything ``build`` can be told, grouped by stage."""

    output: Path = Path("output")
    """Library folder; episodes go to ``output/episodes/<slug>/``."""
    voice: str | None = None
    """Voice name or ``.onnx`` path (None: the embedded default)."""
    kind: SourceKind | None = None
    """Force the source format instead of detecting it."""
    slug: str | None = None
    """Episode slug (None: from the title)."""
    publication: str | None = None
    """Album tag (None: the article's publisher, else ``articleaudio``)."""
    cover: Path | None = None
    """Episode art (None: the article's lead image when it is here, else the show's)."""
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    synthesis: SynthesisSettings = field(default_factory=SynthesisSettings)
    master: MasterSettings = field(default_factory=MasterSettings)
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    jobs: int | None = None
    """Synthesis worker processes (None: one per core)."""
    cache_dir: Path | None = None
    """Segment cache folder (None: the user cache directory)."""
    use_cache: bool = True
    """Reuse and store synthesised segments."""
    force: bool = False
    """Rebuild even when nothing changed since the last build."""
    max_words: int = MAX_WORDS
    """Refuse longer articles (memory stays bounded either way; time does not)."""
    lexicons: tuple[Path, ...] = ()
    """Pronunciation lexicons applied after the default one, later files winning."""
    publish: bool = True
    """Add the episode to the library's catalogue and feed once its files are complete."""
    podcast: PodcastConfig | None = None
    """Feed settings (None: the library's own, see :mod:`articleaudio.library.settings`)."""
    strict: bool = False
    """Refuse an article whose language its voice does not speak, or whose extraction
    confidence is below ``min_confidence``, instead of warning."""
    min_confidence: float = WARN_BELOW
    """Warn about (``strict``: refuse) an extraction whose confidence is below this."""
