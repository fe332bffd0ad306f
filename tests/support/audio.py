"""Independent measurements of encoded audio, for tests.

Loudness and true peak come from ffmpeg's own ``ebur128`` filter, not from the
code under test.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mutagen.mp3 import MP3, MPEGInfo

from articleaudio.encode.ffmpeg import ffmpeg_path


@dataclass(frozen=True)
class StreamFacts:
    """What an MP3's frame headers say, as mutagen reads them."""

    length: float
    """Seconds, exact when the Info frame gives encoder delay and padding."""
    sample_rate: int
    channels: int
    bitrate: int
    """Bits per second, averaged over the frames."""
    bitrate_mode: int
    """A mutagen.mp3.BitrateMode value (an int)."""


def mp3_info(path: Path | str) -> StreamFacts:
    """The MPEG stream's header facts, read by mutagen (whose MPEGInfo is untyped)."""
    info: Any = MP3(path).info
    assert isinstance(info, MPEGInfo), f"{path} has no MPEG audio stream"
    return StreamFacts(
        length=float(info.length),
        sample_rate=int(info.sample_rate),
        channels=int(info.channels),
        bitrate=int(info.bitrate),
        bitrate_mode=int(info.bitrate_mode),
    )


def ebur128(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) of a file, measured by ffmpeg."""
    proc = subprocess.run(
        [
            ffmpeg_path(),
            "-hide_banner",
            "-nostats",
            "-i",
            str(path),
            "-af",
            "ebur128=peak=true",
            "-f",
            "null",
            "-",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    summary = proc.stderr[proc.stderr.rindex("Summary:") :]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary)[1])  # type: ignore[index]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary)[1])  # type: ignore[index]
    return integrated, peak


def parse_vtt(text: str) -> list[tuple[float, float, str]]:
    """Minimal WebVTT reader: (start, end, payload) per cue; asserts the header."""
    assert text.startswith("WEBVTT")
    cues = []
    for block in text.strip().split("\n\n")[1:]:
        lines = block.split("\n")
        timing = next(line for line in lines if "-->" in line)
        start, end = (_seconds(t.strip().split(" ")[0]) for t in timing.split("-->"))
        payload = "\n".join(lines[lines.index(timing) + 1 :])
        cues.append((start, end, payload))
    return cues


INLINE_TIMESTAMP = re.compile(r"<(\d\d:\d\d:\d\d\.\d{3})>")


def cue_words(payload: str) -> tuple[str, list[float]]:
    """Payload text without inline timestamps, and the timestamps in seconds."""
    stamps = [_seconds(t) for t in INLINE_TIMESTAMP.findall(payload)]
    return INLINE_TIMESTAMP.sub("", payload), stamps


def _seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)
