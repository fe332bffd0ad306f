"""Publishing: keep the catalogue and the feed in step with the episode folders.

Every change to the library (add, rebuild, remove, regenerate) runs under the
library's writers lock (:func:`~articleaudio.library.database.writers_lock`: the
file ``DIR/.articleaudio.lock`` with the embedded catalogue, an advisory lock in a
PostgreSQL catalogue), so concurrent ``build`` processes and workers on the same
library, on one machine or many, serialise their catalogue update and feed rewrite
and none is lost. The feed is always rewritten from the whole catalogue and written to a
temporary name then renamed, so readers see the previous feed or the new one.

Settings given as ``None`` are the library's own (:mod:`articleaudio.library.settings`);
settings new to the library are stored with the feed, every feed they name is
rewritten each time, and a feed that new settings no longer name is removed
rather than left to go stale.
"""

from __future__ import annotations

import functools
import logging
import shutil
import time
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from ..config import PodcastConfig, describe_artwork
from ..errors import (
    ArticleAudioError,
    ConfigError,
    EpisodeNotFoundError,
    EpisodeReadError,
    LibraryNotFoundError,
    PublishError,
)
from ..fsutil import atomic_write_bytes, heal_private_mode
from ..layout import (
    ARTWORK_STEM,
    CATALOGUE_NAME,
    EPISODE_FILE,
    EPISODES_DIR,
    SLUG_PATTERN,
    episode_dir,
    parse_episode,
    read_episode,
)
from ..models import Episode
from .database import is_embedded, writers_lock
from .feed import build_feed
from .feedcheck import Problem, validate
from .settings import artwork_name, feed_files, is_kept, resolve, store
from .store import Entry, open_catalogue

__all__ = [
    "Problem",
    "feed_entries",
    "list_episodes",
    "publish_episode",
    "regenerate_feed",
    "unpublish",
    "validate",
]

log = logging.getLogger(__name__)

DEFAULT_ARTWORK_PX = 1400
SNAPSHOT_TRIES = 5
"""Attempts to read an episode folder that a concurrent build keeps replacing."""
SWAP_WAIT = 0.02
"""Seconds to wait, times the attempt, before measuring a half-swapped folder again."""


def publish_episode(
    output_dir: Path, episode: Episode, config: PodcastConfig | None = None
) -> None:
    """Catalogue a complete episode folder and rewrite the feed (under the lock)."""
    current_build(output_dir, episode)  # fail early, before waiting for the lock
    with writers_lock(output_dir):
        episode, sizes = current_build(output_dir, episode)
        with open_catalogue(output_dir) as catalogue:
            done = catalogue.upsert(
                episode, sizes, lambda entries: write_feed(output_dir, entries, config)
            )
        if done.replaced_slug:
            # Same canonical URL under a new slug: the old folder is this article's past.
            log.info("%s replaces %s (same article URL)", episode.slug, done.replaced_slug)
            shutil.rmtree(episode_dir(output_dir, done.replaced_slug), ignore_errors=True)
    log.info("published %s (guid %s)", episode.slug, done.entry.guid)


def is_listed(output_dir: Path, episode: Episode, config: PodcastConfig | None = None) -> bool:
    """True when the catalogue holds exactly this build and the feeds are up to date.

    Lets an unchanged rebuild skip rewriting the feed; settings new to the
    library (``--config``) are not up to date until a feed is written with them.
    """
    try:
        with open_catalogue(output_dir, create=False) as catalogue:
            entry = catalogue.get(episode.slug)
    except (ArticleAudioError, OSError):
        return False
    resolved = resolve(output_dir, config)
    return (
        entry is not None
        and entry.episode.build_key == episode.build_key
        and all((output_dir / name).is_file() for name in feed_files(resolved.config))
        and (not resolved.keep or is_kept(output_dir, resolved.config))
    )


def unpublish(output_dir: Path, slug: str, config: PodcastConfig | None = None) -> Entry | None:
    """Remove an episode from the catalogue and the feed, then delete its folder."""
    folder = episode_dir(output_dir, slug)
    # Checked before taking the lock, so a mistyped slug or folder writes nothing.
    if not folder.exists() and all(e.slug != slug for e in list_episodes(output_dir)):
        raise EpisodeNotFoundError(
            f"no episode {slug!r} in {output_dir}; "
            f"list them with 'articleaudio episodes -o {output_dir}'"
        )
    with writers_lock(output_dir):
        with open_catalogue(output_dir) as catalogue:
            removed = catalogue.remove(slug)
            entries = catalogue.entries()
        # The feed stops pointing at the files before they go.
        write_feed(output_dir, entries, config)
        shutil.rmtree(folder, ignore_errors=True)
    return removed


