"""Hand-written check.json records (the schema `articleaudio check` writes), for the
review page's tests: the reader's, the CLI's and the browser's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from articleaudio import layout
from articleaudio.models import Timeline


def flag_record(
    index: int, timeline: Timeline, *, kind: str = "name", score: float = 0.5, **extra: Any
) -> dict[str, Any]:
    """One flag on cue ``index`` of ``timeline``, at that cue's times."""
    cue = timeline.cues[index]
    record: dict[str, Any] = {
        "index": index,
        "start": cue.start,
        "end": cue.end,
        "text": cue.text,
        "meant": cue.text.lower().rstrip("."),
        "heard": "something else entirely",
        "against": "spoken",
        "kind": kind,
        "score": score,
        "suggestion": None,
    }
    return record | extra


def report_record(
    slug: str, timeline: Timeline, flags: list[dict[str, Any]], **extra: Any
) -> dict[str, Any]:
    """A whole check.json: ``flags`` and a score for every cue of ``timeline``."""
    flagged = {f["index"]: f["score"] for f in flags}
    scores = [
        {
            "index": cue.index,
            "start": cue.start,
            "end": cue.end,
            "score": flagged.get(cue.index, 0.0),
            "flagged": cue.index in flagged,
        }
        for cue in timeline.cues
    ]
    record: dict[str, Any] = {
        "version": 1,
        "slug": slug,
        "model": "tiny.en",
        "checked": "2026-12-01T17:00:00Z",
        "sentences": len(timeline.cues),
        "wer": 0.031,
        "flags": sorted(flags, key=lambda f: -f["score"]),
        "scores": scores,
    }
    return record | extra


def write_report(folder: Path, record: Any) -> Path:
    """``record`` as the episode folder's check.json."""
    path = folder / layout.CHECK_FILE
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2), encoding="utf-8")
    return path
