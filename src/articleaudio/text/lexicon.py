"""Pronunciation lexicon: an editor's list of words the voice says wrong.

A lexicon is a TOML file of ``[[entry]]`` tables::

    [[entry]]
    word = "Kyiv"            # matched as a whole word, case as written
    say = "Keev"             # a respelling, normalised like any text

    [[entry]]
    word = "Nguyen"
    phonemes = "ŋwˈɪn"       # IPA handed to Piper as [[ ŋwˈɪn ]]
    voice = "en_US-joe-medium"   # optional: only for this voice
    language = "en"              # optional: only for this language
    ignore_case = false          # optional: also match "NGUYEN", "nguyen"

Piper sends ``[[ ... ]]`` blocks to the model symbol by symbol and silently
drops symbols its phoneme table lacks (piper ``voice.py``, ``phonemize``), so
:meth:`Lexicon.check_phonemes` rejects such entries before a build.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..config import did_you_mean
from ..errors import ConfigError

DEFAULT_LEXICON = "lexicon.toml"
"""The lexicon shipped in ``articleaudio/data``."""
_KEYS = {"word", "say", "phonemes", "voice", "language", "ignore_case"}


@dataclass(frozen=True)
class LexiconEntry:
    """One word and how to say it."""

    word: str
    """The word as written in articles (one or more words, matched whole)."""
    say: str | None = None
    """Respelling to speak instead (plain text)."""
    phonemes: str | None = None
    """IPA to speak instead, as Piper phoneme symbols."""
    voice: str | None = None
    """Only apply with this voice (name such as ``en_US-joe-medium``)."""
    language: str | None = None
    """Only apply to text in this language (``en`` matches ``en-GB``)."""
    ignore_case: bool = False
    """Match regardless of case; by default case must match as written."""
    source: str = ""
    """File the entry came from, for messages."""

    def pattern(self) -> re.Pattern[str]:
        """Whole-word matcher ("Kyiv" in "Kyiv's" and "Kyiv-based", not in "Kyivan")."""
        flags = re.IGNORECASE if self.ignore_case else 0
        return re.compile(rf"(?<!\w){re.escape(self.word)}(?!\w)", flags)

    def applies_to(self, voice: str | None, language: str) -> bool:
        """Whether the entry's scope covers this voice and language."""
        if self.voice and voice and self.voice != voice:
            return False
        if self.voice and not voice:
            return False
        return not self.language or _same_language(self.language, language)

    @property
    def replacement(self) -> str:
        """What goes into the text: the respelling or a Piper phoneme block."""
        return f"[[ {self.phonemes} ]]" if self.phonemes else self.say or ""


def _same_language(scope: str, language: str) -> bool:
    scope_l, lang_l = scope.lower().replace("_", "-"), language.lower().replace("_", "-")
    return lang_l == scope_l or lang_l.startswith(scope_l + "-")


@dataclass(frozen=True)
class Lexicon:
    """Entries in priority order: a later entry for the same word wins."""

    entries: tuple[LexiconEntry, ...] = ()
    """All entries, default lexicon first, then each ``--lexicon`` file."""

    @staticmethod
    def load(path: Path | str) -> Lexicon:
        """Read a lexicon file; :class:`ConfigError` says which entry is wrong and why."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read lexicon {path}: {exc.strerror or exc}") from exc
        return Lexicon.parse(text, source=str(path))

    @staticmethod
    def parse(text: str, source: str = "<lexicon>") -> Lexicon:
        """Parse lexicon TOML text."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"lexicon {source} is not valid TOML: {exc}") from exc
        unknown = set(data) - {"entry"}
        if unknown:
            raise ConfigError(
                f"lexicon {source}: unknown top-level key(s) {sorted(unknown)}; "
                "write each word as an [[entry]] table"
            )
        rows = _entry_rows(data.get("entry", []), source)
        return Lexicon(tuple(_entry(row, n, source) for n, row in enumerate(rows, 1)))

    @staticmethod
    def default() -> Lexicon:
        """The lexicon shipped with the package."""
        text = resources.files("articleaudio").joinpath("data", DEFAULT_LEXICON).read_text("utf-8")
        return Lexicon.parse(text, source=f"articleaudio/data/{DEFAULT_LEXICON}")

    def __add__(self, other: Lexicon) -> Lexicon:
        return Lexicon(self.entries + other.entries)

    def active(self, voice: str | None = None, language: str = "en") -> tuple[LexiconEntry, ...]:
        """Entries in scope, one per word (the last one given wins)."""
        chosen: dict[tuple[str, bool], LexiconEntry] = {}
        for entry in self.entries:
            if entry.applies_to(voice, language):
                key = (entry.word.lower() if entry.ignore_case else entry.word, entry.ignore_case)
                chosen.pop(key, None)
                chosen[key] = entry
        return tuple(chosen.values())

    def apply(self, text: str, voice: str | None = None, language: str = "en") -> str:
        """Replace every whole-word match with its respelling or phoneme block."""
        return restore_phonemes(*self.apply_parts(text, voice, language))

    def apply_parts(
        self, text: str, voice: str | None = None, language: str = "en"
    ) -> tuple[str, tuple[str, ...]]:
        """Like :meth:`apply`, but phoneme blocks become placeholders.

        Returns the text with each ``[[ ... ]]`` block replaced by
        :func:`placeholder` ``(i)`` and the blocks in order, so normalisation can
        run without touching the IPA; :func:`restore_phonemes` puts them back.
        """
        entries = self.active(voice, language)
        if not entries or not text:
            return text, ()
        by_word = {e.word.lower(): e for e in entries if e.ignore_case}
        exact = {e.word: e for e in entries if not e.ignore_case}
        blocks: list[str] = []

        def swap(match: re.Match[str]) -> str:
            word = match.group(0)
            entry = exact.get(word) or by_word[word.lower()]  # the regex matched one of them
            if entry.phonemes:
                blocks.append(entry.replacement)
                return placeholder(len(blocks) - 1)
            return entry.replacement

        return _matcher(entries).sub(swap, text), tuple(blocks)

    def unmatched(
        self, texts: Iterable[str], voice: str | None = None, language: str = "en"
    ) -> tuple[LexiconEntry, ...]:
        """Entries in scope that match none of ``texts`` (typos, stale names)."""
        pending = {e.word: e for e in self.active(voice, language)}
        for text in texts:
            for word, entry in list(pending.items()):
                if entry.pattern().search(text):
                    del pending[word]
            if not pending:
                break
        return tuple(pending.values())

    def check_phonemes(self, inventory: frozenset[str], voice: str | None = None) -> None:
        """Raise :class:`ConfigError` if an entry uses a symbol the voice cannot say."""
        problems = []
        for entry in self.entries:
            if entry.phonemes and (entry.voice in (None, voice)):
                missing = sorted({ch for ch in entry.phonemes if ch not in inventory})
                if missing:
                    problems.append(f"{entry.word!r} ({entry.source}) uses {' '.join(missing)}")
        if problems:
            raise ConfigError(
                f"lexicon phonemes unknown to voice {voice or '?'}: {'; '.join(problems)}. "
                "Piper would drop these symbols silently; use symbols from the voice's "
                "phoneme_id_map (see its .onnx.json) or a respelling (say = ...)"
            )


