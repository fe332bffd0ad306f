"""English normalisation table: news copy → words that espeak-ng reads right.

``RULES`` is an ordered list of ``(name, pattern, replacement)`` rows. Order
matters: each row turns the digits it owns into words, so later, more general
rows (plain numbers last) only see what earlier rows left. Vocabulary lives in
:mod:`articleaudio.text.normalize_en_vocab` (adding a unit or currency means adding
a key) and its word lists in ``articleaudio/data/speech_en.toml`` (acronyms, regnal
names, time zones, party letters, US states); the readings are in
:mod:`articleaudio.text.normalize_en_readings` and, for names, tags and codes,
:mod:`articleaudio.text.normalize_en_names`.

Two Piper facts shape the output. Piper's espeak-ng sentence splitter ends a
sentence after "Dr.", "Mr." or "Jan.", so no abbreviation with a full stop may
survive; and espeak reads a lone capital "A" as the article, so acronyms are
spelled as hyphen-joined letters ("O-S-C-E"), which it reads as letter names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from . import normalize_en_names as names
from . import normalize_en_readings as read
from .normalize_en_readings import spell
from .normalize_en_vocab import (
    ABBREVIATIONS,
    CURRENCIES,
    MONTHS,
    PARTIES,
    SCALES,
    SCORE_NOUNS,
    SCORE_WORDS,
    SPELL_MAX,
    TIME_ZONES,
    UNITS,
    WORD_ACRONYMS,
)
from .numwords import amount, cardinal, decade, fraction, ordinal, say_digits, year

# Re-exported for tests and for maintainers reading the table alongside its vocabulary.
__all__ = [
    "ABBREVIATIONS",
    "CURRENCIES",
    "MONTHS",
    "RULES",
    "SCALES",
    "SPELL_MAX",
    "UNITS",
    "WORD_ACRONYMS",
    "spell",
]

Match = re.Match[str]
Replacement = str | Callable[[Match], str]

NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
"""A written number: ``7``, ``1,234``, ``3.4``."""
_START = r"(?<![\w.,])"
"""A number starts here: not glued to a word or to another number."""
_MON = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?![A-Za-z])\.?"
)
_DAY = r"(?P<{0}>[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"
_DAY_JOIN = r"(?P<join>\s?[-–/]\s?|\s(?:and|or|to)\s)"
"""Between the two days of a date range: "3-4 March", "3/4 March", "3 and 4 March"."""
_END = r"(?![A-Za-z0-9])"
"""A unit ends here: not followed by more letters or digits ("5 km" but not "5 kmph")."""


def _keyed(table: Mapping[str, object]) -> str:
    """Regex alternation of a table's keys, longest first so ``km/h`` beats ``km``."""
    return "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))


_UNIT = _keyed(UNITS)
_ZONE = rf"\s(?P<tz>{_keyed(TIME_ZONES)})\b"
"""A time zone after a time: "10 a.m. ET", "22:15 CET"."""
_NUMERAL_END = r"(?P<poss>['’]s)?\b(?![\w'’-])"
"""A Roman numeral ends here, perhaps with a possessive ("Charles III's")."""
_PERCENT = r"%|per\s?cent|percent|pc"
"""A percent after a number; "pc" is the British papers' short form ("rose 5pc")."""
_CUR_BEFORE = _keyed({k: v for k, v in CURRENCIES.items() if not k.isalpha()} | {"USD": 0})
_SCALE = (
    r"(?:\s?(?P<scale>bn|tn|trn|mn|m|b|B|M|k|K)\b"
    r"|\s(?P<scale_word>thousand|million|billion|trillion|lakh|crore)\b)"
)


