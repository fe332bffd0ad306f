"""The shared vocabulary between pipeline stages: frozen dataclasses only.

Each stage takes and returns these values; only ``to_dict``/``from_dict`` know
about file formats.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

Spoken = Callable[[str, str], str]
"""``(text, language) -> spoken text``: the text stage's normalise + lexicon step,
which synthesis and voice choice are handed."""


class BlockKind(enum.StrEnum):
    """What a block of article body text is."""

    PARAGRAPH = "paragraph"
    HEADING = "heading"
    TABLE = "table"
    """A table: one row per line of the text, each a sentence ("Town: Ely; Cost: £3m.")."""


@dataclass(frozen=True)
class Block:
    """One block of the article body, in reading order."""

    kind: BlockKind
    """Paragraph or section heading."""
    text: str
    """The block's text as written (one line, whitespace collapsed; a table has one per row)."""


@dataclass(frozen=True)
class Article:
    """What the extract stage found: the article and nothing else."""

    title: str
    """Headline."""
    blocks: tuple[Block, ...]
    """Body paragraphs and headings in reading order (no title, no byline)."""
    authors: tuple[str, ...] = ()
    """Author names as printed in the byline."""
    published: datetime | None = None
    """Publication time (timezone-aware when the source says so)."""
    url: str | None = None
    """Canonical URL of the article."""
    image: str | None = None
    """Lead image URL or path."""
    language: str = "en"
    """BCP 47 language tag of the text (``en``, ``de``, ``pt-BR``)."""
    publisher: str | None = None
    """Publication name."""
    tags: tuple[str, ...] = ()
    """Topic tags or keywords."""
    description: str | None = None
    """Standfirst or summary, if the source has one."""
    confidence: float | None = field(default=None, compare=False)
    """How far to trust the extraction, 0..1 (see :mod:`articleaudio.extract.confidence`);
    None for an article not extracted here (made in code, or read back from a file).
    Not part of the article's identity: left out of equality and :meth:`to_dict`, so
    ``episode.json`` and build keys do not change with the scoring model."""

    @property
    def paragraphs(self) -> tuple[str, ...]:
        """Body paragraphs only, without headings."""
        return tuple(b.text for b in self.blocks if b.kind is BlockKind.PARAGRAPH)

    @property
    def body_text(self) -> str:
        """Title and blocks as plain text, one block per paragraph."""
        return "\n\n".join([self.title, *(b.text for b in self.blocks)])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (ISO 8601 dates)."""
        return {
            "title": self.title,
            "authors": list(self.authors),
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "image": self.image,
            "language": self.language,
            "publisher": self.publisher,
            "tags": list(self.tags),
            "description": self.description,
            "blocks": [{"kind": b.kind.value, "text": b.text} for b in self.blocks],
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Article:
        """Inverse of :meth:`to_dict`."""
        published = data.get("published")
        return Article(
            title=data["title"],
            blocks=tuple(Block(BlockKind(b["kind"]), b["text"]) for b in data.get("blocks", [])),
            authors=tuple(data.get("authors") or ()),
            published=datetime.fromisoformat(published) if published else None,
            url=data.get("url"),
            image=data.get("image"),
            language=data.get("language") or "en",
            publisher=data.get("publisher"),
            tags=tuple(data.get("tags") or ()),
            description=data.get("description"),
        )


class Role(enum.StrEnum):
    """The part a segment plays in the episode; pauses and chapters key on it."""

    TITLE = "title"
    BYLINE = "byline"
    DISCLOSURE = "disclosure"
    HEADING = "heading"
    SENTENCE = "sentence"


@dataclass(frozen=True)
class Segment:
    """One unit of speech: synthesised, cached and timed on its own."""

    index: int
    """Position in the episode, from 0."""
    role: Role
    """Title, byline, disclosure, heading or body sentence."""
    text: str
    """Display text in the article's own wording (captions, transcript)."""
    spoken: str
    """What the voice is asked to say (normalised, lexicon applied)."""
    paragraph: int = -1
    """Index of the body block the segment belongs to (-1 for the intro)."""
    chapter: str | None = None
    """Set on the first segment of a chapter: that chapter's title."""


@dataclass(frozen=True)
class WordTime:
    """A timed word: displayed in a cue (word-level highlighting), or spoken in a synthesised
    piece (where the voice aligns), whose times then count from the piece's start."""

    text: str
    """The word as displayed (as spoken, in a piece)."""
    start: float
    """Seconds from the start of the episode (of the piece)."""
    end: float
    """Seconds from the start of the episode (of the piece)."""


@dataclass(frozen=True)
class Cue:
    """Where one segment sits in the stitched episode."""

    index: int
    """The segment's index."""
    role: Role
    """The segment's role."""
    text: str
    """Display text."""
    start: float
    """Seconds from the start of the episode when speech begins."""
    end: float
    """Seconds from the start of the episode when speech ends."""
    paragraph: int = -1
    """Body block index, -1 for the intro."""
    words: tuple[WordTime, ...] = ()
    """Word timings when the voice gives alignments, else empty."""
    spoken: str | None = None
    """What the voice was given for this segment (normalised, lexicon applied), which
    ``articleaudio check`` compares with what it hears; None in episodes built before
    it was recorded."""


@dataclass(frozen=True)
class Chapter:
    """A navigation point: intro, a section, or a group of paragraphs."""

    title: str
    """What a player lists."""
    start: float
    """Seconds from the start of the episode."""
    end: float
    """Seconds from the start of the episode."""


