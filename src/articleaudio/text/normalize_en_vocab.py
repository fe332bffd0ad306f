"""English vocabulary for the normalisation rules: the words a maintainer extends.

Each table is data walked by the rules in :mod:`articleaudio.text.normalize_en`;
adding a unit, currency or abbreviation means adding a key here. The word lists
(acronyms, regnal names, time zones, party letters, US states, range words) are
read from ``articleaudio/data/speech_en.toml``, where a row needs no code.
"""

from __future__ import annotations

import tomllib
from importlib import resources
from typing import Any


def _load_word_lists() -> dict[str, Any]:
    """The English word lists kept as data (``articleaudio/data/speech_en.toml``)."""
    text = resources.files("articleaudio").joinpath("data", "speech_en.toml").read_text("utf-8")
    return tomllib.loads(text)


_LISTS = _load_word_lists()

WORD_ACRONYMS: dict[str, str] = _LISTS["acronyms"]["words"]
"""Acronyms read as words (or with a set reading); all others are spelled out."""
LETTER_ACRONYMS = frozenset(_LISTS["acronyms"]["letters"]["words"])
"""Acronyms longer than :data:`SPELL_MAX` that are still spelled letter by letter."""
REGNAL_TITLES = frozenset(_LISTS["roman"]["titles"])
"""A name after one of these takes an ordinal numeral ("Queen Elizabeth I")."""
REGNAL_NAMES = frozenset(_LISTS["roman"]["names"])
"""A name containing one of these takes an ordinal numeral ("Charles III"), unless the
numeral is the pronoun "I" ("told Henry I would")."""
CARDINAL_ROMAN_AFTER = frozenset(w.lower() for w in _LISTS["roman"]["cardinal_after"])
"""After these words (any case) a numeral is a number ("World War II", "phase III")."""
ROMAN_KEEP = frozenset(_LISTS["roman"]["keep"])
"""Names whose letter is not a numeral at all ("Malcolm X")."""
NOT_NAMES = frozenset(_LISTS["roman"]["not_names"])
"""Capitalised function words: "The IV drip" is no name with a numeral."""
PRONOUN_NEXT = frozenset(_LISTS["roman"]["pronoun_next"])
"""Words that follow the pronoun "I", not a regnal "I"."""
TIME_ZONES: dict[str, str] = _LISTS["time_zones"]
"""Time zone after a time → how a newsreader says it."""
PARTIES: dict[str, str] = _LISTS["parties"]
"""Party letter in a US politician's tag → the party member's name."""
STATES: dict[str, str] = _LISTS["states"]
"""US state abbreviation, lower case without full stops → the state's name."""
RANGE_WORDS = frozenset(_LISTS["range_words"]["words"])
"""Capitalised words after which "N-M" is a range, not a model number."""
NEVER_FINAL = frozenset(_LISTS["sentence"]["never_final"])
"""Abbreviations with a full stop that never end a sentence."""
AFTER_TIME = frozenset(_LISTS["sentence"]["after_time"]) | frozenset(TIME_ZONES)
"""Words that continue a sentence after "a.m." or "p.m." ("5 p.m. ET", "9 a.m. Friday")."""

MONTHS = {
    "Jan": "January",
    "Feb": "February",
    "Mar": "March",
    "Apr": "April",
    "May": "May",
    "Jun": "June",
    "Jul": "July",
    "Aug": "August",
    "Sep": "September",
    "Sept": "September",
    "Oct": "October",
    "Nov": "November",
    "Dec": "December",
}
"""Month abbreviation (first three letters, or ``Sept``) → name."""

ABBREVIATIONS = {
    "Dr": "Doctor",
    "Mr": "Mister",
    "Mrs": "Missus",
    "Ms": "Miz",
    "Prof": "Professor",
    "Gen": "General",
    "Lt": "Lieutenant",
    "Col": "Colonel",
    "Sgt": "Sergeant",
    "Capt": "Captain",
    "Cmdr": "Commander",
    "Adm": "Admiral",
    "Gov": "Governor",
    "Sen": "Senator",
    "Rep": "Representative",
    "Pres": "President",
    "Rev": "Reverend",
    "Fr": "Father",
    "Supt": "Superintendent",
    "Insp": "Inspector",
    "Mt": "Mount",
    "Ft": "Fort",
    "Jr": "Junior",
    "Sr": "Senior",
    "Inc": "Incorporated",
    "Ltd": "Limited",
    "Corp": "Corporation",
    "Co": "Company",
    "Dept": "Department",
    "Ave": "Avenue",
    "Blvd": "Boulevard",
    "Rd": "Road",
    "approx": "approximately",
    "est": "estimated",
    "vs": "versus",
    "v": "versus",
    "etc": "et cetera",
    "Jan": "January",
    "Feb": "February",
    "Mar": "March",
    "Apr": "April",
    "Aug": "August",
    "Sep": "September",
    "Sept": "September",
    "Oct": "October",
    "Nov": "November",
    "Dec": "December",
}
"""Written with a full stop (``Dr.``); the stop is what marks them as abbreviations."""

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
    "k": "thousand",
    "K": "thousand",
    "m": "million",
    "M": "million",
    "mn": "million",
    "bn": "billion",
    "b": "billion",
    "B": "billion",
    "tn": "trillion",
    "trn": "trillion",
    "thousand": "thousand",
    "million": "million",
    "billion": "billion",
    "trillion": "trillion",
    "lakh": "lakh",
    "crore": "crore",
}

