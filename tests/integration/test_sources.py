"""Sources: RSS, Atom, sitemaps, news sitemaps and indexes into items, from files and URLs."""

from __future__ import annotations

import gzip
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from articleaudio.errors import ArticleAudioError, HTTPStatusError, SourceError
from articleaudio.extract import Fetcher, FetchSettings
from articleaudio.sources import Item, ListingKind, parse_listing, poll_source

from ..support.servers import Route, serving

ROOT = Path(__file__).resolve().parents[2]

BODY = " ".join(
    f"Sentence {n} of the council report says the bridge will stay closed for repairs."
    for n in range(1, 16)
)
"""About 200 words: a whole article, as a full-content feed carries it."""

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:wp="http://wordpress.org/export/1.2/">
<channel>
  <title>Riverside Gazette</title>
  <link>https://gazette.example/</link>
  <description>News from the river towns</description>
  <item>
    <title>Bridge stays shut for six more weeks</title>
    <link>https://gazette.example/news/bridge-stays-shut</link>
    <guid isPermaLink="false">gazette-4711</guid>
    <pubDate>Mon, 30 Nov 2026 08:15:00 +0100</pubDate>
    <dc:creator>Ann Reporter</dc:creator>
    <category>Local News</category>
    <category><![CDATA[Transport & Roads]]></category>
    <description>The council said the bridge would stay closed [&#8230;]</description>
    <content:encoded><![CDATA[<p>{BODY}</p><script>alert(1)</script>]]></content:encoded>
  </item>
  <item>
    <title>Library opens on Sundays</title>
    <link>/news/library-sundays</link>
    <pubDate>Sun, 29 Nov 2026 17:00:00 GMT</pubDate>
    <category>Culture</category>
    <description>The library will open on Sundays from January.</description>
    <content:encoded><![CDATA[<p>The library will open on Sundays from January.</p>
      <p><a href="/news/library-sundays">Read more</a></p>]]></content:encoded>
  </item>
  <item>
    <title>Embargoed: budget leak</title>
    <link>https://gazette.example/news/budget</link>
    <wp:status>draft</wp:status>
  </item>
  <item>
    <title>A note with no link</title>
    <description>Office closed on Friday.</description>
  </item>
</channel>
</rss>
"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:app="http://www.w3.org/2007/app"
      xml:base="https://blog.example/newsroom/">
  <title>Newsroom blog</title>
  <id>tag:blog.example,2026:newsroom</id>
  <updated>2026-11-30T12:00:00Z</updated>
  <entry xml:base="2026/">
    <title>Ferry timetable changes</title>
    <id>tag:blog.example,2026:ferry</id>
    <link rel="alternate" type="text/html" href="ferry-timetable.html"/>
    <link rel="edit" href="https://blog.example/api/posts/ferry"/>
    <published>2026-11-28T09:00:00+01:00</published>
    <updated>2026-11-30T10:30:00-05:00</updated>
    <category term="transport"/>
    <summary>New times from Monday.</summary>
    <content type="html">&lt;p&gt;The ferry will leave at seven.&lt;/p&gt;</content>
  </entry>
  <entry>
    <title>Draft: mayor interview</title>
    <id>tag:blog.example,2026:mayor</id>
    <link href="mayor-interview.html"/>
    <updated>2026-11-30T11:00:00Z</updated>
    <app:control><app:draft>yes</app:draft></app:control>
  </entry>
</feed>
"""

NEWS_SITEMAP = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
  <url>
    <loc>https://gazette.example/news/flood-defences</loc>
    <image:image><image:loc>https://gazette.example/img/flood.jpg</image:loc></image:image>
    <news:news>
      <news:publication><news:name>Riverside Gazette</news:name>
        <news:language>en</news:language></news:publication>
      <news:publication_date>2026-11-30T07:45:00+01:00</news:publication_date>
      <news:title>Flood defences finished early</news:title>
      <news:keywords>flooding, river, council</news:keywords>
    </news:news>
  </url>
  <url>
    <loc>https://gazette.example/news/school-run</loc>
    <news:news>
      <news:publication_date>2026-11-29</news:publication_date>
      <news:title>School run streets</news:title>
    </news:news>
  </url>
</urlset>
"""


def _urlset(*locs: tuple[str, str]) -> bytes:
    urls = "".join(f"<url><loc>{loc}</loc><lastmod>{mod}</lastmod></url>" for loc, mod in locs)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    ).encode()


