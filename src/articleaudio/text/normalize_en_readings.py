"""English readings: what each normalisation rule says for its match.

Every function takes a regex match from a row of
:data:`articleaudio.text.normalize_en.RULES` and returns words without digits, so
a second pass finds nothing left to change.
"""

from __future__ import annotations

import re

from .normalize_en_names import zone
from .normalize_en_vocab import (
    ABBREVIATIONS,
    CURRENCIES,
    LETTER_ACRONYMS,
    MONTHS,
    SCALES,
    SPELL_MAX,
    SPRINT_DISTANCES,
    UNITS,
    WORD_ACRONYMS,
)
from .numwords import amount, cardinal, clock_minutes, fraction, ordinal, say_digits, year

Match = re.Match[str]


def final_stop(match: Match, spoken: str) -> str:
    """Keep a sentence-ending full stop that the abbreviation swallowed."""
    ends_text = match.end() == len(match.string) or match.string[match.end() :].strip() == ""
    return spoken + "." if match.group(0).endswith(".") and ends_text else spoken


def padded(match: Match, words: str) -> str:
    """Keep number words apart from letters they were glued to ("B2B" → "B two B")."""
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return before + words + after


def spell(letters: str) -> str:
    """Letters joined by hyphens, which espeak reads as letter names.

    A later "A" stays a letter here, as the script shows it; the Piper synthesizer
    respells it for espeak (:func:`articleaudio.synth.synthesize.espeak_text`).

    >>> spell("OSCE"), spell("UAE")
    ('O-S-C-E', 'U-A-E')
    """
    return "-".join(letters.upper())


def money(match: Match) -> str:
    one, many, minor_one, minor_many = CURRENCIES[match["cur"].rstrip(".")]
    low, high, scale = match["a"], match["b"], match["scale"] or match["scale_word"]
    if scale:
        words = " to ".join(cardinal(n) for n in (low, high) if n)
        return f"{words} {SCALES[scale]} {many}"
    if high and "." not in low + high:
        return f"{cardinal(low)} to {amount(high, one, many)}"
    names = (one, many, minor_one, minor_many)
    return " to ".join(price(n, *names) for n in (low, high) if n)


def price(number: str, one: str, many: str, minor_one: str, minor_many: str) -> str:
    """``2.99`` → ``'two pounds and ninety-nine pence'``; other decimals read as points."""
    whole, _, cents = number.partition(".")
    if len(cents) != 2 or not minor_one:
        return amount(number, one, many)
    minor = amount(str(int(cents)), minor_one, minor_many)
    if whole.strip("0,") == "":
        return minor
    return f"{amount(whole, one, many)} and {minor}" if int(cents) else amount(whole, one, many)


def money_after(match: Match) -> str:
    one, many, *_ = CURRENCIES[match["cur"]]
    scale = match["scale"] or match["scale_word"]
    if scale:
        return f"{cardinal(match['a'])} {SCALES[scale]} {many}"
    return amount(match["a"], one, many)


def million_m(match: Match) -> str:
    """``2m barrels`` → two million barrels; ``a 5m wall`` is left to the unit rule."""
    if match["a"].replace(",", "") in SPRINT_DISTANCES:
        return amount(match["a"], *UNITS["m"])
    return f"{cardinal(match['a'])} million"


def minor(match: Match) -> str:
    singular, plural = {"p": ("penny", "pence"), "c": ("cent", "cents"), "¢": ("cent", "cents")}[
        match["unit"]
    ]
    return amount(match["a"], singular, plural)


def unit(match: Match) -> str:
    singular, plural = UNITS[match["unit"]]
    sign = "minus " if match["sign"] else ""
    return sign + amount(match["a"], singular, plural)


def clock(match: Match) -> str:
    hour, minutes, meridiem = int(match["h"]), match["m"], match["ampm"]
    said = cardinal(str(hour))
    if minutes and int(minutes):
        said += " " + clock_minutes(minutes)
    elif not meridiem:
        said += " o'clock" if hour <= 12 else " hundred"
    if meridiem:
        said += " A-M" if meridiem[0] in "aA" else " P-M"
    return final_stop(match, said + zone(match))


