"""``articleaudio validate``: check the written feed and its files as a directory would.

Each rule is a row in a table (element path → what it is), walked by a small
loop; a failed rule becomes a :class:`Problem`. The feed is read back from disk
with lxml (no network, no entity expansion) and every URL is mapped to the file
it names under the output folder, so what is checked is what a listener gets.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from ..config import FeedSelection, PodcastConfig, describe_artwork
from ..errors import ConfigError
from ..layout import EPISODES_DIR
from .feed import AUDIO_MIME, ITUNES_NS, PODCAST_NS, podcast_guid
from .store import open_catalogue

DURATION_TOLERANCE_S = 1.0
"""``itunes:duration`` is whole seconds; allow rounding plus MP3 encoder padding."""
NS = {"itunes": ITUNES_NS, "podcast": PODCAST_NS, "atom": "http://www.w3.org/2005/Atom"}

CHANNEL_RULES: tuple[tuple[str, str], ...] = (
    ("title", "the podcast title"),
    ("link", "the site link"),
    ("description", "the podcast description"),
    ("language", "the language"),
    ("atom:link[@rel='self']/@href", "atom:link rel=self"),
    ("itunes:image/@href", "itunes:image"),
    ("itunes:category/@text", "itunes:category"),
    ("itunes:explicit", "itunes:explicit"),
    ("itunes:author", "itunes:author"),
    ("itunes:owner/itunes:email", "the owner e-mail"),
    ("itunes:type", "itunes:type"),
    ("podcast:guid", "podcast:guid"),
    ("podcast:locked", "podcast:locked"),
    ("podcast:medium", "podcast:medium"),
    ("podcast:txt[@purpose='ai-content']", "the AI-content disclosure"),
)
"""Channel elements Apple Podcasts and the Podcasting 2.0 namespace expect."""

ITEM_RULES: tuple[tuple[str, str], ...] = (
    ("title", "a title"),
    ("guid", "a guid"),
    ("pubDate", "a pubDate"),
    ("description", "a description"),
    ("enclosure/@url", "an enclosure"),
    ("itunes:duration", "itunes:duration"),
    ("itunes:episodeType", "itunes:episodeType"),
    ("itunes:explicit", "itunes:explicit"),
    ("podcast:transcript/@url", "a podcast:transcript"),
    ("podcast:chapters/@url", "podcast:chapters"),
    ("podcast:txt[@purpose='ai-content']", "the AI-content disclosure"),
)
"""Item elements every episode needs."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the published library."""

    where: str
    """The feed, the channel, or an item (by title)."""
    message: str
    """What is wrong, in words that say what to fix."""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


def validate(output_dir: Path, config: PodcastConfig) -> list[Problem]:
    """Every problem in ``output_dir``'s feeds and files (empty when all is well)."""
    problems = validate_feed(output_dir, config, None)
    for selection in config.feeds:
        found = validate_feed(output_dir, config.for_selection(selection), selection)
        name = selection.feed_file
        problems += [
            p if p.where == name else Problem(f"{name}: {p.where}", p.message) for p in found
        ]
    return problems


def validate_feed(
    output_dir: Path, config: PodcastConfig, selection: FeedSelection | None
) -> list[Problem]:
    """Problems of one feed; ``selection`` says which catalogue entries belong in it."""
    path = output_dir / config.feed_file
    try:
        channel = _parse(path.read_bytes()).find("channel")
    except OSError:
        return [Problem(config.feed_file, "missing; run 'articleaudio feed' to write it")]
    except ValueError as exc:
        return [Problem(config.feed_file, f"is not well-formed XML ({exc})")]
    if channel is None:
        return [Problem(config.feed_file, "has no <channel>")]
    problems = list(_check_channel(channel, output_dir, config))
    items = channel.findall("item")
    for item in items:
        problems += _check_item(item, output_dir, config)
    problems += _check_guids(items, output_dir, selection)
    return problems


def _parse(data: bytes) -> Any:
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ValueError(str(exc)) from exc


def _first(node: Any, path: str) -> str | None:
    found = node.xpath(path, namespaces=NS)
    if not found:
        return None
    value = found[0] if isinstance(found[0], str) else found[0].text
    return str(value).strip() if value is not None else ""


