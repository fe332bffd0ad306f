"""Language, dates and bylines: the metadata tables both extractors share.

Pure functions over strings. Month names, zones and byline words are data (add a
row for a new language); the functions that use them stay small. Page furniture
(menus, captions, appeals) lives in :mod:`.furniture`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, timezone
from functools import cache

from .scripts import script_language

WORD = re.compile(r"\w+", re.UNICODE)
"""A word token, the same definition the evaluation uses."""

LANGUAGES: dict[str, str] = {
    "en": "English",
    "de": "German",
    "es": "Spanish",
    "pt": "Portuguese",
    "fr": "French",
    "it": "Italian",
    "nl": "Dutch",
    "hr": "Croatian",
    "sr": "Serbian",
    "sl": "Slovenian",
    "pl": "Polish",
    "cs": "Czech",
    "uk": "Ukrainian",
    "ru": "Russian",
    "sv": "Swedish",
    "da": "Danish",
    "nb": "Norwegian_Bokmal",
    "ro": "Romanian",
    "tr": "Turkish",
    # Scripts of their own: a page copy in these is judged by its own function words.
    "el": "Greek",
    "ar": "Arabic",
    "he": "Hebrew",
}
"""BCP 47 code → jusText stop-list name; the languages we detect."""

DEFAULT_LANGUAGE = "en"


@cache
def stopwords(language: str) -> frozenset[str]:
    """jusText's stop-word list for a language code (English when unknown)."""
    import justext  # lazy: it costs 80 ms to import, and clean Markdown never needs it

    name = LANGUAGES.get(language.split("-")[0].lower(), "English")
    return frozenset(justext.get_stoplist(name))


def words(text: str) -> list[str]:
    """Lower-cased word tokens.

    >>> words("It's 2 o'clock!")
    ['it', 's', '2', 'o', 'clock']
    """
    return WORD.findall(text.lower())


def stopword_density(text: str, language: str) -> float:
    """Share of tokens that are stop words: high in prose, low in menus and lists."""
    tokens = words(text)
    if not tokens:
        return 0.0
    stops = stopwords(language)
    return sum(t in stops for t in tokens) / len(tokens)


def detect_language(text: str, hint: str | None = None) -> str:
    """Guess the language from stop-word hits, trusting a declared ``hint`` unless the
    text plainly says otherwise (CMS templates often declare ``lang="en"`` everywhere).

    >>> detect_language("Der Hund und die Katze sind nicht mit dem Auto gefahren.")
    'de'
    >>> detect_language("The dog and the cat did not go in the car with them.")
    'en'
    >>> detect_language("Der Hund und die Katze sind nicht mit dem Auto gefahren.", "en")
    'de'
    >>> detect_language("東京都心では昨夜から激しい雨が降り続いた。", "en")
    'ja'
    >>> detect_language("Van Der Beek eliminated from 'Dancing with the Stars' after a miscarriage")
    'en'
    """
    code = (hint or "").strip().replace("_", "-").split("-")[0].lower()
    if by_script := script_language(text[:20000], code):
        return by_script  # Japanese, Arabic, Greek…: no stop-word list, the script says it
    declared = code if code in LANGUAGES else None
    tokens = words(text[:20000])
    if len(tokens) < 5:
        return declared or DEFAULT_LANGUAGE
    scores = {code: sum(t in stopwords(code) for t in tokens) for code in LANGUAGES}
    best = max(scores, key=lambda code: scores[code])
    if declared and scores[declared] * HINT_MARGIN >= scores[best]:
        return declared
    if not declared and scores[DEFAULT_LANGUAGE] * DEFAULT_MARGIN >= scores[best] > 0:
        return DEFAULT_LANGUAGE
    return best if scores[best] else declared or DEFAULT_LANGUAGE


HINT_MARGIN = 2
"""The text must match another language's stop words this many times better to overrule
the declared language."""
DEFAULT_MARGIN = 1.25
"""With no language declared, another must beat English by this much: jusText's lists
for other languages hold English words (Turkish's has "the", "with", "from"), so a
short English text scored a little higher as Turkish. On the development pages'
bodies, titles and paragraphs (790 texts of 5 words or more) this took the English
ones misread from 10 to 0 and misread no other (1.2 to 1.34 do the same; 1.5 misreads
two French ones)."""


