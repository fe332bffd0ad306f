"""English vocabulary for the normalisation rules: the words a maintainer extends.

Each table is data walked by the rules in :mod:`articleaudio.normalize_en`;
adding a unit, currency, abbreviation or acronym means adding a key here.
"""

from __future__ import annotations

MONTHS = {
    "Jan": "January", "Feb": "February", "Mar": "March", "Apr": "April", "May": "May",
    "Jun": "June", "Jul": "July", "Aug": "August", "Sep": "September", "Sept": "September",
    "Oct": "October", "Nov": "November", "Dec": "December",
}  # fmt: skip
"""Month abbreviation (first three letters, or ``Sept``) → name."""

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
    "NAACP": "N double A C-P", "AAA": "triple A", "WWII": "World War Two",
    "WWI": "World War One", "PhD": "P-H-D", "GmbH": "G-M-B-H", "AT&T": "A-T and T",
    "Q&A": "Q and A", "R&D": "R and D", "M&A": "M and A", "P&O": "P and O",
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
SPRINT_DISTANCES = {"50", "60", "100", "110", "200", "400", "800", "1500", "3000", "5000"}
"""``400m hurdles`` is a race, not 400 million hurdles."""
