"""The one episode factory: real episode folders as a build writes them.

They stand in for the build pipeline's output where a test needs exact control
over titles, URLs, dates, lengths and cue times. The MP3s are real (ffmpeg from
imageio-ffmpeg, mono 44.1 kHz 64 kbps CBR, a sine tone) and the sidecars come from
the real sidecar writers, so sizes and durations are measured, never assumed.

Two timelines: by default the title and the body's sentences spread evenly over
the tone (the library, feed and publish tests); with ``script=`` a hand-timed
table of cues and chapters (:data:`BRIDGE`, :data:`HOSTILE_BRIDGE`) that the
player, server and browser tests seek in.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import imageio_ffmpeg

from articleaudio.encode.sidecars import to_chapters_json, to_transcript_json, to_vtt
from articleaudio.models import (
    Article,
    AudioInfo,
    Block,
    BlockKind,
    Chapter,
    Cue,
    Episode,
    Role,
    Timeline,
    WordTime,
)
from articleaudio.text import DEFAULT_DISCLOSURE

from .audio import mp3_info

DISCLOSURE = DEFAULT_DISCLOSURE
"""Every made episode carries the production default disclosure."""
LONG_WORD = "A" * 10_000
HOSTILE_TITLE = (
    '<script>window.pwned="title"</script> & "quotes" \'single\' \u202eevil\u202c 😀 \u0007bell'
)
HOSTILE_SENTENCE = 'Ends </script><!-- here & \u2028there <img src=x onerror="window.pwned=1">.'


@dataclass
class _Tones:
    """Where made tones are kept for the session (conftest points it into pytest's folder)."""

    folder: Path | None = None


TONES = _Tones()


@dataclass(frozen=True)
class Line:
    """One cue of a hand-timed script."""

    role: Role
    text: str
    start: float
    """Seconds from the start of the episode."""
    end: float
    paragraph: int
    """The body block it belongs to, -1 for the title, byline and disclosure."""


@dataclass(frozen=True)
class Script:
    """A hand-timed timeline: its cues in spoken order, chapters and length."""

    lines: tuple[Line, ...]
    chapters: tuple[Chapter, ...]
    duration: float


def _line(row: tuple[Role, str, float, float, int]) -> Line:
    return Line(*row)


# A short article, spoken in order over a 20-second tone.
BRIDGE = Script(
    lines=tuple(
        _line(row)
        for row in [
            (Role.TITLE, "Harbour bridge reopens after repairs", 0.3, 2.0, -1),
            (Role.BYLINE, "By Ada Lovelace", 2.2, 3.4, -1),
            (Role.DISCLOSURE, DISCLOSURE, 3.6, 5.6, -1),
            (Role.HEADING, "What changed", 6.0, 7.0, 0),
            (Role.SENTENCE, "The bridge opened at dawn on Monday.", 7.2, 9.5, 1),
            (Role.SENTENCE, "Crews had worked on it for nine months.", 9.6, 11.8, 1),
            (Role.HEADING, "What comes next", 12.2, 13.0, 2),
            (Role.SENTENCE, "Tolls return in the spring, the council said.", 13.2, 16.0, 3),
            (Role.SENTENCE, "Cyclists get a wider lane on the east side.", 16.1, 19.5, 3),
        ]
    ),
    chapters=(
        Chapter("Introduction", 0.0, 6.0),
        Chapter("What changed", 6.0, 12.2),
        Chapter("What comes next", 12.2, 20.0),
    ),
    duration=20.0,
)
"""The plain article of the player, server and browser tests."""

_ATTACKS = {
    0: HOSTILE_TITLE,
    4: HOSTILE_SENTENCE,
    5: f"Long {LONG_WORD} word.",
}
HOSTILE_BRIDGE = replace(
    BRIDGE,
    lines=tuple(
        replace(line, text=_ATTACKS.get(n, line.text)) for n, line in enumerate(BRIDGE.lines)
    ),
    chapters=(Chapter(HOSTILE_TITLE, 0.0, 6.0), *BRIDGE.chapters[1:]),
)
""":data:`BRIDGE` with attacks in its title, a sentence, a very long word and a chapter."""


def make_mp3(path: Path, seconds: float, frequency: int = 440) -> None:
    """A real MP3 tone (cached per length and pitch, copied into place)."""
    if TONES.folder is None:
        raise RuntimeError("tests/conftest.py chooses the tone folder; run this under pytest")
    cached = TONES.folder / f"{seconds}-{frequency}.mp3"
    if not cached.exists():
        tone = f"sine=frequency={frequency}:duration={seconds}:sample_rate=44100"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f"]
        command += ["lavfi", "-i", tone, "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame"]
        command += ["-b:a", "64k", str(cached)]
        subprocess.run(command, check=True, capture_output=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, path)


def _even_script(title: str, body: str, duration: float) -> Script:
    """The title and the body's sentences spread evenly over ``duration``."""
    sentences = [s.strip() + "." for s in body.split(".") if s.strip()] or [body]
    texts = [title, *sentences]
    step = duration / len(texts)
    lines = tuple(
        Line(
            Role.TITLE if n == 0 else Role.SENTENCE,
            text,
            round(n * step, 3),
            round((n + 1) * step - 0.05, 3),
            n - 1,
        )
        for n, text in enumerate(texts)
    )
    half = round(duration / 2, 3)
    chapters = (Chapter("Introduction", 0.0, half), Chapter(title, half, round(duration, 3)))
    return Script(lines, chapters, round(duration, 3))


def _words(text: str, start: float, end: float) -> tuple[WordTime, ...]:
    parts = text.split()
    step = (end - start) / len(parts)
    return tuple(
        WordTime(w, round(start + i * step, 3), round(start + (i + 1) * step, 3))
        for i, w in enumerate(parts)
    )


def _timeline(script: Script, *, words: bool) -> Timeline:
    cues = tuple(
        Cue(
            n,
            line.role,
            line.text,
            line.start,
            line.end,
            line.paragraph,
            _words(line.text, line.start, line.end) if words else (),
        )
        for n, line in enumerate(script.lines)
    )
    return Timeline(cues=cues, chapters=script.chapters, duration=script.duration)


def _blocks(script: Script) -> tuple[Block, ...]:
    """The article's body: one block per paragraph number of the script's body lines."""
    body = [line for line in script.lines if line.paragraph >= 0]
    kinds = {line.paragraph: line.role for line in body}
    return tuple(
        Block(
            BlockKind.HEADING if role is Role.HEADING else BlockKind.PARAGRAPH,
            " ".join(line.text for line in body if line.paragraph == paragraph),
        )
        for paragraph, role in kinds.items()
    )


SIDECARS = {"vtt": ".vtt", "transcript_json": ".transcript.json", "chapters_json": ".chapters.json"}
"""Each sidecar's purpose key in ``Episode.files`` and its file name after the slug."""


def _write_sidecars(folder: Path, files: dict[str, str], timeline: Timeline, title: str) -> None:
    writers = {
        "vtt": to_vtt(timeline),
        "transcript_json": to_transcript_json(timeline),
        "chapters_json": to_chapters_json(timeline, title),
    }
    for purpose, text in writers.items():
        (folder / files[purpose]).write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Tone:
    """The episode's MP3: how long and at what pitch."""

    seconds: float = 2.0
    frequency: int = 440


def _write_audio(folder: Path, slug: str, tone: Tone) -> AudioInfo:
    """The tone as ``<slug>.mp3``, described with its measured size and duration."""
    path = folder / f"{slug}.mp3"
    make_mp3(path, tone.seconds, tone.frequency)
    return AudioInfo(
        file=path.name,
        bytes=path.stat().st_size,
        duration=round(float(mp3_info(path).length), 3),
        bitrate_kbps=64,
        sample_rate=44100,
        channels=1,
        mime="audio/mpeg",
        integrated_lufs=-16.0,
        true_peak_dbtp=-1.5,
    )


def make_episode(
    output_dir: Path,
    slug: str,
    title: str = "",
    *,
    url: str | None = None,
    authors: tuple[str, ...] = ("Ada Reporter",),
    seconds: float = 2.0,
    frequency: int = 440,
    built_at: datetime | None = None,
    body: str = "The council met on Tuesday. It approved the budget.",
    description: str | None = None,
    tags: tuple[str, ...] = (),
    script: Script | None = None,
    words: bool = False,
) -> Episode:
    """Write ``output_dir/episodes/<slug>/`` the way a build does and return its Episode.

    With ``script`` the title, body and timeline come from it and the tone lasts its
    duration (``title``, ``body`` and ``seconds`` are not used); ``words`` gives every
    cue evenly spread word timings.
    """
    folder = output_dir / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    tone = Tone(script.duration if script else seconds, frequency)
    audio = _write_audio(folder, slug, tone)
    if script is None:
        script = _even_script(title, body, audio.duration)
        blocks: tuple[Block, ...] = (Block(BlockKind.PARAGRAPH, body),)
    else:
        # The hand-timed cues were placed for exactly this length.
        audio = replace(audio, duration=script.duration)
        blocks = _blocks(script)
    timeline = _timeline(script, words=words)
    title = script.lines[0].text
    files = {"audio": audio.file, **{purpose: slug + end for purpose, end in SIDECARS.items()}}
    _write_sidecars(folder, files, timeline, title)
    article = Article(
        title,
        blocks,
        authors,
        url=url,
        publisher="The Example Gazette",
        description=description,
        tags=tags,
    )
    episode = Episode(
        slug=slug,
        article=article,
        audio=audio,
        files=files,
        timeline=timeline,
        disclosure=DISCLOSURE,
        voice="en_US-joe-medium",
        input_sha256=hashlib.sha256(f"{title}\n{body}\n{tone.seconds}".encode()).hexdigest(),
        built_at=built_at or datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        generator="articleaudio test fixture",
    )
    _write_record(folder, episode)
    return episode


def _write_record(folder: Path, episode: Episode) -> None:
    text = json.dumps(episode.to_dict(), ensure_ascii=False, indent=2)
    (folder / "episode.json").write_text(text, encoding="utf-8")


def make_library(
    root: Path, slug: str, *, hostile: bool = False, words: bool = False
) -> tuple[Path, Episode]:
    """A library at ``root`` holding one :data:`BRIDGE` episode (no embed page yet) and a
    minimal ``feed.xml``; ``hostile`` uses :data:`HOSTILE_BRIDGE`. Returns the episode's
    folder and the Episode."""
    script = HOSTILE_BRIDGE if hostile else BRIDGE
    episode = make_episode(
        root,
        slug,
        authors=("Ada Lovelace",),
        url="https://news.example/bridge",
        built_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
        script=script,
        words=words,
    )
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title>'
        "</channel></rss>\n",
        encoding="utf-8",
    )
    return root / "episodes" / slug, episode
