"""``check.json``: what ``articleaudio check`` heard in one episode, as one typed model
that its writer (the check stage) and its reader (the review page, ``embed --review``)
both use, and its JSON both ways.

A leaf beside :mod:`.models`: the check and web stages must not import each other,
and the file is one contract, so it has one owner. What is read comes from disk and
holds article text, so every field is checked for its JSON type and range first: a
report of another version or a damaged one is one
:class:`~articleaudio.errors.CheckReportError` naming the field, never a traceback
or a page built from half a report. Fields the schema does not name are ignored,
so a later writer may add some without a new version.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from .errors import CheckReportError
from .layout import CHECK_FILE

CHECK_VERSION = 1
"""The ``version`` of check.json written, and the one read."""

T = TypeVar("T")
E = TypeVar("E", bound=StrEnum)


class FlagKind(StrEnum):
    """What was heard differently from what was meant."""

    MISSING = "missing"
    EXTRA = "extra"
    NUMBER = "number"
    NAME = "name"
    UNHEARD = "unheard"


class Against(StrEnum):
    """Which side the recogniser's words were compared with."""

    SPOKEN = "spoken"
    """The text the voice was given: the voice got its text wrong."""
    ARTICLE = "article"
    """The article's own sentence: normalisation or the lexicon changed the meaning."""


@dataclass(frozen=True)
class Flag:
    """One sentence the check thinks an editor should hear."""

    index: int
    """The sentence's cue index in the episode's timeline."""
    start: float
    """Seconds into the MP3 where the check heard the sentence begin."""
    end: float
    """Seconds into the MP3 where it ends."""
    text: str
    """The article's sentence."""
    meant: str
    """The normalised side it was compared with."""
    heard: str
    """What the recogniser heard, normalised the same way."""
    against: Against
    """Which comparison failed."""
    kind: FlagKind
    """What kind of difference it is."""
    score: float
    """0..1: how likely the flag is real."""
    suggestion: str | None = None
    """A lexicon entry to try (``Word=Respelling``), if any."""

    def to_dict(self) -> dict[str, Any]:
        """The flag in ``check.json`` and ``check --json``."""
        return {
            "index": self.index,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "meant": self.meant,
            "heard": self.heard,
            "against": self.against.value,
            "kind": self.kind.value,
            "score": round(self.score, 3),
            "suggestion": self.suggestion,
        }


@dataclass(frozen=True)
class SentenceScore:
    """One checked sentence's score, flagged or not."""

    index: int
    """The sentence's cue index."""
    start: float
    """Seconds into the MP3."""
    end: float
    """Seconds into the MP3."""
    score: float
    """0..1, as for a flag."""
    flagged: bool
    """True when the sentence has a flag."""

    def to_dict(self) -> dict[str, Any]:
        """The sentence's entry in ``check.json``'s ``scores``."""
        return {
            "index": self.index,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "score": round(self.score, 3),
            "flagged": self.flagged,
        }


@dataclass(frozen=True)
class CheckReport:
    """One episode's check.json."""

    slug: str
    """The episode checked."""
    model: str
    """The recogniser used (a model name or folder name)."""
    checked: datetime
    """When the check ran."""
    sentences: int
    """How many sentences were checked."""
    wer: float
    """Word error rate over the episode (heard against spoken)."""
    flags: tuple[Flag, ...]
    """The flags, the likeliest first."""
    scores: tuple[SentenceScore, ...]
    """Every sentence's score, in order."""
    seconds: float = 0.0
    """How long the listening took."""
    build_key: str = ""
    """The checked build's key (``episode.json``): a rebuild's report is not this one."""

    @property
    def flagged(self) -> int:
        """Sentences with at least one flag."""
        return len({f.index for f in self.flags})

    def to_dict(self, *, scores: bool = True) -> dict[str, Any]:
        """``check.json`` (with every sentence's score) or ``check --json`` (without)."""
        record: dict[str, Any] = {
            "version": CHECK_VERSION,
            "slug": self.slug,
            "model": self.model,
            "checked": self.checked.isoformat().replace("+00:00", "Z"),
            "sentences": self.sentences,
            "wer": round(self.wer, 4),
            "seconds": round(self.seconds, 2),
            "build_key": self.build_key,
            "flags": [f.to_dict() for f in self.flags],
        }
        if scores:
            record["scores"] = [s.to_dict() for s in self.scores]
        return record

    @staticmethod
    def from_dict(data: Any) -> CheckReport:
        """The report in a parsed check.json; :class:`ValueError` naming the bad field."""
        record = _Fields(data, "")
        version = record.integer("version")
        if version != CHECK_VERSION:
            raise ValueError(f"version {version}; this articleaudio reads version {CHECK_VERSION}")
        return CheckReport(
            slug=record.text("slug"),
            model=record.text("model"),
            checked=record.time("checked"),
            sentences=record.integer("sentences"),
            wer=record.number("wer", high=math.inf),
            flags=record.items("flags", _flag),
            scores=record.items("scores", _score),
            # Not shown on the review page: a report written without them still reads.
            seconds=record.number("seconds", high=math.inf, default=0.0),
            build_key=record.text("build_key", default=""),
        )

    def flag_index_error(self, cues: int) -> str | None:
        """Why these flags and scores cannot be of an episode of ``cues`` cues, or None."""
        indexes = [f.index for f in self.flags] + [s.index for s in self.scores]
        wrong = next((i for i in indexes if i >= cues), None)
        if wrong is None:
            return None
        return f"it names sentence {wrong}, but the episode has {cues} (0 to {cues - 1})"


