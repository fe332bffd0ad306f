"""The settings a library keeps: ``<library>/articleaudio.toml``.

A feed must not depend on the folder a command runs in: one cron job started
from the wrong place used to rewrite ``feed.xml`` with the defaults. So the
library stores the settings its feed is written with, next to the feed, and
every command that reads or writes the feed resolves them in this order:

1. ``--config FILE`` (and the library keeps a copy: it updates the settings);
2. the library's own ``articleaudio.toml``;
3. ``./articleaudio.toml`` in the working directory, for a library without
   settings yet (adopted: the library keeps a copy from then on);
4. the built-in defaults (not stored, so a later settings file is adopted).

A library with stored settings never falls back to a working-directory file or
to the defaults; a different ``./articleaudio.toml`` is named in a warning. The
stored copy names the artwork by the library's own copy of the image, so it
stays valid wherever the library is read from, or moved to.

The API's tokens (``[api] tokens``) live in the library's own file only, never in a
:class:`PodcastConfig`: a build's settings travel in its job, and a token must never
be stored or sent with one. So every rewrite of the stored settings keeps the
library's ``[api]`` table as it is (a new library adopting ``./articleaudio.toml``
takes that file's); a ``--config`` file's own ``[api]`` table is not applied, and a
warning says so and names the file to edit.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from ..config import (
    API_TOKENS_ENV,
    TABLES,
    PodcastConfig,
    describe_artwork,
    load_config,
    read_api_tokens,
)
from ..errors import ConfigError
from ..fsutil import atomic_write_text
from ..layout import ARTWORK_STEM, CONFIG_NAME

log = logging.getLogger(__name__)

LIBRARY_SETTINGS = CONFIG_NAME
"""The settings file inside the library folder."""
HEADER = (
    "# The podcast settings of this library, written by articleaudio with its feed.\n"
    "# Every build and feed command reads them, from any folder. To change them, run\n"
    "# 'articleaudio feed -o LIBRARY --config FILE' (or edit this file).\n"
)


@dataclass(frozen=True)
class Resolved:
    """The settings that apply to a library, and whether the library should keep them."""

    config: PodcastConfig
    """The settings."""
    keep: bool
    """True when they are new to the library (``--config`` or an adopted file)."""
    adopted: Path | None = None
    """The working directory's file they were read from, when the library adopts it."""


def settings_path(output_dir: Path) -> Path:
    """Where a library keeps its settings."""
    return output_dir / LIBRARY_SETTINGS


def library_config(output_dir: Path, config_file: Path | None = None) -> PodcastConfig:
    """The settings for the library, from ``config_file`` if given (see the module doc)."""
    return resolve(output_dir, given_config(output_dir, config_file)).config


def given_config(output_dir: Path, config_file: Path | None) -> PodcastConfig | None:
    """The settings of a ``--config`` file for this library (None: no file given).

    Its ``[api]`` table, if any, is not applied (see the module doc): when it differs
    from the library's, a warning names the library's file, where tokens go.
    """
    if config_file is None:
        return None
    config = load_config(config_file)
    stored = settings_path(output_dir)
    given = read_api_tokens(config_file)
    ignored = given is not None and not _same_file(config_file, stored)
    if ignored and given != _library_tokens(output_dir):
        log.warning(
            "%s: its [api] tokens are not applied; serve --api takes tokens only from "
            "%s (edit its [api] table) and %s",
            config_file,
            stored,
            API_TOKENS_ENV,
        )
    return config


def resolve(
    output_dir: Path, given: PodcastConfig | None = None, *, cwd: Path | None = None
) -> Resolved:
    """Apply the precedence: ``given`` > the library's file > the working directory's > defaults."""
    if given is not None:
        return Resolved(given, keep=True)
    stored_path = settings_path(output_dir)
    local = (cwd or Path.cwd()) / CONFIG_NAME
    if stored_path.is_file():
        stored = load_config(stored_path)
        if local.is_file() and not _same_file(local, stored_path):
            _warn_if_ignored(local, stored, stored_path)
        return Resolved(stored, keep=False)
    if local.is_file():
        return Resolved(load_config(local), keep=True, adopted=local)
    return Resolved(PodcastConfig(), keep=False)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


_warned: set[tuple[Path, Path]] = set()
"""Ignored files already named: a command resolves its settings more than once."""


def _warn_if_ignored(local: Path, stored: PodcastConfig, stored_path: Path) -> None:
    if (local, stored_path) in _warned:
        return
    _warned.add((local, stored_path))
    try:
        differs = settings_text(load_config(local)) != settings_text(stored)
    except ConfigError:
        differs = True
    if differs:
        log.warning(
            "not using %s: the library keeps its own settings in %s; "
            "pass --config %s to replace them",
            local,
            stored_path,
            local,
        )


def is_kept(output_dir: Path, config: PodcastConfig) -> bool:
    """True when the library's stored settings are exactly ``config``."""
    try:
        stored = settings_path(output_dir).read_text(encoding="utf-8")
    except OSError:
        return False
    try:
        return stored == stored_text(output_dir, config)
    except ConfigError:
        return False


def store(output_dir: Path, config: PodcastConfig, adopted: Path | None = None) -> tuple[str, ...]:
    """Write the settings into the library atomically; call under the library lock.

    The library's ``[api]`` table is kept (else the ``adopted`` file's is taken).
    Returns the feed files the previous settings wrote and these do not, so the
    caller can remove feeds no longer kept up to date.
    """
    before = _stored_feed_files(output_dir)
    atomic_write_text(settings_path(output_dir), stored_text(output_dir, config, adopted))
    return tuple(name for name in before if name not in feed_files(config))


