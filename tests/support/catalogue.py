"""Catalogue helpers shared by the SQLite and PostgreSQL catalogue tests."""

from __future__ import annotations

import threading
from pathlib import Path

from articleaudio.library import open_job_store


def open_at_once(folder: Path, threads: int = 8) -> list[BaseException]:
    """Open the library's new catalogue from ``threads`` threads at the same moment."""
    gate = threading.Barrier(threads)
    errors: list[BaseException] = []

    def open_one() -> None:
        gate.wait()
        try:
            with open_job_store(folder) as store:
                store.jobs()
        except BaseException as exc:  # collected: the assertion names it
            errors.append(exc)

    workers = [threading.Thread(target=open_one) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors
