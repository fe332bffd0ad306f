"""The speech-class sentences (``tests/data/normalize/en_classes.tsv``), shared by the
text-stage golden test and the slow test that hears the real voice read them, and the
held-out ones (``en_classes_heldout.tsv``), written once and only heard, never tuned on."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

CLASSES_FILE = Path(__file__).parents[1] / "data" / "normalize" / "en_classes.tsv"
HELDOUT_FILE = CLASSES_FILE.with_name("en_classes_heldout.tsv")


@dataclass(frozen=True)
class ClassRow:
    """One sentence of a miss class, what the voice must be given, and what a listener
    must hear."""

    kind: str
    """The class ("roman", "abbreviation", "hyphen", "party", "number", "acronym")."""
    written: str
    """The sentence as an article prints it."""
    spoken: str
    """What the text stages give the voice."""
    critical: tuple[str, ...]
    """Regular expressions on Whisper's normalised transcript; each must match."""


def class_rows(path: Path = CLASSES_FILE) -> list[ClassRow]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, written, spoken, *critical = line.split("\t")
            rows.append(ClassRow(kind, written, spoken, tuple(critical)))
    return rows
