"""The project's shared sample pages and their scorer, for the extraction tests."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path
from typing import Any

from .paths import ROOT


def samples_dir() -> Path | None:
    """The project's shared sample pages (``../shared/samples/pages`` beside the clone)."""
    configured = os.environ.get("ARTICLEAUDIO_SAMPLES")
    candidates = [Path(configured)] if configured else []
    candidates += [ROOT.parent / "shared" / "samples" / "pages", Path("/work/shared/samples/pages")]
    return next((c for c in candidates if (c / "00-kyiv-independent-peacekeepers").is_dir()), None)


def new_samples_dir() -> Path | None:
    """The second development set (``pages-new``, cases 50-85) beside the first."""
    pages = samples_dir()
    new = pages.parent / "pages-new" if pages is not None else None
    return new if new is not None and (new / "50-sfgate-bart-stabbing").is_dir() else None


def load_scorer() -> Any:
    """The project's own scorer (``samples/score.py``), so tests measure what the issue measures."""
    pages = samples_dir()
    assert pages is not None
    spec = importlib.util.spec_from_file_location("sample_score", pages.parent / "score.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
