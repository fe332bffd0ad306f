"""Podcast settings from ``articleaudio.toml``: what the feed says about the show.

Which file applies is decided in :mod:`articleaudio.library.settings` (``--config``,
else the copy the library keeps, else ``./articleaudio.toml``); without any the
defaults below still give a feed a podcast app accepts, served from
``http://127.0.0.1:8000/``. The file holds ``[podcast]``, any ``[[feeds]]`` and a
``[voices]`` table, and the library's own copy may hold an ``[api]`` table (the
tokens of ``serve --api``); any other key is an error naming the nearest valid one, so a
typo never passes unnoticed::

    [podcast]
    title = "The Daily Read"
    description = "Our newsroom's articles, read aloud."
    base_url = "https://news.example.org/podcast/"
    link = "https://news.example.org/"
    author = "Example News"
    owner_name = "Jane Editor"
    owner_email = "podcast@news.example.org"
    artwork = "cover.jpg"            # relative to this file; square 1400-3000 px RGB JPEG/PNG
    category = "News"
    subcategory = "Daily News"
    language = "en"
    explicit = false
    feed_file = "feed.xml"

    [voices]                         # article language -> voice that reads it
    de = "de_DE-thorsten-medium"

    [api]                            # only in the library's own articleaudio.toml
    tokens = ["a-long-random-token"]
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .errors import ConfigError
from .layout import CONFIG_NAME, FEED_FILE
from .models import Article

"""The settings file's name: in the library folder, else the working directory."""
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"
"""Where ``python -m http.server -d output`` serves the library."""
ARTWORK_MIN_PX = 1400
ARTWORK_MAX_PX = 3000
"""Apple Podcasts artwork rules: square, 1400-3000 px, RGB, JPEG or PNG."""
ARTWORK_FORMATS = {"JPEG": ".jpg", "PNG": ".png"}
"""Pillow format name → file suffix the feed uses (Apple wants .jpg or .png URLs)."""

_APPLE_CATEGORY_TABLE = """
Arts: Books, Design, Fashion & Beauty, Food, Performing Arts, Visual Arts
Business: Careers, Entrepreneurship, Investing, Management, Marketing, Non-Profit
Comedy: Comedy Interviews, Improv, Stand-Up
Education: Courses, How To, Language Learning, Self-Improvement
Fiction: Comedy Fiction, Drama, Science Fiction
Government:
History:
Health & Fitness: Alternative Health, Fitness, Medicine, Mental Health, Nutrition, Sexuality
Kids & Family: Education for Kids, Parenting, Pets & Animals, Stories for Kids
Leisure: Animation & Manga, Automotive, Aviation, Crafts, Games, Hobbies, Home & Garden, Video Games
Music: Music Commentary, Music History, Music Interviews
News: Business News, Daily News, Entertainment News, News Commentary, Politics, Sports News, Tech News
Religion & Spirituality: Buddhism, Christianity, Hinduism, Islam, Judaism, Religion, Spirituality
Science: Astronomy, Chemistry, Earth Sciences, Life Sciences, Mathematics, Natural Sciences, Nature, Physics, Social Sciences
Society & Culture: Documentary, Personal Journals, Philosophy, Places & Travel, Relationships
Sports: Baseball, Basketball, Cricket, Fantasy Sports, Football, Golf, Hockey, Rugby, Running, Soccer, Swimming, Tennis, Volleyball, Wilderness, Wrestling
Technology:
True Crime:
TV & Film: After Shows, Film History, Film Interviews, Film Reviews, TV Reviews
"""  # noqa: E501 - one category per line reads best
APPLE_CATEGORIES: dict[str, tuple[str, ...]] = {
    name.strip(): tuple(s.strip() for s in subs.split(",") if s.strip())
    for name, subs in (line.split(":") for line in _APPLE_CATEGORY_TABLE.strip().splitlines())
}
"""Apple Podcasts categories → subcategories (the list Apple's podcast directory accepts)."""

_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_FEED_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}\.(xml|rss)$")


@dataclass(frozen=True)
class FeedSelection:
    """An extra feed from the same library (``[[feeds]]``): episodes by tag, author or publisher."""

    feed_file: str
    """File name of this feed in the output folder."""
    title: str | None = None
    """Its title (None: the podcast title and the selection)."""
    description: str | None = None
    """Its description (None: the podcast's)."""
    tag: str | None = None
    """Only articles with this tag (case-insensitive)."""
    author: str | None = None
    """Only articles by this author (case-insensitive)."""
    publisher: str | None = None
    """Only articles from this publisher (case-insensitive)."""

    def matches(self, article: Article) -> bool:
        """True when the article meets every criterion given."""
        wanted = (
            (self.tag, article.tags),
            (self.author, article.authors),
            (self.publisher, (article.publisher or "",)),
        )
        return all(
            value is None or value.casefold() in {v.casefold() for v in values}
            for value, values in wanted
        )

    @property
    def label(self) -> str:
        """The criteria in words, for a default title."""
        return ", ".join(v for v in (self.tag, self.author, self.publisher) if v)


