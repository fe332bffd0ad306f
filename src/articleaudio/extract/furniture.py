"""Page furniture: the phrases, labels and shapes of text that is not the article.

Menus, share bars, captions, newsletter and donation appeals, 'read more' links
and cookie notices look alike across sites and languages. They are kept here as
data (add a row for a new language or site habit), read by small predicates
that both extractors use.
"""

from __future__ import annotations

import re

from .meta import words

BOILERPLATE_PHRASES: tuple[str, ...] = (
    # English: navigation, sharing, subscriptions, donations, comments, cookies
    "skip to content",
    "skip to main",
    "^jump to",
    "share this",
    "^share on",
    "copy this link",
    "^copy link",
    "^read more",
    "^see more",
    "^read also",
    "related articles",
    "^related",
    "more on this story",
    "most read",
    "most popular",
    "don't miss",
    "don’t miss",
    "click here",
    "^sign up",
    "sign in",
    "log in",
    "subscribe",
    "newsletter",
    "support us",
    "support independent",
    "become a member",
    "donate now",
    "donate today",
    "your contribution",
    "reader contributions",
    "before you skip",
    "this banner",
    "advertisement",
    "cookie",
    "privacy policy",
    "terms of use",
    "terms of service",
    "all rights reserved",
    "©",
    "external links",
    "open in a new window",
    "comments are",
    "leave a comment",
    "this audio is",
    "listen to this article",
    "enter your email",
    "indicates required",
    "follow us",
    "get the app",
    "download the app",
    "image copyright",
    "image caption",
    "getty images",
    "^trending",
    "editors' picks",
    "^top stories",
    "^latest news",
    "^more news",
    "you may also like",
    "^sponsored",
    "^watch now",
    "^watch live",
    "^full article",
    "why you can trust",
    "^more from",
    "^more stories",
    "you might also like",
    "^you may like",
    # German
    "weiterlesen",
    "mehr zum thema",
    "lesen sie auch",
    "^auch auf",
    "jetzt abonnieren",
    "^zum artikel",
    "datenschutz",
    "impressum",
    "meistgelesen",
    "newsletter abonnieren",
    "alle rechte vorbehalten",
    "das könnte sie",
    # Spanish / Portuguese
    "leer más",
    "lee también",
    "^ver más",
    "suscríbete",
    "^publicidad",
    "leia mais",
    "leia também",
    "veja também",
    "^assine",
    "^publicidade",
    "compartilhe",
    "todos os direitos",
    "todos los derechos",
    "te puede interesar",
    "también te puede",
    "você também pode",
    "pode interessar",
    # French / Italian
    "lire aussi",
    "lire la suite",
    "abonnez-vous",
    "^publicité",
    "leggi anche",
    "continua a leggere",
    "iscriviti",
    "^pubblicità",
    "potrebbe interessarti",
    "vous aimerez",
    "à lire aussi",
    # Croatian / Serbian / Slovenian
    "pročitajte",
    "procitajte",
    "preporučujemo",
    "^pretplati",
    "možda vas zanima",
    "vas može zanimati",
    # Ukrainian / Russian
    "читайте також",
    "читайте также",
    "підписуйтесь",
    "подписывайтесь",
    "вас може зацікавити",
    "вам может быть",
)
"""Lower-case phrases that mark a short block as page furniture, not article text.
A leading ``^`` means 'only at the start of the block': words such as 'related' or
'more from' are furniture as a label and ordinary prose inside a sentence."""

UI_LABELS = frozenset(
    {
        "share",
        "print",
        "email",
        "e-mail",
        "mail",
        "close",
        "menu",
        "search",
        "more",
        "next",
        "previous",
        "back",
        "top",
        "home",
        "comments",
        "comment",
        "report",
        "reply",
        "like",
        "save",
        "listen",
        "play",
        "video",
        "advertisement",
        "ad",
        "sponsored",
        "loading",
        "teilen",
        "drucken",
        "kommentare",
        "anzeige",
        "werbung",
        "compartir",
        "compartilhar",
        "imprimir",
        "partager",
        "condividi",
        "podijeli",
        "поділитися",
        "реклама",
    }
)
"""Whole-line interface labels (buttons, tabs) in the languages we read."""


def is_ui_label(text: str) -> bool:
    """A button or tab label standing alone on its line.

    >>> is_ui_label("Share"), is_ui_label("Shares fall")
    (True, False)
    """
    return text.strip(" :·|•»›").lower() in UI_LABELS


