"""Where the API's tokens come from: the environment, and the library's settings file.

``[api] tokens = [...]`` in the library's own ``articleaudio.toml`` (kept there however
the library's settings are rewritten, see :mod:`articleaudio.library.settings`), and
:data:`~articleaudio.api.guard.TOKENS_ENV`, comma-separated. Either may be empty; both
together are the tokens accepted.
"""

from __future__ import annotations

from pathlib import Path

from ..config import read_api_tokens
from ..layout import CONFIG_NAME
from .guard import env_tokens


def api_tokens(library: Path, environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """Every token accepted for ``library``: the environment's, then the settings file's."""
    return tuple(dict.fromkeys((*env_tokens(environ), *file_tokens(library / CONFIG_NAME))))


def file_tokens(path: Path) -> tuple[str, ...]:
    """The ``[api] tokens`` of a settings file; none if it has no such table."""
    return read_api_tokens(path) or ()
