"""A posted body made a job: a CMS's article JSON as it is, or a URL fetched now.

A posted URL is fetched here, before the job is queued, by a fetcher that refuses
loopback, link-local and private addresses (redirects included) unless the server
allows them: a webhook must not be able to make the server read internal URLs. The
job then carries the page's text, so the runner never fetches it with the command
line's trust.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ..errors import ArticleAudioError, PrivateAddressError
from ..extract import FetchSettings, Source, SourceKind, extract_source, fetch_url, is_url
from ..jobs import (
    PATIENT,
    BrokerSettings,
    RetryPolicy,
    article_key,
    settings_to_json,
    text_payload,
)
from ..layout import EPISODE_FILE, EPISODES_DIR, SLUG_PATTERN, episode_dir, read_episode
from ..library import Job, JobState, library_config, new_job
from ..settings import BuildSettings
from .guard import BURST, MAX_BODY_BYTES, RATE_PER_S, ApiError

POSTED = "api"
"""The location of a posted article JSON, in its job and its error lines."""
PREFIX = "/api/v1"
"""Where the API's routes start."""


@dataclass(frozen=True)
class ApiSettings:
    """How ``serve --api`` accepts writes."""

    tokens: tuple[str, ...] = field(default=(), repr=False)
    """Bearer tokens accepted (never shown: not even in a repr)."""
    allow_private: bool = False
    """Fetch posted URLs on loopback, link-local and private addresses too (tests)."""
    allowed_networks: tuple[str, ...] = ()
    """Private networks whose URLs may be posted all the same (the CMS's)."""
    max_body_bytes: int = MAX_BODY_BYTES
    rate_per_s: float = RATE_PER_S
    burst: int = BURST
    build: BuildSettings = field(default_factory=BuildSettings)
    """How the jobs are built (their ``output`` is the served library, whatever this says)."""
    retry: RetryPolicy = PATIENT
    """How often the runner starts a job that fails for a passing reason (or a bug)."""
    broker: BrokerSettings | None = None
    """Send the jobs to this broker's workers instead of building them in the server."""


def posted_job(body: dict[str, Any], settings: ApiSettings, library: Path, who: str) -> Job:
    """The job for a posted body (not yet queued); :class:`ApiError` 422 if it is no article."""
    source = _posted_source(body, settings)
    try:
        article = extract_source(source)
    except ArticleAudioError as exc:
        raise ApiError(422, "invalid_article", str(exc)) from exc
    payload = text_payload(source.text, source.kind, source.location)
    if source.url:
        payload["url"] = source.url
    build = settings_to_json(replace(settings.build, output=library))
    return new_job(payload, build, article_key(article), who)


def _posted_source(body: dict[str, Any], settings: ApiSettings) -> Source:
    if set(body) != {"url"}:
        text = json.dumps(body, ensure_ascii=False)
        return Source(text=text, kind=SourceKind.JSON, location=POSTED)
    url = body["url"]
    if not isinstance(url, str) or not is_url(url):
        raise ApiError(422, "invalid_url", '"url" must be an http or https URL')
    fetch = FetchSettings(
        allow_private=settings.allow_private,
        allowed_networks=settings.allowed_networks,
        host_delay=0.0,
        accept="text/html,*/*",
    )
    try:
        return fetch_url(url, settings=fetch)
    except PrivateAddressError as exc:
        raise ApiError(422, "url_refused", str(exc)) from exc
    except ArticleAudioError as exc:
        raise ApiError(422, "fetch_failed", str(exc)) from exc


def job_view(job: Job, library: Path) -> dict[str, Any]:
    """What the API says of a job: its state, and the episode's URLs once done."""
    view: dict[str, Any] = {
        "id": job.id,
        "state": job.state.value,
        "source": job.location,
        "requested_by": job.requested_by,
        "attempts": job.attempts,
        "created": _iso(job),
        "finished": job.finished.isoformat() if job.finished else None,
        "error": job.error,
        "slug": job.slug,
        "links": {"self": f"{PREFIX}/jobs/{job.id}"},
    }
    if job.state is JobState.DONE and job.slug:
        view["episode"] = episode_urls(library, job.slug)
    return view


def _iso(job: Job) -> str | None:
    return job.created.isoformat() if job.created else None


def episode_urls(library: Path, slug: str) -> dict[str, str] | None:
    """The public URLs of an episode's page, record, audio and feed; None once it is gone."""
    try:
        episode = read_episode(episode_dir(library, slug))
    except ArticleAudioError:
        return None
    config = library_config(library)
    base = config.base_url.rstrip("/") + "/"
    folder = f"{base}{EPISODES_DIR}/{slug}/"
    urls = {
        "page": folder,
        "episode_json": folder + EPISODE_FILE,
        "feed": base + config.feed_file,
    }
    urls |= {role: folder + name for role, name in episode.files.items()}
    return urls


def check_slug_text(slug: str) -> str:
    """``slug`` if it can name an episode; :class:`ApiError` 404 otherwise (never a path)."""
    if not SLUG_PATTERN.match(slug):
        raise ApiError(404, "not_found", f"no episode {slug!r} in this library")
    return slug