def stored_text(output_dir: Path, config: PodcastConfig, adopted: Path | None = None) -> str:
    """What the library's file holds with these settings: them, and its ``[api]`` table."""
    tokens = _library_tokens(output_dir)
    if tokens is None and adopted is not None:
        tokens = read_api_tokens(adopted)
    text = settings_text(config)
    if tokens is None:
        return text
    listed = ", ".join(toml_value(token) for token in tokens)
    return f"{text}\n{API_HEADER}[api]\ntokens = [{listed}]\n"


API_HEADER = (
    "# The bearer tokens of 'serve --api' (and ARTICLEAUDIO_API_TOKENS). They live here\n"
    "# only: replacing the settings with --config keeps this table as it is.\n"
)


def _library_tokens(output_dir: Path) -> tuple[str, ...] | None:
    """The library's own ``[api] tokens``; a file that cannot be read is an error, since
    rewriting it would lose any tokens it holds."""
    path = settings_path(output_dir)
    try:
        return read_api_tokens(path)
    except ConfigError as exc:
        raise ConfigError(
            f"{exc}; fix or remove {path} first: replacing it would lose its API tokens"
        ) from exc


def feed_files(config: PodcastConfig) -> tuple[str, ...]:
    """Every feed file the settings write: the main feed and each ``[[feeds]]``."""
    return (config.feed_file, *(s.feed_file for s in config.feeds))


def _stored_feed_files(output_dir: Path) -> tuple[str, ...]:
    path = settings_path(output_dir)
    if not path.is_file():
        return ()
    try:
        return feed_files(load_config(path))
    except ConfigError as exc:  # being replaced anyway; keep its feeds rather than guess
        log.warning("previous settings %s unreadable (%s)", path, exc)
        return ()


def artwork_name(data: bytes, suffix: str) -> str:
    """The library's file name for cover art: content-addressed."""
    return f"{ARTWORK_STEM}-{hashlib.sha256(data).hexdigest()[:12]}{suffix}"


def settings_text(config: PodcastConfig) -> str:
    """The settings as the library stores them (TOML that loads back to ``config``)."""
    lines = [HEADER, "[podcast]"]
    for name, value in _podcast_values(config).items():
        if name == "artwork" and value is not None:
            data = _read_artwork(value)
            value = artwork_name(data, describe_artwork(data)[0])
        if value is not None:
            lines.append(f"{name} = {toml_value(value)}")
    for selection in config.feeds:
        lines += ["", "[[feeds]]"]
        for field in fields(selection):
            value = getattr(selection, field.name)
            if value is not None:
                lines.append(f"{field.name} = {toml_value(value)}")
    if config.voices:
        lines += ["", "[voices]"]
        lines += [f"{toml_value(lang)} = {toml_value(voice)}" for lang, voice in config.voices]
    return "\n".join(lines) + "\n"


def _podcast_values(config: PodcastConfig) -> dict[str, Any]:
    return {f.name: getattr(config, f.name) for f in fields(config) if f.name not in TABLES}


def _read_artwork(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read artwork {path}: {exc.strerror or exc}") from exc


def toml_value(value: str | bool) -> str:
    """A TOML literal for a setting's value.

    JSON string escapes are TOML basic-string escapes, except that TOML also
    forbids a raw DEL (TOML 1.0, "String").

    >>> toml_value('say "hi"\\x7f'), toml_value(True)
    ('"say \\\\"hi\\\\"\\\\u007f"', 'true')
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


RESERVED_DOMAINS = ("example.com", "example.net", "example.org")
RESERVED_TLDS = ("example", "invalid", "localhost", "test")
"""Names that never reach anyone (RFC 2606, RFC 6761): placeholders, not a show's address."""


def placeholder_host(host: str) -> str | None:
    """Why a host name cannot be a real show's, or None.

    >>> placeholder_host("127.0.0.1"), placeholder_host("podcast.example.invalid")
    ('a local address', 'a reserved example domain')
    >>> placeholder_host("news.bbc.co.uk") is None
    True
    """
    host = host.lower().rstrip(".")
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        address = None
    if address is not None and (
        address.is_loopback or address.is_private or address.is_unspecified
    ):
        return "a local address"
    if host == "localhost":
        return "a local address"
    if host.rsplit(".", 1)[-1] in RESERVED_TLDS or any(
        host == d or host.endswith("." + d) for d in RESERVED_DOMAINS
    ):
        return "a reserved example domain"
    return None


def placeholders(config: PodcastConfig) -> list[str]:
    """Settings still holding a placeholder, each with what to put there instead."""
    urls = [("base_url", config.base_url, "the public URL the library is served at")]
    if config.link:
        urls.append(("link", config.link, "the show's web site"))
    found = [
        f"{name} {url} is {why}: podcast apps cannot reach it; set {name} in [podcast] to {what}"
        for name, url, what in urls
        if (why := placeholder_host(urlsplit(url).hostname or ""))
    ]
    domain = config.owner_email.rpartition("@")[2]
    if why := placeholder_host(domain):
        found.append(
            f"owner_email {config.owner_email} is at {why}: directories send ownership "
            "checks there; set owner_email in [podcast] to an address you read"
        )
    return found
