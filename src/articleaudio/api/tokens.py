"""Where the API's tokens come from: the environment, and the library's settings file.

``[api] tokens = [...]`` in the library's ``articleaudio.toml`` (the feed settings
ignore the table), and :data:`~articleaudio.api.guard.TOKENS_ENV`, comma-separated.
Either may be empty; both together are the tokens accepted.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import ConfigError
from ..layout import CONFIG_NAME
from .guard import env_tokens


def api_tokens(library: Path, environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """Every token accepted for ``library``: the environment's, then the settings file's."""
    return tuple(dict.fromkeys((*env_tokens(environ), *file_tokens(library / CONFIG_NAME))))


def file_tokens(path: Path) -> tuple[str, ...]:
    """The ``[api] tokens`` of a settings file; none if it has no such table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ()
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the API tokens in {path}: {exc}") from exc
    table = data.get("api", {})
    tokens = table.get("tokens", []) if isinstance(table, dict) else None
    if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
        raise ConfigError(f'{path}: [api] tokens must be a list of strings, like tokens = ["..."]')
    return tuple(tokens)