SOCIAL_NETWORKS = frozenset(
    [
        "facebook",
        "twitter",
        "instagram",
        "youtube",
        "whatsapp",
        "tiktok",
        "linkedin",
        "telegram",
        "pinterest",
        "messenger",
        "flipboard",
        "reddit",
        "snapchat",
        "threads",
        "bluesky",
        "mastodon",
    ]
)
CALL_TO_ACTION = re.compile(
    r"^(follow|listen|watch|subscribe|sign up|download|click|tap|read|get|join|share|"
    r"folgen sie|abonnieren sie|siga|sigue|suivez|seguici|pratite)\b",
    re.IGNORECASE,
)
"""Imperatives that open promotional tails ('Follow us on …', 'Listen back here')."""

CAPTION_PATTERNS: tuple[re.Pattern[str], ...] = (
    re.compile(
        r"\((?:image|photo|picture|foto|bild|imagen|imagem|fotografija|фото)s?\s*(?::|by)[^)]*\)\s*$",
        re.I,
    ),
    re.compile(
        r"(?:credit|photo|picture|image|foto|bild|quelle|fonte|fuente)\s*:\s*[^.]{2,60}$", re.I
    ),
    re.compile(r"^(?:image|photo)\s+(?:copyright|caption|credit)\b", re.I),
    re.compile(r"[.!?\"”]\s*\((?:[A-Z][\w'’.&/-]*\s*){1,6}\)\s*$"),
    re.compile(r"^\((?:bild|foto|photo|image):[^)]*\)$", re.I),
    # '… sur les quais. Photo Le Rhône Matin/Julien Morel': agency/photographer credit
    re.compile(
        r"[.!?]\s+(?:photo|foto|bild|image|crédit|credit)s?\s+[^.]{2,60}/[^./]{2,40}$", re.I
    ),
)
"""Photo captions and credits: '(Image: GETTY)', 'Credit: EPA', '… said. (Ministry of X)'."""


def boilerplate_hit(text: str) -> bool:
    """Whether a block contains a furniture phrase.

    >>> boilerplate_hit("Support independent journalism in Ukraine. Join us in this fight.")
    True
    >>> boilerplate_hit("Related: Council approves new bridges")
    True
    >>> boilerplate_hit("The ministry said it wanted more from its related agencies.")
    False
    """
    lowered = text.lower().lstrip(" \"'“‘«")
    return any(lowered.startswith(p[1:]) for p in _PREFIXES) or any(p in lowered for p in _ANYWHERE)


_PREFIXES = tuple(p for p in BOILERPLATE_PHRASES if p.startswith("^"))
_ANYWHERE = tuple(p for p in BOILERPLATE_PHRASES if not p.startswith("^"))


def is_caption(text: str) -> bool:
    """Photo caption or credit line.

    >>> is_caption("Protesters have worn masks (Image: GETTY )")
    True
    >>> is_caption("He was admitted to hospital on Saturday.")
    False
    """
    return len(words(text)) < 60 and any(p.search(text.strip()) for p in CAPTION_PATTERNS)


def is_promotion(text: str) -> bool:
    """A call to action in any sentence ('… Read the rest of the series here.'), or a
    social prompt. Only meaningful for the closing blocks of an article.

    >>> is_promotion("This is part of a series. Read the rest of the series here.")
    True
    >>> is_promotion("The council will decide next week.")
    False
    """
    first, *rest = re.split(r"(?<=[.!?])\s+", text.strip())
    # Later sentences count only when they also address the reader ('… here', 'our app'),
    # so a closing quote such as 'Join the march, she said.' is not taken for an advert.
    return (
        is_social_prompt(text)
        or bool(CALL_TO_ACTION.match(first))
        or any(CALL_TO_ACTION.match(s) and READER_ADDRESS.search(s) for s in rest)
    )


READER_ADDRESS = re.compile(
    r"\b(here|our|us|newsletter|app|series|below|hier|unser\w*|aquí|aqui|nuestr\w+|nossa|qui)\b",
    re.IGNORECASE,
)


def is_social_prompt(text: str) -> bool:
    """'Follow us on Instagram, Facebook and X': two or more networks in a short block."""
    tokens = words(text)
    return len(tokens) < 30 and len(SOCIAL_NETWORKS.intersection(tokens)) >= 2


def is_shouting(text: str) -> bool:
    """A long all-capitals line: on news pages, a link to another story, not a heading.

    >>> is_shouting("SEAN SPICER ELIMINATED FROM 'DANCING WITH THE STARS'")
    True
    >>> is_shouting("SCORES QUARANTINED")
    False
    """
    return len(text) < 300 and len(text.split()) > 4 and text.isupper()