PLACEHOLDER_BASE = 0xF0000
"""Supplementary private-use plane: never in article text, untouched by NFKC and rules."""


def placeholder(index: int) -> str:
    """A one-character stand-in for the ``index``-th phoneme block."""
    return chr(PLACEHOLDER_BASE + index)


def restore_phonemes(text: str, blocks: tuple[str, ...]) -> str:
    """Put phoneme blocks back where :meth:`Lexicon.apply_parts` left placeholders."""
    for index, block in enumerate(blocks):
        text = text.replace(placeholder(index), block)
    return text


def _matcher(entries: tuple[LexiconEntry, ...]) -> re.Pattern[str]:
    # Longest words first so "New York Times" wins over "New York"; case-blind entries
    # get a scoped (?i:...) so exact-case entries stay exact.
    ordered = sorted(entries, key=lambda e: len(e.word), reverse=True)
    words = "|".join(
        f"(?i:{re.escape(e.word)})" if e.ignore_case else re.escape(e.word) for e in ordered
    )
    return re.compile(rf"(?<!\w)(?:{words})(?!\w)")


def _entry_rows(rows: Any, source: str) -> list[Any]:
    """The ``[[entry]]`` array; a lone ``[entry]`` table or a plain value is a typo to name."""
    if isinstance(rows, dict):
        raise ConfigError(
            f"lexicon {source}: [entry] is a single table; write [[entry]] (two brackets) "
            "before each word so the file holds a list of entries"
        )
    if not isinstance(rows, list):
        raise ConfigError(
            f"lexicon {source}: entry = {rows!r} is not a list of words; "
            "write each word as an [[entry]] table with word = ... and say = ..."
        )
    return rows


def _entry(row: Any, number: int, source: str) -> LexiconEntry:
    where = f"lexicon {source}, entry {number}"
    if not isinstance(row, dict):
        raise ConfigError(f"{where}: expected a table with word = ... and say = ...")
    if unknown := sorted(set(row) - _KEYS):
        hint = did_you_mean(unknown[0], _KEYS)
        raise ConfigError(f"{where}: unknown key(s) {unknown}{hint} (allowed: {sorted(_KEYS)})")
    word, say, phonemes = row.get("word"), row.get("say"), row.get("phonemes")
    if not isinstance(word, str) or not word.strip():
        raise ConfigError(f"{where}: 'word' must be a non-empty string")
    if (say is None) == (phonemes is None):
        raise ConfigError(f"{where} ({word!r}): give exactly one of 'say' or 'phonemes'")
    for key in ("say", "phonemes", "voice", "language"):
        if key in row and (not isinstance(row[key], str) or not row[key].strip()):
            raise ConfigError(f"{where} ({word!r}): '{key}' must be a non-empty string")
    if phonemes is not None and ("[" in phonemes or "]" in phonemes):
        raise ConfigError(f"{where} ({word!r}): write phonemes without [[ ]]; they are added")
    if not isinstance(row.get("ignore_case", False), bool):
        raise ConfigError(f"{where} ({word!r}): 'ignore_case' must be true or false")
    return LexiconEntry(
        word=word.strip(),
        say=say.strip() if say else None,
        phonemes=phonemes.strip() if phonemes else None,
        voice=row.get("voice"),
        language=row.get("language"),
        ignore_case=row.get("ignore_case", False),
        source=source,
    )
