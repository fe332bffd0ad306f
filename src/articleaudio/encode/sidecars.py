"""Text sidecars written from the :class:`Timeline`: WebVTT, JSON transcript, chapters JSON.

Pure functions returning strings; every time comes from the timeline.
"""

from __future__ import annotations

import json
from typing import Any

from ..models import Timeline
from ..textclean import clean_text

TRANSCRIPT_VERSION = "1.0.0"
"""Podcasting 2.0 JSON transcript format version."""
CHAPTERS_VERSION = "1.2.0"
"""Podcasting 2.0 JSON chapters format version."""

_VTT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
"""WebVTT cue text escapes (W3C WebVTT §4.2.2); escaping '>' also rules out a stray '-->'."""


def vtt_timestamp(seconds: float) -> str:
    """WebVTT timestamp with hours.

    >>> vtt_timestamp(3723.4567)
    '01:02:03.457'
    """
    millis = round(max(seconds, 0.0) * 1000)
    hours, millis = divmod(millis, 3_600_000)
    minutes, millis = divmod(millis, 60_000)
    secs, millis = divmod(millis, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def vtt_text(text: str) -> str:
    """Cue payload: cleaned (:mod:`articleaudio.textclean`), escaped, on one line.

    Whitespace runs collapse to one space, so no line break or blank line (which
    would end the cue, W3C WebVTT §4.1) reaches the payload.

    >>> vtt_text("A <b> & C\\n\\x07-->")
    'A &lt;b&gt; &amp; C --&gt;'
    """
    return " ".join(clean_text(text).split()).translate(_VTT_ESCAPES)


def to_vtt(timeline: Timeline) -> str:
    """WebVTT captions, one cue per segment, with word timestamps when known."""
    lines = ["WEBVTT", ""]
    for cue in timeline.cues:
        lines.append(str(cue.index + 1))
        lines.append(f"{vtt_timestamp(cue.start)} --> {vtt_timestamp(cue.end)}")
        lines.append(_cue_payload(cue.text, cue.words) or "…")
        lines.append("")
    return "\n".join(lines)


def _cue_payload(text: str, words: tuple[Any, ...]) -> str:
    if not words:
        return vtt_text(text)
    # Inline timestamps (WebVTT §4.2.2 "cue timestamp") mark when each word starts.
    parts = [vtt_text(words[0].text)]
    parts += [f"<{vtt_timestamp(w.start)}>{vtt_text(w.text)}" for w in words[1:]]
    return " ".join(parts)


def to_transcript_json(timeline: Timeline) -> str:
    """Podcasting 2.0 JSON transcript (one segment per cue)."""
    segments = [
        {"startTime": round(c.start, 3), "endTime": round(c.end, 3), "body": clean_text(c.text)}
        for c in timeline.cues
    ]
    return _dump({"version": TRANSCRIPT_VERSION, "segments": segments})


def to_chapters_json(timeline: Timeline, title: str | None = None) -> str:
    """Podcasting 2.0 JSON chapters."""
    doc: dict[str, Any] = {
        "version": CHAPTERS_VERSION,
        "chapters": [
            {
                "startTime": round(ch.start, 3),
                "endTime": round(ch.end, 3),
                "title": clean_text(ch.title),
            }
            for ch in timeline.chapters
        ],
    }
    if title:
        doc["title"] = clean_text(title)
    return _dump(doc)


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
