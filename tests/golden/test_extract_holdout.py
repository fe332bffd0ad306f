"""Pages written after the rules were set, to check they carry over to unseen layouts.

Each folder under tests/data/extract_holdout has ``input.*`` and ``expected.txt``.
They are scored like the issue's sample set (token F1, title included) rather than
compared exactly, since their purpose is to measure, not to pin every line.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from articleaudio.extract.article import extract_source
from articleaudio.extract.ingest import read_source

from ..support.paths import DATA

CASES = sorted(p for p in (DATA / "extract_holdout").iterdir() if p.is_dir())
MIN_F1 = 0.9
MIN_MEAN_F1 = 0.95


def token_f1(pred: str, gold: str) -> float:
    """Bag-of-words F1 over lower-cased ``\\w+`` tokens, as shared/samples/score.py counts."""
    p = Counter(re.findall(r"\w+", pred.lower()))
    g = Counter(re.findall(r"\w+", gold.lower()))
    overlap = sum((p & g).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / sum(p.values()), overlap / sum(g.values())
    return 2 * precision * recall / (precision + recall)


def _f1(case: Path) -> float:
    source = read_source(str(next(case.glob("input.*"))))
    return token_f1(extract_source(source).body_text, (case / "expected.txt").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_holdout_page_f1(case: Path) -> None:
    assert _f1(case) >= MIN_F1


def test_holdout_mean_f1() -> None:
    scores = [_f1(case) for case in CASES]
    assert len(scores) >= 6
    assert sum(scores) / len(scores) >= MIN_MEAN_F1
