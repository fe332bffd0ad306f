#!/usr/bin/env python3
"""Extraction quality: articleaudio's extract stage against plain trafilatura, in one run.

For every case (a folder with ``page.html`` or ``page.txt`` and ``expected_body.txt``,
as in ``shared/samples/pages``; and the pages under ``tests/data/extract`` and
``tests/data/extract_holdout``, whose ``input.*`` and ``expected.txt`` play those
parts) both extractors run on the same input and are scored with the issue's metric:
bag of lower-cased ``\\w+`` tokens, precision / recall / F1 against the reference
(title included).

Plain trafilatura means ``trafilatura.bare_extraction`` with default settings,
headline + text. It only reads HTML, so a text copy is given to it as one ``<p>``
per line (the fairest markup-free equivalent).

Usage:
    python benchmarks/bench_extract.py [--data DIR ...] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path

import trafilatura
from scipy.stats import pearsonr, spearmanr

from articleaudio.errors import ArticleAudioError
from articleaudio.extract.article import extract_source
from articleaudio.extract.ingest import decode_bytes, read_source

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (
    ROOT.parent / "shared" / "samples" / "pages",
    ROOT / "tests" / "data" / "extract",
    ROOT / "tests" / "data" / "extract_holdout",
)
TOKEN = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Case:
    """One page and its reference text."""

    name: str
    page: Path
    gold: str

    @property
    def is_html(self) -> bool:
        return self.page.suffix in {".html", ".htm"}


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 (the definition in shared/samples/score.py)."""
    p, g = Counter(TOKEN.findall(pred.lower())), Counter(TOKEN.findall(gold.lower()))
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def find_cases(folders: list[Path]) -> list[Case]:
    cases = []
    for folder in folders:
        for case in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
            page = next((p for n in ("page.html", "page.txt") if (p := case / n).exists()), None)
            page = page or next(
                (p for p in case.glob("input.*") if p.suffix in {".html", ".txt"}), None
            )
            gold = next(
                (p for n in ("expected_body.txt", "expected.txt") if (p := case / n).exists()), None
            )
            if page and gold:
                cases.append(Case(case.name, page, gold.read_text(encoding="utf-8")))
    return cases


def ours(case: Case) -> str:
    try:
        return extract_source(read_source(str(case.page))).body_text
    except ArticleAudioError:
        return ""


def plain_trafilatura(case: Case) -> str:
    data = case.page.read_bytes()  # HTML as bytes: trafilatura detects the charset itself
    if not case.is_html:
        text = decode_bytes(data, str(case.page))  # the same decoding our reader gets
        paragraphs = "".join(f"<p>{escape(line)}</p>" for line in text.splitlines() if line.strip())
        data = f"<html><body>{paragraphs}</body></html>".encode()
    doc = trafilatura.bare_extraction(data, with_metadata=True)
    if doc is None:
        return ""
    return "\n\n".join(part for part in (doc.title or "", doc.text or "") if part)  # type: ignore[union-attr]


def run(cases: list[Case], extractors: dict[str, Callable[[Case], str]]) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for case in cases:
        row: dict[str, object] = {"case": case.name, "kind": "html" if case.is_html else "text"}
        for label, extractor in extractors.items():
            start = time.perf_counter()
            p, r, f = prf(extractor(case), case.gold)
            row[label] = {"p": p, "r": r, "f1": f, "seconds": time.perf_counter() - start}
        row["confidence"] = confidence_of(case)
        rows.append(row)
    return rows


def confidence_of(case: Case) -> float | None:
    """articleaudio's confidence in its extraction of the case (None: it refused the page)."""
    try:
        return extract_source(read_source(str(case.page))).confidence
    except ArticleAudioError:
        return None


def confidence_cell(row: dict[str, object]) -> str:
    """The per-case table's last column: the extraction's confidence."""
    value = row.get("confidence")
    return f" | conf {value:4.2f}" if isinstance(value, float) else " | conf  n/a"


def confidence_summary(rows: list[dict[str, object]], label: str = "articleaudio") -> str:
    """How well articleaudio's confidence predicts its F1 here (Pearson and Spearman)."""
    pairs = [
        (float(row["confidence"]), float(row[label]["f1"]))  # type: ignore[arg-type,index]
        for row in rows
        if isinstance(row.get("confidence"), float)
    ]
    if len(pairs) < 3 or len({c for c, _ in pairs}) < 2 or len({f for _, f in pairs}) < 2:
        return f"confidence vs F1: too few distinct cases ({len(pairs)})"
    conf, f1 = zip(*pairs, strict=True)
    pearson, spearman = pearsonr(conf, f1)[0], spearmanr(conf, f1)[0]
    scores = f"Pearson {pearson:+.3f}, Spearman {spearman:+.3f}"
    return f"confidence vs F1 ({len(pairs)} cases): {scores}"


def _mean(rows: list[dict[str, object]], label: str, key: str) -> float:
    values = [row[label][key] for row in rows]  # type: ignore[index]
    return sum(values) / len(values) if values else 0.0


def report(rows: list[dict[str, object]], labels: list[str]) -> str:
    head = f"{'case':<34} {'kind':<5}" + "".join(f" | {label:^20}" for label in labels)
    sub = f"{'':<40}" + "".join(f" | {'P':>6}{'R':>7}{'F1':>7}" for _ in labels)
    lines = [head, sub, "-" * len(sub)]
    for row in rows:
        cells = "".join(
            f" | {row[label]['p']:6.3f} {row[label]['r']:6.3f} {row[label]['f1']:6.3f}"  # type: ignore[index]
            for label in labels
        )
        lines.append(f"{row['case']:<34} {row['kind']:<5}{cells}{confidence_cell(row)}")
    lines.append("-" * len(sub))
    for kind in ("html", "text", "all"):
        group = [r for r in rows if kind == "all" or r["kind"] == kind]
        if group:
            cells = "".join(
                " | " + " ".join(f"{_mean(group, label, key):6.3f}" for key in ("p", "r", "f1"))
                for label in labels
            )
            lines.append(f"{'MEAN ' + kind + f' ({len(group)})':<40}{cells}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, action="append", help="folder of case folders (repeatable)"
    )
    parser.add_argument("--json", type=Path, help="also write per-case results here")
    args = parser.parse_args(argv)
    folders = args.data or [p for p in DEFAULT_DATA if p.is_dir()]
    extractors = {"articleaudio": ours, "trafilatura": plain_trafilatura}
    for folder in folders:
        cases = find_cases([folder])
        if not cases:
            continue
        print(f"\n== {folder}")
        rows = run(cases, extractors)
        print(report(rows, list(extractors)))
        print(confidence_summary(rows))
        if args.json:
            out = args.json.with_name(f"{args.json.stem}-{folder.name}{args.json.suffix}")
            out.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
