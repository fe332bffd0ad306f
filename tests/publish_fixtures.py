"""Real episode folders for the publish tests: ffmpeg-made MP3s plus sidecars per CONTRACT.md.

They stand in for the build pipeline's output where a test needs exact control
over titles, URLs, dates and lengths. The MP3s are real (ffmpeg from imageio-ffmpeg,
mono 44.1 kHz 64 kbps CBR) and the sidecars come from the real sidecar writers, so
sizes and durations are measured, never assumed.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import imageio_ffmpeg
from mutagen.mp3 import MP3

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
)

DISCLOSURE = "This audio is created with AI assistance."


@dataclass
class _Tones:
    """Where made tones are kept for the session (conftest points it into pytest's folder)."""

    folder: Path | None = None


TONES = _Tones()


def make_mp3(path: Path, seconds: float, frequency: int = 440) -> None:
    """A real MP3 tone (cached per length and pitch, copied into place)."""
    if TONES.folder is None:
        raise RuntimeError("tests/conftest.py chooses the tone folder; run this under pytest")
    cached = TONES.folder / f"{seconds}-{frequency}.mp3"
    if not cached.exists():
        tone = f"sine=frequency={frequency}:duration={seconds}:sample_rate=44100"
        command = [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi"]
        command += ["-i", tone, "-ac", "1", "-ar", "44100", "-c:a", "libmp3lame"]
        command += ["-b:a", "64k", str(cached)]
        subprocess.run(command, check=True, capture_output=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cached, path)


def _timeline(title: str, sentences: list[str], duration: float) -> Timeline:
    texts = [title, *sentences]
    step = duration / len(texts)
    cues = tuple(
        Cue(
            index=n,
            role=Role.TITLE if n == 0 else Role.SENTENCE,
            text=text,
            start=round(n * step, 3),
            end=round((n + 1) * step - 0.05, 3),
            paragraph=n - 1,
        )
        for n, text in enumerate(texts)
    )
    half = round(duration / 2, 3)
    chapters = (Chapter("Introduction", 0.0, half), Chapter(title, half, round(duration, 3)))
    return Timeline(cues=cues, chapters=chapters, duration=round(duration, 3))


def make_episode(
    output_dir: Path,
    slug: str,
    title: str,
    *,
    url: str | None = None,
    authors: tuple[str, ...] = ("Ada Reporter",),
    seconds: float = 2.0,
    frequency: int = 440,
    built_at: datetime | None = None,
    body: str = "The council met on Tuesday. It approved the budget.",
    description: str | None = None,
    tags: tuple[str, ...] = (),
) -> Episode:
    """Write ``output_dir/episodes/<slug>/`` the way a build does and return its Episode."""
    folder = output_dir / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "audio": f"{slug}.mp3",
        "vtt": f"{slug}.vtt",
        "transcript_json": f"{slug}.transcript.json",
        "chapters_json": f"{slug}.chapters.json",
    }
    make_mp3(folder / files["audio"], seconds, frequency)
    duration = float(MP3(folder / files["audio"]).info.length)
    sentences = [s.strip() + "." for s in body.split(".") if s.strip()] or [body]
    timeline = _timeline(title, sentences, duration)
    (folder / files["vtt"]).write_text(to_vtt(timeline), encoding="utf-8")
    transcript = to_transcript_json(timeline)
    (folder / files["transcript_json"]).write_text(transcript, encoding="utf-8")
    chapters = to_chapters_json(timeline, title)
    (folder / files["chapters_json"]).write_text(chapters, encoding="utf-8")
    article = Article(
        title=title,
        blocks=(Block(BlockKind.PARAGRAPH, body),),
        authors=authors,
        url=url,
        publisher="The Example Gazette",
        description=description,
        tags=tags,
    )
    audio = AudioInfo(
        file=files["audio"],
        bytes=(folder / files["audio"]).stat().st_size,
        duration=round(duration, 3),
        bitrate_kbps=64,
        sample_rate=44100,
        channels=1,
        mime="audio/mpeg",
        integrated_lufs=-16.0,
        true_peak_dbtp=-1.5,
    )
    episode = Episode(
        slug=slug,
        article=article,
        audio=audio,
        files=files,
        timeline=timeline,
        disclosure=DISCLOSURE,
        voice="en_US-joe-medium",
        input_sha256=hashlib.sha256(f"{title}\n{body}\n{seconds}".encode()).hexdigest(),
        built_at=built_at or datetime(2026, 11, 1, 12, 0, tzinfo=UTC),
        generator="articleaudio test fixture",
    )
    text = json.dumps(episode.to_dict(), ensure_ascii=False, indent=2)
    (folder / "episode.json").write_text(text, encoding="utf-8")
    return episode
