"""The library's on-disk contract: folder names, file names, the slug rule and ``episode.json``.

Every module that reads or writes a library takes its names from here, so the
layout below is stated once::

    DIR/
    ├── articleaudio.sqlite        the catalogue (library/store.py)
    ├── articleaudio.toml          the settings the library keeps (library/settings.py)
    ├── feed.xml                   the feed (its name is the ``feed_file`` setting)
    ├── artwork-<hash>.<ext>       the podcast's cover
    ├── .articleaudio.lock         held while the library changes
    ├── voices/                    voices kept with the library (never served)
    └── episodes/
        ├── .<slug>.*.tmp/         a build's staging folder (fsutil.make_staging_dir)
        └── <slug>/
            ├── episode.json       the episode record (models.Episode)
            ├── embed.html         the player page, and player.js for the script embed
            ├── <slug>.mp3         the audio; other renditions are <slug>.<ext>
            ├── <slug>.vtt, <slug>.transcript.json, <slug>.chapters.json
            └── the episode's image (encode/art.py names it)

The names are file-format contract: changing one breaks every existing library.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock, Timeout

from .errors import ConfigError, EpisodeReadError, PublishError
from .fsutil import atomic_write_text
from .models import Episode

EPISODES_DIR = "episodes"
"""The folder of episode folders, one per slug."""
VOICES_DIR = "voices"
"""Voices kept beside the library (and in the user's data folder)."""
CATALOGUE_NAME = "articleaudio.sqlite"
"""The SQLite catalogue."""
CONFIG_NAME = "articleaudio.toml"
"""Podcast settings: the library's own copy, or one in the working directory."""
FEED_FILE = "feed.xml"
"""The feed's default name (the ``feed_file`` setting)."""
LOCK_NAME = ".articleaudio.lock"
"""Lock file inside the output folder guarding catalogue + feed updates."""
LOCK_TIMEOUT_S = 600.0
"""How long a publisher waits for another one before giving up."""
ARTWORK_STEM = "artwork"
"""Artwork is served as ``artwork-<hash>.<ext>``: a new image gets a new URL, as Apple asks."""

EPISODE_FILE = "episode.json"
"""The episode record in each episode folder."""
EMBED_FILE = "embed.html"
"""The iframe player page, one per episode folder."""
SCRIPT_FILE = "player.js"
"""The web component for the script embed, copied next to ``embed.html``."""
CHECK_FILE = "check.json"
"""What ``articleaudio check`` heard: every sentence's score and the flags (README)."""

AUDIO_ROLE = "audio"
"""Key of the MP3 in ``Episode.files`` (every other rendition is keyed by its format)."""
EMBED_ROLE = "embed"
"""Key of the player page in ``Episode.files``."""
ART_ROLE = "art"
"""Key of the episode's own image in ``Episode.files``."""
SIDECAR_SUFFIXES = {
    "vtt": ".vtt",
    "transcript_json": ".transcript.json",
    "chapters_json": ".chapters.json",
}
"""Role → suffix of the captions, transcript and chapters beside the audio."""

MAX_SLUG = 80
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")
"""What every slug looks like; nothing in it can climb out of ``episodes/``."""


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
    """``slug`` if it is one (``--slug``, a command's argument); else :class:`ConfigError`."""
    if not SLUG_PATTERN.match(slug):
        raise ConfigError(
            f"invalid slug {slug!r}: slugs are lowercase letters, digits and hyphens "
            f"(at most {MAX_SLUG} characters, not starting with a hyphen; "
            "see 'articleaudio episodes')"
        )
    return slug


def episodes_dir(library: Path) -> Path:
    """The folder that holds a library's episode folders."""
    return library / EPISODES_DIR


def episode_dir(library: Path, slug: str) -> Path:
    """The folder of one episode; refuses slugs that could leave ``episodes/``."""
    return episodes_dir(library) / check_slug(slug)


def episode_files(slug: str, renditions: Mapping[str, str]) -> dict[str, str]:
    """Role → file name of an episode's audio and sidecars, then each rendition's.

    ``renditions`` maps a role to its file suffix; the MP3 keeps its own name.

    >>> episode_files("a", {"opus": ".opus"})["opus"]
    'a.opus'
    """
    files = {AUDIO_ROLE: f"{slug}.mp3"}
    files |= {role: f"{slug}{suffix}" for role, suffix in SIDECAR_SUFFIXES.items()}
    for role, suffix in renditions.items():
        files.setdefault(role, f"{slug}{suffix}")
    return files


def read_episode(folder: Path) -> Episode:
    """The episode recorded in ``folder/episode.json``; :class:`EpisodeReadError` if none."""
    path = folder / EPISODE_FILE
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EpisodeReadError(path, exc.strerror or str(exc)) from exc
    return parse_episode(data, path)


def parse_episode(data: bytes, path: Path) -> Episode:
    """The episode in ``data``, the bytes of ``path``; :class:`EpisodeReadError` if invalid."""
    try:
        record = json.loads(data)
        if not isinstance(record, dict):
            raise TypeError(f"a JSON {type(record).__name__}, not an object")
        return Episode.from_dict(record)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise EpisodeReadError(path, _describe(exc)) from exc


def _describe(exc: Exception) -> str:
    return f"no field {exc}" if isinstance(exc, KeyError) else str(exc)


def write_episode_record(folder: Path, episode: Episode) -> None:
    """Write ``folder/episode.json`` (indented UTF-8, a final newline)."""
    text = json.dumps(episode.to_dict(), ensure_ascii=False, indent=2) + "\n"
    atomic_write_text(folder / EPISODE_FILE, text)


@contextmanager
def library_lock(output_dir: Path) -> Iterator[None]:
    """Hold the library's write lock (blocking, across processes)."""
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
        lock = FileLock(str(output_dir / LOCK_NAME), timeout=LOCK_TIMEOUT_S)
        lock.acquire()
    except Timeout as exc:
        raise PublishError(
            f"another articleaudio process has held {output_dir / LOCK_NAME} for "
            f"{LOCK_TIMEOUT_S:.0f} s; wait for it to finish and try again"
        ) from exc
    except OSError as exc:
        raise PublishError(f"cannot write to {output_dir}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        lock.release()
