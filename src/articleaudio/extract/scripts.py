"""Writing systems: which script a text is written in, and what that alone says.

Stop-word lists tell Latin and Cyrillic languages apart; a page in Japanese,
Arabic or Greek matches none of them, but its script names its language well
enough to pick sentence rules and to stop English rules reading it. Chinese and
Japanese also put no spaces between words or sentences, so a line break inside
a paragraph there is not a space (CSS Text 3 §4.1.2, the segment break rule
browsers follow).

Rows are data: add a script with its code-point ranges and the languages that
write it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class Script:
    """One writing system."""

    name: str
    chars: str
    """Its code points, as the inside of a regex character class."""
    languages: tuple[str, ...]
    """Languages written in it, the one the script alone implies first."""
    has_stop_words: bool = False
    """Whether the stop-word detector (extract/meta.py) already tells its languages apart."""


SCRIPTS: tuple[Script, ...] = (
    Script("latin", "A-Za-z\u00c0-\u024f\u1e00-\u1eff", ("en",), has_stop_words=True),
    Script("cyrillic", "\u0400-\u052f", ("ru", "uk", "bg", "sr", "mk", "be"), has_stop_words=True),
    Script("greek", "\u0370-\u03ff\u1f00-\u1fff", ("el",)),
    Script(
        "arabic",
        "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufefc",
        ("ar", "fa", "ur", "ps", "ku", "sd", "ug"),
    ),
    Script("hebrew", "\u0590-\u05ff\ufb1d-\ufb4f", ("he", "yi")),
    # Japanese mixes kana with kanji: any real share of kana makes a Han text Japanese.
    Script("kana", "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f", ("ja",)),
    Script("han", "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff", ("zh", "ja")),
    Script("hangul", "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af", ("ko",)),
    Script("thai", "\u0e00-\u0e7f", ("th",)),
    Script("devanagari", "\u0900-\u097f", ("hi", "mr", "ne")),
)
"""Scripts by code-point range (Unicode blocks; marks inside a block count with it)."""

KANA_SHARE = 0.1
"""Kana among a text's Han and kana characters above which it is Japanese, not Chinese."""

_CLASSES = {s.name: re.compile(f"[{s.chars}]") for s in SCRIPTS}
_BY_NAME = {s.name: s for s in SCRIPTS}

NO_SPACE_CHARS = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u31a0-\u31ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uff66-\uff9f"
)
"""Han, kana, bopomofo, CJK punctuation and full-width forms: text written without spaces
between words (Hangul is not: Korean spaces its words)."""
_BROKEN_LINE = re.compile(f"(?<=[{NO_SPACE_CHARS}])[ \\t]*\\n\\s*(?=[{NO_SPACE_CHARS}])")


def script_counts(text: str) -> Counter[str]:
    """How many letters of each script ``text`` holds."""
    return Counter({name: len(p.findall(text)) for name, p in _CLASSES.items()})


def dominant_script(text: str) -> str | None:
    """The script most of the text's letters are in (kana counts Han text as Japanese).

    >>> dominant_script("東京で大雨が降った。"), dominant_script("北京今天下雪了。")
    ('kana', 'han')
    >>> dominant_script("Καλημέρα"), dominant_script("123 ...")
    ('greek', None)
    """
    counts = script_counts(text)
    cjk = counts["kana"] + counts["han"]
    if counts["kana"] and counts["kana"] >= KANA_SHARE * cjk:
        counts["kana"] = cjk
    name, count = counts.most_common(1)[0]
    return name if count else None


def script_language(text: str, declared: str | None = None) -> str | None:
    """The language the text's script implies, if the stop-word detector cannot tell:
    ``declared`` when that language is written in the script, else the script's first.

    None for Latin and Cyrillic text (the stop words decide there) and for text
    with no letters.

    >>> script_language("قال الوزير إن الاجتماع انتهى"), script_language("گفت", "fa")
    ('ar', 'fa')
    >>> script_language("The minister said") is None
    True
    """
    name = dominant_script(text)
    script = _BY_NAME.get(name or "")
    if script is None or script.has_stop_words:
        return None
    code = (declared or "").replace("_", "-").split("-")[0].lower()
    return code if code in script.languages else script.languages[0]


def writes(language: str, script: str) -> bool:
    """Whether ``language`` (a BCP 47 tag) is written in ``script``.

    >>> writes("ja", "han"), writes("fa-IR", "arabic"), writes("en", "kana")
    (True, True, False)
    """
    code = language.replace("_", "-").split("-")[0].lower()
    return code in _BY_NAME[script].languages if script in _BY_NAME else False


def join_lines(lines: list[str]) -> str:
    """Lines of one paragraph as one line: a space between them, except where both sides
    of the break are written without spaces (Chinese, Japanese).

    >>> join_lines(["東京で雨が降った。", "電車は止まった。"]), join_lines(["a", "b"])
    ('東京で雨が降った。電車は止まった。', 'a b')
    """
    return collapse_breaks("\n".join(lines))


def collapse_breaks(text: str) -> str:
    """``text`` with its whitespace collapsed to single spaces, and line breaks between two
    characters of a script without spaces removed.

    >>> collapse_breaks("雨が\\n降った。  Then\\n more")
    '雨が降った。 Then more'
    """
    return " ".join(_BROKEN_LINE.sub("", text).split())
