"""Markdown front matter (YAML ``---`` or TOML ``+++`` at the top) → article metadata.

Static-site and CMS exports (Hugo, Jekyll, Eleventy, Astro) put the headline,
byline, date and links in a block above the text; it is metadata, never speech.
TOML is read with :mod:`tomllib`. YAML is read for the flat shapes news front
matter uses (``key: value``, quoted strings, ``[a, b]`` and ``- item`` lists,
``|``/``>`` text blocks); deeper structure is skipped rather than guessed, so no
YAML library is needed.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from ..errors import ExtractionError
from .meta import parse_date, split_names

FRONT_MATTER = re.compile(
    r"\A\ufeff?[ \t]*(?:(?P<yaml>---)|(?P<toml>\+\+\+))[ \t]*\n(?P<body>.*?)\n?"
    r"^(?(yaml)(?:---|\.\.\.)|\+\+\+)[ \t]*$\n?",
    re.DOTALL | re.MULTILINE,
)
"""A fenced block on the first line: ``---`` … ``---`` (or ``...``) or ``+++`` … ``+++``."""

_YAML_KEY = re.compile(r"^(?P<key>[A-Za-z_][\w-]*)\s*:(?:\s+(?P<value>.*?))?\s*$")
_YAML_ITEM = re.compile(r"^\s+-\s+(?P<value>.*?)\s*$")


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """The front matter's keys (lower-cased) and the Markdown after it.

    >>> split_front_matter("---\\ntitle: 'Storms'\\ntags: [a, b]\\n---\\n# Body")
    ({'title': 'Storms', 'tags': ['a', 'b']}, '# Body')
    >>> split_front_matter("+++\\ndate = 2026-03-14\\n+++\\nText")
    ({'date': datetime.date(2026, 3, 14)}, 'Text')
    """
    text = text.replace("\r\n", "\n")
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    body = match["body"]
    data = parse_yaml(body) if match["yaml"] else _parse_toml(body)
    if not data:
        return {}, text  # "---" lines around prose are rules, not front matter
    return {str(k).lower(): v for k, v in data.items()}, text[match.end() :]


def _parse_toml(body: str) -> dict[str, Any]:
    try:
        return tomllib.loads(body)
    except tomllib.TOMLDecodeError as exc:
        raise ExtractionError(
            f"the +++ front matter is not valid TOML ({exc}); fix it or remove the block"
        ) from exc


def parse_yaml(body: str) -> dict[str, Any]:
    """Top-level ``key: value`` pairs of a flat YAML mapping; nested mappings are skipped.

    >>> parse_yaml("author:\\n  - Ann Lee\\n  - Bo Li\\ndraft: false\\nseo:\\n  x: 1")
    {'author': ['Ann Lee', 'Bo Li'], 'draft': 'false', 'seo': None}
    """
    data: dict[str, Any] = {}
    key: str | None = None
    for line in body.split("\n"):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        top = _YAML_KEY.match(line)
        if top:
            key, value = top["key"], top["value"]
            data[key] = _yaml_scalar(value) if value and value not in "|>" else None
            continue
        item = _YAML_ITEM.match(line)
        if key is not None and item and isinstance(data[key], list | None):
            data[key] = [*(data[key] or []), _yaml_scalar(item["value"])]
        elif key is not None and _continues(line) and isinstance(data[key], str | None):
            # An indented continuation: a | or > text block, or a folded plain scalar.
            data[key] = " ".join(filter(None, [data[key], line.strip()]))
    return data


def _continues(line: str) -> bool:
    """An indented line that is text, not a key of a nested mapping (those are skipped)."""
    return line[:1].isspace() and not _YAML_KEY.match(line.strip())


def _yaml_scalar(value: str) -> Any:
    """A quoted or plain scalar, or a ``[a, b]`` flow list of them; comments dropped."""
    value = re.sub(r"\s+#.*$", "", value) if value[:1] not in "'\"" else value
    if value.startswith("[") and value.endswith("]"):
        return [_yaml_scalar(v.strip()) for v in _split_flow(value[1:-1]) if v.strip()]
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        inner = value[1:-1]
        return inner.replace("''", "'") if value[0] == "'" else inner.replace('\\"', '"')
    return value


def _split_flow(items: str) -> list[str]:
    """Split a flow list on commas outside quotes."""
    return re.findall(r"""(?:"[^"]*"|'[^']*'|[^,])+""", items)


def _text(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    text = " ".join(str(value).split()) if value is not None else ""
    return text or None


def _names(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(n for v in value if (n := _text(v)))
    return split_names(value) if isinstance(value, str) else ()


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return parse_date(value) if isinstance(value, str) else None


def _tags(value: Any) -> tuple[str, ...]:
    items = value if isinstance(value, list) else str(value or "").split(",")
    return tuple(t for item in items if (t := _text(item)))


FIELDS: tuple[tuple[str, tuple[str, ...], Callable[[Any], Any]], ...] = (
    ("title", ("title", "headline"), _text),
    ("authors", ("authors", "author", "byline"), _names),
    ("published", ("date", "published", "publishdate", "pubdate"), _when),
    ("url", ("url", "canonical", "canonical_url", "permalink"), _text),
    ("image", ("image", "cover", "featured_image", "thumbnail"), _text),
    ("tags", ("tags", "keywords"), _tags),
    ("description", ("description", "summary", "subtitle"), _text),
    ("language", ("language", "lang"), _text),
    ("publisher", ("publisher", "publication", "site"), _text),
)
"""Article field ← front matter keys (first present wins) and how the value is read."""


def front_matter_fields(data: dict[str, Any]) -> dict[str, Any]:
    """Article fields found in the front matter, ready for ``dataclasses.replace``.

    >>> front_matter_fields({"author": "Priya Raman", "tags": "floods, weather"})
    {'authors': ('Priya Raman',), 'tags': ('floods', 'weather')}
    """
    found: dict[str, Any] = {}
    for field, keys, read in FIELDS:
        key = next((k for k in keys if data.get(k) not in (None, "", [])), None)
        if key is not None and (value := read(data[key])):
            found[field] = value
    return found
