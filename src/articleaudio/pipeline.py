"""Wires the stages together: source → Article → Segments → Pieces → Mastered → files.

``build_episode`` is what ``articleaudio build`` calls: it plans the episode
(:func:`plan_episode`: read, key, reuse or segment) and makes it
(:func:`make_episode`: synthesise, master with the MP3 encoder following, write
through :mod:`articleaudio.library.write`, publish). ``build_all`` does the same for a
batch, planning each article ahead so the workers never wait.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path

from .config import PodcastConfig
from .encode import (
    PROBE_SECONDS,
    Art,
    EncoderLevels,
    SinkOpener,
    art_bytes,
    encode,
    episode_art,
    frame_grid,
    level_change,
    make_art,
)
from .errors import (
    ArticleAudioError,
    AudioToolError,
    ConfigError,
    EmptyArticleError,
    InputError,
    PublishError,
    SlugTakenError,
    UncertainExtractionError,
    VoiceError,
)
from .extract import Source, extract_source, read_source
from .fsutil import make_staging_dir
from .layout import check_slug, episodes_dir
from .library import (
    Built,
    Encoded,
    build_key,
    free_slug,
    is_listed,
    previous_gain,
    publish_episode,
    resolve,
    reusable_episode,
    write_episode,
)
from .master import Ahead, Grid, Mastered, MasterSettings, Stream, WeightedPieces, master
from .models import Article, Role, Segment, Spoken
from .settings import BuildSettings
from .synth import (
    Cache,
    PiperSynthesizer,
    Progress,
    Synthesis,
    Synthesizer,
    VoicePool,
    WorkerPool,
    default_jobs,
    find_voice,
)
from .text import load_lexicon, make_spoken, segment_article, spoken_for
from .web import write_embed

log = logging.getLogger(__name__)

SLUG_TRIES = 3
"""Builds of one article before another article taking its slug each time fails it."""


def open_synthesis(settings: BuildSettings, synthesizer: Synthesizer | None = None) -> Synthesis:
    """The cache and workers a build (or a batch) synthesises through, to use with ``with``
    (leaving it stops the workers; see :meth:`Synthesis.close`)."""
    cache = Cache(settings.cache_dir) if settings.use_cache else None
    if synthesizer is not None:
        return Synthesis(synthesizer, cache=cache)
    voice = find_voice(settings.voice, settings.output)
    jobs = settings.jobs or default_jobs()
    speaking = settings.synthesis
    if jobs == 1 and not speaking.threads:
        # One synthesis process means one core: a worker of `-j 1` beside others on a
        # machine must not take their cores for its voice's threads.
        speaking = replace(speaking, threads=1)
    local = PiperSynthesizer(voice, speaking)
    factory = (lambda: WorkerPool(voice, settings.synthesis, jobs)) if jobs > 1 else None
    return Synthesis(local, pool_factory=factory, cache=cache)


def render(
    segments: Sequence[Segment],
    synthesis: Synthesis,
    settings: MasterSettings,
    *,
    progress: Progress | None = None,
    first_gain_db: float | None = None,
    stream: Stream | None = None,
    grid: Grid | None = None,
) -> Mastered:
    """Synthesise every segment (through the cache and workers) and master the result.

    The cached pieces read while a sentence is synthesised are prepared then, rather
    than after it (see :mod:`articleaudio.master.ahead`).
    """
    ahead = Ahead()
    pieces = synthesis.pieces([s.spoken for s in segments], progress, ahead=ahead.prepare)
    return master(
        segments,
        pieces,
        settings,
        first_gain_db=first_gain_db,
        stream=stream,
        grid=grid,
        ahead=ahead,
    )


@dataclass(frozen=True)
class Outcome:
    """What happened to one source in a batch."""

    location: str
    """The source as given."""
    built: Built | None = None
    """The episode, when it was built."""
    error: ArticleAudioError | None = None
    """Why it was not."""
    warnings: tuple[str, ...] = ()
    """What a person should look at (a low extraction confidence), without the location."""
    confidence: float | None = None
    """The extraction's confidence (see :mod:`articleaudio.extract.confidence`)."""


