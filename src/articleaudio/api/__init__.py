"""API stage: ``articleaudio serve --api``, the web API a CMS's publish hook calls.

It turns posted articles into jobs (so it sits above :mod:`articleaudio.jobs`),
runs them in one background runner, and serves them beside the library's
read-only routes (:mod:`articleaudio.web`, below it), which it leaves as they are.

The names below are this stage's public face; its modules are private by convention.
"""

from __future__ import annotations

from .._lazy import exports

TYPE_CHECKING = False
"""typing.TYPE_CHECKING without importing typing at run time (mypy reads the name)."""

if TYPE_CHECKING:
    from .guard import TOKENS_ENV, env_tokens
    from .openapi import openapi_document
    from .service import api_server, create_api_app
    from .submit import ApiSettings
    from .tokens import api_tokens

__all__ = [
    "TOKENS_ENV",
    "ApiSettings",
    "api_server",
    "api_tokens",
    "create_api_app",
    "env_tokens",
    "openapi_document",
]

__getattr__ = exports(
    __name__,
    {
        "TOKENS_ENV": ".guard",
        "ApiSettings": ".submit",
        "api_server": ".service",
        "api_tokens": ".tokens",
        "create_api_app": ".service",
        "env_tokens": ".guard",
        "openapi_document": ".openapi",
    },
)