DAY_JOINS = {"-": "to", "–": "to", "/": "to", "to": "to", "and": "and", "or": "or"}
"""What is said between the two days of a range: "3/4 March" is one span (the night of
3/4 March), "3 and 4 March" two days."""


def day_join(match: Match) -> str:
    """The word between two days, with "the" again after "to" ("the third to the fourth")."""
    word = DAY_JOINS[match["join"].strip()]
    return f" {word} the " if word == "to" else f" {word} "


def us_date(match: Match) -> str:
    said = MONTHS[match["mon"][:3]] + " " + ordinal(match["d1"])
    if match["d2"]:
        said += day_join(match).replace(" the ", " ") + ordinal(match["d2"])
    if match["y"]:
        said += ", " + year(match["y"])
    return said


def uk_date(match: Match) -> str:
    said = "the " + ordinal(match["d1"])
    if match["d2"]:
        said += day_join(match) + ordinal(match["d2"])
    said += " of " + MONTHS[match["mon"][:3]]
    return final_stop(match, said + (" " + year(match["y"]) if match["y"] else ""))


_MONTH_NUMBERS = list(dict.fromkeys(MONTHS.values()))


def vulgar(match: Match) -> str:
    """``2½`` arrives as ``21⁄2`` after NFKC: the digit before U+2044 is the numerator."""
    part = fraction(match["a"], match["b"])
    if not match["w"]:
        return part
    return f"{cardinal(match['w'])} and {part.replace('one ', 'a ', 1)}"


def numeric_date(match: Match) -> str:
    month = _MONTH_NUMBERS[int(match["mo"]) - 1]
    return f"{month} {ordinal(match['d'])}, {year(match['y'])}"


def quarter(match: Match) -> str:
    part = "quarter" if match["kind"] == "Q" else "half"
    said = f"{match['the'] or 'the'} {ordinal(match['n'])} {part}"
    if match.start() == 0:
        said = said[0].upper() + said[1:]
    return said + (f" of {year(match['y'])}" if match["y"] else "")


def year_range(match: Match) -> str:
    end = match["b"]
    tail = year(end) if len(end) == 4 else clock_minutes(end) if end[0] == "0" else cardinal(end)
    return f"{year(match['a'])} to {tail}"


def score(match: Match) -> str:
    """Sports scores read "three one", "two nil"; votes read "three hundred to ninety"."""
    verb, low, high = match["verb"], match["a"], match["b"]
    if verb.startswith("vote"):
        return f"{verb} {match['art'] or ''}{cardinal(low)} to {cardinal(high)}"
    sides = " ".join("nil" if n == "0" else cardinal(n) for n in (low, high))
    return f"{verb} {match['art'] or ''}{sides}"


def acronym(match: Match) -> str:
    letters, plural = match["letters"], match["plural"]
    if letters in WORD_ACRONYMS:
        said = WORD_ACRONYMS[letters]
    elif (
        len(letters) <= SPELL_MAX
        or letters in LETTER_ACRONYMS
        or not re.search("[AEIOUY]", letters)
    ):
        said = spell(letters)
    else:
        said = letters.capitalize()
    return said + ("'s" if plural else "")


def dotted(match: Match) -> str:
    return final_stop(match, spell(match.group(0).replace(".", "")))


def abbreviation(match: Match) -> str:
    return final_stop(match, ABBREVIATIONS[match["abbr"]])


def address(match: Match) -> str:
    text = re.sub(r"^(?:https?://)", "", match.group(0))
    text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/")
    text = re.sub(r"^www\.", "W-W-W.", text)
    for symbol, word in ((".", " dot "), ("/", " slash "), ("@", " at "), ("_", " underscore ")):
        text = text.replace(symbol, word)
    text = re.sub(r"[0-9]+", lambda m: " " + say_digits(m.group(0)) + " ", text)
    return re.sub(r"-(?=[a-z ])", " dash ", text)