FATAL_ERRORS: tuple[type[ArticleAudioError], ...] = (VoiceError, AudioToolError, PublishError)
"""Errors that fail every article of a batch alike (the voice, ffmpeg, the output folder):
a batch stops at the first rather than meet it again for each article."""


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
    outcomes: list[Outcome] = []
    with open_batch(settings, synthesizer=synthesizer, spoken=spoken) as batch:
        ahead = batch.plan(locations[0]) if locations else None
        for n, location in enumerate(locations):
            plan = ahead
            following = locations[n + 1] if n + 1 < len(locations) else None
            ahead = batch.plan(following) if following else None
            if isinstance(plan, ArticleAudioError):
                outcomes.append(Outcome(location, error=plan))
                continue
            assert plan is not None
            try:
                built = batch.make(plan, progress)
            except FATAL_ERRORS:
                raise  # these fail every article alike: stop at once
            except ArticleAudioError as exc:
                log.info("%s failed: %s", location, exc)
                outcomes.append(Outcome(location, error=exc))
            else:
                outcomes.append(_built(location, built, plan.article, settings))
    return outcomes


def _built(location: str, built: Built, article: Article, settings: BuildSettings) -> Outcome:
    warning = confidence_warning(article, settings)
    warnings = (warning,) if warning else ()
    return Outcome(location, built=built, warnings=warnings, confidence=article.confidence)


Given = str | Source
"""A source to read (a path, an http(s) URL, ``-``), or one already read (a job's text)."""


class Batch:
    """Voices and workers kept open across articles built with one :class:`BuildSettings`.

    ``build_all`` and the job runner (:mod:`articleaudio.jobs`) plan one article
    ahead while the one before is made, so the workers never wait. Use
    :func:`open_batch`, with ``with``: leaving stops the workers.
    """

    def __init__(self, settings: BuildSettings, voices: VoicePool) -> None:
        self.settings = settings
        self.voices = voices
        self.weighted = WeightedPieces()
        """The finished pieces' K-weighting, so an article edited later in the batch
        (a ``watch``'s) meters only its new sentences."""

    def plan(self, given: Given) -> Plan | ArticleAudioError:
        """Plan an article and queue its sentences; the article's own error is returned."""
        location = given.location if isinstance(given, Source) else given
        try:
            article = read_article(given, self.settings)
            voice, spoken = self.voices.for_article(article, location)
            synthesis = self.voices.synthesis(voice)
            plan = plan_episode(location, article, self.settings, synthesis, spoken)
        except FATAL_ERRORS:
            raise
        except ArticleAudioError as exc:
            log.info("%s failed: %s", location, exc)
            return exc
        synthesis.prefetch([s.spoken for s in plan.segments])
        return replace(plan, voice=voice)

    def make(self, plan: Plan, progress: Progress | None = None) -> Built:
        """Synthesise, master, write and publish a planned article (see :func:`make_episode`)."""
        synthesis = self.voices.synthesis(plan.voice)
        return make_episode(plan, self.settings, synthesis, progress, weighted=self.weighted)

    def keep_edit_voice(self) -> None:
        """Open the batch's voice in this process too, for edits (see
        :meth:`Synthesis.keep_edit_voice`): a long-running runner's."""
        self.voices.synthesis(self.voices.named).keep_edit_voice()

    def close(self, *, now: bool = False) -> None:
        """Stop the workers (``now``: without finishing the sentences being synthesised)."""
        self.voices.close(now=now)
        self.weighted.close()

    def __enter__(self) -> Batch:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        # An exception (Ctrl-C included) kills the workers rather than waiting.
        self.close(now=kind is not None)


def open_batch(
    settings: BuildSettings,
    *,
    synthesizer: Synthesizer | None = None,
    spoken: Spoken | None = None,
) -> Batch:
    """Check what would fail every article, then open the first voice for a batch."""
    if settings.slug:
        check_slug(settings.slug)  # a bad option fails every article: refuse it up front
    if settings.cover is not None:
        episode_art(settings.cover, None, "-")  # so does a bad cover
    check_writable(settings.output)
    podcast = resolve(settings.output, settings.podcast).config  # a bad config fails them all
    voices = _voice_pool(settings, podcast, open_synthesis(settings, synthesizer), spoken)
    return Batch(settings, voices)


def _voice_pool(
    settings: BuildSettings, podcast: PodcastConfig, first: Synthesis, spoken: Spoken | None
) -> VoicePool:
    """The batch's voices: the first one open, others opened as articles' languages ask."""

    def opener(voice: str | None) -> tuple[Synthesis, Spoken]:
        chosen = replace(settings, voice=voice)
        synthesis = open_synthesis(chosen)
        return synthesis, speech_step(synthesis, chosen)

    first_spoken = spoken or speech_step(first, settings)  # one lexicon load per voice
    opened = (settings.voice, first, first_spoken)
    return VoicePool(podcast, opener, first=opened, strict=settings.strict, library=settings.output)


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
    previous_gain_db: float | None = None
    """The gain of this slug's previous build (None: a new episode)."""
    voice: str | None = None
    """The voice chosen for the article's language (None: the batch's default)."""
    art: Art | None = None
    """The episode's image (see :mod:`articleaudio.encode.art`)."""


