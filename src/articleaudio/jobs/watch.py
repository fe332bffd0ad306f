"""``articleaudio watch``: follow sites' feeds and sitemaps, narrate what is new or edited.

Each poll reads every source (conditionally: an unchanged feed is one ``304``),
filters its items, checks each kept one (:mod:`.watch_items`), then runs the queued
jobs with one :class:`~articleaudio.jobs.Runner` that stays open between polls, so
the voice and the workers stay warm and an edit costs only its changed sentences.

What it has seen is in the library's catalogue (:mod:`articleaudio.library.watched`),
written so that a watch killed at any moment and started again loses and duplicates
nothing: the job is queued before the item is recorded (the same version queued again
is the same job, by its key), the runner's :meth:`~articleaudio.jobs.Runner.recover`
queues again a job left running, and a source's validators are saved only after every
item it listed was handled, so its feed is read again rather than answered ``304``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from ..errors import ArticleAudioError, JobNotFoundError
from ..extract import Fetcher, FetchSettings, Validators
from ..library import WATCH_QUEUED, JobState, SeenItem, WatchLog, open_watch_log, utc_now
from ..settings import BuildSettings
from ..sources import Item, ItemFilter, Skipped, poll_source, split_items
from ..synth import Progress, Synthesizer
from .codec import settings_to_json
from .queues import DEFAULT_PRIORITY, BrokerSettings
from .runner import Ran, Runner, bug_line
from .sources import error_line
from .watch_items import Checked, ItemCheck, check_item

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .broker import Dispatcher

log = logging.getLogger(__name__)

INTERVAL_S = 600.0
"""Seconds between the starts of two polls (the issue's default: 10 minutes)."""


@dataclass(frozen=True)
class WatchSettings:
    """What to follow, how, and what to make of it."""

    sources: tuple[str, ...]
    """Feed or sitemap URLs or paths."""
    build: BuildSettings
    """How the jobs build (their ``output`` is the library)."""
    rules: ItemFilter = field(default_factory=ItemFilter)
    """Which items to narrate."""
    fetch: FetchSettings = field(default_factory=FetchSettings)
    """How politely pages and feeds are fetched (private addresses refused by default)."""
    max_new: int | None = None
    """New items queued per poll at most; the rest wait for the next poll."""
    interval_s: float = INTERVAL_S
    """Seconds between the starts of two polls."""
    broker: BrokerSettings | None = None
    """Send the jobs to this broker's workers instead of building them here."""
    priority: str = DEFAULT_PRIORITY
    """The broker queue the jobs go to (``--priority``)."""


@dataclass(frozen=True)
class WatchEvent:
    """One thing a watch did, for a person or a log."""

    kind: str
    """``polling``, ``not-modified``, ``error``, ``new``, ``changed``, ``unchanged``,
    ``skipped``, ``failed``, ``building`` (the poll's jobs), ``started`` (one job's
    making), ``built``, ``job-failed`` or ``waiting``."""
    source: str
    """The source it is about ("" for the whole watch)."""
    message: str = ""
    url: str | None = None
    """The item's page, for item events."""
    ran: Ran | None = None
    """The finished job, for ``built`` and ``job-failed``."""

    @property
    def failed(self) -> bool:
        """Whether the event reports a failure."""
        return self.kind in {"error", "failed", "job-failed"}


Report = Callable[[WatchEvent], None]


class Watcher:
    """A watch over one library; use :func:`open_watcher`."""

    def __init__(
        self, settings: WatchSettings, log_: WatchLog, runner: Runner | Dispatcher, report: Report
    ):
        self.settings, self.log, self.runner, self._report = settings, log_, runner, report
        self.fetcher = Fetcher(settings.fetch)
        self._json_settings = settings_to_json(settings.build)

    def poll(self) -> list[WatchEvent]:
        """Read every source once, queue what is new or changed, build it; the events."""
        events: list[WatchEvent] = []
        emit = self._collector(events)
        for source in self.settings.sources:
            self._poll_source(source, emit)
        self._settle(emit)  # jobs a previous watch queued and finished
        queued = self.log.jobs.jobs(JobState.QUEUED)
        if queued:
            emit(WatchEvent("building", "", f"{len(queued)} job(s)"))
            ran = self._run_queue(emit)
            if isinstance(self.runner, Runner):
                self.runner.collect_garbage()  # the heap's turn, before the watch waits
            self._settle(emit)
            self._report_others(ran, emit)
        return events

    def _run_queue(self, emit: Report) -> list[Ran]:
        """Run the queue; a bug in one job is reported, not the end of the watch.

        The runner has already given that job back with backoff (or failed it after
        its last attempt), so the next poll carries on with it and the others.
        """
        try:
            return self.runner.run()
        except Exception as exc:
            log.exception("a job met a bug")
            emit(WatchEvent("error", "", bug_line("a job", exc)))
            return []

    def run(self, *, once: bool, sleep: Callable[[float], None] = time.sleep) -> int:
        """Poll (``once``, else forever every interval); the failures of the last poll."""
        while True:
            started = time.monotonic()
            failures = sum(event.failed for event in self.poll())
            if once:
                return failures
            wait = max(self.settings.interval_s - (time.monotonic() - started), 0.0)
            until = (utc_now() + timedelta(seconds=wait)).astimezone()
            self._report(WatchEvent("waiting", "", f"until {until:%H:%M:%S}"))
            sleep(wait)

    def _collector(self, events: list[WatchEvent]) -> Report:
        def emit(event: WatchEvent) -> None:
            events.append(event)
            self._report(event)

        return emit

    def _poll_source(self, source: str, emit: Report) -> None:
        emit(WatchEvent("polling", source))
        known = {url: Validators(*pair) for url, pair in self.log.validators(source).items()}
        try:
            poll = poll_source(
                source, self.fetcher, validators=known, since=self.settings.rules.since
            )
        except ArticleAudioError as exc:
            # Nothing is recorded: the items the source listed before stay as they were.
            emit(WatchEvent("error", source, error_line(source, exc)))
            return
        except Exception as exc:  # a feed that trips a bug: the other sources go on
            log.exception("reading %s met a bug", source)
            emit(WatchEvent("error", source, bug_line(source, exc)))
            return
        if poll.not_modified:
            emit(WatchEvent("not-modified", source))
            return
        whole = self._handle_items(source, poll.items, emit)
        if whole:
            pairs = {url: (v.etag, v.last_modified) for url, v in poll.validators().items()}
            self.log.save_source(source, pairs, "ok")

    def _handle_items(self, source: str, items: tuple[Item, ...], emit: Report) -> bool:
        """Check each item; False when one is left for the next poll (failed, or over
        ``max_new``), so the source is read again then rather than answered 304."""
        kept, skipped = split_items(items, self.settings.rules)
        for skip in skipped:
            self._record_skipped(source, skip, emit)
        check = ItemCheck(self.log, source, self.fetcher, self.settings.rules, self._json_settings)
        whole, new = True, 0
        for item in kept:
            seen = self.log.item(source, item.id)
            if seen is None and self.settings.max_new is not None and new >= self.settings.max_new:
                whole = False
                continue
            checked = check_item(check, item, seen)
            new += checked.kind == "new"
            whole = whole and checked.kind != "failed"
            emit(_item_event(source, item, checked))
        return whole

    def _record_skipped(self, source: str, skip: Skipped, emit: Report) -> None:
        seen = self.log.item(source, skip.item.id) or SeenItem(source, skip.item.id)
        self.log.record(replace(seen, url=skip.item.url, status=f"skipped: {skip.reason}"))
        emit(WatchEvent("skipped", source, skip.reason, url=skip.item.url))

    def _report_others(self, ran: list[Ran], emit: Report) -> None:
        """Report the jobs run that are no item's (``jobs retry --no-run``, the API's):
        the watch runs the library's queue, and says what it did."""
        mine = {seen.job_id for seen in self.log.items()}
        for finished in ran:
            job = finished.job
            if job.id in mine:
                continue  # reported by _settle, with its item
            done = job.state is JobState.DONE
            kind, message = ("built", job.slug or "") if done else ("job-failed", job.error or "")
            emit(WatchEvent(kind, "", message, job.location, finished))

    def _settle(self, emit: Report) -> None:
        """Record how the jobs of queued items ended."""
        for seen in self.log.items():
            if seen.status != WATCH_QUEUED or seen.job_id is None:
                continue
            try:
                job = self.log.jobs.get(seen.job_id)
            except JobNotFoundError:
                self.log.record(_forget(seen, "its job is gone; it is read again"))
                continue
            if job.state is JobState.DONE:
                self.log.record(_with_status(seen, "built"))
                emit(WatchEvent("built", seen.source, job.slug or "", seen.url, Ran(job)))
            elif job.state is JobState.FAILED:
                self.log.record(_with_status(seen, f"failed: {job.error}"))
                emit(WatchEvent("job-failed", seen.source, job.error or "", seen.url, Ran(job)))


def _item_event(source: str, item: Item, checked: Checked) -> WatchEvent:
    return WatchEvent(checked.kind, source, checked.message or (item.title or ""), url=item.url)


def _with_status(seen: SeenItem, status: str) -> SeenItem:
    return replace(seen, status=status)


def _forget(seen: SeenItem, reason: str) -> SeenItem:
    # No hash and no validators: the next poll fetches the page whole and queues it.
    return SeenItem(seen.source, seen.item_id, seen.url, None, None, None, f"failed: {reason}")


@contextmanager
def open_watcher(
    settings: WatchSettings,
    *,
    report: Report = lambda event: None,
    synthesizer: Synthesizer | None = None,
    progress: Progress | None = None,
) -> Iterator[Watcher]:
    """A watcher with its catalogue open and its runner warm; leaving stops the workers.

    Jobs a dead watch left running are queued again first; a bad voice or option
    fails here, before any source is read. With a broker, the jobs are sent to its
    workers and the watch records how they ended at its next polls.
    """
    library = settings.build.output
    with ExitStack() as stack:
        watch_log = stack.enter_context(open_watch_log(library))
        runner: Runner | Dispatcher
        if settings.broker is None:
            runner = Runner(
                watch_log.jobs,
                synthesizer=synthesizer,
                progress=progress,
                library=library,
                started=lambda job: report(WatchEvent("started", "", job.location, job.location)),
                edit_voice=True,  # a watch mostly rebuilds edited articles
            )
        else:
            from .broker import Dispatcher  # imports Dramatiq: only when a broker is named

            runner = Dispatcher(watch_log.jobs, settings.broker, priority=settings.priority)
        stack.enter_context(runner)
        for job in runner.recover():
            log.info("job %s (%s) is %s again", job.id, job.location, job.state.value)
        runner.warm(settings.build)
        yield Watcher(settings, watch_log, runner, report)


def since_date(text: str) -> datetime:
    """A ``--since`` date: ISO 8601, a date alone being midnight UTC.

    >>> since_date("2026-11-01").isoformat(), since_date("2026-11-01T09:00+01:00").hour
    ('2026-11-01T00:00:00+00:00', 9)
    """
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
