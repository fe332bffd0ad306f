"""ID3v2.4 tags for the episode MP3, chapters included (mutagen).

``FRAMES`` is the mapping table: one row per frame, built from a
:class:`TagInfo`; a row returning ``None`` is skipped. CHAP/CTOC frames follow
the ID3v2 Chapter Frame Addendum 1.0 and are built from the :class:`Timeline`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mutagen import id3

from .models import Article, Timeline

GENRE = "Podcast"
ISO_639_2 = {
    "en": "eng", "de": "deu", "es": "spa", "pt": "por", "fr": "fra", "it": "ita",
    "uk": "ukr", "ru": "rus", "hr": "hrv", "pl": "pol", "nl": "nld", "sv": "swe",
    "da": "dan", "fi": "fin", "no": "nor", "cs": "ces", "tr": "tur", "ar": "ara",
}  # fmt: skip
"""ID3's TLAN wants ISO 639-2 codes; BCP 47 primary subtags map through this table."""


@dataclass(frozen=True)
class TagInfo:
    """Everything the tags say about an episode."""

    article: Article
    """Title, authors, date, URL, language."""
    album: str
    """Publication or podcast name."""
    disclosure: str
    """AI-assistance disclosure, stored as a comment."""
    cover: bytes | None = None
    """Cover art (JPEG or PNG bytes)."""
    cover_mime: str = "image/jpeg"
    """MIME type of ``cover``."""


def clean(text: str) -> str:
    r"""Text without control characters (ID3 separates multiple values with NUL).

    >>> clean("A\x00B\tC")
    'AB C'
    """
    kept = (ch for ch in text if ch in "\t\n\r" or unicodedata.category(ch) != "Cc")
    return "".join(" " if ch in "\t\n\r" else ch for ch in kept)


def _language(info: TagInfo) -> str:
    primary = info.article.language.split("-")[0].split("_")[0].lower()
    return ISO_639_2.get(primary, primary or "und")


FRAMES: tuple[Callable[[TagInfo], id3.Frame | None], ...] = (
    lambda i: id3.TIT2(encoding=3, text=clean(i.article.title)),
    lambda i: (
        id3.TPE1(encoding=3, text=[clean(a) for a in i.article.authors])
        if i.article.authors
        else None
    ),
    lambda i: id3.TALB(encoding=3, text=clean(i.album)),
    lambda i: id3.TCON(encoding=3, text=GENRE),
    lambda i: id3.TLAN(encoding=3, text=_language(i)),
    lambda i: (
        id3.TDRC(encoding=3, text=i.article.published.strftime("%Y-%m-%dT%H:%M:%S"))
        if i.article.published
        else None
    ),
    lambda i: id3.WOAS(url=i.article.url) if i.article.url else None,
    lambda i: id3.WXXX(encoding=3, desc="article", url=i.article.url) if i.article.url else None,
    lambda i: id3.COMM(encoding=3, lang=_language(i), desc="AI disclosure", text=i.disclosure),
    lambda i: id3.TXXX(encoding=3, desc="AI_DISCLOSURE", text=i.disclosure),
    lambda i: id3.PCST(value=1),
    lambda i: (
        id3.APIC(encoding=3, mime=i.cover_mime, type=3, desc="Cover", data=i.cover)
        if i.cover
        else None
    ),
)
"""Tag table: each row makes one frame (or None to skip it)."""


def chapter_frames(timeline: Timeline) -> list[id3.Frame]:
    """CHAP frames for each chapter and a top-level ordered CTOC listing them."""
    ids = [f"chp{n}" for n in range(len(timeline.chapters))]
    frames: list[id3.Frame] = [
        id3.CHAP(
            element_id=eid,
            start_time=round(ch.start * 1000),
            end_time=round(ch.end * 1000),
            start_offset=0xFFFFFFFF,  # offsets unknown: the addendum says use times
            end_offset=0xFFFFFFFF,
            sub_frames=[id3.TIT2(encoding=3, text=clean(ch.title))],
        )
        for eid, ch in zip(ids, timeline.chapters, strict=True)
    ]
    if ids:
        frames.append(
            id3.CTOC(
                element_id="toc",
                flags=id3.CTOCFlags.TOP_LEVEL | id3.CTOCFlags.ORDERED,
                child_element_ids=ids,
                sub_frames=[id3.TIT2(encoding=3, text="Chapters")],
            )
        )
    return frames


def write_tags(path: Path, info: TagInfo, timeline: Timeline) -> None:
    """Replace the file's ID3 tag with ours (ID3v2.4, UTF-8)."""
    tag = id3.ID3()
    for row in FRAMES:
        frame = row(info)
        if frame is not None:
            tag.add(frame)
    for frame in chapter_frames(timeline):
        tag.add(frame)
    tag.save(str(path), v2_version=4)
