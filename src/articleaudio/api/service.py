"""``serve --api``: the library's read-only routes with the API's beside them, and its runner."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import uvicorn
from starlette.applications import Starlette

from ..errors import ConfigError
from ..layout import CONFIG_NAME
from ..synth import Synthesizer
from ..web import app_server, create_app
from .routes import Api
from .submit import ApiSettings
from .worker import JobWorker


def create_api_app(library: Path, settings: ApiSettings, worker: JobWorker) -> Starlette:
    """The API's routes first, then the library's files exactly as plain ``serve`` has them."""
    if not settings.tokens:
        raise ConfigError(
            "serve --api accepts writes only with a token: set ARTICLEAUDIO_API_TOKENS "
            f"(comma-separated) or [api] tokens in the library's {CONFIG_NAME}"
        )
    files = create_app(library)
    return Starlette(routes=[*Api(library, settings, worker).routes(), *files.routes])


@contextlib.contextmanager
def api_server(
    library: Path,
    settings: ApiSettings,
    *,
    synthesizer: Synthesizer | None = None,
    access_log: bool = True,
) -> Iterator[uvicorn.Server]:
    """A Uvicorn server for the library and its API, its job runner running meanwhile.

    Run it with ``.run(sockets=[bind_socket(...)])`` inside the ``with``; leaving
    stops the runner after the job it is building.
    """
    worker = JobWorker(
        library, synthesizer=synthesizer, policy=settings.retry, broker=settings.broker
    )
    app = create_api_app(library, settings, worker)
    worker.start()
    try:
        yield app_server(app, access_log=access_log)
    finally:
        worker.stop()
