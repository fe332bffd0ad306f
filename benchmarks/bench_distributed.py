"""A batch of 10 articles in process, on 1 worker and on 2 workers (not a timed test).

    .venv/bin/python benchmarks/bench_distributed.py [--articles N] [--paragraphs N] [--json F]

Starts a private ``redis-server`` on a free loopback port and builds the same batch
three ways, each into a fresh library with the sentence cache off (so no run is
helped by the one before):

- ``inprocess``: ``articleaudio build`` of the batch (one process, a synthesis
  process per core);
- ``1 worker``: ``build --broker`` of the batch, one ``articleaudio worker`` (a
  synthesis process per core) building it;
- ``1 worker x 1``: one worker of one synthesis process, pinned to one core (K = 1);
- ``2 workers``: two workers of one synthesis process each, each pinned to a core of
  its own (K = 2: two one-core machines).

For each: wall seconds from the first job queued to the last one done, audio seconds
made, and throughput (audio seconds per wall second). Then the broker's costs: the
Redis round trips per job (the EVALSHA, PING, ZSCORE, GET and SET calls of ``INFO
commandstats`` before and after the batch, divided by the jobs: the workers' polling
while they build is in it, since a busy worker polls less than an idle one and the
two cannot be told apart; the idle workers' polling rate, measured apart for 10 s, is
printed beside it), and the latency a
job waits between being sent and being claimed by an idle, warm worker (median of 5
one-paragraph jobs).

Last, what the machine itself allows: one voice speaking a fixed text on one core,
then two at once on a core each (``hardware``). Two processes that share nothing run
slower together than alone on some machines (cores that share a cache or a physical
core in a virtual machine), and K = 2 against K = 1 cannot beat that ratio.

Texts: the reference bodies of ``../shared/samples/pages`` (their first
``--paragraphs`` paragraphs; a copy page's title gets ``(copy)`` so that each is its
own episode).
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

import redis

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from articleaudio.jobs import broker_settings, build_sources, enqueue_sources  # noqa: E402
from articleaudio.library import JobState, open_job_store  # noqa: E402
from articleaudio.settings import BuildSettings  # noqa: E402

PAGES = ROOT.parent / "shared" / "samples" / "pages"
CLI = "from articleaudio.cli import main; main()"
ARTICLES = 10
IDLE_S = 10.0
"""How long the idle workers' own Redis traffic is measured."""


