"""The API's routes: articles in, jobs out, episodes unpublished; errors in one shape.

Every answer is JSON. A refusal is ``{"error": {"code": ..., "message": ...}}`` with
its status: 400 a body that is not JSON, 401 no or a wrong token, 404 no such job or
episode, 409 a job not in a state for that, 413 a body too large, 415 not JSON,
422 not an article or a URL refused, 429 too many writes (with ``Retry-After``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from ..errors import EpisodeNotFoundError, JobError, JobNotFoundError
from ..jobs import DEFAULT_PRIORITY, PRIORITIES
from ..layout import EPISODES_DIR
from ..library import Job, JobState, open_job_store, unpublish
from .guard import ApiError, RateLimiter, read_limited, token_index
from .openapi import openapi_document
from .submit import PREFIX, ApiSettings, check_slug_text, job_view, posted_job
from .worker import JobWorker

log = logging.getLogger(__name__)

Handler = Callable[[Request], Awaitable[Response]]
HEADERS = {"cache-control": "no-store", "x-content-type-options": "nosniff"}
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
JSON_TYPES = ("application/json",)


def answer(
    data: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """A JSON answer with the API's headers."""
    return JSONResponse(data, status_code=status, headers={**HEADERS, **(headers or {})})


def refusal(error: ApiError) -> Response:
    """The one shape of every refusal."""
    body = {"error": {"code": error.code, "message": error.message}}
    return answer(body, error.status, error.headers)


def refusing(handler: Handler) -> Handler:
    """``handler`` with its :class:`ApiError` answered as a refusal."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except ApiError as error:
            return refusal(error)

    return wrapped


class Api:
    """The routes of one served library, its guard and its runner."""

    def __init__(self, library: Path, settings: ApiSettings, worker: JobWorker) -> None:
        self.library, self.settings, self.worker = library, settings, worker
        self.limiter = RateLimiter(rate=settings.rate_per_s, burst=settings.burst)

    def routes(self) -> list[Route]:
        """The API's routes, a catch-all for the rest of ``/api/`` last."""
        table: list[tuple[str, Handler, list[str]]] = [
            ("/articles", self.post_article, ["POST"]),
            ("/jobs", self.list_jobs, ["GET"]),
            ("/jobs/{job_id}", self.get_job, ["GET"]),
            ("/jobs/{job_id}/retry", self.retry_job, ["POST"]),
            (f"/{EPISODES_DIR}/{{slug}}", self.delete_episode, ["DELETE"]),
            ("/openapi.json", self.openapi, ["GET"]),
        ]
        routes = [Route(PREFIX + path, refusing(h), methods=m) for path, h, m in table]
        return [*routes, Route("/api/{rest:path}", refusing(self.not_found), methods=ALL_METHODS)]

    def _client(self, request: Request) -> str:
        return request.client.host if request.client else "-"

    def _writer(self, request: Request) -> str:
        """Who may write: rate-limited first (so guessing tokens is slow too), then the token."""
        self.limiter.take(self._client(request))
        index = token_index(request.headers.get("authorization"), self.settings.tokens)
        return f"api:token{index + 1}"  # who asked, by the token's place: never the token

    def _reader(self, request: Request) -> None:
        try:
            token_index(request.headers.get("authorization"), self.settings.tokens)
        except ApiError:
            self.limiter.take(self._client(request))  # a wrong guess costs as a write does
            raise

    async def post_article(self, request: Request) -> Response:
        """``POST /articles``: queue an article (or a URL); the same one queued is one job."""
        who = self._writer(request)
        priority = request.query_params.get("priority", DEFAULT_PRIORITY)
        if priority not in PRIORITIES:
            names = ", ".join(PRIORITIES)
            raise ApiError(422, "invalid_priority", f"priority must be one of {names}")
        body = await self._json_body(request)
        job = await anyio.to_thread.run_sync(posted_job, body, self.settings, self.library, who)
        queued = await anyio.to_thread.run_sync(self._add, job)
        self.worker.wake(queued.id, priority)
        location = f"{PREFIX}/jobs/{queued.id}"
        return answer(job_view(queued, self.library), 202, {"location": location})

    def _add(self, job: Job) -> Job:
        with open_job_store(self.library) as store:
            return store.add(job)

    async def _json_body(self, request: Request) -> dict[str, Any]:
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in JSON_TYPES and not media.endswith("+json"):
            raise ApiError(415, "unsupported_media_type", "send the article as application/json")
        raw = await read_limited(
            request.stream(), request.headers.get("content-length"), self.settings.max_body_bytes
        )
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, "bad_json", f"the body is not JSON in UTF-8 ({exc})") from exc
        if not isinstance(body, dict):
            raise ApiError(422, "invalid_article", "the body must be a JSON object")
        return body

    async def get_job(self, request: Request) -> Response:
        """``GET /jobs/{id}``: the job's state; the episode's URLs when done."""
        self._reader(request)
        job_id = request.path_params["job_id"]
        return answer(await anyio.to_thread.run_sync(self._job_view, job_id))

    def _job_view(self, job_id: str) -> dict[str, Any]:
        with open_job_store(self.library) as store:
            try:
                return job_view(store.get(job_id), self.library)
            except JobNotFoundError as exc:
                raise ApiError(404, "not_found", f"no job {job_id!r} in this library") from exc

    async def list_jobs(self, request: Request) -> Response:
        """``GET /jobs?state=``: the library's jobs, oldest first."""
        self._reader(request)
        wanted = request.query_params.get("state")
        if wanted is not None and wanted not in {s.value for s in JobState}:
            choices = ", ".join(s.value for s in JobState)
            raise ApiError(400, "bad_state", f"state must be one of {choices}")
        state = JobState(wanted) if wanted else None
        return answer({"jobs": await anyio.to_thread.run_sync(self._views, state)})

    def _views(self, state: JobState | None) -> list[dict[str, Any]]:
        with open_job_store(self.library) as store:
            return [job_view(job, self.library) for job in store.jobs(state)]

    async def retry_job(self, request: Request) -> Response:
        """``POST /jobs/{id}/retry``: queue a failed job again (409 if it is not failed)."""
        self._writer(request)
        job_id = request.path_params["job_id"]
        job = await anyio.to_thread.run_sync(self._retry, job_id)
        self.worker.wake()
        return answer(job, 202, {"location": f"{PREFIX}/jobs/{job_id}"})

    def _retry(self, job_id: str) -> dict[str, Any]:
        with open_job_store(self.library) as store:
            try:
                return job_view(store.retry(job_id), self.library)
            except JobNotFoundError as exc:
                raise ApiError(404, "not_found", f"no job {job_id!r} in this library") from exc
            except JobError as exc:
                raise ApiError(409, "conflict", str(exc)) from exc

    async def delete_episode(self, request: Request) -> Response:
        """``DELETE /episodes/{slug}``: out of the feed and the catalogue, its folder deleted."""
        self._writer(request)
        slug = check_slug_text(request.path_params["slug"])
        try:
            await anyio.to_thread.run_sync(unpublish, self.library, slug)
        except EpisodeNotFoundError as exc:
            raise ApiError(404, "not_found", f"no episode {slug!r} in this library") from exc
        log.info("unpublished %s", slug)
        return answer({"slug": slug, "unpublished": True})

    async def openapi(self, request: Request) -> Response:
        """``GET /openapi.json``: this API described (no token needed)."""
        return answer(openapi_document())

    async def not_found(self, request: Request) -> Response:
        """Any other ``/api/`` path."""
        raise ApiError(404, "not_found", f"no API route {request.method} {request.url.path}")
