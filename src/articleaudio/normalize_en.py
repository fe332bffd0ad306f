"""English normalisation table: news copy → words that espeak-ng reads right.

``RULES`` is an ordered list of ``(name, pattern, replacement)`` rows. Order
matters: each row turns the digits it owns into words, so later, more general
rows (plain numbers last) only see what earlier rows left. Vocabulary lives in
the dictionaries below; adding a unit, currency or acronym means adding a key.

Two Piper facts shape the output. Piper's espeak-ng sentence splitter ends a
sentence after "Dr.", "Mr." or "Jan.", so no abbreviation with a full stop may
survive; and espeak reads a lone capital "A" as the article, so acronyms are
spelled as hyphen-joined letters ("O-S-C-E"), which it reads as letter names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .numwords import (
    amount,
    cardinal,
    clock_minutes,
    decade,
    fraction,
    ordinal,
    say_digits,
    year,
)

Match = re.Match[str]
Replacement = str | Callable[[Match], str]

NUM = r"(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
"""A written number: ``7``, ``1,234``, ``3.4``."""
_START = r"(?<![\w.,])"
"""A number starts here: not glued to a word or to another number."""

MONTHS = {
    "Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "May": "May",
    "Jun": "June", "Jul": "July", "Aug": "August", "Sep": "September", "Sept": "September",
    "Oct": "October", "Nov": "November", "Dec": "December",
}  # fmt: skip
_MON = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)(?![A-Za-z])\.?"
)
_DAY = r"(?P<{0}>[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?"

ABBREVIATIONS = {
    "Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Prof": "Professor",
    "Gen": "General", "Lt": "Lieutenant", "Col": "Colonel", "Sgt": "Sergeant",
    "Capt": "Captain", "Cmdr": "Commander", "Adm": "Admiral", "Gov": "Governor",
    "Sen": "Senator", "Rep": "Representative", "Pres": "President", "Rev": "Reverend",
    "Fr": "Father", "Supt": "Superintendent", "Insp": "Inspector", "Mt": "Mount",
    "Ft": "Fort", "Jr": "Junior", "Sr": "Senior", "Inc": "Incorporated", "Ltd": "Limited",
    "Corp": "Corporation", "Co": "Company", "Dept": "Department", "Ave": "Avenue",
    "Blvd": "Boulevard", "Rd": "Road", "approx": "approximately", "est": "estimated",
    "vs": "versus", "v": "versus", "etc": "et cetera", "Jan": "January", "Feb": "February",
    "Mar": "March", "Apr": "April", "Aug": "August", "Sep": "September", "Sept": "September",
    "Oct": "October", "Nov": "November", "Dec": "December",
}  # fmt: skip
"""Written with a full stop (``Dr.``); the stop is what marks them as abbreviations."""

WORD_ACRONYMS = {
    "NATO": "Nato", "NASA": "Nasa", "UNESCO": "Unesco", "UNICEF": "Unicef", "OPEC": "Opec",
    "COVID": "Covid", "AIDS": "Aids", "FIFA": "Fifa", "UEFA": "Uefa", "NAFTA": "Nafta",
    "ASEAN": "Asean", "CERN": "Cern", "SWAT": "Swat", "LASER": "laser", "RADAR": "radar",
    "SARS": "Sars", "MERS": "Mers", "ISIS": "Isis", "FEMA": "Feema", "OFCOM": "Ofcom",
    "OFSTED": "Ofsted", "FTSE": "Footsie", "NASDAQ": "Nazdack", "BAFTA": "Bafta",
    "IKEA": "Ikea", "LEGO": "Lego", "SWIFT": "Swift", "GIF": "gif", "PIN": "pin",
    "SIM": "sim", "NIMBY": "nimby", "DAX": "Dax", "ANC": "A-N-C", "IEEE": "I triple E",
    "NAACP": "N double eh C-P", "AAA": "triple eh", "WWII": "World War Two",
    "WWI": "World War One", "PhD": "P-H-D", "GmbH": "G-M-B-H", "AT&T": "A-T and T",
    "Q&A": "Q and eh", "R&D": "R and D", "M&A": "M and eh", "P&O": "P and O",
}  # fmt: skip
"""Acronyms read as words (or with a set reading); all others are spelled out."""
SPELL_MAX = 5
"""Unknown all-capital words up to this long are spelled; longer ones are read as words."""

CURRENCIES = {
    "$": ("dollar", "dollars", "cent", "cents"),
    "US$": ("U-S dollar", "U-S dollars", "cent", "cents"),
    "A$": ("Australian dollar", "Australian dollars", "cent", "cents"),
    "C$": ("Canadian dollar", "Canadian dollars", "cent", "cents"),
    "HK$": ("Hong Kong dollar", "Hong Kong dollars", "cent", "cents"),
    "£": ("pound", "pounds", "penny", "pence"),
    "€": ("euro", "euros", "cent", "cents"),
    "¥": ("yen", "yen", "", ""),
    "₹": ("rupee", "rupees", "paisa", "paise"),
    "₽": ("rouble", "roubles", "kopek", "kopeks"),
    "₴": ("hryvnia", "hryvnias", "kopiyka", "kopiykas"),
    "USD": ("U-S dollar", "U-S dollars", "cent", "cents"),
    "EUR": ("euro", "euros", "cent", "cents"),
    "GBP": ("pound", "pounds", "penny", "pence"),
    "JPY": ("yen", "yen", "", ""),
    "CNY": ("yuan", "yuan", "", ""),
    "CHF": ("Swiss franc", "Swiss francs", "centime", "centimes"),
    "INR": ("rupee", "rupees", "paisa", "paise"),
    "Rs": ("rupee", "rupees", "paisa", "paise"),
}
"""Symbol or ISO 4217 code → (one, many, one minor, many minor)."""
SCALES = {
    "k": "thousand", "K": "thousand", "m": "million", "M": "million", "mn": "million",
    "bn": "billion", "b": "billion", "B": "billion", "tn": "trillion", "trn": "trillion",
    "thousand": "thousand", "million": "million", "billion": "billion", "trillion": "trillion",
    "lakh": "lakh", "crore": "crore",
}  # fmt: skip

UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"), "m/s": ("meter per second", "meters per second"),
    "km2": ("square kilometer", "square kilometers"),  # "km²" after NFKC
    "sq km": ("square kilometer", "square kilometers"),
    "m2": ("square meter", "square meters"), "sq ft": ("square foot", "square feet"),
    "km": ("kilometer", "kilometers"), "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"), "m": ("meter", "meters"), "mi": ("mile", "miles"),
    "ft": ("foot", "feet"), "kg": ("kilogram", "kilograms"), "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"), "lb": ("pound", "pounds"), "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"), "ml": ("milliliter", "milliliters"), "ha": ("hectare", "hectares"),
    "°C": ("degree Celsius", "degrees Celsius"), "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"), "kW": ("kilowatt", "kilowatts"), "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"), "kWh": ("kilowatt hour", "kilowatt hours"),
    "MWh": ("megawatt hour", "megawatt hours"), "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"), "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"), "TB": ("terabyte", "terabytes"),
    "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"), "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("megahertz", "megahertz"), "pp": ("percentage point", "percentage points"),
    "bp": ("basis point", "basis points"), "bps": ("basis point", "basis points"),
    "mg/l": ("milligram per liter", "milligrams per liter"),
}  # fmt: skip
"""Unit symbol after a number → (singular, plural)."""

TITLES_BEFORE_ROMAN = "King|Queen|Pope|Tsar|Emperor|Empress|Prince|Princess|Pharaoh|Louis|Henry"
SCORE_NOUNS = "draw|win|victory|defeat|loss|lead|thrashing|scoreline|home win|away win|result"
CARDINAL_ROMAN_AFTER = "War|Bowl|Part|Chapter|Phase|Title|Article|Act|Apollo|Vatican|Round|Level"
SCORE_WORDS = (
    "won|win|wins|beat|beats|lost|lose|loses|defeated|drew|draw|victory|defeat|win|lead|"
    "leads|led|trailed|trail|trailing|scoreline|score|thrashed|edged|routed|vote|voted"
)
_END = r"(?![A-Za-z0-9])"
"""A unit ends here: not followed by more letters or digits ("5 km" but not "5 kmph")."""


def _final_stop(match: Match, spoken: str) -> str:
    """Keep a sentence-ending full stop that the abbreviation swallowed."""
    ends_text = match.end() == len(match.string) or match.string[match.end() :].strip() == ""
    return spoken + "." if match.group(0).endswith(".") and ends_text else spoken


def _padded(match: Match, words: str) -> str:
    """Keep number words apart from letters they were glued to ("B2B" → "B two B")."""
    text, start, end = match.string, match.start(), match.end()
    before = " " if start > 0 and text[start - 1].isalpha() else ""
    after = " " if end < len(text) and text[end].isalpha() else ""
    return before + words + after


def spell(letters: str) -> str:
    """Letters joined by hyphens, which espeak reads as letter names.

    espeak reads an "A" after the first letter as a schwa ("U-A-E" → "you-uh-ee"),
    so a later A is written "eh", which it reads as the letter name.

    >>> spell("OSCE"), spell("UAE")
    ('O-S-C-E', 'U-eh-E')
    """
    upper = letters.upper()
    return "-".join([upper[0], *("eh" if c == "A" else c for c in upper[1:])])


def _money(match: Match) -> str:
    one, many, minor_one, minor_many = CURRENCIES[match["cur"].rstrip(".")]
    low, high, scale = match["a"], match["b"], match["scale"] or match["scale_word"]
    if scale:
        words = " to ".join(cardinal(n) for n in (low, high) if n)
        return f"{words} {SCALES[scale]} {many}"
    if high and "." not in low + high:
        return f"{cardinal(low)} to {amount(high, one, many)}"
    names = (one, many, minor_one, minor_many)
    return " to ".join(_price(n, *names) for n in (low, high) if n)


def _price(number: str, one: str, many: str, minor_one: str, minor_many: str) -> str:
    """``2.99`` → ``'two pounds and ninety-nine pence'``; other decimals read as points."""
    whole, _, cents = number.partition(".")
    if len(cents) != 2 or not minor_one:
        return amount(number, one, many)
    minor = amount(str(int(cents)), minor_one, minor_many)
    if whole.strip("0,") == "":
        return minor
    return f"{amount(whole, one, many)} and {minor}" if int(cents) else amount(whole, one, many)


def _money_after(match: Match) -> str:
    one, many, *_ = CURRENCIES[match["cur"]]
    scale = match["scale"] or match["scale_word"]
    if scale:
        return f"{cardinal(match['a'])} {SCALES[scale]} {many}"
    return amount(match["a"], one, many)


SPRINT_DISTANCES = {"50", "60", "100", "110", "200", "400", "800", "1500", "3000", "5000"}
"""``400m hurdles`` is a race, not 400 million hurdles."""


def _million_m(match: Match) -> str:
    """``2m barrels`` → two million barrels; ``a 5m wall`` is left to the unit rule."""
    if match["a"].replace(",", "") in SPRINT_DISTANCES:
        return amount(match["a"], *UNITS["m"])
    return f"{cardinal(match['a'])} million"


def _minor(match: Match) -> str:
    singular, plural = {"p": ("penny", "pence"), "c": ("cent", "cents"), "¢": ("cent", "cents")}[
        match["unit"]
    ]
    return amount(match["a"], singular, plural)


def _unit(match: Match) -> str:
    singular, plural = UNITS[match["unit"]]
    sign = "minus " if match["sign"] else ""
    return sign + amount(match["a"], singular, plural)


def _clock(match: Match) -> str:
    hour, minutes, meridiem = int(match["h"]), match["m"], match["ampm"]
    said = cardinal(str(hour))
    if minutes and int(minutes):
        said += " " + clock_minutes(minutes)
    elif not meridiem:
        said += " o'clock" if hour <= 12 else " hundred"
    if meridiem:
        said += " A-M" if meridiem[0] in "aA" else " P-M"
    return _final_stop(match, said)


def _us_date(match: Match) -> str:
    said = MONTHS[match["mon"][:3]] + " " + ordinal(match["d1"])
    if match["d2"]:
        said += " to " + ordinal(match["d2"])
    if match["y"]:
        said += ", " + year(match["y"])
    return said


def _uk_date(match: Match) -> str:
    said = "the " + ordinal(match["d1"])
    if match["d2"]:
        said += " to the " + ordinal(match["d2"])
    said += " of " + MONTHS[match["mon"][:3]]
    return _final_stop(match, said + (" " + year(match["y"]) if match["y"] else ""))


_MONTH_NUMBERS = list(dict.fromkeys(MONTHS.values()))


def _vulgar(match: Match) -> str:
    """``2½`` arrives as ``21⁄2`` after NFKC: the digit before U+2044 is the numerator."""
    part = fraction(match["a"], match["b"])
    if not match["w"]:
        return part
    return f"{cardinal(match['w'])} and {part.replace('one ', 'a ', 1)}"


def _numeric_date(match: Match) -> str:
    month = _MONTH_NUMBERS[int(match["mo"]) - 1]
    return f"{month} {ordinal(match['d'])}, {year(match['y'])}"


def _quarter(match: Match) -> str:
    part = "quarter" if match["kind"] == "Q" else "half"
    said = f"{match['the'] or 'the'} {ordinal(match['n'])} {part}"
    if match.start() == 0:
        said = said[0].upper() + said[1:]
    return said + (f" of {year(match['y'])}" if match["y"] else "")


def _year_range(match: Match) -> str:
    end = match["b"]
    tail = year(end) if len(end) == 4 else clock_minutes(end) if end[0] == "0" else cardinal(end)
    return f"{year(match['a'])} to {tail}"


def _score(match: Match) -> str:
    """Sports scores read "three one", "two nil"; votes read "three hundred to ninety"."""
    verb, low, high = match["verb"], match["a"], match["b"]
    if verb.startswith("vote"):
        return f"{verb} {match['art'] or ''}{cardinal(low)} to {cardinal(high)}"
    sides = " ".join("nil" if n == "0" else cardinal(n) for n in (low, high))
    return f"{verb} {match['art'] or ''}{sides}"


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
    return total if total > 0 and _to_roman(total) == numeral else None


def _to_roman(value: int) -> str:
    out = ""
    for number, letters in ((100, "C"), (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX")):
        count, value = divmod(value, number)
        out += letters * count
    for number, letters in ((5, "V"), (4, "IV"), (1, "I")):
        count, value = divmod(value, number)
        out += letters * count
    return out


def _regnal(match: Match) -> str:
    value = roman_value(match["num"])
    if value is None:
        return match.group(0)
    name = match["name"]
    title = f"{match['title']} " if "title" in match.groupdict() else ""
    if re.fullmatch(CARDINAL_ROMAN_AFTER, name):
        return f"{title}{name} {cardinal(str(value))}"
    if "L" in match["num"] or "C" in match["num"]:
        return match.group(0)  # "Size XL", "Nissan CV": only series names count that high
    return f"{title}{name} the {ordinal(str(value))}"


def _acronym(match: Match) -> str:
    letters, plural = match["letters"], match["plural"]
    if letters in WORD_ACRONYMS:
        said = WORD_ACRONYMS[letters]
    elif len(letters) <= SPELL_MAX or not re.search("[AEIOUY]", letters):
        said = spell(letters)
    else:
        said = letters.capitalize()
    return said + ("'s" if plural else "")


def _dotted(match: Match) -> str:
    return _final_stop(match, spell(match.group(0).replace(".", "")))


def _abbreviation(match: Match) -> str:
    return _final_stop(match, ABBREVIATIONS[match["abbr"]])


def _address(match: Match) -> str:
    text = re.sub(r"^(?:https?://)", "", match.group(0))
    text = re.split(r"[?#]", text, maxsplit=1)[0].rstrip("/")
    text = re.sub(r"^www\.", "W-W-W.", text)
    for symbol, word in ((".", " dot "), ("/", " slash "), ("@", " at "), ("_", " underscore ")):
        text = text.replace(symbol, word)
    text = re.sub(r"[0-9]+", lambda m: " " + say_digits(m.group(0)) + " ", text)
    return re.sub(r"-(?=[a-z ])", " dash ", text)


def _keyed(table: Mapping[str, object]) -> str:
    """Regex alternation of a table's keys, longest first so ``km/h`` beats ``km``."""
    return "|".join(re.escape(k) for k in sorted(table, key=len, reverse=True))


