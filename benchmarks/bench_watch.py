"""A long-running ``articleaudio watch`` with the real voice, on a loopback site.

    .venv/bin/python benchmarks/bench_watch.py [--articles 10] [--polls 100] [--json out.json]

One ``watch`` process (the real Piper voice, a sentence cache of its own that starts
empty, ``--interval 1s``) follows an RSS feed served on 127.0.0.1 by the tests' site
(``tests/support/jobs_web.py``), whose pages are the English sample pages of
``../shared/samples/pages`` (then ``pages-new``), each a different article. It
measures, in that one process:

1. **new item → episode in the feed**: the site adds one item to its feed; the
   seconds until the library's ``feed.xml`` lists one more episode (read from here
   every 50 ms). One article at a time; the median (and range) over ``--articles``.
   It includes the wait for the next poll (up to the interval), the polite second
   between two requests to one host (feed, then page), extraction, synthesis,
   mastering, encoding and the feed's rewrite;
2. **a poll where nothing changed**, over ``--polls`` polls: HTTP requests the site
   received per poll and CPU seconds per poll (``/proc``: the watch process, and its
   synthesis workers), when the feed answers ``304`` (it sends an ETag), then over a
   few polls when the feed is sent whole each time without validators (each page is
   then asked for conditionally, and answers ``304``);
3. **memory**: the RSS of the watch process (and of its workers) after
   ``--polls`` idle polls (the articles' polls before them not counted).

No synthesis happens in parts 2 and 3: nothing is new. Absolute seconds vary with
whatever else the machine is doing; ``uptime`` is printed with the table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import partial
from itertools import pairwise
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the loopback site is the tests' (tests/support/)

from tests.support.jobs_web import Page, Site, site  # noqa: E402

SAMPLES = ROOT.parent / "shared" / "samples"
CASES = (
    # pages/: every English article once (the "copy" cases repeat these articles).
    "pages/00-kyiv-independent-peacekeepers",
    "pages/01-bbc-taylor-swift",
    "pages/05-foxnews-vanderbeek",
    "pages/09-express-hongkong",
    "pages/18-txt-thesun-plague",
    # pages-new/: the shortest English articles, to make ten different ones.
    "pages-new/58-profootballtalk-chargers-lynn",
    "pages-new/50-sfgate-bart-stabbing",
    "pages-new/56-nbcdfw-kidnap-rescue",
    "pages-new/59-buzzfeed-diet-pills",
    "pages-new/53-snopes-yovanovitch-net-worth",
)
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".txt": "text/plain; charset=utf-8"}
FEED = "/feed.xml"
INTERVAL = "1s"
TIMEOUT_S = 900.0
"""Longest wait for one article's episode (a loaded machine is slow, not stuck)."""
RESENT_POLLS = 10
"""Polls with the feed sent whole each time (each costs a second per page: politeness)."""


@dataclass
class Watch:
    """The running watch process, and what its stdout said (one line per event)."""

    proc: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)

    def polls(self) -> int:
        return sum(line.split()[1:2] == ["polling"] for line in self.lines)

    def failures(self) -> list[str]:
        return [line for line in self.lines if line.split()[1:2] in (["failed"], ["job-failed"])]


def case_page(case: str) -> tuple[str, Page, int]:
    """(title, page, words) of a sample case."""
    folder = SAMPLES / case
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    path = folder / meta.get("input_file", "page.txt")
    if not path.is_file():
        path = next(folder.glob("page.*"))
    title = meta.get("title") or folder.name
    words = len((folder / "expected_body.txt").read_text(encoding="utf-8").split())
    return title, Page(path.read_bytes(), media_type=MEDIA_TYPES[path.suffix]), words


def rss(web: Site, listed: list[tuple[str, str]], *, etag: bool = True) -> Page:
    """The site's feed listing these (path, title) items, newest first."""
    now = format_datetime(datetime.now(UTC))
    items = "".join(
        f"<item><title>{_xml(title)}</title><link>{web.base}{path}</link>"
        f"<guid>{web.base}{path}</guid><pubDate>{now}</pubDate></item>"
        for path, title in reversed(listed)
    )
    body = (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Loopback News</title><link>{web.base}/</link>{items}</channel></rss>"
    )
    return Page(body.encode(), media_type="application/rss+xml", etag=etag)


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def episodes_in_feed(library: Path) -> int:
    try:
        return len(ET.parse(library / "feed.xml").getroot().findall("./channel/item"))
    except (OSError, ET.ParseError):
        return 0