def write_batch(folder: Path, paragraphs: int, articles: int = ARTICLES) -> list[Path]:
    """The batch's Markdown files, one per shared page (the first ``articles`` pages)."""
    folder.mkdir(parents=True)
    files = []
    for page in sorted(PAGES.iterdir())[:articles]:
        title, *body = (page / "expected_body.txt").read_text().strip().split("\n\n")
        title = f"{title.strip()} (copy)" if "-copy-" in page.name else title.strip()
        path = folder / f"{page.name}.md"
        path.write_text(f"# {title}\n\n" + "\n\n".join(body[:paragraphs]) + "\n")
        files.append(path)
    return files


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def redis_server(root: Path) -> Iterator[str]:
    port = free_port()
    args = ["redis-server", "--bind", "127.0.0.1", "--port", str(port), "--dir", str(root)]
    proc = subprocess.Popen([*args, "--save", "", "--appendonly", "no"], stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = redis.Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.05)
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@contextmanager
def workers(url: str, library: Path, per_worker: list[int], *, pin: bool = False) -> Iterator[None]:
    """Start one worker per entry (its synthesis processes); ``pin``: worker ``n`` and
    everything it starts run on core ``n`` only, as if each were a one-core machine."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    procs, started = [], time.time()
    for n, jobs in enumerate(per_worker):
        log = (library.parent / f"{library.name}-worker{n}.log").open("wb")
        args = [sys.executable, "-c", CLI, "worker", "--broker", url, "-o", str(library)]
        core = (lambda n=n: os.sched_setaffinity(0, {n})) if pin else None
        procs.append(
            subprocess.Popen([*args, "-j", str(jobs)], env=env, stderr=log, preexec_fn=core)
        )
    try:
        wait_polling(url, len(procs), started)
        yield
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)


def wait_polling(url: str, count: int, since: float, timeout: float = 300.0) -> None:
    """Wait until ``count`` worker processes beat on the broker after ``since`` (a loaded
    machine takes many seconds to start one), so their idle polling is measured whole."""
    client, deadline = redis.Redis.from_url(url), time.monotonic() + timeout
    while time.monotonic() < deadline:
        beats = client.zrangebyscore("articleaudio:__heartbeats__", since * 1000, "+inf")
        if sum(b":" in b for b in beats) >= count:  # workers are host:pid, senders are not
            time.sleep(1.0)  # their first fetches done
            return
        time.sleep(0.2)
    raise SystemExit(f"{count} workers did not start within {timeout:.0f} s")


ROUND_TRIPS = (
    *("cmdstat_evalsha", "cmdstat_eval", "cmdstat_ping", "cmdstat_zscore"),
    *("cmdstat_get", "cmdstat_set"),  # a job's outcome word, for build --broker waiting
)
"""The commands clients send (Dramatiq's are all one EVALSHA of its dispatch script);
``commandstats`` also counts each command a script runs, which are not round trips."""


def commands(url: str) -> int:
    """Round trips to Redis so far, by every client."""
    stats = redis.Redis.from_url(url).info("commandstats")
    return sum(int(stats[name]["calls"]) for name in ROUND_TRIPS if name in stats)


def wait_done(library: Path, count: int) -> list[Any]:
    while True:
        with open_job_store(library) as store:
            jobs = store.jobs()
        ended = [j for j in jobs if j.state in (JobState.DONE, JobState.FAILED)]
        if len(ended) >= count:
            return jobs
        time.sleep(0.5)  # the harness's own polling stays off the workers' cores


def audio_seconds(library: Path) -> float:
    total = 0.0
    for record in (library / "episodes").glob("*/episode.json"):
        total += float(json.loads(record.read_text())["audio"]["duration"])
    return total


def run_inprocess(files: list[Path], library: Path) -> dict[str, float]:
    started = time.monotonic()
    outcomes = build_sources(
        [str(f) for f in files], BuildSettings(output=library, use_cache=False)
    )
    wall = time.monotonic() - started
    assert all(o.built for o in outcomes), [str(o.error) for o in outcomes if o.error]
    return {"wall_s": wall, "audio_s": audio_seconds(library)}


def run_workers(
    files: list[Path], library: Path, url: str, per_worker: list[int], *, pin: bool = False
) -> dict[str, Any]:
    settings = BuildSettings(output=library, use_cache=False)
    with workers(url, library, per_worker, pin=pin):
        before, idle_started = commands(url), time.monotonic()
        time.sleep(IDLE_S)
        idle_rate = (commands(url) - before) / (time.monotonic() - idle_started)
        before, started = commands(url), time.monotonic()
        enqueue_sources([str(f) for f in files], settings, broker_settings(url))
        jobs = wait_done(library, len(files))
        wall = time.monotonic() - started
        sent = commands(url) - before  # polling included (see the module docstring)
        audio = audio_seconds(library)
        latency = pickup_latency(library, url, settings)
    failed = [j.error for j in jobs if j.state is JobState.FAILED]
    assert not failed, failed
    return {
        "wall_s": wall,
        "audio_s": audio,
        "redis_round_trips_per_job": sent / len(files),
        "idle_round_trips_per_s": idle_rate,
        "pickup_latency_s": latency,
    }


def pickup_latency(library: Path, url: str, settings: BuildSettings) -> float:
    """Median seconds from a job's creation to its claim by an idle, warm worker."""
    folder = library.parent / f"{library.name}-one"
    folder.mkdir()
    waits = []
    for n in range(5):
        path = folder / f"note-{n}.md"
        path.write_text(f"# Note {n}\n\nThe bridge reopened on Monday, note {n}.\n")
        ((job, _),) = enqueue_sources([str(path)], replace(settings), broker_settings(url))
        while True:
            with open_job_store(library) as store:
                now = store.get(job.id)
            if now.state is JobState.DONE and now.started and now.created:
                waits.append((now.started - now.created).total_seconds())
                break
            time.sleep(0.02)
    return statistics.median(waits)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=ARTICLES, help="At most 10 (the pages).")
    parser.add_argument("--paragraphs", type=int, default=6)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="bench-distributed-"))
    try:
        files = write_batch(root / "articles", args.paragraphs, args.articles)
        results: dict[str, Any] = {"articles": len(files), "cores": os.cpu_count()}
        results["inprocess"] = run_inprocess(files, root / "inprocess")
        with redis_server(root) as url:
            results["1 worker"] = run_workers(files, root / "one", url, [os.cpu_count() or 1])
            # K machines of one core each: one worker of one synthesis process pinned to
            # one core is K = 1, two such workers on a core each K = 2 (unpinned, a worker
            # of one synthesis process masters and encodes on the other core).
            results["1 worker x 1"] = run_workers(files, root / "single", url, [1], pin=True)
            results["2 workers"] = run_workers(files, root / "two", url, [1, 1], pin=True)
        if (os.cpu_count() or 1) >= 2:
            results["hardware"] = hardware()
        report(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        shutil.rmtree(root, ignore_errors=True)


SPEAK = """
import os, sys, time
from articleaudio.synth import find_voice
from articleaudio.synth.synthesize import PiperSynthesizer, SynthesisSettings
voice = PiperSynthesizer(find_voice(None), SynthesisSettings(threads=1))
voice.synthesize("Warm up.")
text = "The council approved the budget after a long debate about the new bridge."
sys.stdout.write("ready\\n"); sys.stdout.flush(); sys.stdin.readline()
started = time.perf_counter()
for _ in range(12):
    voice.synthesize(text)
print(time.perf_counter() - started)
"""


def hardware(cores: int = 2) -> dict[str, float]:
    """Seconds for one voice alone on core 0, and the mean of ``cores`` voices at once
    (one per core), each speaking the same text 12 times."""

    def speak(count: int) -> list[float]:
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", SPEAK],
                env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                preexec_fn=functools.partial(os.sched_setaffinity, 0, {n}),
            )
            for n in range(count)
        ]
        for proc in procs:  # every voice loaded before any starts
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        return [float(proc.communicate()[0]) for proc in procs]

    alone = speak(1)[0]
    together = statistics.mean(speak(cores))
    return {"alone_s": alone, "together_s": together, "ceiling": alone / together * cores}


