"""The podcast feed: RSS 2.0 + Apple's iTunes tags + the Podcasting 2.0 namespace.

:func:`build_feed` is pure: catalogue entries and settings in, XML bytes out,
byte-identical for the same library (``lastBuildDate`` is the newest change in
the library, not the clock). feedgen and its ``podcast`` extension write RSS and
most iTunes tags; :class:`ExtraElements` (a feedgen extension) adds what feedgen
1.0 lacks: ``itunes:explicit`` as ``true``/``false`` (Apple's current spec; feedgen
writes ``yes``/``no``) and every ``podcast:`` tag.

Text from articles can hold anything; :func:`xml_text` drops what XML 1.0 cannot
carry (control characters, lone surrogates, U+FFFE/U+FFFF: the common cleaner,
:mod:`articleaudio.textclean`) and lxml escapes the rest,
so ``<script>``, ``&``, quotes and ``]]>`` arrive in a reader as the same text.
"""

from __future__ import annotations

import html
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator

from ..config import PodcastConfig
from ..encode import FORMATS
from ..layout import ART_ROLE, EMBED_ROLE, EPISODES_DIR
from ..textclean import clean_text
from ..version import __version__
from .store import Entry

ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
PODCAST_GUID_NAMESPACE = uuid.UUID("ead4c236-bf58-58c6-a2c6-a6b28d128cb6")
"""Podcasting 2.0 ``<podcast:guid>`` namespace (podcast-namespace docs/tags/guid.md)."""
AUDIO_MIME = "audio/mpeg"

TRANSCRIPT_FILES: tuple[tuple[str, str, str | None], ...] = (
    ("vtt", "text/vtt", "captions"),
    ("transcript_json", "application/json", None),
)
"""Episode file purpose → ``podcast:transcript`` type and rel (rel="captions": timed cues)."""
CHAPTERS_FILE = ("chapters_json", "application/json+chapters")
"""Episode file purpose → ``podcast:chapters`` type."""


@dataclass(frozen=True)
class Rendition:
    """One audio file of an episode, as a ``podcast:alternateEnclosure`` describes it."""

    purpose: str
    """Its key in the episode's files."""
    fmt: str
    """Its format in :data:`articleaudio.encode.encoder.FORMATS` (content type, bit rate)."""
    title: str
    """What an app shows when offering it (the spec asks for at most 32 characters)."""
    codecs: str
    """RFC 6381 codecs string."""


RENDITIONS: tuple[Rendition, ...] = (
    Rendition("audio", "mp3", "MP3", "mp3"),
    Rendition("m4a", "m4a", "AAC", "mp4a.40.2"),
    Rendition("opus", "opus", "Opus", "opus"),
)
"""Every rendition the build can write; the MP3 first, as it is also the enclosure."""
AUTHOR_ROLE = (("group", "writing"), ("role", "author"))
"""``podcast:person`` taxonomy entry for an article's writers."""

SUMMARY_MAX_CHARS = 1000
"""Longest standfirst quoted in the show notes (Apple caps a description at 4000 characters)."""


def xml_text(text: str) -> str:
    """Text an XML 1.0 document can carry: invalid characters removed.

    >>> xml_text("a\\x00b\\x1bc\\ud800 & <d>")
    'abc & <d>'
    """
    return clean_text(text)


def one_line(text: str) -> str:
    """XML-safe text on one line with whitespace runs collapsed.

    >>> one_line("  Breaking:\\n\\tnews \\x07 ")
    'Breaking: news'
    """
    return " ".join(xml_text(text).split())


