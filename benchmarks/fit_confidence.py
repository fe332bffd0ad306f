#!/usr/bin/env python3
"""Fit the extraction confidence score's weights on the development set, and say how well
it predicts token F1 (in-sample and cross-validated by site).

Every case of the development set (``shared/samples/pages``, ``pages-new``,
``tests/data/extract``, ``tests/data/extract_holdout``; a case is a folder with
``page.html``/``page.txt`` or ``input.*``, and ``expected_body.txt`` or ``expected.txt``,
as bench_extract.py finds them) is extracted twice: by articleaudio, and by plain
trafilatura (as bench_extract.py runs it). F1 is the issue's token F1 (bag of lower-cased
``\\w+`` tokens, headline included), as in ``shared/samples/score.py``. Each extraction
gives the signals of :mod:`articleaudio.extract.evidence` and its F1 against the
reference. Two extractors, so that the weights learn what a bad
extraction looks like in general, not the few ways one extractor fails.

The model is a logistic regression of "F1 >= GOOD" on the signals, fitted by Newton's
method with an L2 penalty (intercept unpenalised): the score is the probability that the
extraction is good. Cross-validation leaves out one site at a time (a page's HTML and its
text copy are one site, and so are both extractors' outputs of them), fits on the rest and
scores the site left out.

Usage:
    python benchmarks/fit_confidence.py [--good 0.9] [--l2 1.0] [--threshold 0.6]
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from html import escape
from pathlib import Path

import numpy as np
import trafilatura
from scipy.stats import pearsonr, spearmanr

from articleaudio.errors import ArticleAudioError
from articleaudio.extract import extract_source, read_source
from articleaudio.extract.confidence import WEIGHTS, combine
from articleaudio.extract.evidence import Evidence, measure
from articleaudio.extract.ingest import decode_bytes
from articleaudio.models import Article, Block, BlockKind

# The cases and the metric are bench_extract.py's, beside this script.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_extract import DEFAULT_DATA as DEV_DATA
from bench_extract import Case, find_cases, prf

SIGNALS = [name for name in WEIGHTS if name != "bias"]


def token_f1(pred: str, gold: str) -> float:
    """The issue's metric: F1 of the bags of lower-cased word tokens."""
    return prf(pred, gold)[2]


@dataclass(frozen=True)
class Row:
    """One extraction of one case: its site, extractor, F1 and signals."""

    case: str
    site: str
    extractor: str
    f1: float
    evidence: Evidence | None
    """None: the extractor refused the page."""


def site_of(name: str) -> str:
    """The page behind a case name: '68-copy-sfgate-x' and '50-sfgate-x' are one site."""
    return re.sub(r"^(\d+-)?((copy|html|txt)-)?", "", name)


def trafilatura_article(case: Case, language: str) -> Article | None:
    """Plain trafilatura's headline and text as an Article (None when it finds nothing);
    a text copy is given to it as bench_extract.py gives it, one ``<p>`` per line."""
    data = case.page.read_bytes()
    if not case.is_html:
        text = decode_bytes(data, str(case.page))
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
        data = f"<html><body>{paragraphs}</body></html>".encode()
    doc = trafilatura.bare_extraction(data, with_metadata=True)
    lines = [line.strip() for line in (doc.text or "").splitlines()] if doc else []  # type: ignore[union-attr]
    if doc is None or not any(lines):
        return None
    blocks = tuple(Block(BlockKind.PARAGRAPH, line) for line in lines if line)
    return Article(title=(doc.title or "").strip(), blocks=blocks, language=language)  # type: ignore[union-attr]


def rows_of(case: Case) -> list[Row]:
    source = read_source(str(case.page))
    site = site_of(case.name)
    try:
        ours: Article | None = extract_source(source)
    except ArticleAudioError:
        ours = None
    theirs = trafilatura_article(case, ours.language if ours else "en")
    out = []
    for label, article in (("articleaudio", ours), ("trafilatura", theirs)):
        if article is None:
            out.append(Row(case.name, site, label, 0.0, None))
            continue
        f1 = token_f1(article.body_text, case.gold)
        evidence = measure(article, source.text, source.kind)
        out.append(Row(case.name, site, label, f1, evidence))
    return out