# --- dates -------------------------------------------------------------------

MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "january jan januar janvier enero gennaio janeiro januari siječanj siječnja "
            "січня січень января",
            "february feb februar février febrero febbraio fevereiro februari veljača veljače "
            "лютого лютий февраля",
            "march mar märz maerz mars marzo março maart ožujak ožujka березня березень марта",
            "april apr avril abril aprile travanj travnja квітня квітень апреля",
            "may mai mayo maggio maio mei svibanj svibnja травня травень мая",
            "june jun juni juin junio giugno junho lipanj lipnja червня червень июня",
            "july jul juli juillet julio luglio julho srpanj srpnja липня липень июля",
            "august aug août agosto augustus kolovoz kolovoza серпня серпень августа",
            "september sep sept septembre septiembre settembre setembro rujan rujna "
            "вересня вересень сентября",
            "october oct oktober octobre octubre ottobre outubro listopad listopada "
            "жовтня жовтень октября",
            "november nov novembre noviembre novembro studeni studenoga листопада листопад ноября",
            "december dec dezember décembre diciembre dicembre dezembro prosinac prosinca "
            "грудня грудень декабря",
        ),
        start=1,
    )
    for name in names.split()
}
"""Month names and abbreviations in the languages we read → month number."""

_MONTH_NAME = r"(?P<month>[^\W\d_]{3,10})\.?"
_TIME = r"(?P<hour>\d{1,2})[:.h](?P<minute>\d{2})(?:\s*(?P<ampm>[ap]\.?m\.?))?"
DATE_PATTERNS: tuple[re.Pattern[str], ...] = (
    # June 12, 2024 / Nov 19, 2019
    re.compile(_MONTH_NAME + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I),
    # 19 November 2019 / 8. April 2015 / 12 de junio de 2024
    re.compile(
        r"(?P<day>\d{1,2})\.?\s+(?:de\s+)?" + _MONTH_NAME + r"\s+(?:de\s+)?(?P<year>\d{4})", re.I
    ),
    # 08.04.2015 / 12/06/2024 (day first, as in most of Europe)
    re.compile(r"(?P<day>\d{1,2})[./](?P<mnum>\d{1,2})[./](?P<year>\d{4})"),
    # 2024-06-12
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})"),
)
"""Date shapes seen in bylines, tried in order; the first that names a real date wins."""

TIME_PATTERN = re.compile(_TIME, re.I)
RELATIVE_DATE = re.compile(
    r"^(published|updated|posted)?\s*\d+\s+(minutes?|hours?|days?)\s+ago$", re.I
)


def parse_date(text: str) -> datetime | None:
    """The first date (and time, when it follows) in ``text``; naive unless an offset is given.

    >>> parse_date("by A. Writer June 12, 2024 2:51 PM 2 min read")
    datetime.datetime(2024, 6, 12, 14, 51)
    >>> parse_date("PUBLISHED: 10:48, Tue, Nov 19, 2019")
    datetime.datetime(2019, 11, 19, 10, 48)
    >>> parse_date("2024-06-12T14:51:00+03:00").isoformat()
    '2024-06-12T14:51:00+03:00'
    """
    iso = _parse_iso(text.strip())
    if iso:
        return iso
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            found = _date_from_match(match, text)
            if found:
                return found
    return None


ISO_DATE = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)


def _parse_iso(text: str) -> datetime | None:
    if not ISO_DATE.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _date_from_match(match: re.Match[str], text: str) -> datetime | None:
    groups = match.groupdict()
    month = int(groups["mnum"]) if groups.get("mnum") else MONTHS.get(groups["month"].lower())
    if not month:
        return None
    try:
        day = datetime(int(groups["year"]), month, int(groups["day"]))
    except ValueError:
        return None
    # A time is read from right after the date, or from just before it ("10:48, Tue, Nov 19").
    rest = text[match.end() :].lstrip(" ,|-–at")
    after = TIME_PATTERN.match(rest)
    window = text[max(0, match.start() - 24) : match.start()]
    before = TIME_PATTERN.search(window)
    when = after or before
    if not when:
        return day
    hour, minute = int(when["hour"]), int(when["minute"])
    ampm = (when["ampm"] or "").replace(".", "").lower()
    hour = hour % 12 + (12 if ampm == "pm" else 0) if ampm else hour
    if hour > 23 or minute > 59:
        return day
    zone = ZONE.match(rest[after.end() :] if after else window[when.end() :])
    return aware(day + timedelta(hours=hour, minutes=minute), zone[1] if zone else None)


