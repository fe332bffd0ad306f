"""Episode slugs: safe, stable folder and file names."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from .errors import ConfigError

MAX_SLUG = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
"""What every slug looks like; nothing in it can climb out of a folder."""


def slugify(title: str) -> str:
    """A lowercase ASCII slug from a title; a hash when nothing ASCII is left.

    >>> slugify("Russian 'peacekeepers' complete withdrawal — Azerbaijan says")
    'russian-peacekeepers-complete-withdrawal-azerbaijan-says'
    >>> slugify("Київ").startswith("episode-")
    True
    """
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.findall(r"[a-z0-9]+", ascii_text.lower().replace("'", ""))
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > MAX_SLUG:
            break
        slug = candidate
    if not slug:
        slug = "episode-" + hashlib.sha256(title.encode()).hexdigest()[:8]
    return slug[:MAX_SLUG]


def check_slug(slug: str) -> str:
    """Validate a user-given slug (``--slug``) so it cannot escape the output folder."""
    if not SLUG_PATTERN.match(slug):
        raise ConfigError(
            f"invalid slug {slug!r}: use lowercase letters, digits and hyphens "
            f"(at most {MAX_SLUG} characters, not starting with a hyphen)"
        )
    return slug