def matrix(rows: list[Row]) -> np.ndarray:
    values = [[1.0, *(r.evidence.values()[n] for n in SIGNALS)] for r in rows if r.evidence]
    return np.array(values)


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Penalised logistic regression by Newton's method (y may be fractional)."""
    w = np.zeros(x.shape[1])
    penalty = np.eye(x.shape[1]) * l2
    penalty[0, 0] = 0.0
    for _ in range(100):
        p = 1 / (1 + np.exp(-(x @ w)))
        gradient = x.T @ (p - y) + penalty @ w
        hessian = x.T @ (x * (p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-9:
            break
    return w


def predict(w: np.ndarray, x: np.ndarray) -> np.ndarray:
    out: np.ndarray = 1 / (1 + np.exp(-(x @ w)))
    return out


def cross_validated(rows: list[Row], good: float, l2: float) -> dict[int, float]:
    """Each scored row's confidence from weights fitted without its site."""
    scored = [r for r in rows if r.evidence]
    out: dict[int, float] = {}
    for site in sorted({r.site for r in scored}):
        train = [r for r in scored if r.site != site]
        w = fit(matrix(train), np.array([r.f1 >= good for r in train], float), l2)
        for i, row in enumerate(scored):
            if row.site == site:
                out[i] = float(predict(w, matrix([row]))[0])
    return out


def correlations(conf: list[float], f1: list[float]) -> str:
    if len(set(conf)) < 2:
        return "n/a"
    return f"Pearson {pearsonr(conf, f1)[0]:+.3f}, Spearman {spearmanr(conf, f1)[0]:+.3f}"


def alarms(conf: list[float], f1: list[float], good: float, threshold: float) -> str:
    bad = [c for c, f in zip(conf, f1, strict=True) if f < good]
    fine = [c for c, f in zip(conf, f1, strict=True) if f >= good]
    caught = sum(c < threshold for c in bad)
    false = sum(c < threshold for c in fine)
    return f"F1<{good}: {caught}/{len(bad)} warned; false alarms {false}/{len(fine)}"


def summary(label: str, rows: list[Row], conf: list[float], args: argparse.Namespace) -> None:
    f1 = [r.f1 for r in rows]
    print(f"  {label:<34} n={len(rows):>3}  {correlations(conf, f1)}")
    print(f"  {'':<34}        {alarms(conf, f1, args.good, args.threshold)}")


def report(rows: list[Row], weights: np.ndarray, args: argparse.Namespace) -> None:
    scored = [r for r in rows if r.evidence]
    fitted = list(predict(weights, matrix(scored)))
    stored = [combine(r.evidence) for r in scored if r.evidence]
    cv = cross_validated(rows, args.good, args.l2)
    held = [cv[i] for i in range(len(scored))]
    for extractor in ("articleaudio", "trafilatura", None):
        picked = [i for i, r in enumerate(scored) if extractor in (None, r.extractor)]
        sub = [scored[i] for i in picked]
        print(f"\n{extractor or 'both extractors'}:")
        summary("weights in confidence.py", sub, [stored[i] for i in picked], args)
        summary("fitted now, in-sample", sub, [fitted[i] for i in picked], args)
        summary("fitted now, leave-one-site-out", sub, [held[i] for i in picked], args)
    refused = [r for r in rows if not r.evidence and r.extractor == "articleaudio"]
    print(f"\nrefused by articleaudio (an Error, not a score): {[r.case for r in refused]}")


def print_cases(rows: list[Row]) -> None:
    print(f"{'case':<40} {'extractor':<13} {'F1':>6} {'conf':>6}  " + " ".join(SIGNALS))
    for row in rows:
        conf = f"{combine(row.evidence):6.3f}" if row.evidence else "   n/a"
        values = row.evidence.values() if row.evidence else {}
        cells = " ".join(f"{values.get(n, 0.0):.2f}" for n in SIGNALS)
        print(f"{row.case:<40} {row.extractor:<13} {row.f1:6.3f} {conf}  {cells}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--good", type=float, default=0.9, help="F1 that counts as good")
    parser.add_argument("--l2", type=float, default=1.0, help="L2 penalty on the weights")
    parser.add_argument("--threshold", type=float, default=0.6, help="warning threshold")
    parser.add_argument("--cases", action="store_true", help="print every case's signals")
    args = parser.parse_args(argv)
    cases = find_cases(list(DEV_DATA))
    rows = [row for case in cases for row in rows_of(case)]
    if args.cases:
        print_cases(rows)
    scored = [r for r in rows if r.evidence]
    weights = fit(matrix(scored), np.array([r.f1 >= args.good for r in scored], float), args.l2)
    print("WEIGHTS = {")
    for name, value in zip(["bias", *SIGNALS], weights, strict=True):
        print(f'    "{name}": {value:.2f},')
    print("}")
    report(rows, weights, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