ZONE = re.compile(r"\s*\(?([A-Z]{2,5}|[+-]\d{2}:?\d{2})\)?(?![\w:])")
TIME_ZONES: dict[str, str] = {
    "UTC": "+00:00",
    "GMT": "+00:00",
    "Z": "+00:00",
    "BST": "+01:00",
    "IST": "+01:00",
    "WET": "+00:00",
    "WEST": "+01:00",
    "CET": "+01:00",
    "CEST": "+02:00",
    "MEZ": "+01:00",
    "MESZ": "+02:00",
    "EET": "+02:00",
    "EEST": "+03:00",
    "MSK": "+03:00",
    "EST": "-05:00",
    "EDT": "-04:00",
    "CST": "-06:00",
    "CDT": "-05:00",
    "MST": "-07:00",
    "MDT": "-06:00",
    "PST": "-08:00",
    "PDT": "-07:00",
}
"""Zone abbreviations printed after times in bylines → UTC offset (Europe and North America)."""


def aware(moment: datetime | None, zone: str | None) -> datetime | None:
    """Attach a zone (``BST``, ``+0200``, ``Z``) to a naive time; unknown zones leave it naive.

    >>> aware(datetime(2024, 9, 3, 17, 5), "BST").isoformat()
    '2024-09-03T17:05:00+01:00'
    """
    if moment is None or moment.tzinfo or not zone:
        return moment
    offset = TIME_ZONES.get(zone.upper(), zone)
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", offset)
    if not match:
        return moment
    delta = timedelta(hours=int(match[2]), minutes=int(match[3]))
    return moment.replace(tzinfo=timezone(delta if match[1] == "+" else -delta))


def is_date_line(line: str) -> bool:
    """A line that is only a date, a time or a 'published/updated' stamp.

    >>> is_date_line("Updated: 18 Nov 2019, 19:11")
    True
    >>> is_date_line("The 55-year-old was admitted on 18 Nov 2019.")
    False
    """
    text = line.strip()
    if RELATIVE_DATE.match(text):
        return True
    if len(words(text)) > 24 or parse_date(text) is None:
        return False
    rest = WORD.findall(text)
    noise = {"published", "updated", "posted", "am", "pm", "at", "de", "um", "uhr", "stand"}
    noise |= {zone.lower() for zone in TIME_ZONES}
    named = [w for w in rest if w.isalpha() and len(w) > 1 and w.lower() not in MONTHS]
    weekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
    other = [w for w in named if w.lower() not in noise and w.lower()[:3] not in weekdays]
    # A short stamp may carry a label ('News release · 4 March 2024'); a sentence may not.
    return not other or (len(other) <= 2 and len(rest) <= 8)


# --- bylines -----------------------------------------------------------------

