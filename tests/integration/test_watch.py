"""``watch`` over a real HTTP site on 127.0.0.1 that changes between polls (fake voice).

The site serves an RSS feed of HTML article pages, each with an ``ETag``; the tests
count the requests it gets, and the conditional ones, to measure what a poll costs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import feedparser
import pytest

from articleaudio.extract import FetchSettings, Source, SourceKind, extract_source
from articleaudio.jobs import (
    WatchEvent,
    WatchSettings,
    open_watcher,
    settings_to_json,
    text_payload,
    watch_items,
)
from articleaudio.library import JobState, list_episodes, new_job, open_job_store, open_watch_log
from articleaudio.models import Article
from articleaudio.settings import BuildSettings
from articleaudio.synth import Piece

from ..support.fake_synthesizer import FakeSynthesizer
from ..support.jobs_web import Page, Site
from ..support.jobs_web import site as serving

DAY = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def page(title: str, *sentences: str) -> Page:
    paragraphs = "".join(f"<p>{s}</p>" for s in sentences)
    html = (
        f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
        f"<p>By Ann Lee</p>{paragraphs}</article></body></html>"
    )
    return Page(html.encode())


def story(name: str) -> list[str]:
    return [
        f"The {name} harbour reopened on Monday after three weeks of repairs.",
        f"Fishing boats from {name} returned to the quay before dawn.",
        f"The council said the {name} works cost less than planned.",
    ]


def feed(site: Site, *slugs: str) -> Page:
    items = "".join(
        f"<item><title>{slug.title()} story</title><link>{site.base}/{slug}.html</link>"
        f"<guid>{site.base}/{slug}.html</guid>"
        f"<pubDate>{format_datetime(DAY + timedelta(hours=n))}</pubDate>"
        f"<description>A short teaser.</description></item>"
        for n, slug in enumerate(slugs)
    )
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Harbour News</title><link>{site.base}/</link>{items}</channel></rss>"
    )
    return Page(xml.encode(), media_type="application/rss+xml")


@pytest.fixture
def site() -> Iterator[Site]:
    with serving() as served:
        yield served


def _settings(site: Site, out: Path, **options: object) -> WatchSettings:
    fetch = FetchSettings(allow_private=True, host_delay=0.0)
    build = BuildSettings(output=out)
    return WatchSettings((f"{site.base}/feed.xml",), build, fetch=fetch, **options)  # type: ignore[arg-type]


def _kinds(events: list[WatchEvent]) -> Counter[str]:
    return Counter(event.kind for event in events)


def _watch_jobs(out: Path) -> list[tuple[str, str]]:
    with open_watch_log(out) as log:
        return [(job.location, job.state.value) for job in log.jobs.jobs()]


def _assert_feed_lists(out: Path, slugs: set[str]) -> None:
    parsed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not parsed.bozo
    titles = {entry.title for entry in parsed.entries}
    assert len(parsed.entries) == len(slugs) == len(titles)
    assert {e.slug for e in list_episodes(out)} == slugs


def test_a_changing_site_builds_new_rebuilds_edited_and_leaves_the_rest(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "lib"
    site.pages["/alpha.html"] = page("Alpha story", *story("Alpha"))
    site.pages["/beta.html"] = page("Beta story", *story("Beta"))
    site.pages["/gamma.html"] = Page(b"down", status=500)
    site.pages["/feed.xml"] = feed(site, "alpha", "beta", "gamma")
    settings = _settings(site, out)
    with open_watcher(settings, synthesizer=FakeSynthesizer()) as watcher:
        first = watcher.poll()
        assert _kinds(first)["new"] == 2 and _kinds(first)["built"] == 2
        (failed,) = [e for e in first if e.kind == "failed"]
        assert failed.url == f"{site.base}/gamma.html"
        assert failed.message == (
            f"{site.base}/gamma.html answered HTTP 500 Internal Server Error; "
            "check the URL in a browser"
        )
        _assert_feed_lists(out, {"alpha-story", "beta-story"})
        before = {e.slug: (e.guid, e.published) for e in list_episodes(out)}

        # The edit: one sentence of Beta; a new story Delta; Gamma's page is back.
        edited = story("Beta")
        edited[1] = "Fishing boats from Beta returned to the quay at noon."
        site.pages["/beta.html"] = page("Beta story", *edited)
        site.pages["/gamma.html"] = page("Gamma story", *story("Gamma"))
        site.pages["/delta.html"] = page("Delta story", *story("Delta"))
        site.pages["/feed.xml"] = feed(site, "alpha", "beta", "gamma", "delta")
        hits_before = site.hits.copy()
        second = watcher.poll()

    kinds = _kinds(second)
    assert (kinds["new"], kinds["changed"], kinds["unchanged"], kinds["built"]) == (2, 1, 1, 3)
    # Alpha unchanged: one request, conditional, answered 304, and no job.
    assert site.hits["/alpha.html"] - hits_before["/alpha.html"] == 1
    assert site.conditional["/alpha.html"] == 1
    jobs = _watch_jobs(out)
    by_page = Counter(location for location, _ in jobs)
    assert by_page[f"{site.base}/alpha.html"] == 1
    assert by_page[f"{site.base}/beta.html"] == 2  # built, then rebuilt once
    assert all(state == JobState.DONE.value for _, state in jobs)
    _assert_feed_lists(out, {"alpha-story", "beta-story", "gamma-story", "delta-story"})
    after = {e.slug: (e.guid, e.published) for e in list_episodes(out)}
    assert after["beta-story"] == before["beta-story"]  # same GUID and date when rebuilt
    with open_watch_log(out) as log:
        statuses = {seen.url: seen.status for seen in log.items()}
    assert statuses == {
        f"{site.base}/alpha.html": "unchanged",
        f"{site.base}/beta.html": "built",
        f"{site.base}/gamma.html": "built",
        f"{site.base}/delta.html": "built",
    }


def test_a_malformed_feed_is_one_error_and_loses_nothing(site: Site, tmp_path: Path) -> None:
    out = tmp_path / "lib"
    site.pages["/alpha.html"] = page("Alpha story", *story("Alpha"))
    good = feed(site, "alpha")
    site.pages["/feed.xml"] = good
    settings = _settings(site, out)
    with open_watcher(settings, synthesizer=FakeSynthesizer()) as watcher:
        assert _kinds(watcher.poll())["built"] == 1
        site.pages["/feed.xml"] = Page(good.body[:-30], media_type="application/rss+xml")
        broken = watcher.poll()
        (error,) = [e for e in broken if e.failed]
        assert error.kind == "error" and "is not well-formed XML (line 1" in error.message
        assert [e.kind for e in broken] == ["polling", "error"]
        site.pages["/feed.xml"] = good
        again = watcher.poll()
    assert [e.kind for e in again] == ["polling", "not-modified"]  # validators kept
    assert _watch_jobs(out) == [(f"{site.base}/alpha.html", "done")]
    _assert_feed_lists(out, {"alpha-story"})


def test_a_page_without_validators_costs_one_fetch_and_no_job_when_its_text_is_same(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "lib"
    alpha = page("Alpha story", *story("Alpha"))
    site.pages["/alpha.html"] = Page(alpha.body, etag=False)
    site.pages["/feed.xml"] = feed(site, "alpha")
    with open_watcher(_settings(site, out), synthesizer=FakeSynthesizer()) as watcher:
        watcher.poll()
        # Only the page's furniture changes: the extracted text hashes the same.
        body = alpha.body.replace(b"</body>", b"<footer>Cookies</footer></body>")
        site.pages["/alpha.html"] = Page(body, etag=False)
        site.pages["/feed.xml"] = Page(feed(site, "alpha").body + b"\n", media_type="text/xml")
        second = watcher.poll()
    assert [e.kind for e in second] == ["polling", "unchanged"]
    assert site.hits["/alpha.html"] == 2 and site.conditional["/alpha.html"] == 0
    assert len(_watch_jobs(out)) == 1


def test_max_new_leaves_the_rest_for_the_next_poll_and_filters_skip_with_reasons(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "lib"
    for name in ("alpha", "beta", "opinion"):
        site.pages[f"/{name}.html"] = page(f"{name.title()} story", *story(name.title()))
    site.pages["/feed.xml"] = feed(site, "alpha", "beta", "opinion")
    settings = _settings(site, out, max_new=1)
    settings = WatchSettings(
        settings.sources,
        settings.build,
        rules=type(settings.rules)(exclude=("*/opinion*",), min_words=5),
        fetch=settings.fetch,
        max_new=1,
    )
    with open_watcher(settings, synthesizer=FakeSynthesizer()) as watcher:
        first = watcher.poll()
        second = watcher.poll()
        third = watcher.poll()
    assert _kinds(first)["new"] == 1 and _kinds(second)["new"] == 1
    (skip,) = [e for e in first if e.kind == "skipped"]
    assert skip.message == "URL matches the exclude pattern */opinion*"
    # Every item handled at the second poll: its validators are kept, the third is a 304.
    assert [e.kind for e in third] == ["polling", "not-modified"]
    assert {e.slug for e in list_episodes(out)} == {"alpha-story", "beta-story"}
    assert site.hits["/opinion.html"] == 0


def test_a_page_that_cannot_be_fetched_is_narrated_from_the_feeds_whole_content(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "lib"
    sentences = [f"Sentence {n} of the whole story tells how the ferry crossed." for n in range(12)]
    body = "".join(f"<p>{s}</p>" for s in sentences)
    xml = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>T</title>'
        f"<item><title>Ferry story</title><link>{site.base}/ferry.html</link>"
        f"<guid>{site.base}/ferry.html</guid><description>A teaser.</description>"
        f"<content:encoded><![CDATA[{body}]]></content:encoded></item></channel></rss>"
    )
    site.pages["/feed.xml"] = Page(xml.encode(), media_type="application/rss+xml")
    site.pages["/ferry.html"] = Page(b"down", status=500)
    with open_watcher(_settings(site, out), synthesizer=FakeSynthesizer()) as watcher:
        events = watcher.poll()
    assert [e.kind for e in events] == ["polling", "new", "building", "built"]
    (entry,) = list_episodes(out)
    assert entry.slug == "ferry-story" and entry.episode.article.url == f"{site.base}/ferry.html"
    assert site.hits["/ferry.html"] == 1


def test_a_watch_runs_the_queue_and_reports_the_jobs_that_are_no_items(
    site: Site, tmp_path: Path
) -> None:
    out = tmp_path / "lib"
    site.pages["/feed.xml"] = feed(site)  # nothing new: the queue is all there is to do
    payload = text_payload(
        "# Queued story\n\nBy Ann Lee\n\nIt waited.\n", SourceKind.MARKDOWN, "q.md"
    )
    with open_job_store(out) as store:  # as `jobs retry --no-run` leaves a job
        queued = store.add(
            new_job(payload, settings_to_json(BuildSettings(output=out)), "q#1", "cli")
        )
    reported: list[WatchEvent] = []
    with open_watcher(
        _settings(site, out), synthesizer=FakeSynthesizer(), report=reported.append
    ) as watcher:
        events = watcher.poll()
    assert [e.kind for e in events] == ["polling", "building", "built"]
    built = events[-1]
    assert (built.url, built.message) == ("q.md", "queued-story")
    assert built.ran is not None and built.ran.job.id == queued.id
    assert [e.kind for e in reported] == ["polling", "building", "started", "built"]
    _assert_feed_lists(out, {"queued-story"})


class _BuggyVoice(FakeSynthesizer):
    """The fake voice with a bug on one word, as a broken voice or stage would have
    (a voice of its own, so no other test's cached sentences stand in for it)."""

    @property
    def identity(self) -> dict[str, Any]:
        return {**super().identity, "bug": "Gamma"}

    def synthesize(self, text: str) -> Piece:
        if "Gamma" in text:
            raise ZeroDivisionError("a bug in the voice")
        return super().synthesize(text)


def test_a_bug_fails_its_item_or_job_and_the_watch_goes_on(
    site: Site, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "lib"
    for name in ("alpha", "beta", "gamma"):
        site.pages[f"/{name}.html"] = page(f"{name.title()} story", *story(name.title()))
    site.pages["/feed.xml"] = feed(site, "alpha", "beta", "gamma")

    def extract(source: Source) -> Article:
        if "Beta" in source.text:  # an extractor bug on one page
            raise KeyError("headline")
        return extract_source(source)

    monkeypatch.setattr(f"{watch_items.__name__}.extract_source", extract)
    with open_watcher(_settings(site, out), synthesizer=_BuggyVoice()) as watcher:
        first = watcher.poll()
        failed = {e.url: e.message for e in first if e.kind == "failed"}
        assert failed == {
            f"{site.base}/beta.html": f"{site.base}/beta.html: articleaudio "
            "failed (KeyError: 'headline'), a bug: please report it with the log"
        }
        (error,) = [e for e in first if e.kind == "error"]  # gamma's job met the voice's bug
        assert "ZeroDivisionError: a bug in the voice" in error.message
        assert {e.message for e in first if e.kind == "built"} == {"alpha-story"}
        monkeypatch.undo()  # the bug fixed
        second = watcher.poll()
    assert {e.url for e in second if e.kind == "new"} == {f"{site.base}/beta.html"}
    assert {e.message for e in second if e.kind == "built"} == {"beta-story"}
    jobs = dict(_watch_jobs(out))
    # gamma's job is given back with backoff (its next attempt comes after this test)
    assert jobs[f"{site.base}/gamma.html"] == "queued"
    _assert_feed_lists(out, {"alpha-story", "beta-story"})