def _index(*locs: tuple[str, str]) -> bytes:
    maps = "".join(
        f"<sitemap><loc>{loc}</loc><lastmod>{mod}</lastmod></sitemap>" for loc, mod in locs
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{maps}</sitemapindex>'
    ).encode()


def _by_title(items: tuple[Item, ...]) -> dict[str | None, Item]:
    return {item.title: item for item in items}


def test_rss_items_with_full_content_and_categories() -> None:
    feed_url = "https://gazette.example/feed/"
    listing = parse_listing(RSS.encode(), location=feed_url)
    assert listing.kind is ListingKind.RSS and listing.title == "Riverside Gazette"
    assert len(listing.items) == 4
    items = _by_title(listing.items)
    bridge = items["Bridge stays shut for six more weeks"]
    assert bridge.id == "gazette-4711"
    assert bridge.url == "https://gazette.example/news/bridge-stays-shut"
    assert bridge.source == feed_url
    assert bridge.published == datetime(2026, 11, 30, 7, 15, tzinfo=UTC)
    assert bridge.published is not None and bridge.published.utcoffset() == timedelta(0)
    assert bridge.updated is None  # the feed says when it was published, not updated
    assert bridge.categories == ("Local News", "Transport & Roads")
    assert bridge.content is not None and BODY in bridge.content
    assert "<script" not in bridge.content  # feedparser sanitises feed HTML
    assert bridge.content_is_full and not bridge.draft
    library = items["Library opens on Sundays"]
    # A relative link resolves against the feed's URL; no guid: the link is the id.
    assert library.url == "https://gazette.example/news/library-sundays" == library.id
    assert library.content is not None and not library.content_is_full  # a teaser
    assert items["Embargoed: budget leak"].draft
    no_link = items["A note with no link"]
    assert no_link.url is None and no_link.summary == "Office closed on Friday."


def test_atom_drafts_and_xml_base_links() -> None:
    listing = parse_listing(ATOM.encode(), location="https://elsewhere.example/atom.xml")
    assert listing.kind is ListingKind.ATOM and listing.title == "Newsroom blog"
    ferry, mayor = listing.items
    # Nested xml:base (RFC 4287 §2, XML Base): the entry's base applies on top of the feed's.
    assert ferry.url == "https://blog.example/newsroom/2026/ferry-timetable.html"
    assert ferry.id == "tag:blog.example,2026:ferry"
    assert ferry.published == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
    assert ferry.updated == datetime(2026, 11, 30, 15, 30, tzinfo=UTC)
    assert ferry.date == ferry.published
    assert ferry.categories == ("transport",) and not ferry.draft
    assert ferry.content == "<p>The ferry will leave at seven.</p>"
    assert not ferry.content_is_full  # seven words is no article
    assert ferry.summary == "New times from Monday."
    assert mayor.draft and mayor.url == "https://blog.example/newsroom/mayor-interview.html"
    assert mayor.published is None and mayor.date == datetime(2026, 11, 30, 11, tzinfo=UTC)


def test_google_news_sitemap() -> None:
    listing = parse_listing(NEWS_SITEMAP.encode(), location="https://gazette.example/news.xml")
    assert listing.kind is ListingKind.NEWS_SITEMAP
    flood, school = listing.items
    assert flood.url == flood.id == "https://gazette.example/news/flood-defences"
    assert flood.title == "Flood defences finished early"
    cet = timezone(timedelta(hours=1))
    assert flood.published == datetime(2026, 11, 30, 7, 45, tzinfo=cet)
    assert flood.categories == ("flooding", "river", "council")
    assert school.published == datetime(2026, 11, 29, tzinfo=UTC)  # a date alone: midnight UTC
    assert school.categories == ()