@dataclass(frozen=True)
class PodcastConfig:
    """The show as the feed describes it."""

    title: str = "articleaudio"
    """Podcast title."""
    description: str = "News articles read aloud by a synthetic voice (articleaudio)."
    """Show notes for the whole podcast."""
    base_url: str = DEFAULT_BASE_URL
    """Public URL the output folder is served at; every feed URL starts with it."""
    link: str | None = None
    """The show's web site (None: the base URL)."""
    author: str = "articleaudio"
    """``itunes:author`` of the show."""
    owner_name: str = "articleaudio"
    """``itunes:owner`` name: who the directories contact."""
    owner_email: str = "podcast@example.invalid"
    """``itunes:owner`` e-mail (also the ``podcast:locked`` owner)."""
    artwork: Path | None = None
    """Cover image file (None: a generated 1400 px cover)."""
    category: str = "News"
    """Apple Podcasts category."""
    subcategory: str | None = "Daily News"
    """Apple Podcasts subcategory of ``category``, if any."""
    language: str = "en"
    """RSS ``language`` (BCP 47)."""
    explicit: bool = False
    """``itunes:explicit``."""
    feed_file: str = FEED_FILE
    """Feed file name inside the output folder."""
    locked: bool = True
    """``podcast:locked``: tell other platforms not to import the feed."""
    feeds: tuple[FeedSelection, ...] = ()
    """Extra feeds selected from the same library (``[[feeds]]`` tables)."""
    voices: tuple[tuple[str, str], ...] = ()
    """Article language → voice name (``[voices]``), sorted by language."""

    @property
    def site_link(self) -> str:
        """The channel's ``link``."""
        return self.link or self.base_url

    @property
    def feed_url(self) -> str:
        """Public URL of the feed (``atom:link rel="self"``, ``podcast:guid``)."""
        return self.base_url + self.feed_file

    def for_selection(self, selection: FeedSelection) -> PodcastConfig:
        """The settings of one extra feed: this show, narrowed and renamed."""
        return replace(
            self,
            title=selection.title or f"{self.title}: {selection.label}",
            description=selection.description or self.description,
            feed_file=selection.feed_file,
            feeds=(),
        )

    def voice_for(self, language: str) -> str | None:
        """The ``[voices]`` entry for a language tag (``de-AT`` falls back to ``de``)."""
        table = {lang.casefold(): voice for lang, voice in self.voices}
        tag = language.casefold().replace("_", "-")
        while tag:
            if tag in table:
                return table[tag]
            tag = tag.rpartition("-")[0]
        return None


TABLES = ("podcast", "feeds", "voices", "api")
"""Top-level keys of a settings file (``api``: the API's tokens, see :func:`api_tokens_in`);
anything else is a mistake to report."""
API_TOKENS_ENV = "ARTICLEAUDIO_API_TOKENS"
"""Comma-separated bearer tokens ``serve --api`` accepts besides the library's ``[api]``."""
API_KEYS = ("tokens",)
"""What an ``[api]`` table may hold."""


def api_tokens_in(data: dict[str, Any], source: str) -> tuple[str, ...] | None:
    """The ``[api] tokens`` of a parsed settings file; None when it has no ``[api]`` table.

    The tokens are kept out of :class:`PodcastConfig` on purpose: a build's settings
    travel in its job (stored in the catalogue, one day sent to a broker), and a token
    must never be stored or sent anywhere. Only the library's own file holds them
    (see :mod:`articleaudio.library.settings`).

    >>> api_tokens_in({"api": {"tokens": ["s3cret"]}}, "f"), api_tokens_in({}, "f") is None
    (('s3cret',), True)
    """
    if "api" not in data:
        return None
    table = data["api"]
    if not isinstance(table, dict):
        raise ConfigError(f'{source}: [api] must be a table like tokens = ["..."]')
    if unknown := sorted(set(table) - set(API_KEYS)):
        name = unknown[0]
        hint = did_you_mean(name, API_KEYS) or "; [api] takes only tokens"
        raise ConfigError(f"{source}: unknown setting {name!r} in [api]{hint}")
    tokens = table.get("tokens", [])
    if not isinstance(tokens, list) or not all(isinstance(t, str) and t for t in tokens):
        raise ConfigError(
            f'{source}: [api] tokens must be a list of strings, like tokens = ["..."]'
        )
    return tuple(tokens)


