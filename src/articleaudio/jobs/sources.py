"""A job's source payload: what a runner reads, self-contained, and the job's key.

Three shapes, as JSON:

- ``{"url": URL}``: fetched when the job runs (a retry fetches it again);
- ``{"location": PATH, "kind": KIND, "text": TEXT}``: a file or stdin read when the job
  was made, so running it needs nothing from the caller's disk (``kind`` is a
  :class:`~articleaudio.extract.SourceKind`: ``html``, ``markdown``, ``text``, ``json``
  for a CMS's article JSON);
- ``{"location": PATH}``: a file that could not be read; its job failed as it was made.
"""

from __future__ import annotations

import hashlib
from typing import Any

from ..errors import ArticleAudioError
from ..extract import Source, SourceKind, is_url, read_source
from ..layout import slugify
from ..models import Article
from ..pipeline import Given


def read_payload(location: str, kind: SourceKind | None = None) -> dict[str, Any]:
    """The payload for a source as ``build`` names it: a URL as it is, a file read now."""
    if is_url(location):
        return {"url": location}
    source = read_source(location, kind=kind)
    return {"location": source.location, "kind": source.kind.value, "text": source.text}


def text_payload(text: str, kind: SourceKind, location: str) -> dict[str, Any]:
    """The payload for text a caller holds (a CMS's article JSON, a feed's full content)."""
    return {"location": location, "kind": kind.value, "text": text}


def payload_given(payload: dict[str, Any]) -> Given:
    """What the pipeline reads for a payload: the text as a source, else its URL or path."""
    if "text" in payload:
        location = str(payload.get("location") or payload.get("url") or "-")
        kind = SourceKind(payload["kind"])
        return Source(text=payload["text"], kind=kind, location=location, url=payload.get("url"))
    return str(payload.get("url") or payload["location"])


def payload_key(payload: dict[str, Any]) -> str:
    """The key of a job made from a payload: where it came from, and a hash of its text.

    A URL not yet fetched has no content to hash: any queued job for it is the same job.
    A caller that has extracted the article already gives :func:`article_key` instead.
    """
    where = payload.get("url") or payload.get("location") or "-"
    text = payload.get("text")
    content = _sha256(f"{payload.get('kind')}\n{text}") if text is not None else ""
    return f"{where}#{content}"


def article_key(article: Article) -> str:
    """Article identity (its canonical URL, else the slug of its title) and a hash of its
    extracted text: the same story, unchanged, is one job however it arrived."""
    identity = article.url or f"slug:{slugify(article.title)}"
    words = "\n".join([article.title, *(block.text for block in article.blocks)])
    return f"{identity}#{_sha256(words)}"


def error_line(location: str, error: ArticleAudioError) -> str:
    """The one line ``build`` prints after ``Error:``, naming the source unless it does."""
    message = str(error)
    return message if location in message else f"{location}: {message}"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
