"""The ``articleaudio`` command: a thin click layer over the library.

Each command parses options, calls one library function and prints. Library
errors (:class:`ArticleAudioError`) become one ``Error: …`` line and exit 1 in
:class:`_Group`, so commands never catch them themselves.
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from ..encode import BITRATES, EncodeSettings
from ..extract import WARN_BELOW, SourceKind
from ..jobs import build_sources
from ..library import given_config
from ..master import MasterSettings, Pauses
from ..pipeline import Outcome
from ..pipeline import say as pipeline_say
from ..settings import MAX_WORDS, BuildSettings
from ..synth import DEFAULT_MAX_BYTES, Cache, SynthesisSettings, list_voices, shown, voice_folders
from ..text import DisclosurePosition, SpeechSettings
from ..version import __version__
from .common import (
    BROKER_OPTION,
    LEXICON_OPTION,
    OUTPUT_OPTION,
    PRIORITY_OPTION,
    _Group,
    catalogue_option,
    configure_logging,
    echo_built,
    echo_json,
    progress_bar,
    stop_on_sigterm,
    with_options,
)
from .publish import COMMANDS as PUBLISH_COMMANDS

CHECK_MODES = ("warn", "strict")
"""``build --check=MODE``: ``warn`` (the same as ``--check``) reports the flags, ``strict``
exits 1 when there is one."""

LAZY_COMMANDS = {
    "check": (".check", "check"),
    "extract": (".extract", "extract_command"),
    "script": (".speech", "script"),
    "embed": (".player", "embed"),
    "serve": (".player", "serve"),
    "jobs": (".jobs", "jobs"),
    "watch": (".watch", "watch"),
    "worker": (".worker", "worker"),
}
"""Command name → (module of this package, its attribute): loaded when the command is
called or listed, so ``build`` does not import what only they need (``watch`` alone
brought feedparser and the feed and sitemap readers). The library commands are not
here: they need nothing a build does not load anyway."""


class _Commands(_Group):
    """The top-level group, which loads the commands in :data:`LAZY_COMMANDS` on demand."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module, attribute = LAZY_COMMANDS[cmd_name]
            command = getattr(importlib.import_module(module, __package__), attribute)
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="articleaudio")
@click.option(
    "-v",
    "--verbose",
    count=True,
    help="Log more: -v info (and other libraries' warnings), -vv debug.",
)
def cli(verbose: int) -> None:
    """Turn news articles into narrated podcast episodes with a local Piper voice.

    Example: articleaudio build https://example.org/news/story.html -o output
    """
    configure_logging(verbose)


