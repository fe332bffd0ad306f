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
    from .article import extract, extract_source
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

__all__ = [
    "FetchResult",
    "FetchSettings",
    "Fetcher",
    "Source",
    "SourceKind",
    "Validators",
    "decode_bytes",
    "extract",
    "extract_source",
    "fetch_url",
    "is_url",
    "read_bytes",
    "read_source",
    "source_from_result",
]

__getattr__ = exports(
    __name__,
    {
        "FetchResult": ".fetch",
        "FetchSettings": ".fetch",
        "Fetcher": ".fetch",
        "Source": ".ingest",
        "SourceKind": ".ingest",
        "Validators": ".fetch",
        "decode_bytes": ".ingest",
        "extract": ".article",
        "extract_source": ".article",
        "fetch_url": ".ingest",
        "is_url": ".ingest",
        "read_bytes": ".ingest",
        "read_source": ".ingest",
        "source_from_result": ".ingest",
    },
)
