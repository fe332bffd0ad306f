"""Library folders for the player and server tests: a real MP3 made by the real
ffmpeg (imageio-ffmpeg) and an ``episode.json`` from models.Episode with a
hand-made Timeline that fits the tone's 20 seconds."""

from __future__ import annotations

import json
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import imageio_ffmpeg

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
from articleaudio.web import server

DURATION = 20.0
DISCLOSURE = "This audio is created with AI assistance"
LONG_WORD = "A" * 10_000
HOSTILE_TITLE = (
    '<script>window.pwned="title"</script> & "quotes" \'single\' \u202eevil\u202c 😀 \u0007bell'
)
HOSTILE_SENTENCE = 'Ends </script><!-- here & \u2028there <img src=x onerror="window.pwned=1">.'


# (role, text, start, end, paragraph): the spoken order of a short article.
PLAIN_CUES = (
    (Role.TITLE, "Harbour bridge reopens after repairs", 0.3, 2.0, -1),
    (Role.BYLINE, "By Ada Lovelace", 2.2, 3.4, -1),
    (Role.DISCLOSURE, DISCLOSURE, 3.6, 5.6, -1),
    (Role.HEADING, "What changed", 6.0, 7.0, 0),
    (Role.SENTENCE, "The bridge opened at dawn on Monday.", 7.2, 9.5, 1),
    (Role.SENTENCE, "Crews had worked on it for nine months.", 9.6, 11.8, 1),
    (Role.HEADING, "What comes next", 12.2, 13.0, 2),
    (Role.SENTENCE, "Tolls return in the spring, the council said.", 13.2, 16.0, 3),
    (Role.SENTENCE, "Cyclists get a wider lane on the east side.", 16.1, 19.5, 3),
)
CHAPTERS = (
    ("Introduction", 0.0, 6.0),
    ("What changed", 6.0, 12.2),
    ("What comes next", 12.2, 20.0),
)


def make_tone_mp3(path: Path, seconds: float = DURATION) -> Path:
    """A mono 44.1 kHz 64 kb/s MP3 of a 440 Hz tone, made by the real ffmpeg."""
    command = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        *("-nostdin", "-loglevel", "error", "-y", "-f", "lavfi"),
        *("-i", f"sine=frequency=440:sample_rate=44100:duration={seconds}"),
        *("-ac", "1", "-ar", "44100", "-codec:a", "libmp3lame", "-b:a", "64k", str(path)),
    ]
    subprocess.run(command, check=True, capture_output=True)
    return path


def _words(text: str, start: float, end: float) -> tuple[WordTime, ...]:
    parts = text.split()
    step = (end - start) / len(parts)
    return tuple(
        WordTime(w, round(start + i * step, 3), round(start + (i + 1) * step, 3))
        for i, w in enumerate(parts)
    )


def make_episode(slug: str, mp3: Path, *, hostile: bool = False, words: bool = False) -> Episode:
    """An Episode whose timeline matches ``mp3``; ``hostile`` puts attacks in every text."""
    rows = list(PLAIN_CUES)
    if hostile:
        rows[0] = (Role.TITLE, HOSTILE_TITLE, 0.3, 2.0, -1)
        rows[4] = (Role.SENTENCE, HOSTILE_SENTENCE, 7.2, 9.5, 1)
        rows[5] = (Role.SENTENCE, f"Long {LONG_WORD} word.", 9.6, 11.8, 1)
    cues = tuple(
        Cue(i, role, text, start, end, para, _words(text, start, end) if words else ())
        for i, (role, text, start, end, para) in enumerate(rows)
    )
    chapters = tuple(Chapter(*row) for row in CHAPTERS)
    if hostile:
        chapters = (Chapter(HOSTILE_TITLE, 0.0, 6.0), *chapters[1:])
    body = [r for r in rows if r[4] >= 0]
    blocks = tuple(
        Block(
            BlockKind.HEADING if role is Role.HEADING else BlockKind.PARAGRAPH,
            " ".join(r[1] for r in body if r[4] == para),
        )
        for para, role in dict((r[4], r[0]) for r in body).items()
    )
    article = Article(
        title=rows[0][1],
        blocks=blocks,
        authors=("Ada Lovelace",),
        publisher="The Daily Example",
        url="https://news.example/bridge",
    )
    audio = AudioInfo(mp3.name, mp3.stat().st_size, DURATION, 64, 44100, 1, "audio/mpeg", -16, -1.5)
    return Episode(
        slug=slug,
        article=article,
        audio=audio,
        files={"audio": mp3.name},
        timeline=Timeline(cues=cues, chapters=chapters, duration=DURATION),
        disclosure=DISCLOSURE,
        voice="fixture-tone",
        input_sha256="0" * 64,
        built_at=datetime(2026, 11, 25, 12, 0, tzinfo=UTC),
    )


def make_library(root: Path, tone: Path, slug: str, **kwargs: bool) -> tuple[Path, Episode]:
    """``root/episodes/<slug>/`` with the MP3, sidecars and episode.json (no embed yet)."""
    folder = root / "episodes" / slug
    folder.mkdir(parents=True, exist_ok=True)
    mp3 = folder / f"{slug}.mp3"
    mp3.write_bytes(tone.read_bytes())
    episode = make_episode(slug, mp3, **kwargs)
    (folder / "episode.json").write_text(json.dumps(episode.to_dict()), encoding="utf-8")
    (folder / f"{slug}.vtt").write_text(
        "WEBVTT\n\n00:00:00.300 --> 00:00:02.000\nHarbour bridge\n", encoding="utf-8"
    )
    chapters = {"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Introduction"}]}
    (folder / f"{slug}.chapters.json").write_text(json.dumps(chapters), encoding="utf-8")
    (root / "feed.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>t</title>'
        "</channel></rss>\n",
        encoding="utf-8",
    )
    return folder, episode


@contextmanager
def running_server(root: Path) -> Iterator[str]:
    """A real Uvicorn serving ``root`` on a free port of 127.0.0.1, in a thread."""
    sock = server.bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    http_server = server.make_server(root, access_log=False)
    thread = threading.Thread(target=http_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not http_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        http_server.should_exit = True
        thread.join(10)
        sock.close()
