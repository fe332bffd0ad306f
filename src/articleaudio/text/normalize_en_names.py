"""English readings for names and codes: numerals after names, party tags, model
numbers, phone numbers, heights and time zones.

Like :mod:`articleaudio.text.normalize_en_readings`, every function takes a match
from a row of :data:`articleaudio.text.normalize_en.RULES` and returns words
without digits. Which reading a match gets is decided by the word lists in
``articleaudio/data/speech_en.toml`` (through
:mod:`articleaudio.text.normalize_en_vocab`), not by branches here.
"""

from __future__ import annotations

import re

from .normalize_en_vocab import (
    CARDINAL_ROMAN_AFTER,
    NOT_NAMES,
    PARTIES,
    PRONOUN_NEXT,
    RANGE_WORDS,
    REGNAL_NAMES,
    REGNAL_TITLES,
    ROMAN_KEEP,
    STATES,
    TIME_ZONES,
)
from .numwords import DIGIT_WORDS, cardinal, clock_minutes, ordinal, plural_word, say_digits

Match = re.Match[str]

_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def roman_value(numeral: str) -> int | None:
    """Value of a well-formed Roman numeral up to 399, else None.

    >>> roman_value("XIV"), roman_value("IIII")
    (14, None)
    """
    total = 0
    for char, following in zip(numeral, [*numeral[1:], ""], strict=True):
        value = _ROMAN_VALUES[char]
        total += -value if following and _ROMAN_VALUES[following] > value else value
    return total if total > 0 and to_roman(total) == numeral else None


def to_roman(value: int) -> str:
    out = ""
    for number, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX")):
        count, value = divmod(value, number)
        out += letters * count
    for number, letters in ((5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, number)
        out += letters * count
    return out


def _next_word(match: Match) -> str:
    found = re.match(r"\s+([\w'’]+)", match.string[match.end() :])
    return found.group(1).lower() if found else ""


def roman_kind(match: Match) -> str:
    """``"ordinal"``, ``"cardinal"`` or ``""`` (not a numeral) for a name and numeral.

    A title or regnal name anywhere in the name makes it regnal ("Henry Ford II"), a
    counting word just before it a number ("World War II", "phase III"), and any other
    name a sequel or programme number ("Artemis II") if the numeral is more than one
    letter; "I", "V" and "X" alone are letters there ("Model X", "Plan V").
    """
    words = [w for w in match["name"].split() if w not in NOT_NAMES]
    numeral = match["num"]
    if not words or f"{words[-1]} {numeral}" in ROMAN_KEEP:
        return ""
    if words[-1].lower() in CARDINAL_ROMAN_AFTER:
        return "cardinal"
    if any(w in REGNAL_TITLES for w in words):
        return "ordinal"
    if any(w in REGNAL_NAMES for w in words):
        pronoun = numeral == "I" and _next_word(match) in PRONOUN_NEXT
        return "" if pronoun else "ordinal"
    if len(numeral) > 1 and not re.search("[LC]", numeral):
        return "cardinal"  # "Size XL" and "Nissan CV" are not sequels
    return ""


def roman_after_name(match: Match) -> str:
    value, kind = roman_value(match["num"]), roman_kind(match)
    if value is None or not kind:
        return match.group(0)
    said = cardinal(str(value)) if kind == "cardinal" else "the " + ordinal(str(value))
    return f"{match['name']} {said}{match.groupdict().get('poss') or ''}"


def party_tag(match: Match) -> str:
    """``(D-Mass.)`` → ``, Democrat of Massachusetts,`` (the commas stand for the brackets)."""
    state = STATES.get(re.sub(r"[.\s]", "", match["state"]).lower())
    if state is None:
        return match.group(0)
    return f", {PARTIES[match['party']]} of {state},"


def model_number(match: Match) -> str:
    """``Boeing 787-9`` → ``Boeing seven eight seven nine``: a model, not a range.

    Three digits are read one by one as people say aircraft types ("seven three
    seven"), the variant after the hyphen as a number ("eight hundred").
    """
    brand = match.groupdict().get("brand")
    if brand and (brand in RANGE_WORDS or brand in NOT_NAMES):
        return match.group(0)
    first = match["a"]
    said = cardinal(first)
    if len(first) == 3:
        # Boeing's "seven three seven" digit by digit; Airbus's "A three fifty" in pairs
        said = _in_pairs(first) if match["pre"] else say_digits(first)
    variant = cardinal(match["b"])
    if match["s"]:
        variant = plural_word(variant)
    head = f"{brand} " if brand else ""
    prefix = f"{match['pre']} " if match["pre"] else ""
    return f"{head}{prefix}{said} {variant}"


def _in_pairs(digits: str) -> str:
    """``"350"`` → ``'three fifty'``, ``"300"`` → ``'three hundred'``, ``"305"`` →
    ``'three oh five'``."""
    head, tail = DIGIT_WORDS[int(digits[0])], digits[1:]
    if tail == "00":
        return f"{head} hundred"
    return f"{head} {clock_minutes(tail)}"


PHONE_DIGITS = (7, 15)
"""A phone number has this many digits at least and at most (ITU-T E.164 allows 15)."""
PHONE_TRUNK_DIGITS = 9
"""A number starting with a trunk zero needs this many digits to be read as a phone."""
PHONE_MOBILE_DIGITS = 11
"""A UK mobile number (07xxx xxxxxx) has 11 digits."""
_TOLL_FREE = {"800": "eight hundred", "900": "nine hundred"}
"""North American toll-free and premium prefixes are said as hundreds."""


def phone_number(match: Match) -> str:
    """A phone number read digit by digit in its written groups, a pause between groups:
    ``555-123-4567`` → ``five-five-five, one-two-three, four-five-six-seven``.

    Only phone-shaped runs are read so: a country code, a bracketed area code, a
    leading zero (UK trunk prefix) or the North American 3-3-4 shape; anything else
    is left for the number rules.
    """
    text = match.group(0)
    groups = re.findall(r"[0-9]+", text)
    digits = "".join(groups)
    shaped = [len(g) for g in groups][-3:] == [3, 3, 4]
    # A UK number with its trunk zero has 10 or 11 digits; "05-12-2024" is a date.
    trunk = groups[0].startswith("0") and len(digits) >= PHONE_TRUNK_DIGITS
    marked = text.startswith(("+", "(")) or trunk or shaped
    # Two groups only for a mobile with its trunk zero ("07700 900123").
    enough = len(groups) >= 3 or (trunk and len(digits) >= PHONE_MOBILE_DIGITS)
    if not PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1] or not enough or not marked:
        return text
    spoken = [_TOLL_FREE.get(g) if shaped else None for g in groups]
    # Hyphens show a reader of the script one spoken group ("five-five-five"). The voice
    # gets the digits as separate words (synth.synthesize.espeak_text): espeak takes a
    # hyphenated run as one word, said so fast that repeats and zeros were lost.
    said = [
        s or "-".join(DIGIT_WORDS[int(d)] for d in g) for s, g in zip(spoken, groups, strict=True)
    ]
    return ("plus " if text.startswith("+") else "") + ", ".join(said)


def height(match: Match) -> str:
    """``6ft 2in``, ``6'2"`` → ``six foot two``, as a height is said."""
    return f"{cardinal(match['ft'])} foot {cardinal(match['inch'])}"


def zone(match: Match) -> str:
    """The time zone after a time, as a newsreader says it (" Eastern")."""
    return f" {TIME_ZONES[match['tz']]}" if match["tz"] else ""