BYLINE_PREFIX = re.compile(
    r"^(?:by|von|por|par|di|door|av|od|autor(?:es)?|authors?|written by|від|автор)"
    r"\s*:?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
"""'By …' in the languages we read."""

_READ_TIME = re.compile(
    r"\b\d+\s*(?:min(?:ute)?s?|minuten|minutos)\s*(?:read|lesezeit|de lectura)?\b.*$", re.I
)
_DESK = re.compile(r"\s+(news desk|desk|staff|redaktion|redacción|redação|newsroom)$", re.I)


def split_names(names: str) -> tuple[str, ...]:
    """Split a byline's names on commas, 'and' and '&' (and their translations).

    >>> split_names("Ann Lee, Bo Li and Cy Tan")
    ('Ann Lee', 'Bo Li', 'Cy Tan')
    """
    parts = re.split(r",\s*|\s+(?:and|und|y|e|et|i|en|og|och|і|и)\s+", names)
    out: list[str] = []
    for part in parts:
        pieces = [p.strip() for p in part.split("&")]
        # 'Ann Lee & Bo Li' is two people; 'Mac & i' or 'Smith & Co' is one name.
        out.extend(pieces if all(" " in p for p in pieces) else [part])
    return tuple(p.strip(" .") for p in out if p.strip(" ."))


def parse_byline(line: str) -> tuple[tuple[str, ...], datetime | None, str | None] | None:
    """Authors, date and publisher from a byline such as 'By Ann Lee | Daily News'.

    Returns ``None`` when the line is not a byline.

    >>> line = "by Kateryna Denisova and The Kyiv Independent news desk June 12, 2024 2:51 PM"
    >>> parse_byline(line + " 2 min read")[0]
    ('Kateryna Denisova', 'The Kyiv Independent news desk')
    >>> parse_byline("By Andy Sahadeo | Fox News")
    (('Andy Sahadeo',), None, 'Fox News')
    """
    match = BYLINE_PREFIX.match(line.strip())
    if not match or len(line) > 250:
        return None
    rest = _READ_TIME.sub("", match["rest"]).strip()
    published = parse_date(rest)
    publisher = None
    if "|" in rest:
        rest, publisher = (part.strip() for part in rest.split("|", 1))
    rest = _cut_at_date(rest)
    # 'By Owen Price, Sports Editor': the job title is not a second author.
    names = tuple(n for n in split_names(rest) if ROLE_WORDS.sub("", f" {n}").strip())
    if not names or any(len(n.split()) > 6 for n in names):
        return None
    return names, published, publisher or desk_publisher(names)


def _cut_at_date(text: str) -> str:
    cut = len(text)
    for pattern in (*DATE_PATTERNS, TIME_PATTERN):
        match = pattern.search(text)
        if match and (match.groupdict().get("month") is None or match["month"].lower() in MONTHS):
            cut = min(cut, match.start())
    return text[:cut].strip(" ,|-–")


def desk_publisher(names: Iterable[str]) -> str | None:
    """A '… news desk' author names the publication.

    >>> desk_publisher(["Ann Lee", "The Kyiv Independent news desk"])
    'The Kyiv Independent'
    """
    for name in names:
        stripped = _DESK.sub("", name)
        if stripped != name and stripped:
            return stripped
    return None


ROLE_WORDS = re.compile(
    r"\s+(?:[A-Z][a-z]+\s+)?(?i:senior\s+)?(?i:correspondent|editor|reporter|writer|journalist|"
    r"columnist|staff writer|redakteurin|redakteur|korrespondentin|korrespondent|"
    r"correspondente|corresponsal|repórter|periodista|novinar|novinarka|кореспондент)$"
)
"""A job title after a byline name: 'Transport correspondent', 'Science editor'."""
NAME_WORD = re.compile(r"[A-ZÀ-ÖØ-ÞĀ-ŽА-ЯІЇЄҐ][a-zà-öø-ÿā-žа-яіїєґ'’.-]+")


def byline_name(line: str) -> str | None:
    """The name in a byline without 'By': two to four capitalised words, maybe a job title.

    >>> byline_name("Debbie White")
    'Debbie White'
    >>> byline_name("Helen Marsh Transport correspondent")
    'Helen Marsh'
    >>> byline_name("JUAN PÉREZ")
    'Juan Pérez'
    >>> byline_name("Sign in") is None
    True
    """
    name = ROLE_WORDS.sub("", line.strip())
    # Some sites print bylines in capitals; a voice would spell those out letter by letter.
    shouted = name.isupper() and 2 <= len(name.split()) <= 3
    name = name.title() if shouted else name
    parts = name.split()
    if 2 <= len(parts) <= 4 and all(NAME_WORD.fullmatch(p) for p in parts):
        return name
    return None


def is_name_line(line: str) -> bool:
    """Whether the line is a bare byline name (see :func:`byline_name`)."""
    return byline_name(line) is not None