_UNIT = _keyed(UNITS)
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
        _address,
    ),
    ("URL", r"\b(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]']", _address),
    (
        "bare domain",
        r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|org|net|gov|edu|io|ai|int|news|co\.uk|org\.uk|gov\.uk|ac\.uk)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]'])?",
        _address,
    ),
    ("hashtag", r"#(?=[A-Za-z])", "hashtag "),
    ("number sign", r"#\s?(?=[0-9])", "number "),
    ("handle", r"(?<![\w@])@(?=[A-Za-z_])", "at "),
    # --- set readings and abbreviations before generic letters and numbers
    (
        "word acronym",
        r"(?<![\w&])(?:AT&T|Q&A|R&D|M&A|P&O|PhD|GmbH)(?![\w&])",
        lambda m: WORD_ACRONYMS[m.group(0)],
    ),
    (
        "mixed fraction",
        r"(?<![0-9])(?:(?P<w>[0-9]+)(?=[0-9]⁄))?(?P<a>[0-9])⁄(?P<b>[0-9]{1,2})(?![0-9])",
        _vulgar,
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
        lambda m: _final_stop(m, m["w"] + " Street"),
    ),
    ("Saint", r"\bSt\b\.?(?=\s+[A-Z])", "Saint"),
    # --- dates and times
    (
        "ISO date",
        r"\b(?P<y>[12][0-9]{3})-(?P<mo>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12][0-9]|3[01])\b",
        _numeric_date,
    ),
    (
        "US numeric date",
        r"\b(?P<mo>1[0-2]|0?[1-9])/(?P<d>3[01]|[12][0-9]|0?[1-9])/(?P<y>[12][0-9]{3})\b",
        _numeric_date,
    ),
    (
        "month day year",
        rf"\b{_MON}\s(?:{_DAY.format('d1')})(?:\s?[-–]\s?{_DAY.format('d2')})?(?:,?\s(?P<y>[12][0-9]{{3}}))?\b(?!:)",
        _us_date,
    ),
    (
        "day month year",
        rf"\b{_DAY.format('d1')}(?:\s?[-–]\s?{_DAY.format('d2')})?\s{_MON}(?:,?\s(?P<y>[12][0-9]{{3}})\b)?",
        _uk_date,
    ),
    (
        "month year",
        rf"\b{_MON},?\s(?P<y>[12][0-9]{{3}})\b",
        lambda m: f"{MONTHS[m['mon'][:3]]} {year(m['y'])}",
    ),
    (
        "quarter",
        r"(?:\b(?P<the>[Tt]he)\s)?\b(?P<kind>[QH])(?P<n>[1-4])(?:\s(?P<y>[12][0-9]{3})\b)?\b",
        _quarter,
    ),
    ("fiscal year", r"\bFY\s?(?P<y>[12][0-9]{3})\b", lambda m: f"fiscal year {year(m['y'])}"),
    (
        "time range",
        r"(?:(?<=[0-9][ap]m)|(?<=[0-9][AP]M)|(?<=[0-9]:[0-9]{2}))\s?[-–]\s?(?=[0-9])",
        " to ",
    ),
    (
        "clock",
        r"\b(?P<h>[01]?[0-9]|2[0-3]):(?P<m>[0-5][0-9])(?:\s?(?P<ampm>[ap]\.m\.|[ap]m\b|[AP]M\b))?",
        _clock,
    ),
    (
        "clock with dot",
        r"\b(?P<h>1[0-2]|0?[1-9])(?:\.(?P<m>[0-5][0-9]))?\s?(?P<ampm>[ap]\.m\.|[ap]m\b|[AP]M\b)",
        _clock,
    ),
    ("decade 4-digit", r"\b(?P<y>1[0-9][0-9]0|20[0-9]0)'?s\b", lambda m: decade(m["y"])),
    ("decade 2-digit", r"(?<![\w.,])['’]?(?P<y>[1-9]0)'?s\b", lambda m: decade(m["y"])),
    (
        "year range",
        r"\b(?P<a>1[0-9]{3}|20[0-9]{2})[-–/](?P<b>[0-9]{2}|1[0-9]{3}|20[0-9]{2})\b(?![-–/.,]?[0-9])",
        _year_range,
    ),
    # --- money, percentages, units, scores and ranges
    (
        "money before",
        rf"(?<![\w.])(?P<cur>{_CUR_BEFORE}|EUR|GBP|JPY|CNY|CHF|INR|Rs\.?)\s?(?P<a>{NUM})(?:\s?(?:[-–]|to)\s?(?:{_CUR_BEFORE})?(?P<b>{NUM}))?{_SCALE}?",
        _money,
    ),
    (
        "money after",
        rf"{_START}(?P<a>{NUM})\s?{_SCALE}?\s(?P<cur>USD|EUR|GBP|JPY|CNY|CHF|INR)\b",
        _money_after,
    ),
    (
        "millions with m",
        rf"{_START}(?P<a>{NUM})m(?=\s(?:[a-z]+s|people|children|men|women)\b)",
        _million_m,
    ),
    ("pence and cents", rf"{_START}(?P<a>[0-9]{{1,2}})(?P<unit>p|c|¢)(?![\w])", _minor),
    (
        "scale",
        rf"{_START}(?P<a>{NUM})\s?(?P<scale>bn|tn|trn|mn)\b",
        lambda m: f"{cardinal(m['a'])} {SCALES[m['scale']]}",
    ),
    (
        "percentage range",
        rf"{_START}(?P<a>{NUM})\s?(?:%\s?)?[-–]\s?(?=(?:{NUM})\s?(?:%|per\s?cent|percent)(?![\w]))",
        lambda m: cardinal(m["a"]) + " to ",
    ),
    (
        "percentage",
        rf"(?:(?<![\w.,])(?P<sign>[-−+]))?{_START}(?P<a>{NUM})\s?(?:%|per\s?cent\b)",
        lambda m: (
            ("minus " if m["sign"] in ("-", "−") else "plus " if m["sign"] else "")
            + cardinal(m["a"])
            + " percent"
        ),
    ),
    (
        "unit range",
        rf"{_START}(?P<a>{NUM})\s?[-–]\s?(?=(?:{NUM})\s?(?:{_UNIT}){_END})",
        lambda m: cardinal(m["a"]) + " to ",
    ),
    (
        "unit",
        rf"(?:(?<![\w.,])(?P<sign>[-−]))?{_START}(?P<a>{NUM})\s?(?P<unit>{_UNIT}){_END}",
        _unit,
    ),
    (
        "phone number",
        r"(?<![\w-])(?:\+?[0-9]{1,3}[ -])?\(?[0-9]{3}\)?[ -][0-9]{3}[ -][0-9]{4}\b",
        lambda m: say_digits(m.group(0)),
    ),
    (
        "score",
        rf"\b(?P<verb>{SCORE_WORDS})\s(?P<art>(?:[\w']+\s){{0,3}}?)(?P<a>[0-9]{{1,3}})[-–](?P<b>[0-9]{{1,3}})\b(?![-–.,]?[0-9])",
        _score,
    ),
    (
        "score before result",
        rf"{_START}(?P<a>[0-9]{{1,2}})[-–](?P<b>[0-9]{{1,2}})(?=\s(?:{SCORE_NOUNS})\b)",
        lambda m: " ".join("nil" if n == "0" else cardinal(n) for n in (m["a"], m["b"])),
    ),
    (
        "range",
        rf"{_START}(?P<a>{NUM})\s?[-–]\s?(?P<b>{NUM})(?![\w.,]?[0-9])",
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
        "regnal number",
        rf"\b(?P<title>{TITLES_BEFORE_ROMAN})\s(?P<name>[A-Z][a-z]+)\s(?P<num>[IVX]+)\b(?![\w'’-])",
        _regnal,
    ),
    (
        "series number",
        r"\b(?P<name>[A-Z][a-z]+)\s(?P<num>[IVXLC]{2,}|(?<=War\s)I)\b(?![\w'’-])",
        _regnal,
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
    ("number", rf"(?<![0-9])(?P<a>{NUM})", lambda m: _padded(m, cardinal(m["a"]))),
    ("stray digits", r"[0-9]+", lambda m: _padded(m, say_digits(m.group(0)))),
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
    ("abbreviation", rf"\b(?P<abbr>{_keyed(ABBREVIATIONS)})\.(?=\s|$|[,;:])", _abbreviation),
    ("dotted acronym", r"\b(?:[A-Za-z]\.){2,}(?![A-Za-z])", _dotted),
    ("acronym", r"(?<![\w&'’])(?P<letters>[A-Z]{2,})(?P<plural>'?s)?(?![\w&'’])", _acronym),
    ("em dash", r"\s*(?:—|--|\s[-–]\s)\s*", ", "),
    ("en dash between names", r"(?<=[A-Za-z])–(?=[A-Z])", " to "),
    ("en dash", r"–", "-"),
    ("curly single quote", r"[‘’]", "'"),
    ("curly double quote", r"[“”«»„]", '"'),
)
"""English rules in the order they apply."""