def read_api_tokens(path: Path) -> tuple[str, ...] | None:
    """:func:`api_tokens_in` of a settings file; None when it has no file or no table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read the API tokens in {path}: {exc}") from exc
    return api_tokens_in(data, str(path))


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """A hint naming the closest known key, or "" when none is close.

    >>> did_you_mean("base_ulr", ["base_url", "link"])
    "; did you mean 'base_url'?"
    """
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def load_config(path: Path | None = None, *, cwd: Path | None = None) -> PodcastConfig:
    """Read ``path``, else ``articleaudio.toml`` in ``cwd``, else the defaults.

    Commands on a library use :func:`articleaudio.library.settings.resolve`
    instead, which puts the library's own settings before the working directory's.
    """
    if path is None:
        candidate = (cwd or Path.cwd()) / CONFIG_NAME
        if not candidate.is_file():
            return PodcastConfig()
        path = candidate
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc
    return config_from_toml(data, base_dir=path.parent, source=str(path))


def config_from_toml(data: dict[str, Any], *, base_dir: Path, source: str) -> PodcastConfig:
    """Check a parsed settings file's tables and build its :class:`PodcastConfig`."""
    _check_top_level(data, source)
    table = data.get("podcast", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [podcast] must be a table of settings")
    feeds = data.get("feeds", [])
    if isinstance(feeds, dict):
        raise ConfigError(f"{source}: [feeds] is a single table; write [[feeds]] (two brackets)")
    if not isinstance(feeds, list):
        raise ConfigError(f"{source}: feeds must be [[feeds]] tables")
    config = config_from_dict(table, base_dir=base_dir, source=source, feeds=feeds)
    api_tokens_in(data, source)  # checked here too, so a typo in [api] is never missed
    return replace(config, voices=_voices(data.get("voices", {}), source))


def _check_top_level(data: dict[str, Any], source: str) -> None:
    podcast_keys = {f.name for f in fields(PodcastConfig)} - set(TABLES)
    unknown = sorted(set(data) - set(TABLES))
    if not unknown:
        return
    key = unknown[0]
    if key in podcast_keys:
        hint = f"; put {key} under [podcast]"
    else:
        hint = did_you_mean(key, TABLES) or f"; the file takes only {', '.join(TABLES)}"
    raise ConfigError(f"{source}: unknown top-level key {key!r}{hint}")


def _voices(table: Any, source: str) -> tuple[tuple[str, str], ...]:
    if not isinstance(table, dict):
        raise ConfigError(f'{source}: [voices] must be a table like de = "de_DE-thorsten-medium"')
    for language, voice in table.items():
        if not _LANGUAGE.match(language):
            raise ConfigError(
                f"{source}: [voices] key {language!r} is not a language tag like 'de' or 'pt-BR'"
            )
        if not isinstance(voice, str) or not voice.strip():
            raise ConfigError(f"{source}: [voices] {language} must be a voice name, not {voice!r}")
    return tuple(sorted((lang, voice.strip()) for lang, voice in table.items()))


def config_from_dict(
    table: dict[str, Any],
    *,
    base_dir: Path = Path("."),
    source: str = "config",
    feeds: list[Any] | None = None,
) -> PodcastConfig:
    """Build and validate a :class:`PodcastConfig` from ``[podcast]`` and ``[[feeds]]``."""
    known = [f.name for f in fields(PodcastConfig) if f.name not in TABLES]
    if unknown := sorted(set(table) - set(known)):
        name = unknown[0]
        raise ConfigError(
            f"{source}: unknown setting {name!r} in [podcast]{did_you_mean(name, known)} "
            f"(known settings: {', '.join(known)})"
        )
    values: dict[str, Any] = {}
    for name, value in table.items():
        values[name] = _coerce(name, value, source)
    if "category" in values and "subcategory" not in values:
        values["subcategory"] = None  # the default subcategory belongs to the default category
    if isinstance(values.get("artwork"), str):
        values["artwork"] = (base_dir / values["artwork"]).resolve()
    values["feeds"] = tuple(_selection(t, source) for t in feeds or [])
    config = PodcastConfig(**values)
    check_config(config, source)
    return config


def _selection(table: Any, source: str) -> FeedSelection:
    known = [f.name for f in fields(FeedSelection)]
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: each [[feeds]] table takes only: {', '.join(known)}")
    if unknown := sorted(set(table) - set(known)):
        name = unknown[0]
        raise ConfigError(
            f"{source}: unknown setting {name!r} in [[feeds]]{did_you_mean(name, known)}; "
            f"each [[feeds]] table takes only: {', '.join(known)}"
        )
    values = {name: _coerce(name, value, source) for name, value in table.items()}
    if "feed_file" not in values:
        raise ConfigError(f"{source}: a [[feeds]] table needs a feed_file")
    selection = FeedSelection(**values)
    if not selection.label:
        raise ConfigError(
            f"{source}: [[feeds]] {selection.feed_file} needs a tag, author or publisher"
        )
    return selection


_BOOL_SETTINGS = frozenset({"explicit", "locked"})


def _coerce(name: str, value: Any, source: str) -> Any:
    if name in _BOOL_SETTINGS:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {name} must be true or false, not {value!r}")
        return value
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{source}: {name} must be a non-empty text string, not {value!r}")
    return value.strip()


def check_config(config: PodcastConfig, source: str = "config") -> None:
    """Raise :class:`ConfigError` naming the first invalid setting and how to fix it."""
    for check in _CHECKS:
        message = check(config)
        if message:
            raise ConfigError(f"{source}: {message}")


def _check_base_url(config: PodcastConfig) -> str | None:
    parts = urlsplit(config.base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"base_url {config.base_url!r} must be an absolute http(s) URL"
    if not config.base_url.endswith("/"):
        return f"base_url {config.base_url!r} must end with '/' (the output folder's URL)"
    return None


def _check_link(config: PodcastConfig) -> str | None:
    parts = urlsplit(config.site_link)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"link {config.site_link!r} must be an absolute http(s) URL"
    return None


def _check_email(config: PodcastConfig) -> str | None:
    if not _EMAIL.match(config.owner_email):
        return f"owner_email {config.owner_email!r} is not an e-mail address"
    return None


def _check_category(config: PodcastConfig) -> str | None:
    subs = APPLE_CATEGORIES.get(config.category)
    if subs is None:
        return (
            f"category {config.category!r} is not an Apple Podcasts category; "
            f"use one of: {', '.join(APPLE_CATEGORIES)}"
        )
    if config.subcategory is not None and config.subcategory not in subs:
        allowed = ", ".join(subs) if subs else "none (remove subcategory)"
        return f"subcategory {config.subcategory!r} is not in {config.category!r}; use: {allowed}"
    return None


def _check_language(config: PodcastConfig) -> str | None:
    if not _LANGUAGE.match(config.language):
        return f"language {config.language!r} is not a language tag like 'en' or 'en-GB'"
    return None


def _check_feed_file(config: PodcastConfig) -> str | None:
    names = [config.feed_file, *(f.feed_file for f in config.feeds)]
    for name in names:
        if not _FEED_FILE.match(name):
            return f"feed_file {name!r} must be a plain file name ending in .xml or .rss"
    if len(set(names)) != len(names):
        return f"feed_file names must differ between feeds: {', '.join(names)}"
    return None


def _check_artwork(config: PodcastConfig) -> str | None:
    if config.artwork is None:
        return None
    try:
        describe_artwork(config.artwork.read_bytes())
    except OSError as exc:
        return f"cannot read artwork {config.artwork}: {exc.strerror or exc}"
    except ConfigError as exc:
        return f"artwork {config.artwork} {exc}"
    return None


_CHECKS = (
    _check_base_url,
    _check_link,
    _check_email,
    _check_category,
    _check_language,
    _check_feed_file,
    _check_artwork,
)
"""One function per rule; each returns what is wrong or None."""


def describe_artwork(data: bytes) -> tuple[str, int]:
    """``(suffix, size_px)`` of valid cover art, else :class:`ConfigError` saying what to fix."""
    from io import BytesIO

    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(BytesIO(data)) as image:
            fmt, mode, (width, height) = image.format or "", image.mode, image.size
    except (UnidentifiedImageError, OSError) as exc:
        raise ConfigError("is not an image; use a JPEG or PNG file") from exc
    if fmt not in ARTWORK_FORMATS:
        raise ConfigError(f"is {fmt or 'an unknown format'}; save it as JPEG or PNG")
    if mode != "RGB":
        raise ConfigError(f"has colour mode {mode}; save it as RGB without transparency")
    if width != height:
        raise ConfigError(f"is {width}x{height} px; podcast artwork must be square")
    if not ARTWORK_MIN_PX <= width <= ARTWORK_MAX_PX:
        raise ConfigError(
            f"is {width}x{height} px; use {ARTWORK_MIN_PX} to {ARTWORK_MAX_PX} px on each side"
        )
    return ARTWORK_FORMATS[fmt], width