def report(results: dict[str, Any]) -> None:
    print(f"{results['articles']} articles, {results['cores']} cores")
    for name in ("inprocess", "1 worker", "1 worker x 1", "2 workers"):
        run = results[name]
        run["throughput"] = run["audio_s"] / run["wall_s"]
        line = f"{name:<10} {run['wall_s']:7.1f} s wall  {run['audio_s']:7.1f} s audio  "
        line += f"{run['throughput']:5.2f} audio s / wall s"
        if "redis_round_trips_per_job" in run:
            line += f"  {run['redis_round_trips_per_job']:.0f} Redis round trips/job"
            line += f" (polling included; idle polling {run['idle_round_trips_per_s']:.1f}/s)"
            line += f"  pickup {run['pickup_latency_s'] * 1000:.0f} ms"
        print(line)
    one, two = results["1 worker"]["throughput"], results["2 workers"]["throughput"]
    single = results["1 worker x 1"]["throughput"]
    print(f"2 workers / 1 worker: {two / one:.2f}x")
    print(f"2 workers / 1 worker of 1 process (K = 2 against K = 1): {two / single:.2f}x")
    if "hardware" in results:
        hw = results["hardware"]
        print(
            f"the machine: one voice alone {hw['alone_s']:.2f} s, two at once"
            f" {hw['together_s']:.2f} s each: 2 cores give at most {hw['ceiling']:.2f}x one"
        )


if __name__ == "__main__":
    main()