def test_plain_sitemap_gzipped_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml.gz"
    path.write_bytes(gzip.compress(_urlset(("https://gazette.example/a", "2026-11-30T10:00Z"))))
    poll = poll_source(str(path), Fetcher())
    assert poll.kind is ListingKind.SITEMAP and not poll.not_modified
    (item,) = poll.items
    assert item.url == "https://gazette.example/a" and item.source == str(path)
    assert item.updated == datetime(2026, 11, 30, 10, tzinfo=UTC)
    assert poll.validators() == {}  # nothing to send back for a file


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            b"<?xml version='1.0'?><rss version='2.0'><channel><title>T</title>"
            b"<item><title>A</title><link>https://x.example/a</link></item><item><title>B",
            r"not well-formed XML \(line 1, column \d+",
        ),
        (b"<rss version='2.0'><channel><title>Fish &amp; chips &nbsp;</title>", "well-formed"),
        (b"", "is empty"),
        (b"  \n ", "is empty"),
        (b"<!doctype html><html><body><p>Home page</p></body></html>", "not well-formed|web page"),
        (b"<html><body><p>Home page</p></body></html>", "is a web page"),
        (b"<?xml version='1.0'?><opml version='2.0'><body/></opml>", "<opml> root"),
        (b"\x1f\x8b\x08\x00garbage", "damaged gzip"),
        (
            b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;">]><rss version="2.0"><channel><title>&b;</title>'
            b"</channel></rss>",
            "declares XML entities",
        ),
    ],
)
def test_malformed_sources_are_one_source_error(data: bytes, message: str) -> None:
    with pytest.raises(SourceError, match=message) as caught:
        parse_listing(data, location="https://x.example/feed")
    assert isinstance(caught.value, ArticleAudioError)  # the CLI's one Error: line
    assert caught.value.source == "https://x.example/feed"
    assert "x.example/feed" in str(caught.value)


def test_an_empty_feed_lists_no_items() -> None:
    rss = b"<rss version='2.0'><channel><title>Quiet</title><link>https://q.example/</link></channel></rss>"
    listing = parse_listing(rss, location="https://q.example/feed")
    assert (listing.kind, listing.title, listing.items) == (ListingKind.RSS, "Quiet", ())
    atom = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>Empty</title></feed>'
    assert parse_listing(atom, location="a.xml").items == ()


@pytest.fixture
def site() -> Iterator[tuple[str, dict[str, Route]]]:
    routes: dict[str, Route] = {}
    with serving(routes) as base:
        yield base, routes


def test_sitemap_index_is_followed_to_its_sitemaps(site: tuple[str, dict[str, Route]]) -> None:
    base, routes = site
    xml = {"Content-Type": "application/xml", "ETag": '"i1"'}
    routes["/sitemap-index.xml"] = (
        200,
        xml,
        _index(
            (f"{base}/sitemap-news.xml", "2026-11-30"), (f"{base}/sitemap-2025.xml", "2025-12-31")
        ),
    )
    routes["/sitemap-news.xml"] = (
        200,
        {"ETag": '"n1"'},
        _urlset(
            ("https://gazette.example/a", "2026-11-30"), ("https://gazette.example/b", "2026-11-29")
        ),
    )
    routes["/sitemap-2025.xml"] = (
        200,
        {},
        _urlset(
            ("https://gazette.example/old", "2025-06-01"),
            ("https://gazette.example/a", "2026-11-30"),
        ),
    )
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0))
    poll = poll_source(f"{base}/sitemap-index.xml", fetcher)
    assert poll.kind is ListingKind.SITEMAP_INDEX
    urls = [item.url for item in poll.items]
    assert urls == [
        "https://gazette.example/a",
        "https://gazette.example/b",
        "https://gazette.example/old",
    ]
    assert [d.location for d in poll.documents] == [
        f"{base}/sitemap-index.xml",
        f"{base}/sitemap-news.xml",
        f"{base}/sitemap-2025.xml",
    ]
    assert poll.validators()[f"{base}/sitemap-news.xml"].etag == '"n1"'
    assert poll.documents[1].status == 200 and not poll.documents[1].not_modified
    assert poll.documents[1].kind is ListingKind.SITEMAP
    # since: the index says the 2025 sitemap has not changed since then, so it is not read.
    recent = poll_source(
        f"{base}/sitemap-index.xml", fetcher, since=datetime(2026, 1, 1, tzinfo=UTC)
    )
    assert [d.location for d in recent.documents][1:] == [f"{base}/sitemap-news.xml"]
    assert [item.url for item in recent.items] == [
        "https://gazette.example/a",
        "https://gazette.example/b",
    ]


