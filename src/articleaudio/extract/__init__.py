"""Extract stage: a source (file, URL, stdin) → :class:`~articleaudio.models.Article`.

The names below are this stage's public face; its modules are private by convention.
They load on first use (:func:`articleaudio._lazy.exports`), so importing one module
of the stage does not import the others. :class:`Fetcher` is the one HTTP client:
every page, feed and sitemap articleaudio reads comes through it.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .article import extract, extract_source, load_article
    from .confidence import WARN_BELOW, score_extraction
    from .fetch import Fetcher, FetchResult, FetchSettings, Validators
    from .ingest import (
        Source,
        SourceKind,
        decode_bytes,
        fetch_url,
        is_url,
        read_bytes,
        read_source,
        source_from_result,
    )
    from .scripts import NO_SPACE_CHARS, collapse_breaks, dominant_script, writes

__all__ = [
    "NO_SPACE_CHARS",
    "WARN_BELOW",
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "Source",
    "SourceKind",
    "Validators",
    "collapse_breaks",
    "decode_bytes",
    "dominant_script",
    "extract",
    "extract_source",
    "fetch_url",
    "is_url",
    "load_article",
    "read_bytes",
    "read_source",
    "score_extraction",
    "source_from_result",
    "writes",
]

__getattr__ = exports(
    __name__,
    {
        "FetchResult": ".fetch",
        "FetchSettings": ".fetch",
        "Fetcher": ".fetch",
        "NO_SPACE_CHARS": ".scripts",
        "Source": ".ingest",
        "SourceKind": ".ingest",
        "Validators": ".fetch",
        "WARN_BELOW": ".confidence",
        "collapse_breaks": ".scripts",
        "decode_bytes": ".ingest",
        "dominant_script": ".scripts",
        "extract": ".article",
        "extract_source": ".article",
        "fetch_url": ".ingest",
        "is_url": ".ingest",
        "load_article": ".article",
        "read_bytes": ".ingest",
        "read_source": ".ingest",
        "score_extraction": ".confidence",
        "source_from_result": ".ingest",
        "writes": ".scripts",
    },
)
