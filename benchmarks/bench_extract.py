#!/usr/bin/env python3
"""Extraction quality by kind and language, against plain trafilatura, in one run.

A case is a folder with the input (``page.html`` or ``page.txt``; ``input.*`` in
``tests/data``) and the reference (``expected_body.txt``; ``expected.txt``). By
default every case in ``../shared/samples/pages`` and ``../shared/samples/pages-new``
(the development set) and in ``tests/data/extract`` and ``tests/data/extract_holdout``
is scored with the issue's metric: bag of lower-cased ``\\w+`` tokens, precision /
recall / F1 against the reference (title included).

A case's kind is ``html`` (an HTML page) or ``copy`` (a text file, usually a
whole-page select-all copy); its language is ``language`` in its ``meta.json``
(``expected_meta.json`` in ``tests/data``), else the ``xx-`` prefix of its name,
else ``?``.

Printed: one table per folder (every case, then the folder's means), then a
summary of all cases: means by folder and kind, by kind and language, and the
five worst cases with their precision and recall, so a regression shows at once.

Plain trafilatura means ``trafilatura.bare_extraction`` with default settings,
headline + text. It only reads HTML, so a text copy is given to it as one ``<p>``
per line (the fairest markup-free equivalent). ``--no-baseline`` skips it.

Usage:
    python benchmarks/bench_extract.py [--data DIR ...] [--summary-only]
                                       [--no-baseline] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

import trafilatura
from scipy.stats import pearsonr, spearmanr

from articleaudio.errors import ArticleAudioError
from articleaudio.extract.article import extract_source
from articleaudio.extract.ingest import decode_bytes, read_source

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT.parent / "shared" / "samples"
DEFAULT_DATA = (
    SAMPLES / "pages",
    SAMPLES / "pages-new",
    ROOT / "tests" / "data" / "extract",
    ROOT / "tests" / "data" / "extract_holdout",
)
TOKEN = re.compile(r"\w+", re.UNICODE)
LANG_PREFIX = re.compile(r"^([a-z]{2})-")
WORST = 5
"""How many of the lowest-scoring cases the summary lists."""
OURS = "articleaudio"

Row = dict[str, Any]
"""One case's result: case, set, kind, lang, and per extractor {p, r, f1, seconds}."""


@dataclass(frozen=True)
class Case:
    """One page and its reference text."""

    name: str
    folder: str
    """The folder of cases it came from (its set)."""
    page: Path
    gold: str
    lang: str

    @property
    def is_html(self) -> bool:
        return self.page.suffix in {".html", ".htm"}

    @property
    def kind(self) -> str:
        return "html" if self.is_html else "copy"


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    """Token precision, recall and F1 (the definition in shared/samples/score.py)."""
    p, g = Counter(TOKEN.findall(pred.lower())), Counter(TOKEN.findall(gold.lower()))
    overlap = sum((p & g).values())
    precision = overlap / sum(p.values()) if p else 0.0
    recall = overlap / sum(g.values()) if g else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def _first(case: Path, names: Iterable[str]) -> Path | None:
    return next((p for n in names if (p := case / n).exists()), None)


def case_language(case: Path) -> str:
    """The case's language: its meta file's ``language``, else its name's ``xx-`` prefix."""
    meta = _first(case, ("meta.json", "expected_meta.json"))
    language = json.loads(meta.read_text(encoding="utf-8")).get("language") if meta else None
    if isinstance(language, str) and language:
        return language
    prefix = LANG_PREFIX.match(case.name)
    return prefix.group(1) if prefix else "?"


def find_cases(folders: list[Path]) -> list[Case]:
    cases = []
    for folder in folders:
        for case in sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []:
            page = _first(case, ("page.html", "page.txt"))
            page = page or next(
                (p for p in sorted(case.glob("input.*")) if p.suffix in {".html", ".txt"}), None
            )
            gold = _first(case, ("expected_body.txt", "expected.txt"))
            if page and gold:
                text = gold.read_text(encoding="utf-8")
                cases.append(Case(case.name, folder.name, page, text, case_language(case)))
    return cases


def ours(case: Case) -> str:
    try:
        return extract_source(read_source(str(case.page))).body_text
    except ArticleAudioError:
        return ""  # a refusal reads nothing: it scores 0


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


def run(cases: list[Case], extractors: dict[str, Callable[[Case], str]]) -> list[Row]:
    rows: list[Row] = []
    for case in cases:
        row: Row = {"case": case.name, "set": case.folder, "kind": case.kind, "lang": case.lang}
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


def confidence_cell(row: Row) -> str:
    """The per-case table's last column: the extraction's confidence."""
    value = row.get("confidence")
    return f" | conf {value:4.2f}" if isinstance(value, float) else " | conf  n/a"


