"""Text measures for any script: word units, sentence ends and content terms.

Chinese and Japanese are written without spaces, so a ``\\w+`` token is a whole
clause and "ten words" means nothing; Korean has spaces but glues its particles
to the word before. The text-copy reader measures lines in *units* instead: a
spaced word, or two CJK characters (about one word's worth of meaning in both
languages). Scripts without letter case (CJK, Arabic, Hebrew, Thai...) cannot be
judged "title-cased", so case tests ask :func:`caseless` first. Right-to-left
text needs nothing here: lines pass through in logical order, untouched.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from .meta import stopwords, words

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f]")
"""Kana and Han characters (the scripts written without spaces)."""
KANA = re.compile(r"[\u3040-\u30ff\uff66-\uff9f]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
SENTENCE_END = re.compile(r"[.!?…。！？．؟۔\u037e][\"”»’')\]」』）】]*$")
"""A line that ends a sentence, in Latin, CJK, Arabic or Greek punctuation (closing
quotes allowed)."""
CJK_CHARS_PER_UNIT = 2
"""Two Chinese or Japanese characters carry about one English word's worth of meaning."""


def cjk_share(text: str) -> float:
    """Share of the letters that are kana or Han.

    >>> cjk_share("東京で会議が開かれた"), cjk_share("Tokyo")
    (1.0, 0.0)
    """
    letters = sum(c.isalpha() for c in text)
    return len(CJK.findall(text)) / letters if letters else 0.0


SCRIPT_SHARE = 0.25
"""Share of the letters in one script that makes it the text's language."""


def cjk_language(text: str) -> str | None:
    """``ja``, ``zh`` or ``ko`` when the text is mostly written in that script, else None.

    >>> cjk_language("トレンドマイクロは発表した。"), cjk_language("北京今天下雨。")
    ('ja', 'zh')
    >>> cjk_language("서울에서 회의가 열렸다."), cjk_language("A plain English line.")
    ('ko', None)
    """
    sample = text[:20000]
    letters = sum(c.isalpha() for c in sample) or 1
    cjk, kana = len(CJK.findall(sample)), len(KANA.findall(sample))
    # A quarter is enough: copies of such pages carry Latin menus, ads and even markup.
    if len(HANGUL.findall(sample)) / letters > SCRIPT_SHARE:
        return "ko"
    if cjk / letters > SCRIPT_SHARE:
        return "ja" if kana / max(cjk, 1) > 0.1 else "zh"
    return None


def units(text: str) -> int:
    """Word-sized units: spaced words outside CJK, plus one per two CJK characters.

    >>> units("Three small words"), units("東京で会議が開かれた"), units("iPhone向けアプリ")
    (3, 5, 4)
    """
    cjk = len(CJK.findall(text))
    spaced = len(words(CJK.sub(" ", text)))
    return spaced + (cjk + CJK_CHARS_PER_UNIT - 1) // CJK_CHARS_PER_UNIT


def caseless(text: str) -> bool:
    """Whether the first letter belongs to a script without capitals (CJK, Arabic, Hebrew...).

    >>> caseless("東京"), caseless("שלום"), caseless("Paris"), caseless("paris")
    (True, True, False, False)
    """
    first = next((c for c in text if c.isalpha()), "")
    return bool(first) and first.upper() == first.lower()


@cache
def function_marks() -> dict[str, frozenset[str]]:
    """Function characters and particles per language for scripts jusText has no list for
    (``data/function_words.toml``)."""
    raw = resources.files("articleaudio").joinpath("data", "function_words.toml").read_text("utf-8")
    table = tomllib.loads(raw)
    return {code: frozenset(entry["marks"]) for code, entry in table.items()}


def function_density(text: str, language: str) -> float:
    """Share of function words (or, in Chinese and Japanese, function characters and
    particles): high in prose, low in menus, names and headlines of other stories."""
    marks = function_marks().get(language.split("-")[0].lower())
    if marks is None or language == "ko":
        tokens = words(text)
        if marks is not None:  # Korean: a particle glued to the end of a word counts
            return sum(t[-1:] in marks for t in tokens) / len(tokens) if tokens else 0.0
        stops = stopwords(language)
        return sum(t in stops for t in tokens) / len(tokens) if tokens else 0.0
    chars = [c for c in text if c.isalpha()]
    return sum(c in marks for c in chars) / len(chars) if chars else 0.0


STEM = 5
"""Content words are compared by their first five letters, so inflected forms match
('Tunisia'/'Tunisian', 'Součka'/'Souček' stay apart only past the stem)."""


HANGUL_STEM = 2
"""Korean words are compared by their first two syllables, before the particles."""


def content_terms(text: str, language: str) -> set[str]:
    """What a text is about: its non-function words (stemmed by prefix), or, in Chinese and
    Japanese, the pairs of adjacent Han/katakana characters.

    >>> sorted(content_terms("The attack on the museum", "en"))
    ['attac', 'museu']
    >>> sorted(content_terms("公衆無線LAN", "ja"))
    ['lan', '公衆', '無線', '衆無']
    """
    found: set[str] = set()
    for run in re.findall(r"[\u30a0-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}", text):
        found.update(run[i : i + 2] for i in range(len(run) - 1))
    stops = stopwords(language)
    for token in words(CJK.sub(" ", text)):
        if HANGUL.match(token):
            # Korean glues particles to the word: '다리에는' is '다리' + 'at' + topic.
            found.add(token[:HANGUL_STEM])
        elif len(token) >= 3 and token not in stops and not token.isdigit():
            found.add(token[:STEM])
    return found


def overlap(terms: set[str], reference: set[str]) -> float:
    """Share of ``terms`` found in ``reference`` (0 when there are none).

    >>> overlap({"a", "b"}, {"b", "c"})
    0.5
    """
    return len(terms & reference) / len(terms) if terms else 0.0
