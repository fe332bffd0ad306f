"""Wires the stages together: source → Article → Segments → Pieces → Mastered → files.

``build_episode`` is what ``articleaudio build`` calls. It writes the episode
into a hidden staging folder and moves it into place only when every file is
complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from . import __version__
from .cache import DEFAULT_MAX_BYTES, SegmentCache
from .config import PodcastConfig, load_config
from .encode import (
    FORMATS,
    MP3_RATE,
    PROBE_SECONDS,
    EncodeSettings,
    encode,
    level_change,
    sink_opener,
)
from .errors import (
    ArticleAudioError,
    AudioToolError,
    ConfigError,
    EmptyArticleError,
    InputError,
    PublishError,
    VoiceError,
)
from .extract import extract_source
from .fsutil import atomic_write_text, make_staging_dir, replace_dir, temporary_path
from .ingest import SourceKind, read_source
from .master import Mastered, MasterSettings, master
from .master_stream import Stream
from .models import Article, AudioInfo, Episode, Role, Segment
from .player import EMBED_FILE, write_embed
from .publish import is_listed, library_lock, publish_episode
from .segment import DisclosurePosition, SpeechSettings, Spoken, segment_article
from .sidecars import to_chapters_json, to_transcript_json, to_vtt
from .slug import check_slug, slugify
from .speech import load_lexicon, make_spoken, spoken_for
from .synthesize import PiperSynthesizer, SynthesisSettings, Synthesizer
from .tags import TagInfo, write_tags
from .voices import Voice, find_voice
from .workers import Synthesis, WorkerPool, default_jobs

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]
"""``(done, total)`` segments synthesised; the CLI turns it into a progress bar."""

EPISODES_DIR = "episodes"
MAX_WORDS = 100_000
"""Default limit on article length: about eleven hours of audio, far past any news story."""
DEFAULT_PUBLICATION = "articleaudio"


@dataclass(frozen=True)
class BuildSettings:
    """Everything ``build`` can be told, grouped by stage."""

    output: Path = Path("output")
    """Library folder; episodes go to ``output/episodes/<slug>/``."""
    voice: str | None = None
    """Voice name or ``.onnx`` path (None: the embedded default)."""
    kind: SourceKind | None = None
    """Force the source format instead of detecting it."""
    slug: str | None = None
    """Episode slug (None: from the title)."""
    publication: str | None = None
    """Album tag (None: the article's publisher, else ``articleaudio``)."""
    cover: Path | None = None
    """Cover art for the ID3 tag."""
    speech: SpeechSettings = field(default_factory=SpeechSettings)
    synthesis: SynthesisSettings = field(default_factory=SynthesisSettings)
    master: MasterSettings = field(default_factory=MasterSettings)
    encode: EncodeSettings = field(default_factory=EncodeSettings)
    jobs: int | None = None
    """Synthesis worker processes (None: one per core)."""
    cache_dir: Path | None = None
    """Segment cache folder (None: the user cache directory)."""
    use_cache: bool = True
    """Reuse and store synthesised segments."""
    force: bool = False
    """Rebuild even when nothing changed since the last build."""
    max_words: int = MAX_WORDS
    """Refuse longer articles (memory stays bounded either way; time does not)."""
    lexicons: tuple[Path, ...] = ()
    """Pronunciation lexicons applied after the default one, later files winning."""
    publish: bool = True
    """Add the episode to the library's catalogue and feed once its files are complete."""
    podcast: PodcastConfig | None = None
    """Feed settings (None: ``articleaudio.toml`` in the working directory, else defaults)."""


@dataclass(frozen=True)
class Built:
    """An episode that is on disk."""

    episode: Episode
    """Its metadata, as in ``episode.json``."""
    directory: Path
    """Its folder."""
    reused: bool = False
    """True when nothing had changed and the existing files were kept."""

    def paths(self) -> dict[str, str]:
        """Purpose → path of every file written."""
        return {k: str(self.directory / v) for k, v in self.episode.files.items()}


def load_article(location: str, kind: SourceKind | None = None) -> Article:
    """Ingest and extract: the article a build would read."""
    return extract_source(read_source(location, kind=kind))


def open_synthesis(settings: BuildSettings, synthesizer: Synthesizer | None = None) -> Synthesis:
    """The cache and workers a build (or a batch) synthesises through."""
    cache = SegmentCache(settings.cache_dir) if settings.use_cache else None
    if synthesizer is not None:
        return Synthesis(synthesizer, cache=cache)
    voice = find_voice(settings.voice)
    local = PiperSynthesizer(voice, settings.synthesis)
    jobs = settings.jobs or default_jobs()
    factory = (lambda: WorkerPool(voice, settings.synthesis, jobs)) if jobs > 1 else None
    return Synthesis(local, pool_factory=factory, cache=cache)


def render(
    segments: Sequence[Segment],
    synthesis: Synthesis,
    settings: MasterSettings,
    progress: Progress | None = None,
    first_gain_db: float | None = None,
    stream: Stream | None = None,
) -> Mastered:
    """Synthesise every segment (through the cache and workers) and master the result."""
    pieces = synthesis.pieces([s.spoken for s in segments], progress)
    return master(segments, pieces, settings, first_gain_db, stream)


@dataclass(frozen=True)
class Outcome:
    """What happened to one source in a batch."""

    location: str
    """The source as given."""
    built: Built | None = None
    """The episode, when it was built."""
    error: ArticleAudioError | None = None
    """Why it was not."""


def build_all(
    locations: Sequence[str],
    settings: BuildSettings,
    *,
    synthesizer: Synthesizer | None = None,
    progress: Progress | None = None,
    spoken: Spoken | None = None,
) -> list[Outcome]:
    """Build several sources sharing one set of workers, carrying on past failed articles.

    Each article's sentences are queued before the one before it is mastered and
    written, so the workers stay busy across article boundaries.
    """
    if settings.slug:
        check_slug(settings.slug)  # a bad option fails every article: refuse it up front
    check_writable(settings.output)
    if settings.publish and settings.podcast is None:
        settings = replace(settings, podcast=load_config())  # a bad config fails them all too
    synthesis = open_synthesis(settings, synthesizer)
    spoken = spoken or speech_step(synthesis, settings)  # one lexicon load for the batch
    outcomes: list[Outcome] = []
    try:
        ahead = _plan_ahead(locations[0], settings, synthesis, spoken) if locations else None
        for n, location in enumerate(locations):
            plan = ahead
            following = locations[n + 1] if n + 1 < len(locations) else None
            ahead = _plan_ahead(following, settings, synthesis, spoken) if following else None
            if isinstance(plan, ArticleAudioError):
                outcomes.append(Outcome(location, error=plan))
                continue
            assert plan is not None
            try:
                built = make_episode(plan, settings, synthesis, progress)
            except (VoiceError, AudioToolError, PublishError):
                raise  # these fail every article alike: stop at once
            except ArticleAudioError as exc:
                log.info("%s failed: %s", location, exc)
                outcomes.append(Outcome(location, error=exc))
            else:
                outcomes.append(Outcome(location, built=built))
    finally:
        synthesis.close()
    if synthesis.cache is not None and synthesis.synthesized:
        synthesis.cache.prune(max_bytes=DEFAULT_MAX_BYTES)  # keep the shared cache bounded
    return outcomes


def _plan_ahead(
    location: str, settings: BuildSettings, synthesis: Synthesis, spoken: Spoken
) -> Plan | ArticleAudioError:
    """Plan an article and queue its sentences; an article's own error is returned, not raised."""
    try:
        plan = plan_episode(location, read_article(location, settings), settings, synthesis, spoken)
    except (VoiceError, AudioToolError, PublishError):
        raise
    except ArticleAudioError as exc:
        log.info("%s failed: %s", location, exc)
        return exc
    synthesis.prefetch([s.spoken for s in plan.segments])
    return plan


def check_writable(output: Path) -> None:
    """Fail before any synthesis when the output folder cannot be created or written.

    Nothing is created here: a build that fails on its input leaves no folder behind.
    """
    existing = output
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise PublishError(
            f"cannot write to {output}: {existing} is not a writable folder; "
            "choose another folder with -o"
        )


@dataclass(frozen=True)
class Plan:
    """An article read, keyed and segmented: what its build will synthesise."""

    location: str
    article: Article
    slug: str
    key: str
    """The build key (see :func:`build_key`)."""
    segments: tuple[Segment, ...] = ()
    """Empty when the existing episode is reused."""
    reused: Built | None = None
    """The episode on disk, when nothing has changed since it was built."""


def read_article(location: str, settings: BuildSettings) -> Article:
    """Ingest and extract, refusing articles over the word limit."""
    article = load_article(location, settings.kind)
    words = sum(len(b.text.split()) for b in article.blocks)
    if words > settings.max_words:
        raise InputError(
            f"{location}: the article has {words:,} words, more than the limit of "
            f"{settings.max_words:,}; raise it with --max-words if this is intended",
            source=location,
        )
    return article


def plan_episode(
    location: str,
    article: Article,
    settings: BuildSettings,
    synthesis: Synthesis,
    spoken: Spoken | None = None,
) -> Plan:
    """Decide the slug and build key, reuse an unchanged episode, else segment the article."""
    # The key is decided before segmenting: an unchanged article costs nothing more.
    key = build_key(article, settings, synthesis.synthesizer.identity)
    slug = check_slug(settings.slug) if settings.slug else slugify(article.title)
    reused = None if settings.force else reusable_episode(settings.output, slug, key)
    if reused is not None:
        return Plan(location, article, slug, key, reused=reused)
    segments = segment_article(article, settings.speech, spoken or speech_step(synthesis, settings))
    if not any(s.role is Role.SENTENCE for s in segments):
        raise EmptyArticleError(f"{location}: the article has a title but nothing to read")
    return Plan(location, article, slug, key, tuple(segments))


def make_episode(
    plan: Plan, settings: BuildSettings, synthesis: Synthesis, progress: Progress | None = None
) -> Built:
    """Synthesise, master and write a planned episode (or take the reused one), then publish."""
    built = plan.reused or _render_and_write(
        plan.article, plan.segments, synthesis, settings, plan.slug, plan.key, progress
    )
    if settings.publish and not (built.reused and is_listed(settings.output, built.episode)):
        # Only now are the episode's files complete: the feed never lists a partial one.
        publish_episode(settings.output, built.episode, settings.podcast)
    return built


def build_episode(
    location: str,
    settings: BuildSettings,
    *,
    synthesis: Synthesis | None = None,
    synthesizer: Synthesizer | None = None,
    progress: Progress | None = None,
    spoken: Spoken | None = None,
) -> Built:
    """Build one article into ``settings.output/episodes/<slug>/``."""
    article = read_article(location, settings)  # bad input fails before the voice is touched
    owned = synthesis is None
    synthesis = synthesis or open_synthesis(settings, synthesizer)
    try:
        plan = plan_episode(location, article, settings, synthesis, spoken)
        return make_episode(plan, settings, synthesis, progress)
    finally:
        if owned:
            synthesis.close()


def _render_and_write(
    article: Article,
    segments: Sequence[Segment],
    synthesis: Synthesis,
    settings: BuildSettings,
    slug: str,
    key: str,
    progress: Progress | None,
) -> Built:
    """Master with the MP3 encoder following along, then write the episode."""
    previous = previous_gain(settings.output, slug)
    streamed = temporary_path(".mp3")
    try:
        mastered = render(
            segments, synthesis, settings.master, progress, previous,
            _mp3_stream(streamed, synthesis, settings, previous),
        )  # fmt: skip
        try:
            return write_episode(
                article, mastered, settings, _voice_name(synthesis), slug, key,
                encoded=streamed if mastered.encoded else None,
            )  # fmt: skip
        finally:
            mastered.spool.close()
    finally:
        streamed.unlink(missing_ok=True)


def _mp3_stream(
    path: Path, synthesis: Synthesis, settings: BuildSettings, gain_db: float | None
) -> Stream:
    """Encode the MP3 while mastering; the encoder's level change for this voice is
    measured once and then recalled from the cache."""
    bitrate = settings.encode.bitrate_kbps
    cache = synthesis.cache
    name = json.dumps(
        ["level-change", "mp3", bitrate, synthesis.synthesizer.identity, __version__],
        sort_keys=True,
    )
    known = cache.recall(name) if cache else None
    keep = (lambda value: cache.keep(name, value)) if cache else None
    opener = sink_opener(path, "mp3", bitrate, known, keep)
    return Stream(opener, gain_db, probe_seconds=0.0 if known is not None else PROBE_SECONDS)


def speech_step(synthesis: Synthesis, settings: BuildSettings) -> Spoken:
    """Normalisation plus the lexicons, with IPA checked against the voice in use."""
    voice = getattr(synthesis.synthesizer, "voice", None)
    if isinstance(voice, Voice):
        return spoken_for(voice, settings.lexicons)
    return make_spoken(load_lexicon(settings.lexicons))


def _voice_name(synthesis: Synthesis) -> str:
    voice = getattr(synthesis.synthesizer, "voice", None)
    return str(getattr(voice, "name", "fake"))


def build_key(article: Article, settings: BuildSettings, identity: dict[str, Any]) -> str:
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
            "cover": _file_stamp(settings.cover),
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
        data = json.loads((output / EPISODES_DIR / slug / "episode.json").read_text("utf-8"))
        return float(data["audio"]["gain_db"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def reusable_episode(output: Path, slug: str, key: str) -> Built | None:
    """The existing episode when it was built from exactly this input and is intact."""
    folder = output / EPISODES_DIR / slug
    try:
        episode = Episode.from_dict(json.loads((folder / "episode.json").read_text("utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if episode.build_key != key:
        return None
    if (folder / episode.audio.file).stat().st_size != episode.audio.bytes:
        return None
    if not all((folder / name).is_file() for name in episode.files.values()):
        return None
    log.info("%s is unchanged; keeping the existing episode", slug)
    return Built(episode, folder, reused=True)


def article_hash(article: Article) -> str:
    """Stable hash of what is read (article text and metadata)."""
    blob = json.dumps(article.to_dict(), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()


def _disclosure(settings: SpeechSettings) -> str:
    from .segment import DEFAULT_DISCLOSURE

    # The tags carry the disclosure even when it is not spoken.
    if settings.disclosure_position is DisclosurePosition.OFF or not settings.disclosure:
        return DEFAULT_DISCLOSURE
    return settings.disclosure


def write_episode(
    article: Article,
    mastered: Mastered,
    settings: BuildSettings,
    voice_name: str,
    slug: str,
    key: str = "",
    encoded: Path | None = None,
) -> Built:
    """Encode, tag and write sidecars in a staging folder, then move it into place.

    ``encoded`` is the MP3 already made while mastering, if it was kept.
    """
    parent = settings.output / EPISODES_DIR
    staging = make_staging_dir(parent, slug)
    try:
        episode = _write_files(staging, slug, article, mastered, settings, voice_name, encoded)
        episode = replace(episode, build_key=key, files={**episode.files, "embed": EMBED_FILE})
        write_embed(staging, episode)
        text = json.dumps(episode.to_dict(), ensure_ascii=False, indent=2) + "\n"
        atomic_write_text(staging / "episode.json", text)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    final = parent / slug
    with library_lock(settings.output):  # two builds of one slug must not swap at once
        replace_dir(staging, final)
    log.info("episode %s written to %s", slug, final)
    return Built(episode, final)


def _write_files(
    folder: Path,
    slug: str,
    article: Article,
    mastered: Mastered,
    settings: BuildSettings,
    voice_name: str,
    encoded: Path | None = None,
) -> Episode:
    files = {
        "audio": f"{slug}.mp3",
        "vtt": f"{slug}.vtt",
        "transcript_json": f"{slug}.transcript.json",
        "chapters_json": f"{slug}.chapters.json",
    }
    rate, bitrate = mastered.sample_rate, settings.encode.bitrate_kbps
    if encoded is not None:
        shutil.move(encoded, folder / files["audio"])
    todo = [f for f in ("mp3", *settings.encode.extra_formats) if f != "mp3" or encoded is None]
    excerpt = mastered.excerpt(PROBE_SECONDS) if todo else None
    for fmt in todo:
        files.setdefault(fmt if fmt != "mp3" else "audio", f"{slug}{FORMATS[fmt].suffix}")
        name = files[fmt if fmt != "mp3" else "audio"]
        assert excerpt is not None
        offset = -level_change(excerpt, rate, fmt, bitrate)
        encode(mastered.chunks(), rate, folder / name, fmt, bitrate, gain_db=offset)
    disclosure = _disclosure(settings.speech)
    album = settings.publication or article.publisher or DEFAULT_PUBLICATION
    write_tags(
        folder / files["audio"], _tag_info(article, album, disclosure, settings), mastered.timeline
    )
    atomic_write_text(folder / files["vtt"], to_vtt(mastered.timeline))
    atomic_write_text(folder / files["transcript_json"], to_transcript_json(mastered.timeline))
    atomic_write_text(
        folder / files["chapters_json"], to_chapters_json(mastered.timeline, article.title)
    )
    episode = Episode(
        slug=slug,
        article=replace(article, publisher=article.publisher or settings.publication),
        audio=_audio_info(folder / files["audio"], mastered, bitrate),
        files=files,
        timeline=mastered.timeline,
        disclosure=disclosure,
        voice=voice_name,
        input_sha256=article_hash(article),
        built_at=datetime.now(UTC).replace(microsecond=0),
        generator=f"articleaudio {__version__}",
    )
    return episode


def _tag_info(article: Article, album: str, disclosure: str, settings: BuildSettings) -> TagInfo:
    if settings.cover is None:
        return TagInfo(article, album, disclosure)
    try:
        data = settings.cover.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read cover art {settings.cover}: {exc.strerror}") from exc
    mime = "image/png" if data[:8] == b"\x89PNG\r\n\x1a\n" else "image/jpeg"
    if mime == "image/jpeg" and data[:3] != b"\xff\xd8\xff":
        raise ConfigError(f"cover art {settings.cover} is neither a JPEG nor a PNG image")
    return TagInfo(article, album, disclosure, cover=data, cover_mime=mime)


def _audio_info(path: Path, mastered: Mastered, bitrate: int) -> AudioInfo:
    return AudioInfo(
        file=path.name,
        bytes=path.stat().st_size,
        duration=round(mastered.timeline.duration, 3),
        bitrate_kbps=bitrate,
        sample_rate=MP3_RATE,
        channels=1,
        mime=FORMATS["mp3"].mime,
        integrated_lufs=round(mastered.loudness.integrated_lufs, 2),
        true_peak_dbtp=round(mastered.loudness.true_peak_dbtp, 2),
        gain_db=round(mastered.loudness.gain_db, 3),
    )


SAY_FORMATS = {".mp3": "mp3", ".m4a": "m4a", ".opus": "opus"}
"""Output suffix → format for ``say``."""


def say(
    text: str,
    out: Path,
    settings: BuildSettings,
    *,
    synthesizer: Synthesizer | None = None,
    spoken: Spoken | None = None,
    language: str = "en",
) -> Path:
    """Speak one line through the same text stages into ``out`` (mp3, m4a or opus)."""
    fmt = SAY_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ConfigError(f"cannot write {out.name}: use a .mp3, .m4a or .opus file name")
    if not text.strip():
        raise EmptyArticleError("nothing to say: the text is empty")
    synthesis = open_synthesis(replace(settings, jobs=1), synthesizer)
    try:
        to_voice = spoken or speech_step(synthesis, settings)
        segments = (Segment(0, Role.SENTENCE, text.strip(), to_voice(text.strip(), language)),)
        mastered = render(segments, synthesis, settings.master)
    finally:
        synthesis.close()
    staging = make_staging_dir(out.parent if str(out.parent) else Path("."), out.name)
    try:
        bitrate = settings.encode.bitrate_kbps
        offset = -level_change(mastered.excerpt(PROBE_SECONDS), mastered.sample_rate, fmt, bitrate)
        encode(mastered.chunks(), mastered.sample_rate, staging / out.name, fmt, bitrate, offset)
        (staging / out.name).replace(out)
    finally:
        mastered.spool.close()
        shutil.rmtree(staging, ignore_errors=True)
    return out
