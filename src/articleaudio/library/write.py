"""Write stage: a mastered episode → its folder (MP3, tags, sidecars, embed page,
``episode.json``), moved into place only when complete; and what a rebuild needs
from the previous build (its build key and its gain).
"""

from __future__ import annotations

import enum
import hashlib
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..encode import (
    FORMATS,
    MP3_RATE,
    PROBE_SECONDS,
    Art,
    SpanStore,
    TagInfo,
    decoded_true_peak,
    encode,
    level_change,
    to_chapters_json,
    to_transcript_json,
    to_vtt,
    write_tags,
)
from ..errors import EpisodeReadError, PublishError, SlugTakenError
from ..fsutil import (
    atomic_write_bytes,
    atomic_write_text,
    heal_private_mode,
    make_staging_dir,
    replace_dir,
    set_published_mode,
)
from ..layout import (
    AUDIO_ROLE,
    EMBED_FILE,
    EMBED_ROLE,
    MAX_SLUG,
    episode_files,
    episodes_dir,
    read_episode,
    slugify,
    write_episode_record,
)
from ..master import Mastered
from ..models import GAIN_DECIMALS, Article, AudioInfo, Episode, Timeline
from ..text import DEFAULT_DISCLOSURE, DisclosurePosition, SpeechSettings
from ..version import __version__
from .database import episode_lock

if TYPE_CHECKING:
    from ..settings import BuildSettings

log = logging.getLogger(__name__)

Offset = Callable[[str, int, np.ndarray], float]
"""(format, sample rate, an excerpt of the episode) → gain in dB that cancels the
encoder's level change."""

Page = Callable[[Path, Episode], object]
"""(episode folder, episode) → writes the episode's player page there (web.write_embed)."""

DEFAULT_PUBLICATION = "articleaudio"


class BuildStatus(enum.StrEnum):
    """What a build did to one episode's folder, as ``build`` reports it."""

    BUILT = "built"
    """A new episode: its slug had no folder yet."""
    REBUILT = "rebuilt"
    """The article or the settings changed (or ``--force``): the folder was replaced."""
    UNCHANGED = "unchanged"
    """Nothing had changed: the existing files were kept and nothing was written."""


@dataclass(frozen=True)
class Encoded:
    """The MP3 made while mastering, to be moved into the episode's folder."""

    path: Path
    """Where it waits."""
    true_peak_db: float | None = None
    """Its decoded true peak, when its encoder measured it (else the file is decoded)."""


@dataclass(frozen=True)
class Built:
    """An episode that is on disk."""

    episode: Episode
    """Its metadata, as in ``episode.json``."""
    directory: Path
    """Its folder."""
    status: BuildStatus = BuildStatus.BUILT
    """Whether it is new, replaced a previous build, or was kept as it was."""

    @property
    def reused(self) -> bool:
        """True when nothing had changed and the existing files were kept."""
        return self.status is BuildStatus.UNCHANGED

    def paths(self) -> dict[str, str]:
        """Purpose → path of every file written."""
        return {k: str(self.directory / v) for k, v in self.episode.files.items()}


def build_key(
    article: Article, settings: BuildSettings, identity: dict[str, Any], art: bytes | None = None
) -> str:
    """Hash of everything that shapes an episode's files (the code version included)."""
    from importlib import resources

    default_lexicon = (resources.files("articleaudio") / "data" / "lexicon.toml").read_bytes()
    blob = json.dumps(
        {
            "article": article.to_dict(),
            "speech": repr(settings.speech),
            "lexicons": [hashlib.sha256(default_lexicon).hexdigest()]
            + [_file_stamp(p) for p in settings.lexicons],
            "voice": identity,
            "master": repr(settings.master),
            "encode": repr(settings.encode),
            "publication": settings.publication,
            # The image itself, not the --cover path: a lead image edited beside
            # the article changes the episode as much as a new cover does.
            "art": hashlib.sha256(art).hexdigest() if art else None,
            "version": __version__,
        },
        sort_keys=True,
        ensure_ascii=False,
    )
    return hashlib.sha256(blob.encode()).hexdigest()


def _file_stamp(path: Path | None) -> str | None:
    if path is None:
        return None
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return str(path)  # unreadable: the build itself will say so


def previous_gain(output: Path, slug: str) -> float | None:
    """The gain the last build of this episode needed, if there was one."""
    try:
        return read_episode(episodes_dir(output) / slug).audio.gain_db
    except EpisodeReadError:
        return None


MAX_NAMESAKES = 1000
"""How many articles of one title at most get their own slug (``-2`` up to this)."""


def free_slug(output: Path, article: Article) -> str:
    """The slug of the article's episode: its title's, unless an episode of another
    article holds it, then the first of ``TITLE-2``, ``TITLE-3``... that is this one's
    or free.

    Two articles are told apart by their URLs (a newsroom's "Morning briefing" comes
    every day, each at its own URL), and a rebuild of the same article is found at its
    slug. An article without a URL (a file, pasted text) is its title, as before: a
    second file of that title is the same episode rebuilt.
    """
    base = slugify(article.title)
    for n in range(1, MAX_NAMESAKES + 1):
        suffix = f"-{n}" if n > 1 else ""
        slug = base[: MAX_SLUG - len(suffix)].rstrip("-") + suffix
        if _fits(output, slug, article.url):
            return slug
    raise PublishError(f"{MAX_NAMESAKES} episodes of other articles are called {base!r}")