UNITS = {
    "km/h": ("kilometer per hour", "kilometers per hour"),
    "kph": ("kilometer per hour", "kilometers per hour"),
    "mph": ("mile per hour", "miles per hour"),
    "m/s": ("meter per second", "meters per second"),
    "km2": ("square kilometer", "square kilometers"),  # "km²" after NFKC
    "sq km": ("square kilometer", "square kilometers"),
    "m2": ("square meter", "square meters"),
    "sq ft": ("square foot", "square feet"),
    "km": ("kilometer", "kilometers"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "m": ("meter", "meters"),
    "mi": ("mile", "miles"),
    "ft": ("foot", "feet"),
    "kg": ("kilogram", "kilograms"),
    "g": ("gram", "grams"),
    "mg": ("milligram", "milligrams"),
    "lb": ("pound", "pounds"),
    "lbs": ("pound", "pounds"),
    "oz": ("ounce", "ounces"),
    "ml": ("milliliter", "milliliters"),
    "ha": ("hectare", "hectares"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "°": ("degree", "degrees"),
    "kW": ("kilowatt", "kilowatts"),
    "MW": ("megawatt", "megawatts"),
    "GW": ("gigawatt", "gigawatts"),
    "kWh": ("kilowatt hour", "kilowatt hours"),
    "MWh": ("megawatt hour", "megawatt hours"),
    "GWh": ("gigawatt hour", "gigawatt hours"),
    "TWh": ("terawatt hour", "terawatt hours"),
    "GB": ("gigabyte", "gigabytes"),
    "MB": ("megabyte", "megabytes"),
    "TB": ("terabyte", "terabytes"),
    "Mbps": ("megabit per second", "megabits per second"),
    "Gbps": ("gigabit per second", "gigabits per second"),
    "GHz": ("gigahertz", "gigahertz"),
    "MHz": ("megahertz", "megahertz"),
    "pp": ("percentage point", "percentage points"),
    "bp": ("basis point", "basis points"),
    "bps": ("basis point", "basis points"),
    "mg/l": ("milligram per liter", "milligrams per liter"),
    "sq mi": ("square mile", "square miles"),
    "m3": ("cubic meter", "cubic meters"),  # "m³" after NFKC
    "cm2": ("square centimeter", "square centimeters"),
    "yd": ("yard", "yards"),
    "yds": ("yard", "yards"),
    "μm": ("micrometer", "micrometers"),  # "µm": NFKC makes the micro sign a Greek mu
    "μg": ("microgram", "micrograms"),
    "mcg": ("microgram", "micrograms"),
    "mL": ("milliliter", "milliliters"),
    "cl": ("centiliter", "centiliters"),
    "hp": ("horsepower", "horsepower"),
    "bhp": ("brake horsepower", "brake horsepower"),
    "psi": ("pound per square inch", "pounds per square inch"),
    "dB": ("decibel", "decibels"),
    "Hz": ("hertz", "hertz"),
    "kHz": ("kilohertz", "kilohertz"),
    "mAh": ("milliamp hour", "milliamp hours"),
    "kV": ("kilovolt", "kilovolts"),
    "ppm": ("part per million", "parts per million"),
    "ppb": ("part per billion", "parts per billion"),
    "KB": ("kilobyte", "kilobytes"),
    "kB": ("kilobyte", "kilobytes"),
    "PB": ("petabyte", "petabytes"),
    "min": ("minute", "minutes"),
    "mins": ("minute", "minutes"),
    "hr": ("hour", "hours"),
    "hrs": ("hour", "hours"),
    "secs": ("second", "seconds"),
}
"""Unit symbol after a number → (singular, plural)."""

SCORE_NOUNS = "draw|win|victory|defeat|loss|lead|thrashing|scoreline|home win|away win|result"
SCORE_WORDS = (
    "won|win|wins|beat|beats|lost|lose|loses|defeated|drew|draw|victory|defeat|win|lead|"
    "leads|led|trailed|trail|trailing|scoreline|score|thrashed|edged|routed|vote|voted"
)
SPRINT_DISTANCES = {"50", "60", "100", "110", "200", "400", "800", "1500", "3000", "5000"}
"""``400m hurdles`` is a race, not 400 million hurdles."""