BUILD_OPTIONS = (
    OUTPUT_OPTION,
    click.option(
        "--voice", help="Voice name (see `articleaudio voices`) or path to a .onnx model."
    ),
    click.option(
        "--format",
        "kind",
        type=click.Choice([k.value for k in SourceKind]),
        help="Force the source format instead of detecting it.",
    ),
    click.option("--slug", help="Episode slug (default: from the title). Only with one source."),
    click.option(
        "--length-scale", type=click.FloatRange(0.5, 2.0), help="Speaking pace: >1 slower."
    ),
    click.option(
        "--sentence-pause", type=click.FloatRange(0, 5), help="Seconds between sentences."
    ),
    click.option(
        "--paragraph-pause", type=click.FloatRange(0, 5), help="Seconds between paragraphs."
    ),
    click.option("--disclosure", help="Spoken AI-assistance disclosure text."),
    click.option(
        "--disclosure-position",
        type=click.Choice([p.value for p in DisclosurePosition]),
        default="start",
        show_default=True,
        help="Where the disclosure is spoken.",
    ),
    click.option("--table-note", help="Said instead of a table too long to read aloud."),
    click.option(
        "--bitrate",
        type=click.Choice([str(b) for b in BITRATES]),
        default="64",
        show_default=True,
        help="MP3 bit rate in kbps (CBR).",
    ),
    click.option(
        "--also",
        "extra",
        multiple=True,
        type=click.Choice(["m4a", "opus"]),
        help="Also write this rendition, in the feed too (repeatable).",
    ),
    click.option("--publication", help="Publication name for the album tag."),
    click.option(
        "--cover",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Episode art [default: the article's lead image if beside it].",
    ),
    click.option(
        "-j", "--jobs", type=click.IntRange(1, 64), help="Synthesis processes [default: cores]."
    ),
    click.option("--no-cache", is_flag=True, help="Do not reuse or store synthesised sentences."),
    click.option("--force", is_flag=True, help="Rebuild even if nothing changed."),
    click.option(
        "--max-words",
        type=click.IntRange(1),
        default=MAX_WORDS,
        show_default=True,
        help="Refuse longer articles.",
    ),
    click.option(
        "--config",
        "config_file",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Podcast settings file; the library keeps a copy [default: the library's "
        "own settings, else ./articleaudio.toml].",
    ),
    click.option(
        "--strict",
        is_flag=True,
        help="Refuse an article whose language its voice does not speak, or whose "
        "extraction confidence is below --min-confidence.",
    ),
    click.option(
        "--min-confidence",
        type=click.FloatRange(0, 1),
        default=WARN_BELOW,
        show_default=True,
        help="Warn about an article whose extraction confidence (0..1, see `extract --json`) "
        "is below this.",
    ),
    LEXICON_OPTION,
    BROKER_OPTION,
    PRIORITY_OPTION,
    click.option(
        "--no-wait",
        is_flag=True,
        help="With --broker: only queue the jobs and print their ids, without waiting "
        "for the workers to build them.",
    ),
    click.option(
        "--check",
        "check",
        is_flag=True,
        help="Hear each episode back once built (see `check`); --check=strict (with the "
        "'=') exits 1 when a sentence is flagged (the episode is published all the same).",
    ),
    # What --check=MODE becomes (_BuildCommand): not for typing, so not in --help.
    click.option("--check-mode", "check_mode", type=click.Choice(CHECK_MODES), hidden=True),
    click.option("--json", "as_json", is_flag=True, help="Print one JSON object per episode."),
)
"""``build``'s options in ``--help`` order: a table, so the command reads as its body."""


class _BuildCommand(click.Command):
    """``build``, whose ``--check`` is a flag and takes a mode only after ``=``.

    An option whose value may be left out takes the next argument as its value when
    it is not an option, so ``build --check a.html`` would read ``a.html`` as the mode.
    Here ``--check`` never takes the next argument, and ``--check=strict`` becomes the
    hidden ``--check-mode=strict`` before click parses the line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        given = list(args)
        end = given.index("--") if "--" in given else len(given)  # after it: sources only
        for n, arg in enumerate(given[:end]):
            name, equals, mode = arg.partition("=")
            if name == "--check" and equals:
                if mode not in CHECK_MODES:
                    wanted = " or ".join(f"--check={m}" for m in CHECK_MODES)
                    raise click.UsageError(f"--check is a flag, or {wanted}, not {arg!r}", ctx)
                given[n] = f"--check-mode={mode}"
        return super().parse_args(ctx, given)


@cli.command(cls=_BuildCommand)
@catalogue_option
@click.argument("sources", nargs=-1, required=True)
@with_options(BUILD_OPTIONS)
def build(sources: tuple[str, ...], output: Path, as_json: bool, **options: Any) -> None:
    """Narrate articles into tagged, loudness-normalised episodes.

    SOURCES are .html, .md, .txt or .json files, http(s):// URLs, or - for
    stdin. Each episode is reported as built (new), rebuilt (changed) or
    unchanged (nothing written). With --broker each source is queued for the
    workers instead, and each episode reported as a worker finishes it (with
    --no-wait: only each job's id, and 'articleaudio jobs' follows them).

    \b
    Example: articleaudio build article.html https://example.org/a.html -o out
    Example: articleaudio build a.html --broker redis://127.0.0.1:6379/0 --priority high -o out
    Example: articleaudio build --check article.html -o out
    Example: articleaudio build article.html -o out --check=strict
    """
    if options["slug"] and len(sources) > 1:
        raise click.UsageError("--slug can only be used with a single source")
    if options["no_wait"] and not options["broker"]:
        raise click.UsageError("--no-wait only goes with --broker")
    check_mode = options["check_mode"] or ("warn" if options["check"] else None)
    if check_mode:
        if options["broker"]:
            raise click.UsageError("--check hears episodes built here, not queued with --broker")
        from ..check import require_recogniser

        require_recogniser()  # before any synthesis, not after it
    settings = build_settings(output, options)
    if options["broker"]:
        outcomes = enqueue(sources, settings, options, as_json)
    else:
        with progress_bar("Synthesising", not as_json) as progress:
            outcomes = build_sources(list(sources), settings, progress=progress)
        for outcome in outcomes:
            if outcome.built:
                echo_built(outcome.location, outcome.built, as_json, confidence=outcome.confidence)
    failed = report_failures(outcomes)
    if check_mode:
        check_outcomes(outcomes, strict=check_mode == "strict", as_json=as_json)
    if failed:
        sys.exit(1)


def report_failures(outcomes: list[Outcome]) -> bool:
    """The warnings, then one ``Error:`` line per failed source; whether one failed."""
    for outcome in outcomes:
        for warning in outcome.warnings:
            click.echo(f"Warning: {outcome.location}: {warning}", err=True)
    failed = [o for o in outcomes if o.error]
    for outcome in failed:
        where = "" if outcome.location in str(outcome.error) else f"{outcome.location}: "
        click.echo(f"Error: {where}{outcome.error}", err=True)
    return bool(failed)


def check_outcomes(outcomes: list[Outcome], *, strict: bool, as_json: bool) -> None:
    """``build --check``: hear back every episode the build made or kept."""
    from .check import check_built  # the recogniser loads only for this

    built = [o.built for o in outcomes if o.built]
    if built:
        check_built(built, strict=strict, as_json=as_json)


@cli.command()
@OUTPUT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON, one voice per line.")
def voices(output: Path, as_json: bool) -> None:
    """List the Piper voices that can be used with --voice, and the folders searched.

    The first voice of a name wins: $ARTICLEAUDIO_VOICES, then the library's
    voices/, ./voices, the user data folder, then the embedded voice.

    Example: articleaudio voices -o output
    """
    for voice in list_voices(output):
        if as_json:
            echo_json(voice.to_dict())
        else:
            click.echo(
                f"{voice.name:<28} {voice.language:<8} {voice.quality:<8} "
                f"{voice.sample_rate:>6} Hz  {voice.origin}"
            )
    if not as_json:
        click.echo("\nVoice folders, searched in this order before the embedded voice:")
        for folder in voice_folders(output):
            state = "" if folder.path.is_dir() else "  (does not exist)"
            click.echo(f"  {shown(folder.path)}  [{folder.source}]{state}")


@cli.command()
@click.argument("text")
@click.option(
    "-o",
    "--output",
    "out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Audio file to write (.mp3, .m4a, .opus, or .wav: 16-bit PCM at the voice's rate).",
)
@click.option("--voice", help="Voice name or path to a .onnx model.")
@click.option("--length-scale", type=click.FloatRange(0.5, 2.0), help="Speaking pace: >1 slower.")
@LEXICON_OPTION
def say(
    text: str, out: Path, voice: str | None, length_scale: float | None, lexicons: tuple[Path, ...]
) -> None:
    """Speak one line through the text stages, to try pronunciations quickly.

    Example: articleaudio say "Kyiv, Q1 2026: $3.4bn" -o try.wav
    """
    settings = BuildSettings(
        voice=voice, synthesis=SynthesisSettings(length_scale=length_scale), lexicons=lexicons
    )
    click.echo(str(pipeline_say(text, out, settings)))


@cli.group()
def cache() -> None:
    """Inspect or shrink the shared cache of synthesised sentences.

    Example: articleaudio cache info
    """


@cache.command("info")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def cache_info(as_json: bool) -> None:
    """Where the cache is, how many sentences it holds and its size.

    Example: articleaudio cache info --json
    """
    stats = Cache().stats()
    if as_json:
        echo_json(stats.to_dict())
    else:
        size = f"{stats.bytes / 1e6:.1f} MB ({stats.model_bytes / 1e6:.1f} MB of it voice models)"
        click.echo(f"{stats.path}: {stats.entries} sentences, {size}")


@cache.command("prune")
@click.option("--older-than", type=click.FloatRange(min=0), help="Remove entries unused for DAYS.")
@click.option("--max-size", type=click.FloatRange(min=0), help="Then shrink to at most MB.")
def cache_prune(older_than: float | None, max_size: float | None) -> None:
    """Remove old entries, least recently used first.

    Example: articleaudio cache prune --older-than 30 --max-size 500
    """
    limit = int(max_size * 1e6) if max_size is not None else None
    if older_than is None and limit is None:
        limit = DEFAULT_MAX_BYTES
    removed = Cache().prune(older_than_days=older_than, max_bytes=limit)
    click.echo(f"removed {removed} entries")


def enqueue(
    sources: tuple[str, ...], settings: BuildSettings, options: dict[str, Any], as_json: bool
) -> list[Outcome]:
    """``build --broker``: each episode as a worker finishes it, or (``--no-wait``) one
    line per queued job (its id and source); the outcomes, a source not read failed."""
    from ..jobs import await_jobs, broker_settings, enqueue_sources  # Dramatiq loads here only

    broker = broker_settings(options["broker"])
    submitted = enqueue_sources(list(sources), settings, broker, priority=options["priority"])
    queued = [job for job, error in submitted if error is None]
    outcomes = [Outcome(job.location, error=error) for job, error in submitted if error]
    if options["no_wait"]:
        for job in queued:
            echo_json(job.to_dict()) if as_json else click.echo(
                f"{job.state.value}\t{job.id}\t{job.location}"
            )
        return outcomes
    for outcome in await_jobs(settings.output, queued, broker):
        if outcome.built:
            echo_built(outcome.location, outcome.built, as_json)
        outcomes.append(outcome)
    return outcomes


def build_settings(output: Path, options: dict[str, Any]) -> BuildSettings:
    """Map ``build`` options onto the library's settings objects."""
    speech = SpeechSettings(disclosure_position=DisclosurePosition(options["disclosure_position"]))
    if options["disclosure"] is not None:
        speech = replace(speech, disclosure=options["disclosure"])
    if options["table_note"] is not None:
        speech = replace(speech, table_note=options["table_note"])
    pauses = Pauses()
    for name, key in (("sentence", "sentence_pause"), ("paragraph", "paragraph_pause")):
        if options[key] is not None:
            pauses = replace(pauses, **{name: options[key]})
    return BuildSettings(
        output=output,
        voice=options["voice"],
        kind=SourceKind(options["kind"]) if options["kind"] else None,
        slug=options["slug"],
        publication=options["publication"],
        cover=options["cover"],
        speech=speech,
        synthesis=SynthesisSettings(length_scale=options["length_scale"]),
        master=MasterSettings(pauses=pauses),
        encode=EncodeSettings(bitrate_kbps=int(options["bitrate"]), extra_formats=options["extra"]),
        jobs=options["jobs"],
        podcast=given_config(output, options["config_file"]),
        use_cache=not options["no_cache"],
        force=options["force"],
        max_words=options["max_words"],
        lexicons=options["lexicons"],
        strict=options["strict"],
        min_confidence=options["min_confidence"],
    )


for _command in PUBLISH_COMMANDS:
    cli.add_command(_command)


def main() -> None:
    """Console-script entry point."""
    stop_on_sigterm()
    cli(prog_name="articleaudio")