def _swap_in(staging: Path, final: Path, settings: BuildSettings, article: Article) -> BuildStatus:
    """Move the staged episode into ``final``, unless another article's took its slug.

    :func:`free_slug` chose the slug when the build started, so another article of the
    same title (a second worker's, another ``build``'s) may have taken it since; its
    episode must not be replaced. A slug given by the caller (``--slug``) is theirs.
    """
    slug = final.name
    with episode_lock(settings.output, slug):  # two builds of one slug must not swap at once
        if settings.slug is None and not _fits(settings.output, slug, article.url):
            shutil.rmtree(staging, ignore_errors=True)
            message = f"another article's episode took {slug!r} while {article.url} was built"
            raise SlugTakenError(message, slug=slug)
        # Decided under the lock: a concurrent build of the same slug may have just made it.
        status = BuildStatus.REBUILT if final.exists() else BuildStatus.BUILT
        replace_dir(staging, final)
    return status


def _fits(output: Path, slug: str, url: str | None) -> bool:
    """Whether ``slug`` is free, or the episode there is of the article at ``url``."""
    try:
        there = read_episode(episodes_dir(output) / slug)
    except EpisodeReadError:
        return True  # free (or unreadable: the build replaces it, as before)
    return url is None or there.article.url is None or there.article.url == url


def reusable_episode(output: Path, slug: str, key: str) -> Built | None:
    """The existing episode when it was built from exactly this input and is intact."""
    folder = episodes_dir(output) / slug
    try:
        episode = read_episode(folder)
    except EpisodeReadError:
        return None
    if episode.build_key != key:
        return None
    if (folder / episode.audio.file).stat().st_size != episode.audio.bytes:
        return None
    if not all((folder / name).is_file() for name in episode.files.values()):
        return None
    heal_private_mode(folder / episode.audio.file)  # built before modes were fixed
    log.info("%s is unchanged; keeping the existing episode", slug)
    return Built(episode, folder, BuildStatus.UNCHANGED)