def confidence_summary(rows: list[Row], label: str = "articleaudio") -> str:
    """How well articleaudio's confidence predicts its F1 here (Pearson and Spearman)."""
    pairs = [
        (float(row["confidence"]), float(row[label]["f1"]))
        for row in rows
        if isinstance(row.get("confidence"), float)
    ]
    if len(pairs) < 3 or len({c for c, _ in pairs}) < 2 or len({f for _, f in pairs}) < 2:
        return f"confidence vs F1: too few distinct cases ({len(pairs)})"
    conf, f1 = zip(*pairs, strict=True)
    pearson, spearman = pearsonr(conf, f1)[0], spearmanr(conf, f1)[0]
    scores = f"Pearson {pearson:+.3f}, Spearman {spearman:+.3f}"
    return f"confidence vs F1 ({len(pairs)} cases): {scores}"


def _mean(rows: list[Row], label: str, key: str) -> float:
    values = [row[label][key] for row in rows]
    return sum(values) / len(values) if values else 0.0


def _cells(rows: list[Row], labels: list[str]) -> str:
    return "".join(
        " | " + " ".join(f"{_mean(rows, label, key):6.3f}" for key in ("p", "r", "f1"))
        for label in labels
    )


def _header(first: str, labels: list[str]) -> list[str]:
    head = f"{first:<44}" + "".join(f" | {label:^20}" for label in labels)
    sub = f"{'':<44}" + "".join(f" | {'P':>6} {'R':>6} {'F1':>6}" for _ in labels)
    return [head, sub, "-" * len(sub)]


def report(rows: list[Row], labels: list[str]) -> str:
    """Every case of one folder, then the folder's means by kind."""
    lines = _header("case                               kind lang", labels)
    for row in rows:
        lines.append(
            f"{row['case'][:34]:<34} {row['kind']:<4} {row['lang']:<4}"
            + _cells([row], labels)
            + confidence_cell(row)
        )
    lines.append("-" * len(lines[1]))
    for kind in ("html", "copy", "all"):
        group = [r for r in rows if kind in {"all", r["kind"]}]
        if group:
            lines.append(f"{'MEAN ' + kind + f' ({len(group)})':<44}" + _cells(group, labels))
    return "\n".join(lines)


def _grouped(rows: list[Row], key: Callable[[Row], str]) -> dict[str, list[Row]]:
    groups: dict[str, list[Row]] = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return dict(sorted(groups.items()))


def summary(rows: list[Row], labels: list[str]) -> str:
    """Means by folder and kind, by kind and language, and the worst cases (by our F1)."""
    lines = [f"== summary: {len(rows)} cases", *_header("folder / kind                n", labels)]
    for name, group in _grouped(rows, lambda r: f"{r['set']:<20} {r['kind']:<5}").items():
        lines.append(f"{name:<26} {len(group):>4}" + " " * 13 + _cells(group, labels))
    for kind, group in _grouped(rows, lambda r: f"{'all':<20} {r['kind']:<5}").items():
        lines.append(f"{kind:<26} {len(group):>4}" + " " * 13 + _cells(group, labels))
    lines += ["", *_header("kind × language              n", labels)]
    for name, group in _grouped(rows, lambda r: f"{r['kind']:<5} {r['lang']:<4}").items():
        lines.append(f"{name:<26} {len(group):>4}" + " " * 13 + _cells(group, labels))
    worst = sorted(rows, key=lambda r: (r[OURS]["f1"], r["case"]))[:WORST]
    lines += ["", *_header(f"worst {len(worst)} by {OURS} F1", [OURS])]
    lines += [f"{row['case'][:44]:<44}" + _cells([row], [OURS]) for row in worst]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, action="append", help="folder of case folders (repeatable)"
    )
    parser.add_argument("--json", type=Path, help="also write every case's result here")
    parser.add_argument("--summary-only", action="store_true", help="print only the summary")
    parser.add_argument("--no-baseline", action="store_true", help="skip plain trafilatura")
    args = parser.parse_args(argv)
    folders = args.data or [p for p in DEFAULT_DATA if p.is_dir()]
    extractors: dict[str, Callable[[Case], str]] = {OURS: ours}
    if not args.no_baseline:
        extractors["trafilatura"] = plain_trafilatura
    rows: list[Row] = []
    for folder in folders:
        cases = find_cases([folder])
        folder_rows = run(cases, extractors)
        if folder_rows and not args.summary_only:
            print(f"\n== {folder}\n{report(folder_rows, list(extractors))}")
        rows += folder_rows
    if not rows:
        print("no cases found in " + ", ".join(map(str, folders)), file=sys.stderr)
        return 1
    print("\n" + summary(rows, list(extractors)))
    print(confidence_summary(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
