"""English number words for the normalisation rules (num2words does the counting).

Every helper takes the digits as written (``"1,234.50"``) and returns words
without digits or commas, so a second normalisation pass finds nothing to do.
"""

from __future__ import annotations

from num2words import num2words

DIGIT_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
MAX_COUNTED_DIGITS = 15
"""Longer digit runs (IDs, phone numbers) are read digit by digit, not as quadrillions."""

_FRACTION_NAMES = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def _clean(words: str) -> str:
    # num2words writes "one million, two hundred"; the comma would become a pause.
    return words.replace(",", "")


def say_digits(digits: str) -> str:
    """Read a digit string one digit at a time.

    >>> say_digits("007")
    'zero zero seven'
    """
    return " ".join(DIGIT_WORDS[int(d)] for d in digits if d.isascii() and d.isdigit())


def _whole(digits: str) -> str:
    if len(digits) > MAX_COUNTED_DIGITS or (len(digits) > 1 and digits.startswith("0")):
        return say_digits(digits)
    return _clean(num2words(int(digits), lang="en"))


def cardinal(number: str) -> str:
    """Cardinal words for ``"1,234"``, ``"3.4"``, ``"0.05"``.

    >>> cardinal("1,200")
    'one thousand two hundred'
    >>> cardinal("3.45")
    'three point four five'
    """
    digits = number.replace(",", "")
    whole, _, fraction = digits.partition(".")
    head = _whole(whole) if whole else "zero"
    return f"{head} point {say_digits(fraction)}" if fraction else head


def ordinal(number: str) -> str:
    """Ordinal words: ``"21"`` → ``'twenty-first'``."""
    digits = number.replace(",", "")
    if len(digits) > MAX_COUNTED_DIGITS:
        return say_digits(digits)
    return _clean(num2words(int(digits), lang="en", to="ordinal"))


def year(number: str) -> str:
    """A year as people say it: ``"2026"`` → ``'twenty twenty-six'``."""
    return _clean(num2words(int(number), lang="en", to="year"))


def plural_word(words: str) -> str:
    """Pluralise the last word: ``'nineteen ninety'`` → ``'nineteen nineties'``."""
    head, _, last = words.rpartition(" ")
    last = last[:-1] + "ies" if last.endswith("y") else last + "s"
    return f"{head} {last}".strip()


def decade(number: str) -> str:
    """``"1990"`` → ``'nineteen nineties'``, ``"90"`` → ``'nineties'``."""
    return plural_word(year(number) if len(number) == 4 else cardinal(number))


def clock_minutes(minutes: str) -> str:
    """Minutes after the hour: ``"05"`` → ``'oh five'``, ``"45"`` → ``'forty-five'``."""
    value = int(minutes)
    return f"oh {DIGIT_WORDS[value]}" if value < 10 else cardinal(str(value))


def fraction(numerator: str, denominator: str) -> str:
    """``"3", "4"`` → ``'three quarters'``; ``"2", "3"`` → ``'two thirds'``."""
    top, bottom = int(numerator), int(denominator)
    singular, plural = _FRACTION_NAMES.get(bottom, (ordinal(denominator), ""))
    name = singular if top == 1 else (plural or plural_word(singular))
    return f"{cardinal(numerator)} {name}"


def amount(number: str, singular: str, plural: str) -> str:
    """``"1"`` → ``'one dollar'``; anything else takes the plural."""
    return f"{cardinal(number)} {singular if number == '1' else plural}"
