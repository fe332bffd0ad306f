"""``articleaudio check``: hear episodes back and show the sentences to listen to; and the
``build --check`` step that runs it on what a build made."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import click

from ..check import (
    DEFAULT_MODEL,
    MODELS,
    CheckSettings,
    Judgement,
    RecogniserSettings,
    Retry,
    check_folders,
    episode_folder,
    episode_folders,
    open_recogniser,
    require_recogniser,
    try_respelling,
)
from ..check_report import CheckReport
from ..library import Built
from .common import LEXICON_OPTION, OUTPUT_OPTION, echo_json, progress_bar

MODEL_OPTION = click.option(
    "--model",
    default=DEFAULT_MODEL,
    show_default=True,
    metavar="NAME|PATH",
    help=f"Whisper model: {', '.join(MODELS)} (from its package) or a faster-whisper folder.",
)


@click.command()
@click.argument("target", required=False, metavar="SLUG|MP3")
@OUTPUT_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object per episode.")
@MODEL_OPTION
@click.option("--all", "every", is_flag=True, help="Check every episode of the library.")
@click.option(
    "--try",
    "entry",
    metavar="WORD=RESPELLING",
    help="Say the flagged sentences holding WORD with this respelling and hear them again.",
)
@LEXICON_OPTION
def check(
    target: str | None,
    output: Path,
    *,
    as_json: bool,
    model: str,
    every: bool,
    entry: str | None,
    lexicons: tuple[Path, ...],
) -> None:
    """Hear episodes back and flag the sentences the voice got wrong.

    Each sentence is heard on its own span of the MP3 by a local Whisper model and
    compared with the text the voice was given and with the article. The report is
    written to check.json beside the episode. Needs: pip install 'articleaudio[check]'.

    \b
    Example: articleaudio check nato-summit -o out
    Example: articleaudio check --all -o out
    Example: articleaudio check nato-summit -o out --try "NATO=Nay-toe"
    """
    if every == (target is not None):
        raise click.UsageError("give one episode (SLUG or an MP3 path) or --all")
    if entry and every:
        raise click.UsageError("--try works on one episode, not with --all")
    require_recogniser()
    settings = CheckSettings(RecogniserSettings(model=model), lexicons=lexicons)
    if entry and target:
        retries = try_respelling(
            episode_folder(output, target), entry, open_recogniser(settings), settings
        )
        echo_retries(retries, as_json)
        return
    folders = episode_folders(output) if every else [episode_folder(output, target or "")]
    echo_reports(folders, settings, as_json=as_json, table=not every)


def echo_reports(
    folders: Sequence[Path], settings: CheckSettings, *, as_json: bool, table: bool
) -> list[CheckReport]:
    """Check each folder, printing its table (or not) and summary line, or its JSON."""
    reports: list[CheckReport] = []
    if not folders:
        click.echo("no episodes to check", err=True)
        return reports
    with progress_bar("Listening", not as_json) as progress:
        for report in check_folders(folders, settings, progress):
            reports.append(report)
            if as_json:
                echo_json(report.to_dict(scores=False))
                continue
            if table:
                echo_table(report)
            click.echo(summary(report))
    return reports


def summary(report: CheckReport) -> str:
    """One line per episode: sentences, flagged ones, word error rate, model, time."""
    return (
        f"{report.slug}: {report.sentences} sentences, {report.flagged} flagged, "
        f"WER {report.wer:.1%} ({report.model}, {report.seconds:.1f} s)"
    )


def _time(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:04.1f}"


def echo_table(report: CheckReport) -> None:
    """The flags, likeliest first: where, what kind, which comparison, meant and heard."""
    if not report.flags:
        return
    click.echo(f"{'#':>4}  {'time':>7}  {'kind':<8} {'against':<8} score  meant → heard")
    for flag in report.flags:
        click.echo(
            f"{flag.index:>4}  {_time(flag.start):>7}  {flag.kind:<8} {flag.against:<8} "
            f"{flag.score:.2f}   {flag.meant or '—'} → {flag.heard or '—'}"
        )
        if flag.suggestion:
            click.echo(f"{'':>23}try: --try {flag.suggestion!r}")


def _described(judgement: Judgement) -> str:
    flags = ", ".join(f"{f.kind} {f.meant or '—'} → {f.heard or '—'}" for f in judgement.flags)
    return f"heard {judgement.sentence.heard!r}: " + (flags or "no flag")


def echo_retries(retries: Sequence[Retry], as_json: bool) -> None:
    """Each sentence tried: as the episode says it, then with the respelling."""
    for retry in retries:
        if as_json:
            before, after = retry.before, retry.after
            echo_json(
                {
                    "index": before.sentence.index,
                    "text": before.sentence.text,
                    "before": {"heard": before.sentence.heard, "flags": len(before.flags)},
                    "after": {"heard": after.sentence.heard, "flags": len(after.flags)},
                    "spoken": after.sentence.spoken,
                }
            )
            continue
        click.echo(f"{retry.before.sentence.index:>4}  {retry.before.sentence.text}")
        click.echo(f"      before: {_described(retry.before)}")
        click.echo(f"      after:  {_described(retry.after)}")
    if not as_json:
        click.echo("The episode is unchanged: add the entry to a lexicon and rebuild.")


def check_built(
    built: Sequence[Built], model: str = DEFAULT_MODEL, *, strict: bool, as_json: bool
) -> None:
    """``build --check``: check what was built; ``strict``: exit 1 when a sentence is
    flagged (the episode stays published)."""
    require_recogniser()
    settings = CheckSettings(RecogniserSettings(model=model))
    folders = [b.directory for b in built]
    reports = echo_reports(folders, settings, as_json=as_json, table=True)
    flagged = [r for r in reports if r.flagged]
    if strict and flagged:
        names = ", ".join(f"{r.slug} ({r.flagged})" for r in flagged)
        click.echo(
            f"Error: sentences flagged in {names}; the episode is built and published "
            "all the same: listen to them, fix the lexicon and rebuild",
            err=True,
        )
        sys.exit(1)