def shorten(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary with an ellipsis.

    >>> shorten("one two three", 9)
    'one two…'
    >>> shorten("short", 9)
    'short'
    """
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    head = cut.rsplit(" ", 1)[0] if " " in cut else cut
    return head + "…"


def podcast_guid(feed_url: str) -> str:
    """UUIDv5 of the feed URL without scheme and trailing slashes (Podcasting 2.0 spec).

    >>> podcast_guid("https://mp3s.nashownotes.com/pc20rss.xml")
    '917393e3-1b1e-5cef-ace4-edaa54e1f810'
    >>> podcast_guid("podnews.net/rss/")
    '9b024349-ccf0-5f69-a609-6b82873eab3c'
    """
    bare = re.sub(r"^[A-Za-z][A-Za-z0-9+.-]*://", "", feed_url).rstrip("/")
    return str(uuid.uuid5(PODCAST_GUID_NAMESPACE, bare))


def file_url(config: PodcastConfig, slug: str, name: str) -> str:
    """Public URL of a file in an episode folder."""
    return config.base_url + quote(f"{EPISODES_DIR}/{slug}/{name}")


def web_url(url: str | None) -> str | None:
    """An article link fit for the feed: absolute http(s), percent-encoded (RFC 3986), else None.

    >>> web_url('https://example.org/a b?q="x"')
    'https://example.org/a%20b?q=%22x%22'
    >>> web_url("javascript:alert(1)") is None
    True
    """
    if not url:
        return None
    # Encode spaces, controls, quotes, angle brackets and non-ASCII; keep URL syntax.
    encoded = quote(url.strip(), safe=":/?#[]@!$&'()*+,;=%~")
    parts = urlsplit(encoded)
    ok = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return encoded if ok else None


@dataclass(frozen=True)
class Element:
    """One XML element an :class:`ExtraElements` extension appends."""

    tag: str
    """Clark-notation name, ``{namespace}local``."""
    text: str | None = None
    """Text content."""
    attrs: tuple[tuple[str, str], ...] = ()
    """Attributes in output order."""
    children: tuple[Element, ...] = ()
    """Elements inside this one."""


class ExtraElements(BaseExtension):  # type: ignore[misc]
    """feedgen extension that appends prepared elements to the channel."""

    def __init__(self) -> None:
        self.elements: list[Element] = []

    def extend_ns(self) -> dict[str, str]:
        return {"podcast": PODCAST_NS, "itunes": ITUNES_NS}

    def extend_rss(self, rss_feed: Any) -> Any:
        _append(rss_feed[0], self.elements)
        return rss_feed


class ExtraEntryElements(BaseEntryExtension):  # type: ignore[misc]
    """feedgen extension that appends prepared elements to an item."""

    def __init__(self) -> None:
        self.elements: list[Element] = []

    def extend_rss(self, entry: Any) -> Any:
        _append(entry, self.elements)
        return entry


def _append(parent: Any, elements: Sequence[Element]) -> None:
    from lxml import etree

    for spec in elements:
        node = etree.SubElement(parent, spec.tag)
        for name, value in spec.attrs:
            node.set(name, xml_text(value))
        if spec.text is not None:
            node.text = xml_text(spec.text)
        _append(node, spec.children)


def build_feed(
    entries: Sequence[Entry],
    config: PodcastConfig,
    artwork_url: str,
    *,
    now: datetime | None = None,
) -> bytes:
    """The feed XML for these entries (newest first), UTF-8 with an XML declaration."""
    fg = FeedGenerator()
    fg.load_extension("podcast")
    fg.register_extension("extra", ExtraElements, ExtraEntryElements)
    _channel(fg, config, artwork_url)
    newest = [e.updated for e in entries] or [now or datetime.now(UTC)]
    fg.lastBuildDate(max(newest))
    if entries:
        fg.pubDate(max(e.published for e in entries))
    # feedgen prepends each new entry, so add oldest first to print newest first.
    for entry in reversed(entries):
        _item(fg.add_entry(), entry, config)
    data: bytes = fg.rss_str(pretty=True, encoding="UTF-8", xml_declaration=True)
    return data


def _channel(fg: Any, config: PodcastConfig, artwork_url: str) -> None:
    title = one_line(config.title)
    fg.title(title)
    fg.description(xml_text(config.description))
    # feedgen takes the RSS <link> from the last link given, so the site goes last.
    fg.link(href=config.feed_url, rel="self", type="application/rss+xml")
    fg.link(href=config.site_link, rel="alternate")
    fg.language(config.language)
    fg.generator(f"articleaudio {__version__}")
    fg.image(url=artwork_url, title=title, link=config.site_link)
    fg.podcast.itunes_author(one_line(config.author))
    fg.podcast.itunes_owner(name=one_line(config.owner_name), email=config.owner_email)
    category = {"cat": config.category}
    if config.subcategory:
        category["sub"] = config.subcategory
    fg.podcast.itunes_category(category)
    fg.podcast.itunes_image(artwork_url)
    fg.podcast.itunes_type("episodic")
    fg.extra.elements = _channel_extras(config)


def _channel_extras(config: PodcastConfig) -> list[Element]:
    return [
        _explicit(config.explicit),
        Element(f"{{{PODCAST_NS}}}guid", podcast_guid(config.feed_url)),
        Element(
            f"{{{PODCAST_NS}}}locked",
            "yes" if config.locked else "no",
            (("owner", config.owner_email),),
        ),
        Element(f"{{{PODCAST_NS}}}medium", "podcast"),
        _ai_content(),
    ]


def _explicit(explicit: bool) -> Element:
    # Apple Podcasts RSS requirements: itunes:explicit takes "true" or "false".
    return Element(f"{{{ITUNES_NS}}}explicit", "true" if explicit else "false")


def _ai_content() -> Element:
    # podcast:txt with purpose "ai-content" declares AI-generated content.
    return Element(f"{{{PODCAST_NS}}}txt", "true", (("purpose", "ai-content"),))


def _item(fe: Any, entry: Entry, config: PodcastConfig) -> None:
    ep = entry.episode
    fe.guid(entry.guid, permalink=False)
    fe.title(one_line(ep.article.title) or ep.slug)
    # The article itself, else the episode's player page (embed.html) when there is one.
    link = web_url(ep.article.url)
    if not link and EMBED_ROLE in ep.files:
        link = file_url(config, ep.slug, ep.files[EMBED_ROLE])
    if link:
        fe.link(href=link)
    fe.description(xml_text(item_description(entry)))
    audio = ep.files["audio"]
    length = entry.file_sizes.get("audio", ep.audio.bytes)
    fe.enclosure(file_url(config, ep.slug, audio), str(length), AUDIO_MIME)
    fe.pubDate(entry.published)
    fe.podcast.itunes_author(one_line(", ".join(ep.article.authors)) or one_line(config.author))
    fe.podcast.itunes_duration(str(round(ep.audio.duration)))
    fe.podcast.itunes_episode_type("full")
    if ART_ROLE in ep.files:
        fe.podcast.itunes_image(file_url(config, ep.slug, ep.files[ART_ROLE]))
    fe.extra.elements = _item_extras(entry, config)


def _item_extras(entry: Entry, config: PodcastConfig) -> list[Element]:
    ep = entry.episode
    found: list[Element] = [_explicit(config.explicit)]
    for purpose, mime, rel in TRANSCRIPT_FILES:
        if purpose in ep.files:
            attrs = [("url", file_url(config, ep.slug, ep.files[purpose])), ("type", mime)]
            attrs += [("language", ep.article.language)] + ([("rel", rel)] if rel else [])
            found.append(Element(f"{{{PODCAST_NS}}}transcript", None, tuple(attrs)))
    purpose, mime = CHAPTERS_FILE
    if purpose in ep.files:
        url = file_url(config, ep.slug, ep.files[purpose])
        found.append(Element(f"{{{PODCAST_NS}}}chapters", None, (("url", url), ("type", mime))))
    for name in dict.fromkeys(one_line(a) for a in ep.article.authors):
        if any(ch.isalnum() for ch in name):  # skip names of only marks or punctuation
            found.append(Element(f"{{{PODCAST_NS}}}person", name, AUTHOR_ROLE))
    found += alternate_enclosures(entry, config)
    found.append(_ai_content())
    return found


def alternate_enclosures(entry: Entry, config: PodcastConfig) -> list[Element]:
    """``podcast:alternateEnclosure`` for each rendition, when there is more than the MP3.

    The MP3 is listed too, with ``default="true"``: the spec's "same as the file from
    the enclosure element", so an app choosing among them sees every choice.
    """
    ep = entry.episode
    present = [r for r in RENDITIONS if r.purpose in ep.files]
    if len(present) < 2:
        return []
    return [_alternate(r, entry, config) for r in present]


def _alternate(rendition: Rendition, entry: Entry, config: PodcastConfig) -> Element:
    ep = entry.episode
    name = ep.files[rendition.purpose]
    size = entry.file_sizes.get(rendition.purpose, ep.audio.bytes)
    fmt = FORMATS[rendition.fmt]
    # The encoding rate in bits per second (the spec's "average encoding bitrate"),
    # not size / duration, which would count the cover art in the tags as audio.
    bitrate = fmt.kbps(ep.audio.bitrate_kbps) * 1000
    attrs = [("type", fmt.mime), ("length", str(size)), ("bitrate", str(bitrate))]
    attrs += [("title", rendition.title), ("codecs", rendition.codecs)]
    attrs += [("default", "true")] if rendition.purpose == "audio" else []
    source = Element(f"{{{PODCAST_NS}}}source", None, (("uri", file_url(config, ep.slug, name)),))
    return Element(f"{{{PODCAST_NS}}}alternateEnclosure", None, tuple(attrs), (source,))


def item_description(entry: Entry) -> str:
    """HTML show notes: summary, byline, the article link and the AI disclosure."""
    ep = entry.episode
    article = ep.article
    parts: list[str] = []
    if article.description:
        parts.append(_para(shorten(one_line(article.description), SUMMARY_MAX_CHARS)))
    byline = ", ".join(article.authors)
    if article.publisher:
        byline = f"{byline} · {article.publisher}" if byline else article.publisher
    if byline:
        parts.append(_para(f"By {byline}" if article.authors else byline))
    url = web_url(article.url)
    if url:
        link = html.escape(url, quote=True)
        parts.append(f'<p>Read the original article: <a href="{link}">{link}</a></p>')
    parts.append(_para(f"{ep.disclosure} Narrated by the synthetic voice {ep.voice}."))
    return "\n".join(parts)


def _para(text: str) -> str:
    return f"<p>{html.escape(one_line(text), quote=True)}</p>"