def start_watch(web: Site, library: Path, cache: Path) -> Watch:
    command = [sys.executable, "-c", "from articleaudio.cli.app import main; main()", "watch"]
    command += [f"{web.base}{FEED}", "-o", str(library), "--interval", INTERVAL]
    command += ["--allow-private"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "ARTICLEAUDIO_CACHE": str(cache)}
    proc = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env
    )
    watch = Watch(proc)

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            watch.lines.append(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return watch


def wait_for(condition: Any, watch: Watch, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if watch.proc.poll() is not None:
            raise SystemExit(f"watch exited ({watch.proc.returncode}) waiting for {what}")
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}; last lines: {watch.lines[-5:]}")
        time.sleep(0.05)


def tree(pid: int) -> list[int]:
    """The process and its children (the synthesis workers)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        if parent == pid:
            children.append(int(stat.parent.name))
    return [pid, *sorted(children)]


def cpu_s(pid: int) -> float:
    """User + system CPU seconds of one process (``/proc/PID/stat`` fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def latency(
    web: Site, watch: Watch, library: Path, count: int, listed: list[tuple[str, str]]
) -> list[dict[str, Any]]:
    """Part 1: each article added to the feed (and to ``listed``), and the seconds until
    its episode is in the library's feed."""
    results = []
    for case in CASES[:count]:
        title, page, words = case_page(case)
        path = f"/{case.split('/')[1]}{'.html' if 'html' in page.media_type else '.txt'}"
        web.pages[path] = page
        listed.append((path, title))
        before = episodes_in_feed(library)
        started = time.monotonic()
        web.pages[FEED] = rss(web, listed)
        wait_for(partial(_grown, library, before, watch), watch, TIMEOUT_S, f"{case} in the feed")
        if watch.failures():
            raise SystemExit(f"{case} failed: {watch.failures()}")
        seconds = time.monotonic() - started
        results.append({"case": case, "words": words, "seconds": round(seconds, 2)})
        print(f"  {case}: {words} words, {seconds:.1f} s", file=sys.stderr)
    return results


def _grown(library: Path, before: int, watch: Watch) -> bool:
    return episodes_in_feed(library) > before or bool(watch.failures())


def idle_polls(web: Site, watch: Watch, polls: int) -> dict[str, float]:
    """Part 2: requests and CPU seconds per poll while nothing changes.

    Requests are counted exactly, from the site's log: a poll is everything asked from
    one request for the feed to the next. CPU is read at the start of a poll and
    ``polls`` polls later (to within the start of one poll).
    """
    first = watch.polls() + 1
    wait_for(lambda: watch.polls() >= first, watch, 60, "a poll")
    start, cpu = len(web.requests), _tree_cpu(watch.proc.pid)
    wait_for(lambda: watch.polls() >= first + polls, watch, 60 + polls * 30, f"{polls} polls")
    cpu = _tree_cpu(watch.proc.pid) - cpu
    asked = web.requests[start:]
    starts = [n for n, path in enumerate(asked) if path == FEED]
    whole = [asked[a:b] for a, b in pairwise(starts)]
    return {
        "polls": polls,
        "requests_per_poll": statistics.mean(len(poll) for poll in whole),
        "requests_max": max(len(poll) for poll in whole),
        "cpu_s_per_poll": cpu / polls,
    }


def _tree_cpu(pid: int) -> float:
    return sum(cpu_s(p) for p in tree(pid))


@dataclass(frozen=True)
class Options:
    articles: int
    polls: int


def run(options: Options) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-watch-") as tmp, site() as web:
        library, cache = Path(tmp) / "library", Path(tmp) / "cache"
        web.pages[FEED] = rss(web, [])
        watch = start_watch(web, library, cache)
        try:
            wait_for(lambda: watch.polls() >= 1, watch, 300, "the first poll")
            listed: list[tuple[str, str]] = []
            articles = latency(web, watch, library, options.articles, listed)
            quiet = idle_polls(web, watch, options.polls)
            pids = tree(watch.proc.pid)
            memory = {"watch_rss_mb": rss_mb(pids[0]), "workers_rss_mb": sum(map(rss_mb, pids[1:]))}
            memory["workers"] = len(pids) - 1
            web.pages[FEED] = rss(web, listed, etag=False)
            resent = idle_polls(web, watch, RESENT_POLLS)
        finally:
            watch.proc.terminate()
            watch.proc.wait(30)
    return {"articles": articles, "idle_304": quiet, "idle_resent": resent, **memory}


def summary(results: dict[str, Any]) -> list[tuple[str, str]]:
    seconds = [a["seconds"] for a in results["articles"]]
    words = [a["words"] for a in results["articles"]]
    quiet, resent = results["idle_304"], results["idle_resent"]
    return [
        ("articles (words each)", f"{len(seconds)} ({min(words)}-{max(words)})"),
        ("new item -> in the feed, median s", f"{statistics.median(seconds):.1f}"),
        ("new item -> in the feed, min-max s", f"{min(seconds):.1f}-{max(seconds):.1f}"),
        ("idle poll, feed 304: requests", f"{quiet['requests_per_poll']:.2f}"),
        ("idle poll, feed 304: CPU s", f"{quiet['cpu_s_per_poll']:.4f}"),
        ("idle poll, feed re-sent: requests", f"{resent['requests_per_poll']:.2f}"),
        ("idle poll, feed re-sent: CPU s", f"{resent['cpu_s_per_poll']:.4f}"),
        (f"RSS after {quiet['polls']} idle polls, MB", f"{results['watch_rss_mb']:.0f}"),
        (f"  + its {results['workers']} workers, MB", f"{results['workers_rss_mb']:.0f}"),
    ]


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value:>12}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=len(CASES), choices=range(1, 11))
    parser.add_argument("--polls", type=int, default=100)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    results = run(Options(args.articles, args.polls))
    results["uptime"] = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    print_table(summary(results))
    print(results["uptime"])
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
