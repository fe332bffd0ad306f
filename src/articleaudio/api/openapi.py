"""The API described for its callers: an OpenAPI 3.1 document, written by hand as data."""

from __future__ import annotations

from typing import Any

from ..jobs import DEFAULT_PRIORITY, PRIORITIES
from ..layout import EPISODES_DIR
from ..version import __version__

_ERROR = {"$ref": "#/components/responses/Error"}
_JOB = {"$ref": "#/components/schemas/Job"}
_AUTH: list[dict[str, list[str]]] = [{"bearer": []}]
_STATE = {"enum": ["queued", "running", "done", "failed"]}


def _ok(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    return {str(status): _ERROR for status in statuses}


_ARTICLE = {
    "oneOf": [
        {
            "type": "object",
            "description": "A CMS article, as 'articleaudio extract' reads JSON",
            "required": ["title"],
            "properties": {
                "title": {"type": "string"},
                "body_html": {"type": "string"},
                "body": {"type": "string"},
                "url": {"type": "string"},
                "authors": {"type": "array", "items": {"type": "string"}},
                "published": {"type": "string"},
                "language": {"type": "string"},
            },
        },
        {
            "type": "object",
            "description": "An article page to fetch (public addresses only, unless allowed)",
            "required": ["url"],
            "properties": {"url": {"type": "string", "format": "uri"}},
            "additionalProperties": False,
        },
    ]
}
_JOB_SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "state": _STATE,
        "source": {"type": "string"},
        "attempts": {"type": "integer"},
        "error": {"type": ["string", "null"], "description": "why it failed"},
        "slug": {"type": ["string", "null"]},
        "episode": {"type": "object", "description": "URLs of the page, audio and feed"},
    },
}
_ERROR_SCHEMA = {
    "type": "object",
    "properties": {
        "error": {
            "type": "object",
            "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
        }
    },
}
_PATHS: dict[str, Any] = {
    "/articles": {
        "post": {
            "summary": "Queue an article to narrate (the same article queued is one job)",
            "security": _AUTH,
            "parameters": [
                {
                    "name": "priority",
                    "in": "query",
                    "description": "With a broker (serve --api --broker): the queue it joins",
                    "schema": {"enum": list(PRIORITIES), "default": DEFAULT_PRIORITY},
                }
            ],
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ARTICLE}},
            },
            "responses": {"202": _ok("Queued; Location names the job", _JOB)}
            | _errors(400, 401, 413, 415, 422, 429),
        }
    },
    "/jobs": {
        "get": {
            "summary": "The library's jobs, oldest first",
            "security": _AUTH,
            "parameters": [{"name": "state", "in": "query", "schema": _STATE}],
            "responses": {"200": _ok("Jobs", {"type": "object"})} | _errors(400, 401, 429),
        }
    },
    "/jobs/{job_id}": {
        "get": {
            "summary": "One job: its state, and its episode's URLs when done",
            "security": _AUTH,
            "responses": {"200": _ok("The job", _JOB)} | _errors(401, 404, 429),
        }
    },
    "/jobs/{job_id}/retry": {
        "post": {
            "summary": "Queue a failed job again",
            "security": _AUTH,
            "responses": {"202": _ok("Queued", _JOB)} | _errors(401, 404, 409, 429),
        }
    },
    f"/{EPISODES_DIR}/{{slug}}": {
        "delete": {
            "summary": "Unpublish an episode: out of the feed, its files deleted",
            "security": _AUTH,
            "responses": {"200": _ok("Unpublished", {"type": "object"})} | _errors(401, 404, 429),
        }
    },
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 description served at ``/api/v1/openapi.json``."""
    return {
        "openapi": "3.1.0",
        "info": {"title": "articleaudio", "version": __version__},
        "servers": [{"url": "/api/v1"}],
        "paths": _PATHS,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Job": _JOB_SCHEMA, "Error": _ERROR_SCHEMA},
            "responses": {"Error": _ok("Refused", {"$ref": "#/components/schemas/Error"})},
        },
    }