def regenerate_feed(output_dir: Path, config: PodcastConfig | None = None) -> Path:
    """Catalogue any complete episode folder the catalogue lacks, then rewrite the feed.

    MP3s that older builds left at mkstemp's 0600 get the published mode. A folder
    with neither a catalogue nor episode folders is refused: a mistyped ``-o``
    must not become a new, empty library with a feed of its own.
    """
    if not (output_dir / EPISODES_DIR).is_dir():
        require_library(output_dir)
    with writers_lock(output_dir):
        with open_catalogue(output_dir) as catalogue:
            known = {e.slug for e in catalogue.entries()}
            for episode in list(_uncatalogued(output_dir, known)):
                try:
                    sizes = measure_files(output_dir, episode)
                except PublishError as exc:
                    log.warning("not cataloguing %s: %s", episode.slug, exc)
                    continue
                catalogue.upsert(episode, sizes)
                log.info("catalogued %s from its folder", episode.slug)
            entries = catalogue.entries()
        for entry in entries:  # MP3s of builds before modes were fixed answered 403
            heal_private_mode(_audio_path(output_dir, entry))
        return write_feed(output_dir, entries, config)


def list_episodes(output_dir: Path) -> list[Entry]:
    """Every catalogued episode, newest first; :class:`LibraryNotFoundError` if no library.

    A library is a folder with a catalogue, even one whose episodes were all
    removed (that lists nothing). A mistyped ``-o`` must not look like an empty one.
    """
    require_library(output_dir)
    with open_catalogue(output_dir, create=False) as catalogue:
        return catalogue.entries()


def require_library(output_dir: Path) -> None:
    """:class:`LibraryNotFoundError`, saying why, unless ``output_dir`` holds a catalogue."""
    if (output_dir / CATALOGUE_NAME).is_file():
        return
    if not is_embedded(output_dir) and output_dir.is_dir():
        return  # the catalogue is a database: the folder holds the episodes only
    build = "give the folder that 'articleaudio build' wrote to with -o"
    if not output_dir.exists():
        reason = f"{output_dir} does not exist; {build}"
    elif not output_dir.is_dir():
        reason = f"{output_dir} is a file, not a library folder; {build}"
    elif (output_dir / EPISODES_DIR).is_dir():
        reason = (
            f"{output_dir} has episode folders but no catalogue ({CATALOGUE_NAME}); "
            f"run 'articleaudio feed -o {output_dir}' to rebuild it"
        )
    else:
        reason = f"{output_dir} is not an articleaudio library (no {CATALOGUE_NAME}); {build}"
    raise LibraryNotFoundError(reason, folder=str(output_dir))


def measure_files(output_dir: Path, episode: Episode) -> dict[str, int]:
    """Size of each file of the episode; :class:`PublishError` if one is missing."""
    folder = episode_dir(output_dir, episode.slug)
    sizes: dict[str, int] = {}
    for purpose, name in sorted(episode.files.items()):
        if Path(name).name != name or name.startswith("."):
            raise PublishError(f"episode {episode.slug}: file name {name!r} is not a plain name")
        try:
            sizes[purpose] = (folder / name).stat().st_size
        except OSError as exc:
            raise PublishError(
                f"episode {episode.slug} is incomplete: {folder / name} is missing "
                f"({exc.strerror}); build it again"
            ) from exc
    return sizes


def current_build(output_dir: Path, episode: Episode) -> tuple[Episode, dict[str, int]]:
    """The build now in the episode's folder and its file sizes.

    Folder swaps happen under the episode's lock, not the writers lock, so another
    ``build`` of the same slug may replace the folder while it is measured, or may
    have replaced it since ``episode`` was written. Then the record on disk is what
    listeners would download, so that is what gets catalogued (the other build
    publishes the same). Reading ``episode.json`` before and after measuring makes
    sure the sizes belong to the record; a file missing while the record changed
    (or the folder was between its two renames) is a swap seen half-way and is
    measured again, one missing from a steady folder is an incomplete episode.
    """
    meta = episode_dir(output_dir, episode.slug) / EPISODE_FILE
    for attempt in range(SNAPSHOT_TRIES):
        before = _read_bytes(meta)
        chosen = episode if before is None else _on_disk(episode, before, meta)
        try:
            sizes = measure_files(output_dir, chosen)
        except PublishError:
            steady = before is not None and _read_bytes(meta) == before
            if steady or attempt + 1 == SNAPSHOT_TRIES:
                raise
            time.sleep(SWAP_WAIT * (attempt + 1))
            continue
        if _read_bytes(meta) == before:
            return chosen, sizes
    raise PublishError(f"episode {episode.slug} keeps changing on disk; publish it again later")


