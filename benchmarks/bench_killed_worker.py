"""The killed-worker scenario on whole articles (not a timed test; minutes of audio each).

    .venv/bin/python benchmarks/bench_killed_worker.py [--paragraphs N]

What ``tests/integration/test_broker_workers.py`` checks on one paragraph per article,
here on the whole halves of the six shared stories (twelve articles): a private Redis
and PostgreSQL, two ``articleaudio worker`` processes, one SIGKILLed while it
synthesises and a third started; every article once in the catalogue and the feed,
the killed job finished by another worker on its second attempt, and every MP3
decoding to its recorded length. Prints the wall seconds and the audio made.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.support.services import postgres_bin_dir, running_postgres, running_redis  # noqa: E402
from tests.support.workers import catalogue, run_kill_scenario  # noqa: E402

from articleaudio.library import list_episodes  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--paragraphs", type=int, help="Paragraphs per article [default: all].")
    args = parser.parse_args()
    redis_binary, bin_dir = shutil.which("redis-server"), postgres_bin_dir()
    if redis_binary is None or bin_dir is None:
        sys.exit("needs redis-server and PostgreSQL (scripts/install-services.sh)")
    root = Path(tempfile.mkdtemp(prefix="bench-killed-"))
    try:
        with running_redis(redis_binary) as redis, running_postgres(bin_dir) as postgres:
            database = postgres.create_database("killed")
            started = time.monotonic()
            killed = run_kill_scenario(root, redis.url(), database, args.paragraphs)
            wall = time.monotonic() - started
            with catalogue(root / "library", database):
                audio = sum(e.episode.audio.duration for e in list_episodes(root / "library"))
        print(f"12 articles, {audio:.0f} s of audio, in {wall:.0f} s wall; passed")
        print(f"killed job {killed.id}: {killed.state.value} after {killed.attempts} attempts")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