RULES: tuple[tuple[str, str, Replacement], ...] = (
    # --- addresses first: they are full of dots, digits and slashes
    (
        "e-mail address",
        r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        read.address,
    ),
    ("URL", r"\b(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']", read.address),
    (
        "bare domain",
        r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|gov|edu|io|ai|int|news|co\.uk|org\.uk|gov\.uk|ac\.uk)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'])?",
        read.address,
    ),
    ("hashtag", r"#(?=[A-Za-z])", "hashtag "),
    ("number sign", r"#\s?(?=[0-9])", "number "),
    ("handle", r"(?<![\w@])@(?=[A-Za-z_])", "at "),
    (
        "party and state tag",
        rf"\s?\((?P<party>{_keyed(PARTIES)})\s?[-–]\s?(?P<state>[A-Z][A-Za-z.]*(?:\s?[A-Z][A-Za-z.]*)?)\)",
        names.party_tag,
    ),
    # --- set readings and abbreviations before generic letters and numbers
    (
        "word acronym",
        r"(?<![\w&])(?:AT&T|Q&A|R&D|M&A|P&O|PhD|GmbH)(?![\w&])",
        lambda m: WORD_ACRONYMS[m.group(0)],
    ),
    (
        "mixed fraction",
        r"(?<![0-9])(?:(?P<w>[0-9]+)(?=[0-9]⁄))?(?P<a>[0-9])⁄(?P<b>[0-9]{1,2})(?![0-9])",
        read.vulgar,
    ),
    ("24/7", r"\b24/7\b", "twenty-four seven"),
    ("50/50", r"\b50/50\b", "fifty-fifty"),
    ("9/11", r"\b9/11\b", "nine eleven"),
    ("and/or", r"\band/or\b", "and or"),
    ("middle initial", r"(?<![\w.])([A-Z])\.(?=\s+[A-Z][a-z])", r"\1"),
    ("e.g.", r"\be\.g\.(?=\s|$)", "for example"),
    ("i.e.", r"\bi\.e\.(?=\s|$)", "that is"),
    (
        "number abbreviation",
        r"\bNos?\.?\s?(?=[0-9])",
        lambda m: "Numbers " if m.group(0).startswith("Nos") else "Number ",
    ),
    (
        "Street",
        r"\b(?P<w>[A-Z][a-z]+)\sSt\b\.?(?!\s+[A-Z])",
        lambda m: read.final_stop(m, m["w"] + " Street"),
    ),
    (
        "numbered Street",
        r"\b(?P<n>[0-9]+(?:st|nd|rd|th))\sSt\b\.?",
        lambda m: read.final_stop(m, m["n"] + " Street"),
    ),
    ("Saint", r"\bSt\b\.?(?=\s+[A-Z])", "Saint"),
    # --- dates and times
    (
        "ISO date",
        r"\b(?P<y>[12][0-9]{3})-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])\b",
        read.numeric_date,
    ),
    (
        "US numeric date",
        r"\b(?P<mo>1[0-2]|0?[1-9])/(?P<d>3[01]|[12][0-9]|0?[1-9])/(?P<y>[12][0-9]{3})\b",
        read.numeric_date,
    ),
    (
        "month day year",
        rf"\b{_MON}\s(?:{_DAY.format('d1')})(?:{_DAY_JOIN}{_DAY.format('d2')})?(?:,?\s(?P<y>[12][0-9]{{3}}))?\b(?!:)",
        read.us_date,
    ),
    (
        "day month year",
        rf"\b{_DAY.format('d1')}(?:{_DAY_JOIN}{_DAY.format('d2')})?\s{_MON}(?:,?\s(?P<y>[12][0-9]{{3}})\b)?",
        read.uk_date,
    ),
    (
        "month year",
        rf"\b{_MON},?\s(?P<y>[12][0-9]{{3}})\b",
        lambda m: f"{MONTHS[m['mon'][:3]]} {year(m['y'])}",
    ),
    (
        "quarter",
        r"(?:\b(?P<the>[Tt]he)\s)?\b(?P<kind>[QH])(?P<n>[1-4])(?:\s(?P<y>[12][0-9]{3})\b)?\b",
        read.quarter,
    ),
    ("fiscal year", r"\bFY\s?(?P<y>[12][0-9]{3})\b", lambda m: f"fiscal year {year(m['y'])}"),
    (
        "time range",
        r"(?:(?<=[0-9][ap]m)|(?<=[0-9][AP]M)|(?<=[0-9]:[0-9]{2}))\s?[-–]\s?(?=[0-9])",
        " to ",
    ),
    (
        "clock",
        rf"\b(?P<h>[01]?[0-9]|2[0-3]):(?P<m>[0-5][0-9])(?:\s?(?P<ampm>[ap]\.m\.|[ap]m\b|[AP]M\b))?(?:{_ZONE})?",
        read.clock,
    ),
    (
        "clock with dot",
        rf"\b(?P<h>1[0-2]|0?[1-9])(?:\.(?P<m>[0-5][0-9]))?\s?(?P<ampm>[ap]\.m\.|[ap]m\b|[AP]M\b)(?:{_ZONE})?",
        read.clock,
    ),
    ("zone after noon", rf"\b(?P<w>noon|midnight){_ZONE}", lambda m: m["w"] + names.zone(m)),
    ("decade 4-digit", r"\b(?P<y>1[0-9][0-9]0|20[0-9]0)'?s\b", lambda m: decade(m["y"])),
    ("decade 2-digit", r"(?<![\w.,])['’]?(?P<y>[1-9]0)'?s\b", lambda m: decade(m["y"])),
    (
        "year range",
        r"\b(?P<a>1[0-9]{3}|20[0-9]{2})[-–/](?P<b>[0-9]{2}|1[0-9]{3}|20[0-9]{2})\b(?![-–/.,]?[0-9])",
        read.year_range,
    ),
    # --- money, percentages, units, scores and ranges
    (
        "money before",
        rf"(?<![\w.])(?P<cur>{_CUR_BEFORE}|EUR|GBP|JPY|CNY|CHF|INR|Rs\.?)\s?(?P<a>{NUM})(?:\s?(?:[-–]|to)\s?(?:{_CUR_BEFORE})?(?P<b>{NUM}))?{_SCALE}?",
        read.money,
    ),
    (
        "money after",
        rf"{_START}(?P<a>{NUM})\s?{_SCALE}?\s(?P<cur>USD|EUR|GBP|JPY|CNY|CHF|INR)\b",
        read.money_after,
    ),
    (
        "millions with m",
        rf"{_START}(?P<a>{NUM})m(?=\s(?:[a-z]+s|people|children|men|women)\b)",
        read.million_m,
    ),
    ("pence and cents", rf"{_START}(?P<a>[0-9]{{1,2}})(?P<unit>p|c|¢)(?![\w])", read.minor),
    (
        "scale",
        rf"{_START}(?P<a>{NUM})\s?(?P<scale>bn|tn|trn|mn)\b",
        lambda m: f"{cardinal(m['a'])} {SCALES[m['scale']]}",
    ),
    (
        "percentage range",
        rf"{_START}(?P<a>{NUM})\s?(?:(?:%|pc\b)\s?)?[-–]\s?(?=(?:{NUM})\s?(?:{_PERCENT})(?![\w]))",
        lambda m: cardinal(m["a"]) + " to ",
    ),
    (
        "percentage",
        rf"(?:(?<![\w.,])(?P<sign>[-−+]))?{_START}(?P<a>{NUM})\s?(?:{_PERCENT})(?![\w])",
        lambda m: (
            ("minus " if m["sign"] in ("-", "−") else "plus " if m["sign"] else "")
            + cardinal(m["a"])
            + " percent"
        ),
    ),
    (
        "height in feet and inches",
        rf"{_START}(?P<ft>[1-9])\s?(?:ft|foot|feet|['′])\s?(?P<inch>1[01]|[0-9])\s?(?:in\b|inch(?:es)?\b|[\"″]|['′]{{2}})",
        names.height,
    ),
    ("height with hyphens", r"\b(?P<ft>[1-9])-foot-(?P<inch>1[01]|[0-9])\b", names.height),
    ("inches", rf"{_START}(?P<a>{NUM})in\b", lambda m: amount(m["a"], "inch", "inches")),
    (
        "unit range",
        rf"{_START}(?P<a>{NUM})\s?[-–]\s?(?=(?:{NUM})\s?(?:{_UNIT}){_END})",
        lambda m: cardinal(m["a"]) + " to ",
    ),
    (
        "unit",
        rf"(?:(?<![\w.,])(?P<sign>[-−]))?{_START}(?P<a>{NUM})\s?(?P<unit>{_UNIT}){_END}",
        read.unit,
    ),
    (
        "phone number",
        r"(?<![\w.,+-])(?:\+[0-9]{1,3}[ .-]?)?"  # country code
        r"(?:\([0-9]{2,5}\)[ .-]?|[0-9]{1,5}[ .-])"  # area code, bracketed or not
        r"[0-9]{2,6}(?:[ .-][0-9]{2,4}){0,2}(?![\w-]|[.,][0-9])",
        names.phone_number,
    ),
    (
        "score",
        rf"\b(?P<verb>{SCORE_WORDS})\s(?P<art>(?:[\w']+\s){{0,3}}?)(?P<a>[0-9]{{1,3}})[-–](?P<b>[0-9]{{1,3}})\b(?![-–.,]?[0-9])",
        read.score,
    ),
    (
        "score before result",
        rf"{_START}(?P<a>[0-9]{{1,2}})[-–](?P<b>[0-9]{{1,2}})(?=\s(?:{SCORE_NOUNS})\b)",
        lambda m: " ".join("nil" if n == "0" else cardinal(n) for n in (m["a"], m["b"])),
    ),
    (
        "model number after a name",
        r"\b(?P<brand>[A-Z][A-Za-z]+)\s(?P<pre>[A-Z]{1,2})?(?P<a>[0-9]{2,4})[-–](?P<b>[0-9]{1,4})(?P<s>s)?\b(?![-–.,]?[0-9])",
        names.model_number,
    ),
    (
        "model number with letters",
        r"\b(?P<pre>[A-Z]{1,2})(?P<a>[0-9]{3})[-–](?P<b>[0-9]{1,4})(?P<s>s)?\b(?![-–.,]?[0-9])",
        names.model_number,
    ),
    (
        "range",
        rf"{_START}(?P<a>{NUM})\s?(?:[-–]{{1,2}}|—)\s?(?P<b>{NUM})(?![\w.,]?[0-9])",
        lambda m: f"{cardinal(m['a'])} to {cardinal(m['b'])}",
    ),
    (
        "ordinal",
        r"(?<![\w.,])(?P<n>[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:st|nd|rd|th)\b",
        lambda m: ordinal(m["n"]),
    ),
    (
        "fraction",
        r"(?<![\w/.,])(?P<a>[0-9]{1,2})[/⁄](?P<b>[1-9][0-9]?)(?![\w/])",
        lambda m: fraction(m["a"], m["b"]),
    ),
    (
        "dimensions",
        r"\b(?P<a>[0-9]+)x(?P<b>[0-9]+)\b",
        lambda m: f"{cardinal(m['a'])} by {cardinal(m['b'])}",
    ),
    ("times", rf"{_START}(?P<a>{NUM})x\b", lambda m: cardinal(m["a"]) + " times"),
    # --- names with numbers
    (
        "numeral after a name",
        rf"(?<![\w'’])(?P<name>(?:[A-Z][a-z]+\s|[A-Z]\.?\s){{0,3}}[A-Z][a-z]+)\s(?P<num>[IVXLC]+){_NUMERAL_END}",
        names.roman_after_name,
    ),
    (
        "numeral after a counting word",
        rf"\b(?P<name>(?i:phase|type|stage|grade|class|category|level|tier|part|chapter))\s(?P<num>[IVX]+){_NUMERAL_END}",
        names.roman_after_name,
    ),
    ("letters then digits", r"\b(?P<l>[A-Za-z]+)-?(?P<d>[0-9]+)\b", r"\g<l> \g<d>"),
    ("digits then letters", r"\b(?P<d>[0-9]+)(?P<l>[A-Z]{1,2})\b", r"\g<d> \g<l>"),
    # --- plain numbers
    ("negative", r"(?<![\w.,)])[-−](?=[0-9])", "minus "),
    (
        "year",
        r"(?<![\w.,])(?P<y>1[1-9][0-9]{2}|20[0-9]{2})(?![\w]|[.,][0-9])",
        lambda m: year(m["y"]),
    ),
    ("number", rf"(?<![0-9])(?P<a>{NUM})", lambda m: read.padded(m, cardinal(m["a"]))),
    ("stray digits", r"[0-9]+", lambda m: read.padded(m, say_digits(m.group(0)))),
    # --- symbols and punctuation
    ("ampersand", r"\s*&\s*", " and "),
    ("percent sign", r"%", " percent "),
    ("plus", r"\+", " plus "),
    ("equals", r"=", " equals "),
    ("about", r"[~≈]\s?", " about "),
    ("plus-minus", r"±", " plus or minus "),
    ("times sign", r"×", " times "),
    ("degrees", r"°", " degrees "),
    ("at sign", r"@", " at "),
    ("slash", r"\s*/\s*", " slash "),
    ("decorations", r"[*_|•^]+", " "),
    # --- abbreviations and acronyms
    ("abbreviation", rf"\b(?P<abbr>{_keyed(ABBREVIATIONS)})\.(?=\s|$|[,;:])", read.abbreviation),
    ("dotted acronym", r"\b(?:[A-Za-z]\.){2,}(?![A-Za-z])", read.dotted),
    ("acronym", r"(?<![\w&'’])(?P<letters>[A-Z]{2,})(?P<plural>'?s)?(?![\w&'’])", read.acronym),
    ("em dash", r"\s*(?:—|[-–]{2,}|\s[-–]\s)\s*", ", "),  # "-–" too: "–" becomes "-" below
    ("en dash between names", r"(?<=[A-Za-z])–(?=[A-Z])", " to "),
    ("en dash", r"–", "-"),
    ("curly single quote", r"[‘’]", "'"),
    ("curly double quote", r"[“”«»„]", '"'),
)
"""English rules in the order they apply."""