def confidence_warning(article: Article, settings: BuildSettings) -> str | None:
    """What to tell a person about an extraction scored below the threshold (None: nothing).

    >>> confidence_warning(Article("T", (), confidence=0.42), BuildSettings())
    'extraction confidence 0.42 is below 0.60; check the article text'
    """
    score = article.confidence
    if score is None or score >= settings.min_confidence:
        return None
    threshold = settings.min_confidence
    return f"extraction confidence {score:.2f} is below {threshold:.2f}; check the article text"


def read_article(given: Given, settings: BuildSettings) -> Article:
    """Ingest (unless ``given`` was read already) and extract, refusing articles over the
    word limit, and (``strict``) those whose extraction confidence is below the threshold."""
    source = given if isinstance(given, Source) else read_source(given, kind=settings.kind)
    location = source.location
    article = extract_source(source)
    warning = confidence_warning(article, settings)
    if warning and settings.strict:
        message = f"{location}: {warning} (refused: --strict)"
        raise UncertainExtractionError(message, source=location, confidence=article.confidence or 0)
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
    image = art_bytes(settings.cover, article.image, location)
    key = build_key(article, settings, synthesis.synthesizer.identity, image)
    slug = check_slug(settings.slug) if settings.slug else free_slug(settings.output, article)
    reused = None if settings.force else reusable_episode(settings.output, slug, key)
    if reused is not None:
        return Plan(location, article, slug, key, reused=reused)
    art = make_art(image, settings.cover)  # cropping and scaling only for a build
    previous = previous_gain(settings.output, slug)
    # Open the voice while segmenting: in the workers for a new article (nearly every
    # sentence to synthesise), in process for an edit (a few).
    synthesis.warm_up(many=previous is None)
    segments = segment_article(article, settings.speech, spoken or speech_step(synthesis, settings))
    if not any(s.role is Role.SENTENCE for s in segments):
        raise EmptyArticleError(f"{location}: the article has a title but nothing to read")
    return Plan(location, article, slug, key, tuple(segments), previous_gain_db=previous, art=art)


def make_episode(
    plan: Plan,
    settings: BuildSettings,
    synthesis: Synthesis,
    progress: Progress | None = None,
    *,
    weighted: WeightedPieces | None = None,
) -> Built:
    """Synthesise, master and write a planned episode (or take the reused one), then publish.

    ``weighted`` keeps the finished pieces' K-weighting for the next build (a batch's).
    """
    render = partial(
        _render_and_write,
        synthesis=synthesis,
        settings=settings,
        progress=progress,
        weighted=weighted,
    )
    built = _made(plan, settings, render)
    listed = built.reused and is_listed(settings.output, built.episode, settings.podcast)
    if settings.publish and not listed:
        # Only now are the episode's files complete: the feed never lists a partial one.
        publish_episode(settings.output, built.episode, settings.podcast)
    return built


def _made(plan: Plan, settings: BuildSettings, render: Callable[[Plan], Built]) -> Built:
    """The reused episode, or one rendered and written; planned again under a free slug
    when another article took this one's meanwhile (see :class:`SlugTakenError`)."""
    for attempt in range(1, SLUG_TRIES + 1):
        try:
            return plan.reused or render(plan)
        except SlugTakenError as exc:
            if attempt == SLUG_TRIES:
                raise
            log.info("%s: %s; choosing the slug again", plan.location, exc)
            plan = _free_slug_again(plan, settings)
    raise AssertionError("unreachable: the last attempt returns or raises")


def _free_slug_again(plan: Plan, settings: BuildSettings) -> Plan:
    """``plan`` under the slug free now (the article, its key and segments are the same)."""
    slug = free_slug(settings.output, plan.article)
    reused = None if settings.force else reusable_episode(settings.output, slug, plan.key)
    previous = previous_gain(settings.output, slug)
    return replace(plan, slug=slug, reused=reused, previous_gain_db=previous)


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
    if warning := confidence_warning(article, settings):
        log.warning("%s: %s", location, warning)  # build_all's callers get it in the Outcome
    with ExitStack() as owned:  # a caller's synthesis is closed by the caller
        if synthesis is None:
            synthesis = owned.enter_context(open_synthesis(settings, synthesizer))
        plan = plan_episode(location, article, settings, synthesis, spoken)
        return make_episode(plan, settings, synthesis, progress)


