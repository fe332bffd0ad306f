"""Golden files: each folder under tests/data/extract holds a page and what a listener should hear.

``input.*`` is a page written for these tests in the shape of real news pages
(menus, share bars, captions, related links, newsletter boxes, footers);
``expected.txt`` is the article alone as ``articleaudio extract`` prints it;
``expected_meta.json`` lists the metadata that must be found.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from articleaudio.extract.article import extract_source
from articleaudio.extract.ingest import read_source
from articleaudio.models import Article, BlockKind

from ..support.paths import DATA

CASES = sorted(p for p in (DATA / "extract").iterdir() if p.is_dir())


def _input(case: Path) -> Path:
    return next(p for p in case.iterdir() if p.name.startswith("input."))


def _extract(case: Path) -> Article:
    return extract_source(read_source(str(_input(case))))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_text(case: Path) -> None:
    expected = (case / "expected.txt").read_text(encoding="utf-8").strip()
    assert _extract(case).body_text == expected


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_golden_metadata(case: Path) -> None:
    article = _extract(case)
    expected = json.loads((case / "expected_meta.json").read_text(encoding="utf-8"))
    headings = expected.pop("headings", [])
    assert [b.text for b in article.blocks if b.kind is BlockKind.HEADING] == headings
    published = expected.pop("published", None)
    if published:
        assert article.published == datetime.fromisoformat(published)
        assert (article.published.tzinfo is None) == (
            datetime.fromisoformat(published).tzinfo is None
        )
    found = article.to_dict()
    for key, value in expected.items():
        assert found[key] == value, key


def test_cases_cover_languages_and_forms() -> None:
    """The golden set keeps HTML and page copies in several languages."""
    suffixes = {_input(c).suffix for c in CASES}
    languages = {json.loads((c / "expected_meta.json").read_text())["language"] for c in CASES}
    assert {".html", ".txt"} <= suffixes
    assert {"en", "de", "es", "pt", "uk"} <= languages