def _flag(record: _Fields) -> Flag:
    start, end = record.span()
    suggestion = record.optional_text("suggestion")
    return Flag(
        index=record.integer("index"),
        start=start,
        end=end,
        text=record.text("text"),
        meant=record.text("meant"),
        heard=record.text("heard"),
        against=record.choice("against", Against),
        kind=record.choice("kind", FlagKind),
        score=record.number("score", high=1.0),
        suggestion=suggestion,
    )


def _score(record: _Fields) -> SentenceScore:
    start, end = record.span()
    return SentenceScore(
        index=record.integer("index"),
        start=start,
        end=end,
        score=record.number("score", high=1.0),
        flagged=record.boolean("flagged"),
    )


_JSON_TYPES: dict[type, str] = {dict: "an object", list: "a list", str: "a string"}
_JSON_TYPES |= {bool: "true or false", int: "a number", float: "a number", type(None): "null"}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)


class _Fields:
    """One JSON object of the report, read field by field; ``where`` names it in errors."""

    def __init__(self, data: Any, where: str) -> None:
        if not isinstance(data, dict):
            raise ValueError(f"{where or 'the report'} is {_json_type(data)}, not an object")
        self.data: dict[str, Any] = data
        self.where = where

    def _name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def _get(self, key: str, kinds: tuple[type, ...], wanted: str, default: Any = None) -> Any:
        if key not in self.data:
            if default is not None:
                return default
            raise ValueError(f"no field {self._name(key)}")
        value = self.data[key]
        # JSON true is a Python int too; it is never a count or a time.
        if (isinstance(value, bool) and bool not in kinds) or not isinstance(value, kinds):
            raise ValueError(f"{self._name(key)} is {_json_type(value)}, not {wanted}")
        return value

    def integer(self, key: str) -> int:
        value: int = self._get(key, (int,), "a whole number")
        if value < 0:
            raise ValueError(f"{self._name(key)} is {value}, below 0")
        return value

    def number(self, key: str, *, high: float, default: float | None = None) -> float:
        value = float(self._get(key, (int, float), "a number", default))
        if not 0.0 <= value <= high:  # also refuses NaN, which json.loads accepts
            raise ValueError(f"{self._name(key)} is {value}, outside 0 to {high}")
        return value

    def text(self, key: str, default: str | None = None) -> str:
        value: str = self._get(key, (str,), "a string", default)
        return value

    def optional_text(self, key: str) -> str | None:
        value: str | None = self._get(key, (str, type(None)), "a string or null")
        return value

    def boolean(self, key: str) -> bool:
        value: bool = self._get(key, (bool,), "true or false")
        return value

    def choice(self, key: str, kind: type[E]) -> E:
        value = self.text(key)
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(repr(k.value) for k in kind)
            raise ValueError(f"{self._name(key)} is {value!r}, not one of {known}") from None

    def time(self, key: str) -> datetime:
        value = self.text(key)
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{self._name(key)} is {value!r}, not an ISO 8601 time") from None

    def span(self) -> tuple[float, float]:
        start = self.number("start", high=math.inf)
        end = self.number("end", high=math.inf)
        if end < start:
            raise ValueError(f"{self._name('end')} is {end}, before its start {start}")
        return start, end

    def items(self, key: str, read: Callable[[_Fields], T]) -> tuple[T, ...]:
        values: list[Any] = self._get(key, (list,), "a list")
        return tuple(read(_Fields(v, f"{self._name(key)}[{n}]")) for n, v in enumerate(values))


def check_report_path(folder: Path) -> Path:
    """Where an episode folder keeps its check report."""
    return folder / CHECK_FILE


def read_check_report(folder: Path, slug: str) -> CheckReport:
    """The check report of episode ``slug`` in ``folder``; :class:`CheckReportError` if none.

    Missing, unreadable, not JSON, another version, a field of the wrong type or
    range, or a report of another episode: each is one error that says what to run.
    """
    path = check_report_path(folder)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise CheckReportError(
            f"no check report for {slug}; run articleaudio check {slug} first", path=path
        ) from None
    except OSError as exc:
        raise check_report_error(path, slug, exc.strerror or str(exc)) from exc
    try:
        report = CheckReport.from_dict(json.loads(data))
    except ValueError as exc:  # JSON and UTF-8 errors are ValueErrors too
        raise check_report_error(path, slug, str(exc)) from exc
    if report.slug != slug:
        raise check_report_error(path, slug, f"it is the report of episode {report.slug!r}")
    return report


def check_report_error(path: Path, slug: str, reason: str) -> CheckReportError:
    """The one error of a report that cannot be shown, saying why and what to run."""
    return CheckReportError(
        f"{path} is not a check report this articleaudio can show ({reason}); "
        f"run articleaudio check {slug} again",
        path=path,
    )