@dataclass(frozen=True)
class Timeline:
    """Measured times after stitching: the single source of truth for all timings."""

    cues: tuple[Cue, ...]
    """One per segment, in order."""
    chapters: tuple[Chapter, ...]
    """Contiguous chapters covering ``[0, duration]``."""
    duration: float
    """Length of the mastered audio in seconds."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, times rounded to the millisecond."""
        return {
            "duration": round(self.duration, 3),
            "cues": [
                {
                    "index": c.index,
                    "role": c.role.value,
                    "text": c.text,
                    "start": round(c.start, 3),
                    "end": round(c.end, 3),
                    "paragraph": c.paragraph,
                    "words": [[w.text, round(w.start, 3), round(w.end, 3)] for w in c.words],
                    **({"spoken": c.spoken} if c.spoken is not None else {}),
                }
                for c in self.cues
            ],
            "chapters": [
                {"title": ch.title, "start": round(ch.start, 3), "end": round(ch.end, 3)}
                for ch in self.chapters
            ],
        }


@dataclass(frozen=True)
class Loudness:
    """Loudness of the mastered episode per ITU-R BS.1770."""

    integrated_lufs: float
    """Integrated (gated) loudness."""
    true_peak_dbtp: float
    """Maximum true peak (4x oversampled)."""
    gain_db: float = 0.0
    """Gain applied to the voice's raw output to reach the target."""


EPISODE_SCHEMA = 1
"""Version of ``episode.json``; bump when its shape changes."""

GAIN_DECIMALS = 3
"""The master gain is chosen in steps of 0.001 dB, the precision ``episode.json`` keeps."""


@dataclass(frozen=True)
class AudioInfo:
    """Measured facts about the episode's MP3."""

    file: str
    """File name relative to the episode folder."""
    bytes: int
    """Exact size in bytes (the feed's enclosure length)."""
    duration: float
    """Seconds, from the timeline."""
    bitrate_kbps: int
    """Constant bit rate."""
    sample_rate: int
    """Hz."""
    channels: int
    """1 for mono."""
    mime: str
    """``audio/mpeg``."""
    integrated_lufs: float
    """Measured integrated loudness of the mastered audio."""
    true_peak_dbtp: float
    """Measured true peak of the mastered audio."""
    gain_db: float = 0.0
    """Gain the master stage applied; a rebuild starts from it."""


@dataclass(frozen=True)
class Episode:
    """One built episode, as recorded in its folder's ``episode.json``."""

    slug: str
    """Folder name under ``episodes/``; stable identity within a library."""
    article: Article
    """What was read."""
    audio: AudioInfo
    """The MP3."""
    files: dict[str, str]
    """Purpose (``audio``, ``vtt``, ``transcript_json``, ``chapters_json``) → file name."""
    timeline: Timeline
    """Cue and chapter times."""
    disclosure: str
    """AI-assistance disclosure text (spoken or not, it is always in the metadata)."""
    voice: str
    """Voice name used."""
    input_sha256: str
    """Hash of the extracted article text, to see whether a rebuild changes anything."""
    built_at: datetime
    """When the audio was built (UTC)."""
    generator: str = "articleaudio"
    """Program and version that built it."""
    build_key: str = ""
    """Hash of everything that shapes the files; equal keys mean a rebuild would change nothing."""

    def to_dict(self) -> dict[str, Any]:
        """The ``episode.json`` form."""
        return {
            "schema": EPISODE_SCHEMA,
            "slug": self.slug,
            "article": self.article.to_dict(),
            "audio": {k: getattr(self.audio, k) for k in AudioInfo.__dataclass_fields__},
            "files": dict(self.files),
            "timeline": self.timeline.to_dict(),
            "disclosure": self.disclosure,
            "voice": self.voice,
            "input_sha256": self.input_sha256,
            "built_at": self.built_at.isoformat(),
            "generator": self.generator,
            "build_key": self.build_key,
        }

    @staticmethod
    def from_dict(data: dict[str, Any]) -> Episode:
        """Inverse of :meth:`to_dict`."""
        return Episode(
            slug=data["slug"],
            article=Article.from_dict(data["article"]),
            audio=AudioInfo(**data["audio"]),
            files=dict(data["files"]),
            timeline=timeline_from_dict(data["timeline"]),
            disclosure=data["disclosure"],
            voice=data["voice"],
            input_sha256=data["input_sha256"],
            built_at=datetime.fromisoformat(data["built_at"]),
            generator=data.get("generator", "articleaudio"),
            build_key=data.get("build_key", ""),
        )


def timeline_from_dict(data: dict[str, Any]) -> Timeline:
    """Inverse of :meth:`Timeline.to_dict`."""
    cues = tuple(
        Cue(
            index=c["index"],
            role=Role(c["role"]),
            text=c["text"],
            start=c["start"],
            end=c["end"],
            paragraph=c.get("paragraph", -1),
            words=tuple(WordTime(w[0], w[1], w[2]) for w in c.get("words", ())),
            spoken=c.get("spoken"),
        )
        for c in data["cues"]
    )
    chapters = tuple(Chapter(ch["title"], ch["start"], ch["end"]) for ch in data["chapters"])
    return Timeline(cues=cues, chapters=chapters, duration=data["duration"])