def article_hash(article: Article) -> str:
    """Stable hash of what is read (article text and metadata)."""
    blob = json.dumps(article.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _disclosure(settings: SpeechSettings) -> str:
    # The tags carry the disclosure even when it is not spoken.
    if settings.disclosure_position is DisclosurePosition.OFF or not settings.disclosure:
        return DEFAULT_DISCLOSURE
    return settings.disclosure


def write_episode(
    article: Article,
    mastered: Mastered,
    settings: BuildSettings,
    *,
    voice_name: str,
    slug: str,
    key: str = "",
    encoded: Encoded | None = None,
    store: SpanStore | None = None,
    offset: Offset | None = None,
    art: Art | None = None,
    page: Page | None = None,
) -> Built:
    """Encode, tag and write sidecars in a staging folder, then move it into place.

    ``encoded`` is the MP3 already made while mastering, if it was kept;
    ``store`` keeps encoded MP3 spans between builds; ``offset`` gives the gain
    that cancels an encoder's level change (measured here when not given);
    ``art`` is the episode's image, in every rendition's tags and as its own file;
    ``page`` writes the player page (``embed.html``) beside them, before the move.
    """
    parent = episodes_dir(settings.output)
    staging = make_staging_dir(parent, slug)
    try:
        episode = _write_files(
            staging,
            slug,
            article,
            mastered,
            settings,
            voice_name=voice_name,
            encoded=encoded,
            store=store,
            offset=offset,
            art=art,
        )
        episode = _write_record(staging, episode, key, page)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = parent / slug
    status = _swap_in(staging, final, settings, article)
    log.info("episode %s %s in %s", slug, status, final)
    return Built(episode, final, status)


def _write_files(
    folder: Path,
    slug: str,
    article: Article,
    mastered: Mastered,
    settings: BuildSettings,
    *,
    voice_name: str,
    encoded: Encoded | None = None,
    store: SpanStore | None = None,
    offset: Offset | None = None,
    art: Art | None = None,
) -> Episode:
    """Every file of the episode in ``folder`` (arguments as for :func:`write_episode`)."""
    files = _file_names(slug, settings.encode.extra_formats)
    if encoded is not None:
        _move_streamed(encoded.path, folder / files["audio"])
    todo = [f for f in ("mp3", *settings.encode.extra_formats) if f != "mp3" or encoded is None]
    names = {fmt: files[_file_role(fmt)] for fmt in todo}
    peaks = _encode_renditions(
        folder, names, mastered, settings.encode.bitrate_kbps, store, offset=offset
    )
    peak = encoded.true_peak_db if encoded is not None else peaks.get("mp3")
    disclosure = _disclosure(settings.speech)
    _tag_files(folder, files, _tag_info(article, disclosure, settings, art), mastered.timeline)
    _write_sidecars(folder, files, mastered.timeline, article.title)
    return Episode(
        slug=slug,
        article=replace(article, publisher=article.publisher or settings.publication),
        audio=_audio_info(folder / files["audio"], mastered, settings.encode.bitrate_kbps, peak),
        files=files,
        timeline=mastered.timeline,
        disclosure=disclosure,
        voice=voice_name,
        input_sha256=article_hash(article),
        built_at=datetime.now(UTC).replace(microsecond=0),
        generator=f"articleaudio {__version__}",
    )


def _write_record(staging: Path, episode: Episode, key: str, page: Page | None) -> Episode:
    """The player page (if any) and ``episode.json``; the episode as recorded there."""
    episode = replace(episode, build_key=key)
    if page is not None:  # the page shows the record, which names the page
        episode = replace(episode, files={**episode.files, EMBED_ROLE: EMBED_FILE})
        page(staging, episode)
    write_episode_record(staging, episode)
    return episode


def _file_role(fmt: str) -> str:
    """The key of a rendition in ``Episode.files``: the MP3 is the episode's "audio"."""
    return AUDIO_ROLE if fmt == "mp3" else fmt


def _file_names(slug: str, extra_formats: tuple[str, ...]) -> dict[str, str]:
    """Role → file name of every file an episode has before its embed page."""
    renditions: dict[str, str] = {}
    for fmt in extra_formats:  # the first of a repeated format names its file
        renditions.setdefault(_file_role(fmt), FORMATS[fmt].suffix)
    return episode_files(slug, renditions)


def _encode_renditions(
    folder: Path,
    names: dict[str, str],
    mastered: Mastered,
    bitrate: int,
    store: SpanStore | None,
    *,
    offset: Offset | None,
) -> dict[str, float | None]:
    """Encode the episode into ``folder`` once per format in ``names`` (format → file name);
    format → decoded true peak, where its encoder measured one.

    Each gets the gain that cancels its encoder's level change: from ``offset``
    when given, else measured here on an excerpt of the episode.
    """
    peaks: dict[str, float | None] = {}
    if not names:
        return peaks
    rate = mastered.sample_rate
    excerpt = mastered.excerpt(PROBE_SECONDS)
    for fmt, name in names.items():
        gain = offset(fmt, rate, excerpt) if offset else -level_change(excerpt, rate, fmt, bitrate)
        chapters = mastered.timeline.chapters
        peaks[fmt] = encode(
            mastered.stream(),
            rate,
            folder / name,
            fmt,
            bitrate,
            gain_db=gain,
            store=store,
            chapters=chapters,
        )
    return peaks


def _write_sidecars(folder: Path, files: dict[str, str], timeline: Timeline, title: str) -> None:
    """The captions, the transcript and the chapters, each under its name in ``files``."""
    atomic_write_text(folder / files["vtt"], to_vtt(timeline))
    atomic_write_text(folder / files["transcript_json"], to_transcript_json(timeline))
    atomic_write_text(folder / files["chapters_json"], to_chapters_json(timeline, title))


def _tag_files(folder: Path, files: dict[str, str], info: TagInfo, timeline: Timeline) -> None:
    """Tag every rendition alike; put the art beside them (the feed item's image)."""
    if info.art is not None:
        files["art"] = info.art.file_name
        atomic_write_bytes(folder / info.art.file_name, info.art.data)
    for purpose in ("audio", *(f for f in FORMATS if f in files)):
        write_tags(folder / files[purpose], info, timeline)


def _tag_info(
    article: Article, disclosure: str, settings: BuildSettings, art: Art | None
) -> TagInfo:
    album = settings.publication or article.publisher or DEFAULT_PUBLICATION
    return TagInfo(article, album, disclosure, art=art)


def _move_streamed(encoded: Path, target: Path) -> None:
    """Move the MP3 made while mastering into the episode folder, with a published mode."""
    try:
        shutil.move(encoded, target)
    except OSError as exc:
        raise PublishError(f"cannot write {target}: {exc.strerror or exc}") from exc
    # Whatever made it, the published MP3 gets the mode of the other files: it once
    # came from mkstemp at 0600, and web servers running as another user answered 403.
    set_published_mode(target)


def _audio_info(
    path: Path, mastered: Mastered, bitrate: int, true_peak_db: float | None
) -> AudioInfo:
    """The MP3's facts; its true peak is the decoded file's (measured span by span by its
    encoder when ``true_peak_db`` is given, else here on the whole file)."""
    peak = decoded_true_peak(path) if true_peak_db is None else true_peak_db
    return AudioInfo(
        file=path.name,
        bytes=path.stat().st_size,
        duration=round(mastered.timeline.duration, 3),
        bitrate_kbps=bitrate,
        sample_rate=MP3_RATE,
        channels=1,
        mime=FORMATS["mp3"].mime,
        integrated_lufs=round(mastered.loudness.integrated_lufs, 2),
        true_peak_dbtp=round(peak, 2),  # the file's, not the limiter's
        gain_db=round(mastered.loudness.gain_db, GAIN_DECIMALS),
    )
