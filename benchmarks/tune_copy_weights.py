#!/usr/bin/env python3
"""Fit the text-copy reader's weights on the development copies, and check the fit.

Two tables of weights decide most of what the text-copy reader does:
``copy_sections.WEIGHTS`` (does the article run on into the next section?) and
``headline.WEIGHTS`` (which line is the headline?). This script scores every text
copy (``page.txt`` in ``shared/samples/pages`` and ``pages-new``) under each
combination of a small grid around the shipped values, then reports

* the shipped weights' mean and worst F1 (in-sample: they were set on these copies);
* **leave-one-site-out**: for each copy, the best weights on all *other* copies,
  scored on the one left out (how well a weight choice carries to an unseen site);
* **split**: weights fitted on ``pages/`` plus the first half of ``pages-new/``,
  scored on the second half, and the reverse.

Usage:
    python benchmarks/tune_copy_weights.py [--data DIR ...] [--json OUT.json]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from bench_extract import Case, find_cases, ours, prf

from articleaudio.extract import copy_sections, headline

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = (
    ROOT.parent / "shared" / "samples" / "pages",
    ROOT.parent / "shared" / "samples" / "pages-new",
)
GRID: dict[str, dict[str, tuple[float, ...]]] = {
    "sections": {
        "bias": (-0.6, -0.2, 0.2),
        "on_topic": (2.0, 4.0, 6.0),
        "closer": (-0.5, -1.5, -2.5),
        "gap": (0.0, -0.15, -0.3),
    },
    "headline": {
        "echo": (0.0, 2.0, 4.0, 6.0),
        "byline_above": (0.0, 3.0),
        "list_item": (0.0, 2.0),
    },
}
"""Weights varied per table (the others stay as shipped)."""
TABLES = {"sections": copy_sections.WEIGHTS, "headline": headline.WEIGHTS}


@contextmanager
def weights(table: dict[str, float], values: dict[str, float]) -> Iterator[None]:
    saved = dict(table)
    table.update(values)
    try:
        yield
    finally:
        table.clear()
        table.update(saved)


def score_grid(cases: list[Case], name: str) -> dict[tuple[float, ...], list[float]]:
    """F1 of every case under each combination of the table's grid."""
    grid = GRID[name]
    out: dict[tuple[float, ...], list[float]] = {}
    for combo in itertools.product(*grid.values()):
        with weights(TABLES[name], dict(zip(grid, combo, strict=True))):
            out[combo] = [prf(ours(case), case.gold)[2] for case in cases]
    return out


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def best_on(table: dict[tuple[float, ...], list[float]], keep: list[int]) -> tuple[float, ...]:
    """The combination with the best mean F1 over the cases at ``keep`` (ties: the worst
    case decides, then the first combination)."""
    return max(
        table,
        key=lambda c: (_mean([table[c][k] for k in keep]), min(table[c][k] for k in keep)),
    )


def evaluate(cases: list[Case], name: str) -> dict[str, object]:
    table = score_grid(cases, name)
    shipped = tuple(TABLES[name][key] for key in GRID[name])
    everyone = list(range(len(cases)))
    loso = []
    for k in everyone:
        combo = best_on(table, [j for j in everyone if j != k])
        loso.append(table[combo][k])
    new = [k for k, c in enumerate(cases) if "pages-new" in str(c.page)]
    old = [k for k in everyone if k not in new]
    halves = (new[: len(new) // 2], new[len(new) // 2 :])
    split = []
    for train, test in (halves, halves[::-1]):
        combo = best_on(table, old + train)
        split.append(
            {
                "weights": combo,
                "test_mean": _mean([table[combo][k] for k in test]),
                "shipped_test_mean": _mean([table[shipped][k] for k in test]),
            }
        )
    means = sorted(_mean(scores) for scores in table.values())
    return {
        "grid_size": len(table),
        "grid_mean_range": (means[0], means[-1]),
        "grid_near_best": sum(m >= means[-1] - 0.001 for m in means),
        "varied": list(GRID[name]),
        "shipped": shipped,
        "shipped_mean": _mean(table[shipped]) if shipped in table else None,
        "shipped_worst": min(table[shipped]) if shipped in table else None,
        "best_in_sample": best_on(table, everyone),
        "loso_mean": _mean(loso),
        "loso_worst": min(loso),
        "loso_per_case": {c.name: f for c, f in zip(cases, loso, strict=True)},
        "split": split,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data", type=Path, action="append", help="folder of case folders")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    folders = args.data or [p for p in DEFAULT_DATA if p.is_dir()]
    cases = [c for c in find_cases(folders) if not c.is_html]
    results = {name: evaluate(cases, name) for name in GRID}
    for name, result in results.items():
        print(f"== {name}: varied {', '.join(result['varied'])}")  # type: ignore[arg-type]
        keys = ("grid_size", "grid_mean_range", "grid_near_best", "shipped", "shipped_mean")
        for key in (*keys, "shipped_worst", "best_in_sample"):
            print(f"  {key:<15} {result[key]}")
        loso = f"mean {result['loso_mean']:.3f} worst {result['loso_worst']:.3f}"
        print(f"  leave-one-site-out {loso}")
        for half in result["split"]:  # type: ignore[attr-defined]
            print(
                f"  split: fitted {half['weights']} -> other half {half['test_mean']:.3f}"
                f" (shipped: {half['shipped_test_mean']:.3f})"
            )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, default=list), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