def test_a_fetched_index_cannot_point_at_local_files(
    site: tuple[str, dict[str, Route]], tmp_path: Path
) -> None:
    base, routes = site
    secret = tmp_path / "secret.xml"
    secret.write_bytes(_urlset(("https://internal.example/secret", "2026-11-30")))
    routes["/index.xml"] = (200, {}, _index((str(secret), "2026-11-30")))
    routes["/file-index.xml"] = (200, {}, _index((secret.as_uri(), "2026-11-30")))
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0))
    # The path resolves against the index's URL: the site is asked, not the disk.
    with pytest.raises(HTTPStatusError, match="HTTP 404") as caught:
        poll_source(f"{base}/index.xml", fetcher)
    assert caught.value.source == f"{base}{secret}"
    with pytest.raises(SourceError, match="not an http"):
        poll_source(f"{base}/file-index.xml", fetcher)
    # A local index may list the files beside it.
    (tmp_path / "index.xml").write_bytes(_index(("secret.xml", "2026-11-30")))
    local = poll_source(str(tmp_path / "index.xml"), fetcher)
    assert [item.url for item in local.items] == ["https://internal.example/secret"]


def test_an_index_listing_an_index_is_refused(site: tuple[str, dict[str, Route]]) -> None:
    base, routes = site
    routes["/index.xml"] = (200, {}, _index((f"{base}/inner.xml", "2026-11-30")))
    routes["/inner.xml"] = (200, {}, _index((f"{base}/index.xml", "2026-11-30")))
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0))
    with pytest.raises(SourceError, match="is itself an index"):
        poll_source(f"{base}/index.xml", fetcher)


def test_a_feed_url_is_polled_conditionally(site: tuple[str, dict[str, Route]]) -> None:
    base, routes = site
    routes["/feed/"] = (200, {"Content-Type": "application/rss+xml", "ETag": '"f1"'}, RSS.encode())
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0))
    first = poll_source(f"{base}/feed/", fetcher)
    assert first.kind is ListingKind.RSS and len(first.items) == 4
    assert first.title == "Riverside Gazette"
    second = poll_source(f"{base}/feed/", fetcher, validators=first.validators())
    assert second.not_modified and second.items == () and second.kind is None
    assert second.validators() == {f"{base}/feed/": first.validators()[f"{base}/feed/"]}
    # The library's relative link resolves against the URL the feed was fetched from.
    assert any(item.url == f"{base}/news/library-sundays" for item in first.items)


def _one_item_rss(description: str, content: str) -> bytes:
    return (
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<title>T</title><item><title>A</title><link>https://g.example/a</link>"
        f"<description><![CDATA[{description}]]></description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded></item></channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    ("description", "content", "full"),
    [
        ("<p>An excerpt.</p>", f"<p>{BODY}</p>", True),
        (f"<p>{BODY}</p>", f"<p>{BODY}</p>", True),  # both whole: the content is too
        (f"<p>{BODY} More words the excerpt lacks.</p>", f"<p>{BODY}</p>", False),
        ("<p>An excerpt.</p>", f"<p>{BODY} [&#8230;]</p>", False),
        ("<p>An excerpt.</p>", f"<p>{BODY}</p><p>The post A appeared first on T.</p>", False),
        ("", "<p>" + "word " * 99 + "</p>", False),
        ("", "<p>" + "word " * 100 + "</p>", True),
    ],
)
def test_content_is_full_compares_with_the_description(
    description: str, content: str, full: bool
) -> None:
    (item,) = parse_listing(_one_item_rss(description, content), location="f.xml").items
    assert item.content is not None and item.content_is_full is full


def test_the_readme_example_runs(
    site: tuple[str, dict[str, Route]], capsys: pytest.CaptureFixture[str]
) -> None:
    base, routes = site
    routes["/feed.xml"] = (
        200,
        {"Content-Type": "application/rss+xml", "ETag": '"r1"'},
        RSS.encode(),
    )
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, re.S)
    (example,) = [block for block in blocks if "poll_source(" in block]
    # The example as written, against the local server, which only the switch lets it read.
    code = example.replace("https://news.example", base).replace(
        "Fetcher()", "Fetcher(FetchSettings(allow_private=True))"
    )
    exec(compile(code, "README.md", "exec"), {"FetchSettings": FetchSettings})
    assert capsys.readouterr().out.splitlines() == [
        "narrate https://gazette.example/news/bridge-stays-shut 2026-11-30 07:15:00+00:00",
        f"narrate {base}/news/library-sundays 2026-11-29 17:00:00+00:00",
        "skip 'Embargoed: budget leak' marked as a draft in the feed",
        "skip 'A note with no link' has no link to an article page",
        "unchanged",
    ]