def _on_disk(episode: Episode, data: bytes, meta: Path) -> Episode:
    on_disk = parse_episode(data, meta)
    if (on_disk.built_at, on_disk.input_sha256) == (episode.built_at, episode.input_sha256):
        return episode
    log.info("%s was rebuilt meanwhile; publishing the build on disk", episode.slug)
    return on_disk


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PublishError(f"cannot read {path}: {exc.strerror or exc}") from exc


def feed_entries(output_dir: Path, entries: list[Entry]) -> list[Entry]:
    """The entries a feed may list: those whose audio file is there to download.

    An item whose enclosure answers 404 fails in every podcast app, so a
    catalogued episode whose MP3 went missing is left out until it is built
    again; its catalogue row, GUID and date stay.
    """
    return [e for e in entries if _audio_path(output_dir, e).is_file()]


def _audio_path(output_dir: Path, entry: Entry) -> Path:
    return output_dir / EPISODES_DIR / entry.slug / entry.episode.files["audio"]


def _listed(output_dir: Path, entries: list[Entry]) -> list[Entry]:
    """:func:`feed_entries`, warning once for each episode left out."""
    listed = feed_entries(output_dir, entries)
    present = {e.slug for e in listed}
    for entry in (e for e in entries if e.slug not in present):
        log.warning(
            "leaving %s out of the feed: its audio %s is missing; build it again or "
            "remove it with 'articleaudio rm %s -o %s'",
            *(entry.slug, _audio_path(output_dir, entry), entry.slug, output_dir),
        )
    return listed


def write_feed(output_dir: Path, entries: list[Entry], given: PodcastConfig | None = None) -> Path:
    """Write the artwork, the settings if new, the feed and any ``[[feeds]]``; hold the lock.

    Each file is written atomically; the settings go before the feeds, so a crash
    in between leaves settings that the next feed write catches up with. Episodes
    whose MP3 is missing are left out, with a warning (see :func:`feed_entries`).
    Returns the main feed's path.
    """
    resolved = resolve(output_dir, given)
    config = resolved.config
    entries = _listed(output_dir, entries)
    log.debug("writing the feeds of %s (%d episodes)", output_dir, len(entries))
    artwork = write_artwork(output_dir, config)
    if resolved.keep:
        for name in store(output_dir, config, resolved.adopted):
            log.warning("removed %s: the library's settings no longer name it", output_dir / name)
            (output_dir / name).unlink(missing_ok=True)
    path = _write_one(output_dir, entries, config, config.base_url + artwork)
    for selection in config.feeds:
        chosen = [e for e in entries if selection.matches(e.episode.article)]
        _write_one(output_dir, chosen, config.for_selection(selection), config.base_url + artwork)
    # Old covers go only once no feed names them any more.
    for old in output_dir.glob(f"{ARTWORK_STEM}-*"):
        if old.name != artwork:
            old.unlink(missing_ok=True)
    return path


def _write_one(
    output_dir: Path, entries: list[Entry], config: PodcastConfig, artwork_url: str
) -> Path:
    # Only lock holders write here, so any temporary file left is from a killed process.
    for stale in output_dir.glob(f".{config.feed_file}.*.tmp"):
        stale.unlink(missing_ok=True)
    path = output_dir / config.feed_file
    atomic_write_bytes(path, build_feed(entries, config, artwork_url))
    return path


def write_artwork(output_dir: Path, config: PodcastConfig) -> str:
    """Put the cover into the output folder (once per image); returns its file name."""
    if config.artwork is None:
        data = default_artwork()
    else:
        try:
            data = config.artwork.read_bytes()
        except OSError as exc:
            raise ConfigError(f"cannot read artwork {config.artwork}: {exc.strerror}") from exc
    try:
        suffix, _ = describe_artwork(data)
    except ConfigError as exc:
        raise ConfigError(f"artwork {config.artwork} {exc}") from exc
    name = artwork_name(data, suffix)
    if not (output_dir / name).exists():
        atomic_write_bytes(output_dir / name, data)
    return name


@functools.cache
def default_artwork() -> bytes:
    """The plain 1400 px PNG cover shipped in the package, for libraries without artwork.

    Shipped rather than drawn at run time: drawing it cost 0.1 s on every build.
    """
    return (resources.files("articleaudio") / "data" / "default-artwork.png").read_bytes()


def _uncatalogued(output_dir: Path, known: set[str]) -> Iterator[Episode]:
    root = output_dir / EPISODES_DIR
    if not root.is_dir():
        return
    for folder in sorted(root.iterdir()):
        if folder.name in known or not SLUG_PATTERN.match(folder.name):
            continue
        try:
            episode = read_episode(folder)
        except EpisodeReadError as exc:
            log.warning("skipping %s: no readable %s (%s)", folder, EPISODE_FILE, exc.reason)
            continue
        if episode.slug == folder.name:
            yield episode
