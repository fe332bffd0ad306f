"""Tags for every rendition (mutagen): ID3v2.4 in the MP3, iTunes-style atoms in the
M4A, Vorbis comments in the Opus file; the same facts and cover art in each.

``FRAMES``, ``MP4_ATOMS`` and ``VORBIS_FIELDS`` are the mapping tables: one row
per tag, built from a :class:`TagInfo`; a row returning ``None`` is skipped.
Chapters come from the :class:`Timeline`: CHAP/CTOC frames per the ID3v2 Chapter
Frame Addendum 1.0, ``CHAPTERnnn`` comments per the Ogg/Vorbis chapter extension
(xiph.org "Chapter Extension"); the M4A's are written by ffmpeg while encoding
(:data:`articleaudio.encode.encoder.FORMATS`), since mutagen cannot write MP4 chapters.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen import id3, mp4
from mutagen.flac import Picture
from mutagen.oggopus import OggOpus

from ..models import Article, Timeline
from ..textclean import clean_text
from .art import Art

GENRE = "Podcast"
ISO_639_2 = {
    "en": "eng",
    "de": "deu",
    "es": "spa",
    "pt": "por",
    "fr": "fra",
    "it": "ita",
    "uk": "ukr",
    "ru": "rus",
    "hr": "hrv",
    "pl": "pol",
    "nl": "nld",
    "sv": "swe",
    "da": "dan",
    "fi": "fin",
    "no": "nor",
    "cs": "ces",
    "tr": "tur",
    "ar": "ara",
}
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
    art: Art | None = None
    """The episode's art (JPEG or PNG)."""

    @property
    def cover(self) -> bytes | None:
        """The art's bytes, if there is art."""
        return self.art.data if self.art else None

    @property
    def cover_mime(self) -> str:
        """MIME type of :attr:`cover`."""
        return self.art.mime if self.art else "image/jpeg"


def clean(text: str) -> str:
    r"""Text for a one-line tag: :func:`~articleaudio.textclean.clean_text` (no NUL,
    which ID3v2.4 uses to separate values), tabs and line breaks as spaces.

    >>> clean("A\x00B\tC")
    'AB C'
    """
    return clean_text(text, line=True)


def _language(info: TagInfo) -> str:
    primary = info.article.language.split("-")[0].split("_")[0].lower()
    return ISO_639_2.get(primary, primary or "und")


def _date(info: TagInfo) -> str | None:
    published = info.article.published
    return published.strftime("%Y-%m-%dT%H:%M:%S") if published else None


def _title(info: TagInfo) -> str:
    return clean(info.article.title)


def _authors(info: TagInfo) -> list[str] | None:
    return [clean(a) for a in info.article.authors] or None


def _album(info: TagInfo) -> str:
    return clean(info.album)


def _genre(info: TagInfo) -> str:
    return GENRE


def _url(info: TagInfo) -> str | None:
    return info.article.url or None


def _disclosure(info: TagInfo) -> str:
    return clean(info.disclosure)


def _is_podcast(info: TagInfo) -> int:
    return 1


def _cover(info: TagInfo) -> bytes | None:
    return info.cover


FRAMES: tuple[tuple[str, Callable[[TagInfo], Any]], ...] = (
    ("TIT2", _title),
    ("TPE1", _authors),
    ("TALB", _album),
    ("TCON", _genre),
    ("TLAN", _language),
    ("TDRC", _date),
    ("WOAS", _url),
    ("WXXX:article", _url),
    ("COMM:AI disclosure", _disclosure),
    ("TXXX:AI_DISCLOSURE", _disclosure),
    ("PCST", _is_podcast),
    ("APIC", _cover),
)
"""ID3 tag table: frame (``ID:description``) → the fact it holds (None: left out).
:data:`FRAME_MAKERS` says how each kind of frame is built from its fact."""


def _text_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    frame: id3.Frame = getattr(id3, frame_id)(encoding=3, text=value)
    return frame


def _url_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    return id3.WOAS(url=value)


def _user_url_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    return id3.WXXX(encoding=3, desc=desc, url=value)


def _comment_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    return id3.COMM(encoding=3, lang=_language(info), desc=desc, text=value)


def _user_text_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    return id3.TXXX(encoding=3, desc=desc, text=value)


def _podcast_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    return id3.PCST(value=value)


def _picture_frame(frame_id: str, desc: str, value: Any, info: TagInfo) -> id3.Frame:
    return id3.APIC(encoding=3, mime=info.cover_mime, type=3, desc="Cover", data=value)


FRAME_MAKERS: dict[str, Callable[[str, str, Any, TagInfo], id3.Frame]] = {
    "WOAS": _url_frame,
    "WXXX": _user_url_frame,
    "COMM": _comment_frame,
    "TXXX": _user_text_frame,
    "PCST": _podcast_frame,
    "APIC": _picture_frame,
}
"""Frame ID → its builder; every other frame is a UTF-8 text frame."""


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


def _freeform(text: str) -> list[mp4.MP4FreeForm]:
    return [mp4.MP4FreeForm(text.encode("utf-8"))]


ITUNES_FREEFORM = "----:com.apple.iTunes:"
"""Prefix of iTunes freeform atoms (mean ``com.apple.iTunes``, then a name)."""
MP4_COVER_FORMATS = {"image/png": mp4.MP4Cover.FORMAT_PNG, "image/jpeg": mp4.MP4Cover.FORMAT_JPEG}

