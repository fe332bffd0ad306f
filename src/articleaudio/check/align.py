"""Word alignment: which words of what was meant were heard, and where they differ.

A Levenshtein alignment over words (every edit costs one; a phoneme block in the
meant text matches any one heard word for nothing), read back as the runs of words
that differ (:class:`Difference`). Runs that only split or join words differently
("week end" for "weekend") are no difference.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .normalise import WILDCARD


@dataclass(frozen=True)
class Difference:
    """A run of meant words heard as other words (or not at all)."""

    meant: tuple[str, ...]
    """The meant words of the run (empty: words were heard that nobody meant)."""
    heard: tuple[str, ...]
    """The words heard in their place (empty: nothing was)."""
    at: int
    """Index of the run's first meant word."""
    heard_at: int
    """Index of the run's first heard word."""
    around: tuple[str, ...] = ()
    """The meant words just before and after the run (where there are any)."""

    @property
    def heard_span(self) -> tuple[int, int]:
        """``[first, last)`` heard word of the run."""
        return self.heard_at, self.heard_at + len(self.heard)

    def touches(self, other: Difference) -> bool:
        """Whether the two runs (of two alignments of one transcript) share heard words,
        or meet between two of them."""
        start, end = self.heard_span
        other_start, other_end = other.heard_span
        return other_start <= end and start <= other_end


@dataclass(frozen=True)
class Alignment:
    """How one meant text was heard."""

    meant: tuple[str, ...]
    heard: tuple[str, ...]
    edits: int
    """Substitutions, deletions and insertions (the word error count)."""
    differences: tuple[Difference, ...]


def _same(meant: str, heard: str) -> bool:
    return meant in (heard, WILDCARD)


def _table(meant: Sequence[str], heard: Sequence[str]) -> list[list[int]]:
    """Edit distances of every pair of prefixes."""
    rows = [list(range(len(heard) + 1))]
    for i, word in enumerate(meant, 1):
        row = [i]
        for j, other in enumerate(heard, 1):
            cost = 0 if _same(word, other) else 1
            row.append(min(rows[i - 1][j - 1] + cost, rows[i - 1][j] + 1, row[j - 1] + 1))
        rows.append(row)
    return rows


def _path(meant: Sequence[str], heard: Sequence[str]) -> list[tuple[int, int, bool]]:
    """The alignment as ``(meant index, heard index, same)`` steps, from the start; an
    index of -1 marks a word missing on its side. Of equally short alignments, the one
    with the most words matched ("d e" against "e f" is "d" lost and "f" added)."""
    rows = _table(meant, heard)
    i, j = len(meant), len(heard)
    steps: list[tuple[int, int, bool]] = []
    while i or j:
        same = bool(i and j) and _same(meant[i - 1], heard[j - 1])
        if same and rows[i][j] == rows[i - 1][j - 1]:
            i, j = i - 1, j - 1
            steps.append((i, j, True))
        elif i and rows[i][j] == rows[i - 1][j] + 1:
            i -= 1
            steps.append((i, -1, False))
        elif j and rows[i][j] == rows[i][j - 1] + 1:
            j -= 1
            steps.append((-1, j, False))
        else:
            i, j = i - 1, j - 1
            steps.append((i, j, False))
    return steps[::-1]


def _respaced(difference: Difference) -> bool:
    """Whether a run only spaces letters otherwise ("week end"); never for numbers, where
    "1 2 0 0" for "1200" is the fault of a number read digit by digit."""
    joined = "".join(difference.meant)
    return joined == "".join(difference.heard) and not any(c.isdigit() for c in joined)


def align(meant: Sequence[str], heard: Sequence[str]) -> Alignment:
    """The word alignment of ``heard`` against ``meant``.

    >>> meant, heard = "met in vilnius on tuesday", "met in vilna tuesday"
    >>> a = align(meant.split(), heard.split())
    >>> a.edits, [(d.meant, d.heard) for d in a.differences]
    (2, [(('vilnius', 'on'), ('vilna',))])
    >>> align(["the", "weekend"], ["the", "week", "end"]).differences
    ()
    """
    steps = _path(meant, heard)
    edits = sum(not same for *_, same in steps)
    runs: list[Difference] = []
    done_meant = done_heard = 0
    run_meant: list[str] = []
    run_heard: list[str] = []
    for i, j, same in [*steps, (len(meant), len(heard), True)]:
        if same:
            if run_meant or run_heard:
                around = (*meant[max(done_meant - 1, 0) : done_meant], *meant[i : i + 1])
                runs.append(
                    Difference(tuple(run_meant), tuple(run_heard), done_meant, done_heard, around)
                )
            run_meant, run_heard = [], []
            done_meant, done_heard = i + 1, j + 1
            continue
        if i >= 0:
            run_meant.append(meant[i])
        if j >= 0:
            run_heard.append(heard[j])
    real = tuple(d for d in runs if not _respaced(d))
    return Alignment(tuple(meant), tuple(heard), edits, real)