def _missing(node: Any, rules: tuple[tuple[str, str], ...], where: str) -> Iterator[Problem]:
    for path, what in rules:
        if not _first(node, path):
            yield Problem(where, f"{what} ({path}) is missing or empty")


def _check_channel(channel: Any, output_dir: Path, config: PodcastConfig) -> Iterator[Problem]:
    yield from _missing(channel, CHANNEL_RULES, "channel")
    expected = {
        "atom:link[@rel='self']/@href": config.feed_url,
        "podcast:guid": podcast_guid(config.feed_url),
    }
    for path, value in expected.items():
        found = _first(channel, path)
        if found and found != value:
            yield Problem("channel", f"{path} is {found!r}, expected {value!r}")
    yield from _check_explicit(channel, "channel")
    artwork = _first(channel, "itunes:image/@href")
    if artwork:
        yield from _check_file(artwork, output_dir, config, "artwork", _artwork_problem)


def _check_explicit(node: Any, where: str) -> Iterator[Problem]:
    value = _first(node, "itunes:explicit")
    if value and value not in ("true", "false"):
        yield Problem(where, f"itunes:explicit is {value!r}; Apple expects 'true' or 'false'")


def _check_item(item: Any, output_dir: Path, config: PodcastConfig) -> list[Problem]:
    where = f"episode {_first(item, 'title') or _first(item, 'guid') or '?'!r}"
    problems = list(_missing(item, ITEM_RULES, where))
    problems += _check_explicit(item, where)
    date = _first(item, "pubDate")
    if date and not _rfc2822(date):
        problems.append(Problem(where, f"pubDate {date!r} is not an RFC 2822 date"))
    problems += _check_enclosure(item, output_dir, config, where)
    problems += _check_alternates(item, output_dir, config, where)
    art = _first(item, "itunes:image/@href")
    if art:
        problems += _check_file(art, output_dir, config, where, _artwork_problem)
    for node in item.xpath("podcast:transcript | podcast:chapters", namespaces=NS):
        kind = node.get("type", "")
        checker = _SIDECAR_CHECKS.get(kind)
        if checker is None:
            problems.append(Problem(where, f"unexpected transcript/chapters type {kind!r}"))
            continue
        problems += _check_file(node.get("url", ""), output_dir, config, where, checker)
    return problems


def _rfc2822(text: str) -> bool:
    try:
        return parsedate_to_datetime(text).tzinfo is not None
    except (TypeError, ValueError):
        return False


def _check_enclosure(
    item: Any, output_dir: Path, config: PodcastConfig, where: str
) -> Iterator[Problem]:
    node = item.find("enclosure")
    if node is None:
        return
    if node.get("type") != AUDIO_MIME:
        yield Problem(where, f"enclosure type is {node.get('type')!r}, expected {AUDIO_MIME!r}")
    path = _local(node.get("url", ""), output_dir, config)
    if path is None or not path.is_file():
        yield Problem(where, f"enclosure {node.get('url')!r} is not a file in {output_dir}")
        return
    size = path.stat().st_size
    if node.get("length") != str(size):
        yield Problem(where, f"enclosure length {node.get('length')} != file size {size} bytes")
    yield from _check_duration(_first(item, "itunes:duration"), path, where)


def _check_alternates(
    item: Any, output_dir: Path, config: PodcastConfig, where: str
) -> Iterator[Problem]:
    """Each ``podcast:alternateEnclosure`` source is a file of the declared length."""
    for node in item.xpath("podcast:alternateEnclosure", namespaces=NS):
        for uri in node.xpath("podcast:source/@uri", namespaces=NS) or [None]:
            path = _local(uri or "", output_dir, config)
            if path is None or not path.is_file():
                yield Problem(where, f"alternateEnclosure {uri!r} is not a file in {output_dir}")
            elif node.get("length") != str(size := path.stat().st_size):
                yield Problem(
                    where, f"alternateEnclosure length {node.get('length')} != {path.name}'s {size}"
                )


def _check_duration(declared: str | None, path: Path, where: str) -> Iterator[Problem]:
    from mutagen import MutagenError
    from mutagen.mp3 import MP3

    try:
        actual = float(MP3(path).info.length)  # type: ignore[no-untyped-call,attr-defined]
    except (MutagenError, OSError) as exc:
        yield Problem(where, f"{path.name} is not a readable MP3 ({exc})")
        return
    if declared is None or not declared.isdigit():
        yield Problem(where, f"itunes:duration {declared!r} is not whole seconds")
    elif abs(int(declared) - actual) > DURATION_TOLERANCE_S:
        yield Problem(where, f"itunes:duration {declared} s but the MP3 lasts {actual:.1f} s")


def _local(url: str, output_dir: Path, config: PodcastConfig) -> Path | None:
    """The file a feed URL names in the output folder, or None if it points elsewhere."""
    if not url.startswith(config.base_url):
        return None
    root = output_dir.resolve()
    path = (root / unquote(url[len(config.base_url) :])).resolve()
    return path if path.is_relative_to(root) else None


FileCheck = Callable[[bytes], "str | None"]


def _check_file(
    url: str, output_dir: Path, config: PodcastConfig, where: str, check: FileCheck
) -> Iterator[Problem]:
    path = _local(url, output_dir, config)
    if path is None:
        yield Problem(where, f"{url!r} is not under base_url {config.base_url!r}")
    elif not path.is_file():
        yield Problem(where, f"{url!r} names {path}, which does not exist")
    else:
        message = check(path.read_bytes())
        if message:
            yield Problem(where, f"{path.name} {message}")


def _artwork_problem(data: bytes) -> str | None:
    try:
        describe_artwork(data)
    except ConfigError as exc:
        return str(exc)
    return None


_VTT_TIMING = re.compile(r"^(\d{2,}:)?\d{2}:\d{2}\.\d{3} --> (\d{2,}:)?\d{2}:\d{2}\.\d{3}")


def vtt_problem(data: bytes) -> str | None:
    """What makes ``data`` not a WebVTT file with cues (W3C WebVTT §4.1), else None."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "is not UTF-8"
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not re.match(r"^WEBVTT([ \t].*)?$", lines[0]):
        return "does not start with 'WEBVTT'"
    if not any(_VTT_TIMING.match(line) for line in lines):
        return "has no cues"
    return None


def _json_list_problem(data: bytes, key: str, fields: tuple[str, ...]) -> str | None:
    try:
        doc = json.loads(data)
        rows = doc[key]
        if not isinstance(rows, list) or not rows:
            return f"has no {key}"
        missing = [f for row in rows for f in fields if f not in row]
    except (ValueError, KeyError, TypeError):
        return f"is not JSON with a {key!r} list"
    return f"has {key} without {missing[0]!r}" if missing else None


_SIDECAR_CHECKS: dict[str, FileCheck] = {
    "text/vtt": vtt_problem,
    "application/json": lambda d: _json_list_problem(d, "segments", ("startTime", "body")),
    "application/json+chapters": lambda d: _json_list_problem(d, "chapters", ("startTime",)),
}
"""``podcast:transcript``/``podcast:chapters`` type → how to check the file it names."""


def _check_guids(
    items: list[Any], output_dir: Path, selection: FeedSelection | None
) -> Iterator[Problem]:
    guids = [_first(item, "guid") or "" for item in items]
    for guid, count in sorted(Counter(guids).items()):
        if guid and count > 1:
            yield Problem("feed", f"guid {guid!r} is used by {count} items; GUIDs must be unique")
    with open_catalogue(output_dir, create=False) as catalogue:
        for entry in catalogue.entries():
            if selection and not selection.matches(entry.episode.article):
                continue
            if entry.guid in guids:
                continue
            audio = output_dir / EPISODES_DIR / entry.slug / entry.episode.files["audio"]
            # Feeds leave out an episode whose MP3 is gone; rewriting them cannot help.
            fix = (
                "run 'articleaudio feed'"
                if audio.is_file()
                else f"its audio {audio} is missing; build it again or 'articleaudio rm' it"
            )
            yield Problem(
                f"episode {entry.slug!r}", f"is in the catalogue but not in the feed; {fix}"
            )
