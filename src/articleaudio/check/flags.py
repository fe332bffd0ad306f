"""From what was meant and what was heard to flags: which comparison failed, what kind
of fault it looks like, and how likely it is to be real.

Two alignments per sentence share the transcript: against the spoken text (what the
voice was given) and against the article's sentence. Every flag is a place where the
transcript differs from the article (a respelling heard as the real name is no
fault); it fails the ``article`` comparison when the voice said what it was given
there (the meaning changed before the voice), else the ``spoken`` one (the voice did
not say its text).

Recognisers mishear correct speech, mostly in small ways: a short function word lost
or added, a name spelt another way, a word heard as a similar one. The score
(:func:`score_difference`) is low for those and high for a number, a name heard
as something unlike it, or a stretch of words unheard; :data:`FLAG_AT` is set above
the scores measured on clean sentences (``benchmarks/bench_check.py``; README).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Collection
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..check_report import Against, Flag, FlagKind
from .align import Alignment, Difference, align
from .normalise import names_in, normal_words

FLAG_AT = 0.5
"""A difference scored at least this is flagged (see the README's measured rates)."""
UNHEARD_SHARE = 0.4
"""A sentence heard as fewer than this share of its words counts as unheard."""
UNHEARD_WORDS = 4
"""A run of at least this many meant words heard as nothing is a stretch unheard."""

KIND_WEIGHT = {"unheard": 1.0, "number": 0.95, "name": 0.85, "missing": 0.75, "extra": 0.7}
"""How much each kind of difference is worth before its size and likeness count."""

FUNCTION_WORDS = frozenset(
    "a an the and or but of to in on at by for from with as is are was were be been it its "
    "this that these those he she they we you i his her their our has have had do does did "
    "so than then there here who which what when where will would can could should "
    "may might also just about into over after before up out s".split()
)
"""English words a recogniser drops, adds or swaps in correct speech far more than others
("not" and "no" are not among them: losing one reverses the sentence)."""

_DIGIT = re.compile(r"\d|[%£$€]")
HOMOPHONES = {"to": "2", "too": "2", "for": "4", "won": "1", "on": "1", "ate": "8"}
"""Words a recogniser may write for a number it heard right ("closed to" for "closed
two"): no number was heard differently."""


@dataclass(frozen=True)
class Sentence:
    """One sentence as meant and as heard."""

    index: int
    """The cue's index in the episode."""
    start: float
    """Seconds in the episode's MP3."""
    end: float
    text: str
    """The article's sentence."""
    spoken: str
    """What the voice was given."""
    heard: str
    """What the recogniser wrote, as it wrote it."""


@dataclass(frozen=True)
class Judgement:
    """What the check found in one sentence."""

    sentence: Sentence
    score: float
    """The highest score of any difference (0: none), flagged or not."""
    flags: tuple[Flag, ...]
    """Differences scored at least the threshold, highest first."""
    edits: int
    """Word errors against the spoken text."""
    words: int
    """Words of the spoken text."""


def judge(sentence: Sentence, flag_at: float = FLAG_AT) -> Judgement:
    """Compare one sentence both ways and score every difference from the article."""
    heard = normal_words(sentence.heard)
    spoken = align(normal_words(sentence.spoken), heard)
    article = align(normal_words(sentence.text), heard)
    # The article's spelling wins: a suggestion names the word as the article writes it.
    names = names_in(sentence.spoken) | names_in(sentence.text)
    found = [
        _flag(sentence, d, _against(d, spoken.differences), names)
        for d in article.differences
        if not _homophones(d)
    ]
    if _unheard(spoken):
        found.append(_flag(sentence, Difference(spoken.meant, spoken.heard, 0, 0), "spoken", {}))
    found.sort(key=lambda f: f.score, reverse=True)
    top = found[0].score if found else 0.0
    flags = tuple(f for f in found if f.score >= flag_at)
    if _unheard(spoken):
        flags = flags[:1]  # one flag says the sentence went unheard; its parts add nothing
    return Judgement(sentence, top, flags, spoken.edits, len(spoken.meant))


def _against(difference: Difference, spoken: tuple[Difference, ...]) -> str:
    """Which comparison a difference from the article fails: ``spoken`` when the voice was
    given the article's own words there (and something else was heard: the voice did not
    say its text), else ``article``: the text stage gave the voice other words than the
    article's (a respelling, a number in words) and what was heard is not the article's."""
    given = [s for s in spoken if difference.touches(s)]
    if given and " ".join(w for s in given for w in s.meant) == " ".join(difference.meant):
        return "spoken"
    return "article" if not given or _rewritten(difference, given) else "spoken"


def _rewritten(difference: Difference, given: list[Difference]) -> bool:
    """Whether the spoken text differs from the article where the run is."""
    spoken = {w for s in given for w in s.meant}
    return bool(set(difference.meant) - spoken) or bool(spoken - set(difference.meant))


def _homophones(difference: Difference) -> bool:
    """Whether the run is only a number heard as its homophone, or the reverse ("one" for
    "won", "to" for "two")."""
    same = [HOMOPHONES.get(w, w) for w in difference.meant]
    return bool(same) and same == [HOMOPHONES.get(w, w) for w in difference.heard]


def _unheard(spoken: Alignment) -> bool:
    meant = len(spoken.meant)
    return meant >= UNHEARD_WORDS and len(spoken.heard) < UNHEARD_SHARE * meant


def kind_of(difference: Difference, names: dict[str, str]) -> str:
    """What a difference looks like: its kind in ``check.json``.

    >>> kind_of(Difference(("said", "on", "tuesday", "that", "it"), (), 3, 3), {})
    'unheard'
    >>> kind_of(Difference(("1200",), ("1", "2", "0", "0"), 1, 1), {})
    'number'
    >>> kind_of(Difference(("vilnius",), ("vilna",), 1, 1), {"vilnius": "Vilnius"})
    'name'
    >>> kind_of(Difference((), ("to",), 3, 3, ("3", "1")), {})
    'number'
    >>> kind_of(Difference(("closed", "2"), ("close", "to"), 3, 3), {})
    'missing'
    >>> kind_of(Difference(("in",), ("on",), 3, 3), {})  # no number meant: "on" is a word
    'missing'
    """
    meant, heard = difference.meant, difference.heard
    if len(meant) >= UNHEARD_WORDS and len(heard) < UNHEARD_SHARE * len(meant):
        return "unheard"
    # A homophone ("on", "for") counts as its number only where a number was meant:
    # "in" heard as "on" is a word swapped, not a number heard.
    heard_numbers = _numbers(_sounded(heard) if _numbers(meant) else heard)
    if _numbers(meant) != heard_numbers:
        return "number"
    if (
        not meant
        and len(difference.around) == 2
        and all(_DIGIT.search(w) for w in difference.around)
    ):
        return "number"  # a word heard between two numbers: "3 to 1" for the score "3-1"
    if any(w in names for w in meant):
        return "name"
    return "extra" if len(heard) > len(meant) else "missing"


def _sounded(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(HOMOPHONES.get(w, w) for w in words)


def _numbers(words: tuple[str, ...]) -> list[str]:
    return [w for w in words if _DIGIT.search(w)]


def score_difference(
    difference: Difference,
    kind: str,
    also: tuple[tuple[str, ...], ...] = (),
    *,
    letters: bool = False,
    names: Collection[str] = (),
) -> float:
    """How likely a difference is real, 0..1: its kind's weight, less for words that look
    alike (the heard words against the meant ones, or against ``also``, the article's
    words where the voice was given a respelling) or are only function words, more for
    longer runs. ``letters``: the meant name is spelt letter by letter (an acronym), which
    heard as anything else was not spelt.

    >>> round(score_difference(Difference(("the",), (), 2, 2), "missing"), 2)
    0.15
    >>> round(score_difference(Difference(("nato",), ("nado",), 0, 0), "name"), 2)
    0.0
    >>> round(score_difference(Difference(("helsinki",), ("helsingborg",), 0, 0), "name"), 2)
    0.51
    >>> round(score_difference(Difference(("1200",), ("1", "2", "0", "0"), 1, 1), "number"), 2)
    0.95
    """
    likeness = 0.0 if letters else _likeness(difference, kind, also, names)
    weight = KIND_WEIGHT[kind] * (1.0 - likeness)
    if kind not in ("missing", "extra"):
        return min(1.0, weight)
    if not {*difference.meant, *difference.heard} - FUNCTION_WORDS:
        weight *= 0.25  # "a" for "the", a lost "of": the recogniser's slips
    size = max(len(difference.meant), len(difference.heard))
    return min(1.0, weight * min(1.0, 0.6 + 0.2 * size))  # one word: most often a slip


def _likeness(
    difference: Difference,
    kind: str,
    also: tuple[tuple[str, ...], ...] = (),
    names: Collection[str] = (),
) -> float:
    """How alike the heard words are to the meant ones, 0..1: never for numbers and
    acronyms (another number however alike it looks, "1200" and "1 2 0 0"; letters not
    spelt); for other names by their sounds (:func:`sound_key`: "Kiev" is "Kyiv",
    "Helsingborg" is not "Helsinki"); else by their letters."""
    if kind == "number" or not difference.heard:
        return 0.0
    meant = [m for m in (difference.meant, *also) if m]
    if kind != "name":
        heard = " ".join(difference.heard)
        return max((SequenceMatcher(None, " ".join(m), heard).ratio() for m in meant), default=0.0)
    if not names:  # the run as a whole: what a respelling was heard as
        return max((_near_sounds(m, difference.heard) for m in meant), default=0.0)
    return min((_best(w, difference.heard) for w in _name_words(meant, names)), default=0.0)


def _name_words(meant: list[tuple[str, ...]], names: Collection[str]) -> list[str]:
    """The meant words a name's likeness is judged on: the run's names when it has any."""
    words = [w for m in meant for w in m]
    return [w for w in words if w in names] or ["".join(words)]


def _best(word: str, heard: tuple[str, ...]) -> float:
    """How near the nearest heard word, or two heard words together, sound to ``word``."""
    pieces = [*heard, *("".join(p) for p in itertools.pairwise(heard))]
    return max((_near_sounds((word,), (p,)) for p in pieces), default=0.0)


def _near_sounds(meant: tuple[str, ...], heard: tuple[str, ...]) -> float:
    """How near the heard words sound to the meant ones, each side's "th" taken as "t"
    or as "f", whichever is nearer: a recogniser, like many speakers, hears "th" and "f"
    or "v" alike ("Keith" for the voice's "Keev"), while "Thames" has a plain "t".

    >>> _near_sounds(("kyiv",), ("keith", "is")), _near_sounds(("thames",), ("tems",))
    (0.5, 1.0)
    """
    return max(_near(m, h) for m in _sound_keys(meant) for h in _sound_keys(heard))


def _sound_keys(words: tuple[str, ...]) -> set[str]:
    return {sound_key(words), sound_key(tuple(w.replace("th", "f") for w in words))}


def _near(meant: str, heard: str) -> float:
    """1 less the edit distance between two keys over the meant key's length (at least 0).

    >>> _near("hlsnk", "hlsnkprk"), _near("kf", "kf")
    (0.4, 1.0)
    """
    row = list(range(len(heard) + 1))
    for i, a in enumerate(meant, 1):
        previous, row[0] = row[0], i
        for j, b in enumerate(heard, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (a != b))
    return max(0.0, 1.0 - row[-1] / max(len(meant), 1))


_SOUND_RULES = (
    (r"ph", "f"),
    (r"ck|q|c(?=[aoukr])|g(?=h)", "k"),
    (r"c", "s"),
    (r"x", "ks"),
    (r"(?<!^)[aeiouyhw]", ""),
    # a recogniser hears voiced and voiceless pairs alike ("nado" for "Nato")
    (r"d", "t"),
    (r"b", "p"),
    (r"g", "k"),
    (r"v", "f"),
    (r"z", "s"),
    (r"(.)\1+", r"\1"),
)
"""A rough English sound key: vowels (after the first letter) dropped, letters that
sound alike merged, doubles made single."""


def sound_key(words: tuple[str, ...]) -> str:
    """The words' sound key, spaces dropped.

    >>> sound_key(("kyiv",)), sound_key(("kiev",)), sound_key(("zelenskyy",))
    ('kf', 'kf', 'slnsk')
    >>> sound_key(("helsinki",)), sound_key(("hel", "sing", "borg")), sound_key(("nado",))
    ('hlsnk', 'hlsnkprk', 'nt')
    """
    key = "".join(words)
    for pattern, sound in _SOUND_RULES:
        key = re.sub(pattern, sound, key)
    return key


def _flag(
    sentence: Sentence,
    difference: Difference,
    against: str,
    names: dict[str, str],
    *,
    also: tuple[tuple[str, ...], ...] = (),
) -> Flag:
    kind = kind_of(difference, names)
    return Flag(
        index=sentence.index,
        start=sentence.start,
        end=sentence.end,
        text=sentence.text,
        meant=" ".join(difference.meant),
        heard=" ".join(difference.heard),
        against=Against(against),
        kind=FlagKind(kind),
        # The article's own words are judged name by name ("Chicago" said for "Lisbon"),
        # a respelling as the whole run it became ("housing board" for "Hel-sing-borg").
        score=score_difference(
            difference,
            kind,
            also,
            letters=_spelt(difference, names),
            names=names.keys() if against == "spoken" else (),
        ),
        suggestion=suggest(difference, names, also) if kind == "name" else None,
    )


def _spelt(difference: Difference, names: dict[str, str]) -> bool:
    """Whether a meant word is an acronym (written in capitals, at most five letters)."""
    return any(names.get(w, "").isupper() and len(w) <= 5 for w in difference.meant)


def suggest(
    difference: Difference, names: dict[str, str], also: tuple[tuple[str, ...], ...] = ()
) -> str | None:
    """A lexicon entry for a misheard name: an acronym heard as a word gets its letters,
    any other name a respelling in syllables (``Word=Respelling``).

    >>> suggest(Difference(("fbi",), ("fibby",), 0, 0), {"fbi": "FBI"})
    'FBI=F-B-I'
    >>> suggest(Difference(("zelensky",), ("the", "lensky"), 0, 0), {"zelensky": "Zelensky"})
    'Zelensky=Ze-len-skee'
    """
    meant = [*(w for words in also for w in words), *difference.meant]
    written = next((names[w] for w in meant if w in names and "-" not in names[w]), None)
    if written is None:
        return None
    if written.isupper() and len(written) <= 5:
        return f"{written}=" + "-".join(written)
    said = respell(written)
    return f"{written}={said}" if said.lower() != written.lower() else None


_SYLLABLE = re.compile(r"[^aeiouy]*[aeiouy]+(?:[^aeiouy]+$|[^aeiouy](?=[^aeiouy]))?", re.I)


def respell(word: str) -> str:
    """The word cut into syllables, each read on its own (a final "y" as "ee"), which a
    voice that stumbles over the whole word is likely to follow.

    >>> respell("Vilnius"), respell("Zelensky")
    ('Vil-nius', 'Ze-len-skee')
    """
    lower = re.sub(r"y$", "ee", word.lower())
    parts = _SYLLABLE.findall(lower) or [lower]
    parts[-1] += lower[len("".join(parts)) :]
    return "-".join(parts).capitalize()