MP4_ATOMS: tuple[tuple[str, Callable[[TagInfo], Any]], ...] = (
    ("\xa9nam", lambda i: [clean(i.article.title)]),
    ("\xa9ART", lambda i: [clean(a) for a in i.article.authors] or None),
    ("\xa9alb", lambda i: [clean(i.album)]),
    ("\xa9gen", lambda i: [GENRE]),
    ("\xa9day", lambda i: [d] if (d := _date(i)) else None),
    ("\xa9cmt", lambda i: [clean(i.disclosure)]),
    ("desc", lambda i: [clean(i.article.description)] if i.article.description else None),
    ("pcst", lambda i: True),
    (ITUNES_FREEFORM + "AI_DISCLOSURE", lambda i: _freeform(clean(i.disclosure))),
    (ITUNES_FREEFORM + "LANGUAGE", lambda i: _freeform(_language(i))),
    (ITUNES_FREEFORM + "URL", lambda i: _freeform(i.article.url) if i.article.url else None),
    (
        "covr",
        lambda i: [mp4.MP4Cover(i.cover, MP4_COVER_FORMATS[i.cover_mime])] if i.cover else None,
    ),
)
"""MP4 atom table (the ``ilst`` keys iTunes and mutagen use)."""


def _picture(info: TagInfo) -> list[str] | None:
    if not info.cover:
        return None
    picture = Picture()
    picture.type, picture.mime, picture.desc, picture.data = 3, info.cover_mime, "Cover", info.cover
    return [base64.b64encode(picture.write()).decode("ascii")]


VORBIS_FIELDS: tuple[tuple[str, Callable[[TagInfo], list[str] | None]], ...] = (
    ("TITLE", lambda i: [clean(i.article.title)]),
    ("ARTIST", lambda i: [clean(a) for a in i.article.authors] or None),
    ("ALBUM", lambda i: [clean(i.album)]),
    ("GENRE", lambda i: [GENRE]),
    ("DATE", lambda i: [d] if (d := _date(i)) else None),
    ("LANGUAGE", lambda i: [_language(i)]),
    ("DESCRIPTION", lambda i: [clean(i.article.description)] if i.article.description else None),
    ("COMMENT", lambda i: [clean(i.disclosure)]),
    ("AI_DISCLOSURE", lambda i: [clean(i.disclosure)]),
    ("WEBSITE", lambda i: [i.article.url] if i.article.url else None),
    # Cover art in Ogg: a base64 FLAC picture block (Vorbis comment field proposal).
    ("METADATA_BLOCK_PICTURE", _picture),
)
"""Vorbis comment table for the Opus file (field names from the Vorbis I spec §5.2.2)."""


def vorbis_chapters(timeline: Timeline) -> list[tuple[str, str]]:
    """``CHAPTERnnn`` = ``HH:MM:SS.mmm`` and ``CHAPTERnnnNAME`` per chapter, from 001."""
    out: list[tuple[str, str]] = []
    for n, ch in enumerate(timeline.chapters, start=1):
        ms = round(ch.start * 1000)
        stamp = f"{ms // 3_600_000:02}:{ms // 60_000 % 60:02}:{ms // 1000 % 60:02}.{ms % 1000:03}"
        out += [(f"CHAPTER{n:03}", stamp), (f"CHAPTER{n:03}NAME", clean(ch.title))]
    return out


def write_tags(path: Path, info: TagInfo, timeline: Timeline) -> None:
    """Replace the file's tags with ours, by its suffix (``.mp3``, ``.m4a``, ``.opus``)."""
    WRITERS[path.suffix.lower()](path, info, timeline)


def write_id3(path: Path, info: TagInfo, timeline: Timeline) -> None:
    """Replace the file's ID3 tag with ours (ID3v2.4, UTF-8)."""
    tag = id3.ID3()
    for key, fact in FRAMES:
        value = fact(info)
        if value is not None:
            frame_id, _, desc = key.partition(":")
            tag.add(FRAME_MAKERS.get(frame_id, _text_frame)(frame_id, desc, value, info))
    for frame in chapter_frames(timeline):
        tag.add(frame)
    tag.save(str(path), v2_version=4)


def _replace_fields(
    tags: Any, table: Sequence[tuple[str, Callable[[TagInfo], Any]]], info: TagInfo
) -> None:
    """Clear a mutagen key-value tag and fill it from a key → row table (None: left out)."""
    tags.clear()
    for key, row in table:
        value = row(info)
        if value is not None:
            tags[key] = value


def write_mp4(path: Path, info: TagInfo, timeline: Timeline) -> None:
    """Replace the M4A's iTunes metadata with ours (its chapters are left as ffmpeg wrote them)."""
    audio = mp4.MP4(str(path))
    if audio.tags is None:
        audio.add_tags()
    assert audio.tags is not None
    _replace_fields(audio.tags, MP4_ATOMS, info)
    audio.save()


def write_opus(path: Path, info: TagInfo, timeline: Timeline) -> None:
    """Replace the Opus file's Vorbis comments with ours, chapters included."""
    audio = OggOpus(str(path))
    assert audio.tags is not None
    _replace_fields(audio.tags, VORBIS_FIELDS, info)
    for key, text in vorbis_chapters(timeline):
        audio.tags[key] = [text]
    audio.save()


WRITERS: dict[str, Callable[[Path, TagInfo, Timeline], None]] = {
    ".mp3": write_id3,
    ".m4a": write_mp4,
    ".opus": write_opus,
}
"""File suffix → the tag writer for that container."""
