"""The listening check: what it costs beside a build, and what each model finds.

    PYTHONPATH=src .venv/bin/python benchmarks/bench_check.py [--models tiny.en base]
                                                             [--json results.json]

1. The benchmark article of ``bench_build.py`` (about 1,700 words) built cold (an
   empty sentence cache, the voice's workers on every core), then checked with each
   model: check time ÷ build time, and how many of its sentences were flagged (it has
   no planted fault; each flag there is a sentence to listen to, most of them
   recogniser slips).
2. The check episode of the tests (``tests/support/check_faults.py``) with every clean
   sentence of ``tests/data/check/clean.txt`` and the twelve planted faults, checked
   with each model: faults flagged (at the right sentence, comparison and kind), clean
   sentences flagged (the false-flag rate), clean sentences heard with any difference
   at all (how often the recogniser mishears correct speech), and the highest score
   a clean sentence got, against which ``FLAG_AT`` is set.

Models not installed are skipped. Absolute seconds depend on the machine's load; the
ratio to the build, measured in the same run, less so.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# The faults and the misspeaking voice are the tests' (tests/support/check_faults.py);
# this script is run from the checkout, so its root is importable.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import main_article  # noqa: E402
from tests.support.check_faults import FAULTS, build_faulty, clean_sentences  # noqa: E402

from articleaudio.check import (  # noqa: E402
    FLAG_AT,
    CheckSettings,
    RecogniserSettings,
    check_episode,
    open_recogniser,
)
from articleaudio.check_report import CheckReport, Flag  # noqa: E402
from articleaudio.errors import ConfigError, RecogniserError  # noqa: E402
from articleaudio.layout import read_episode  # noqa: E402
from articleaudio.pipeline import build_episode  # noqa: E402
from articleaudio.settings import BuildSettings  # noqa: E402


def build_benchmark(work: Path) -> tuple[Path, float]:
    """The benchmark article built cold; (its folder, seconds)."""
    article = work / "benchmark.md"
    article.write_text(main_article()[0], encoding="utf-8")
    settings = BuildSettings(output=work / "bench-library", cache_dir=work / "cache")
    began = time.monotonic()
    built = build_episode(str(article), settings)
    return built.directory, time.monotonic() - began


def build_faults(work: Path) -> Path:
    """The episode of all the clean sentences and the planted faults."""
    folder = work / "faults"
    folder.mkdir()
    built, _ = build_faulty(folder, clean_sentences())
    return built.directory


def score_faults(report: CheckReport, folder: Path) -> dict[str, Any]:
    """Planted faults flagged, clean sentences flagged or misheard, the top clean score."""
    texts = {c.index: c.text for c in read_episode(folder).timeline.cues}
    flags: dict[str, list[Flag]] = {}
    for flag in report.flags:
        flags.setdefault(flag.text, []).append(flag)
    faulty = {f.sentence for f in FAULTS}
    found = [
        f.sentence
        for f in FAULTS
        if any(g.against == f.against and g.kind == f.kind for g in flags.get(f.sentence, []))
    ]
    clean = [s for s in report.scores if texts[s.index] not in faulty]
    return {
        "faults": len(FAULTS),
        "faults_flagged": len(found),
        "faults_missed": sorted(faulty - set(found)),
        "clean": len(clean),
        "clean_flagged": sum(1 for s in clean if s.flagged),
        "clean_misheard": sum(1 for s in clean if s.score > 0),
        "clean_top_score": round(max((s.score for s in clean), default=0.0), 3),
        "clean_scores": sorted((round(s.score, 3) for s in clean if s.score > 0), reverse=True),
        "fault_low_score": round(min(max(g.score for g in flags[s]) for s in found), 3)
        if found
        else None,
        "false_flags": [
            (f.text, f.kind.value, f.meant, f.heard)
            for f in report.flags
            if texts[f.index] not in faulty
        ],
    }


def run(models: list[str], work: Path) -> dict[str, Any]:
    bench_folder, build_seconds = build_benchmark(work)
    faults_folder = build_faults(work)
    results: dict[str, Any] = {"build_seconds": round(build_seconds, 1), "flag_at": FLAG_AT}
    results["load"] = os.getloadavg()
    for model in models:
        settings = CheckSettings(RecogniserSettings(model=model), cache_dir=work / "models")
        try:
            began = time.monotonic()
            recogniser = open_recogniser(settings)
            load = time.monotonic() - began
        except (RecogniserError, ConfigError) as exc:
            print(f"{model}: skipped ({exc})", file=sys.stderr)
            continue
        bench = check_episode(bench_folder, recogniser, settings)
        faults = check_episode(faults_folder, recogniser, settings)
        results[model] = {
            "load_seconds": round(load, 1),
            "check_seconds": round(bench.seconds, 1),
            "check_over_build": round(bench.seconds / build_seconds, 3),
            "bench_sentences": bench.sentences,
            "bench_flagged": bench.flagged,
            "bench_wer": round(bench.wer, 4),
            "faults_check_seconds": round(faults.seconds, 1),
            **score_faults(faults, faults_folder),
        }
        print(model, json.dumps(results[model], indent=1), file=sys.stderr)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["tiny.en", "base"])
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as scratch:
        os.environ.setdefault("ARTICLEAUDIO_CACHE", str(Path(scratch) / "cache"))
        results = run(args.models, Path(scratch))
    results["load_after"] = os.getloadavg()
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
