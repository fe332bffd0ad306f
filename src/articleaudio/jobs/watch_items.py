"""One listed item checked by ``watch``: its page fetched conditionally, its text compared.

An item whose page answers ``304 Not Modified``, or whose extracted text hashes as
the version last queued, costs that one request and nothing else. A new or changed
one becomes a job whose payload is the page already read (so the runner does not
fetch it again) and whose key is the article's (:func:`~articleaudio.jobs.article_key`),
so the same version queued twice is one job.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass, replace
from typing import Any

from ..errors import ArticleAudioError, FetchError
from ..extract import Fetcher, Source, SourceKind, Validators, extract_source, source_from_result
from ..library import WATCH_QUEUED, SeenItem, WatchLog, new_job
from ..models import Article
from ..sources import Item, ItemFilter, text_skip_reason
from .runner import bug_line
from .sources import article_key, error_line, text_payload

log = logging.getLogger(__name__)

PAGE_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
"""The ``Accept`` header for article pages."""


@dataclass(frozen=True)
class Checked:
    """How checking one item ended."""

    kind: str
    """``new``, ``changed``, ``unchanged``, ``skipped`` or ``failed``."""
    seen: SeenItem
    """The item as recorded now."""
    message: str = ""
    """The reason or error line, for skipped and failed."""


@dataclass(frozen=True)
class ItemCheck:
    """What checking an item needs besides the item."""

    log: WatchLog
    source: str
    """The source as the watch was given it."""
    fetcher: Fetcher
    rules: ItemFilter
    settings: dict[str, Any]
    """The build settings of the jobs, as JSON."""

    @property
    def requested_by(self) -> str:
        """Who asks for the jobs: ``watch:<source>``."""
        return f"watch:{self.source}"


def check_item(check: ItemCheck, item: Item, seen: SeenItem | None) -> Checked:
    """Fetch, extract and compare one kept item; queue a job when it is new or changed.

    A bug on the way (a page that trips the extractor, say) fails the item for this
    poll, with the traceback in the log, instead of stopping the watch; it is tried
    again at the next poll.
    """
    base = seen or SeenItem(source=check.source, item_id=item.id)
    base = replace(base, url=item.url)
    try:
        return _check(check, item, seen, base)
    except Exception as exc:
        log.exception("checking %s met a bug", item.url or item.id)
        return _record(check, base, "failed", bug_line(item.url or item.id, exc))


def _check(check: ItemCheck, item: Item, seen: SeenItem | None, base: SeenItem) -> Checked:
    known = seen is not None and seen.content_hash is not None
    sent = Validators(base.etag, base.last_modified) if known else None
    try:
        source, got = _read_page(check.fetcher, item, sent)
    except ArticleAudioError as exc:
        return _record(check, base, "failed", error_line(item.url or item.id, exc))
    if source is None:  # 304: the version last queued is still current
        return _record(check, base, "unchanged")
    base = replace(base, etag=got.etag, last_modified=got.last_modified)
    try:
        article = extract_source(source)
    except ArticleAudioError as exc:
        return _record(check, base, "failed", error_line(source.location, exc))
    reason = text_skip_reason(article_text(article), check.rules)
    if reason is not None:
        return _record(check, base, "skipped", reason)
    key = article_key(article)
    content_hash = key.rpartition("#")[2]
    if known and seen is not None and seen.content_hash == content_hash:
        return _record(check, base, "unchanged")
    return _queue(check, replace(base, content_hash=content_hash), source, key, known)


def _read_page(
    fetcher: Fetcher, item: Item, sent: Validators | None
) -> tuple[Source | None, Validators]:
    """The page as a source (None: not modified) and its validators; the feed's whole
    content when the page cannot be fetched (none: it cannot be checked)."""
    url = item.url or item.id
    try:
        result = fetcher.get(url, validators=sent, accept=PAGE_ACCEPT)
    except FetchError as exc:
        if not (item.content_is_full and item.content):
            raise
        log.info("%s; reading the feed's full content instead", exc)
        return feed_source(item), Validators()
    if result.not_modified:
        return None, result.validators
    return source_from_result(result), result.validators


def feed_source(item: Item) -> Source:
    """The feed's full content of an item as an HTML page titled as the item is."""
    title = html.escape(item.title or "")
    page = (
        f"<html><head><title>{title}</title></head><body><article>"
        f"<h1>{title}</h1>{item.content or ''}</article></body></html>"
    )
    url = item.url or item.id
    return Source(text=page, kind=SourceKind.HTML, location=url, url=url)


def article_text(article: Article) -> str:
    """The words of an article's blocks, as the minimum word count counts them."""
    return "\n".join(block.text for block in article.blocks)


def _queue(check: ItemCheck, seen: SeenItem, source: Source, key: str, known: bool) -> Checked:
    # The job first, then the record: a watch killed between the two finds the page
    # changed again at its next poll, and the same key gives the job already queued.
    url = seen.url or source.location
    payload = {**text_payload(source.text, source.kind, url), "url": source.url or url}
    job = check.log.jobs.add(new_job(payload, check.settings, key, check.requested_by))
    kind = "changed" if known else "new"
    recorded = check.log.record(replace(seen, status=WATCH_QUEUED, job_id=job.id))
    return Checked(kind, recorded, f"job {job.id}")


def _record(check: ItemCheck, seen: SeenItem, kind: str, message: str = "") -> Checked:
    if kind == "unchanged":
        # A version still being narrated stays queued, so its job's end is recorded.
        status = WATCH_QUEUED if seen.status == WATCH_QUEUED and seen.job_id else "unchanged"
    else:
        status = f"{kind}: {message}"
    return Checked(kind, check.log.record(replace(seen, status=status)), message)