def _render_and_write(
    plan: Plan,
    synthesis: Synthesis,
    settings: BuildSettings,
    progress: Progress | None,
    weighted: WeightedPieces | None,
) -> Built:
    """Master with the MP3 encoder following along, then write the episode."""
    # The MP3 made while mastering waits in a staging folder beside the episodes, not in
    # /tmp: a killed build's is swept by a later build (see make_staging_dir), and moving
    # it into the episode is a rename on the same file system rather than a copy.
    staging = make_staging_dir(episodes_dir(settings.output), f"{plan.slug}.stream")
    streamed = staging / f"{plan.slug}.mp3"
    stream, opener = _mp3_stream(streamed, synthesis, settings, weighted)
    try:
        mastered = render(
            plan.segments,
            synthesis,
            settings.master,
            progress=progress,
            first_gain_db=plan.previous_gain_db,
            stream=stream,
            grid=frame_grid,
        )
        with mastered:
            return write_episode(
                plan.article,
                mastered,
                settings,
                voice_name=synthesis.synthesizer.voice_name,
                slug=plan.slug,
                key=plan.key,
                encoded=Encoded(streamed, opener.true_peak_db) if mastered.encoded else None,
                store=synthesis.cache.spans if synthesis.cache else None,
                offset=_levels(synthesis, settings).offset,
                art=plan.art,
                page=write_embed,
            )
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _mp3_stream(
    path: Path, synthesis: Synthesis, settings: BuildSettings, weighted: WeightedPieces | None
) -> tuple[Stream, SinkOpener]:
    """Encode the MP3 while mastering, offsetting the encoder's remembered level change;
    the opener tells what the encoder measured (its decoded true peak)."""
    levels = _levels(synthesis, settings)
    offset = partial(levels.offset, "mp3")
    spans = synthesis.cache.spans if synthesis.cache else None
    opener = SinkOpener(path, "mp3", levels.bitrate, offset, spans)
    # With the level change remembered, the encoder can start on the first piece.
    probe = 0.0 if levels.known("mp3") is not None else PROBE_SECONDS
    limits = synthesis.cache.limits if synthesis.cache else None
    return Stream(opener, probe_seconds=probe, limits=limits, weighted=weighted), opener


def _levels(synthesis: Synthesis, settings: BuildSettings) -> EncoderLevels:
    """The encoders' level changes for this voice, remembered in the synthesis cache."""
    identity = synthesis.synthesizer.identity
    notes = synthesis.cache.notes if synthesis.cache else None
    return EncoderLevels(identity, settings.encode.bitrate_kbps, notes)


def speech_step(synthesis: Synthesis, settings: BuildSettings) -> Spoken:
    """Normalisation plus the lexicons, with IPA checked against the voice in use."""
    voice = synthesis.synthesizer.voice
    if voice is not None:
        return spoken_for(voice, settings.lexicons)
    return make_spoken(load_lexicon(settings.lexicons))


SAY_FORMATS = {".mp3": "mp3", ".m4a": "m4a", ".opus": "opus", ".wav": "wav"}
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
    """Speak one line through the same text and master stages into ``out`` (mp3, m4a, opus, wav)."""
    fmt = SAY_FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ConfigError(f"cannot write {out.name}: use a .mp3, .m4a, .opus or .wav file name")
    if not text.strip():
        raise EmptyArticleError("nothing to say: the text is empty")
    with open_synthesis(replace(settings, jobs=1), synthesizer) as synthesis:
        to_voice = spoken or speech_step(synthesis, settings)
        segments = (Segment(0, Role.SENTENCE, text.strip(), to_voice(text.strip(), language)),)
        mastered = render(segments, synthesis, settings.master)
    with mastered:
        staging = make_staging_dir(out.parent if str(out.parent) else Path("."), out.name)
        try:
            bitrate = settings.encode.bitrate_kbps
            probe = mastered.excerpt(PROBE_SECONDS)
            offset = -level_change(probe, mastered.sample_rate, fmt, bitrate)
            encode(
                mastered.chunks(),
                mastered.sample_rate,
                staging / out.name,
                fmt,
                bitrate,
                gain_db=offset,
            )
            (staging / out.name).replace(out)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return out
