"""Sentences in any script: CJK without spaces, Cyrillic, Greek, Arabic, Hebrew (and Persian).

Golden sentences of our own per script, cut by :func:`split_sentences` with the
article's language and with the wrong tag ``en`` (what an undetected page gets),
then the same through extraction and the ``script`` command.
"""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from articleaudio.cli.app import cli as articleaudio_cli
from articleaudio.extract.article import extract
from articleaudio.extract.ingest import SourceKind
from articleaudio.extract.meta import detect_language
from articleaudio.text.normalize import to_spoken
from articleaudio.text.segment import segment_article
from articleaudio.text.sentences import split_long, split_sentences

RLM, LRM, ZWNJ = "\u200f", "\u200e", "\u200c"

GOLDEN: dict[str, tuple[str, list[str]]] = {
    "ja": (
        "東京で大雨が降った。電車は止まっている！大丈夫だろうか？"
        "彼は「もう帰れない。」と言った。明日は晴れる。",
        [
            "東京で大雨が降った。",
            "電車は止まっている！",
            "大丈夫だろうか？",
            "彼は「もう帰れない。」と言った。",
            "明日は晴れる。",
        ],
    ),
    "zh": (
        "北京今天下雪了。学校都关门了！你知道吗？他说：“我们明天再来。”天气很冷。",
        [
            "北京今天下雪了。",
            "学校都关门了！",
            "你知道吗？",
            "他说：“我们明天再来。”",
            "天气很冷。",
        ],
    ),
    "ko": (
        "서울에 비가 왔다. 지하철이 멈췄다! 괜찮을까? 내일은 맑겠다.",
        ["서울에 비가 왔다.", "지하철이 멈췄다!", "괜찮을까?", "내일은 맑겠다."],
    ),
    "ru": (
        "Дождь шёл всю ночь. Будет ли наводнение? Никто не знает! Утром вода ушла.",
        ["Дождь шёл всю ночь.", "Будет ли наводнение?", "Никто не знает!", "Утром вода ушла."],
    ),
    "el": (
        "Ο πρωθυπουργός μίλησε χθες. Τι θα γίνει τώρα; Κανείς δεν ξέρει! Η συνάντηση έληξε.",
        [
            "Ο πρωθυπουργός μίλησε χθες.",
            "Τι θα γίνει τώρα;",  # ';' is Greek's question mark
            "Κανείς δεν ξέρει!",
            "Η συνάντηση έληξε.",
        ],
    ),
    "ar": (
        "قال الوزير إن الاجتماع انتهى، وإن المحادثات ستستأنف غداً. هل سيتم التوصل إلى اتفاق؟ "
        "لا أحد يعرف! الطقس حار؛ والناس في البيوت.",
        [
            "قال الوزير إن الاجتماع انتهى، وإن المحادثات ستستأنف غداً.",  # ، is a comma
            "هل سيتم التوصل إلى اتفاق؟",
            "لا أحد يعرف!",
            "الطقس حار؛ والناس في البيوت.",  # ؛ is a semicolon
        ],
    ),
    "fa": (
        f"وزیر گفت که جلسه تمام شد. آیا توافق می{ZWNJ}شود؟ کسی نمی{ZWNJ}داند!",
        ["وزیر گفت که جلسه تمام شد.", f"آیا توافق می{ZWNJ}شود؟", f"کسی نمی{ZWNJ}داند!"],
    ),
    "he": (
        f"ראש הממשלה נפגש אתמול (ביום שני) עם השר. מה יקרה עכשיו? הישיבה תימשך ב-2025{RLM}.",
        [
            "ראש הממשלה נפגש אתמול (ביום שני) עם השר.",
            "מה יקרה עכשיו?",
            f"הישיבה תימשך ב-2025{RLM}.",
        ],
    ),
}


@pytest.mark.parametrize("language", sorted(GOLDEN))
def test_golden_sentences_per_script(language: str) -> None:
    paragraph, sentences = GOLDEN[language]
    assert split_sentences(paragraph, language) == sentences


@pytest.mark.parametrize("language", sorted(GOLDEN))
def test_the_script_decides_when_the_language_tag_is_wrong(language: str) -> None:
    # An undetected page comes tagged "en": the sentences must still end where the script says.
    paragraph, sentences = GOLDEN[language]
    assert split_sentences(paragraph, "en") == sentences


@pytest.mark.parametrize("language", sorted(GOLDEN))
def test_sentences_are_slices_of_the_paragraph_in_its_order(language: str) -> None:
    # No reordering, no mirroring, no mark dropped: the pieces rebuild the paragraph.
    paragraph, _ = GOLDEN[language]
    parts = split_sentences(paragraph, language)
    spaced = " ".join(parts)
    assert spaced == paragraph or "".join(parts) == paragraph


def test_right_to_left_text_keeps_its_marks_and_brackets_when_spoken() -> None:
    text = f"הישיבה (השנייה) תימשך ב-2025{RLM}. {LRM}CNN{LRM} דיווחה."
    spoken = to_spoken(text, "he")
    assert RLM in spoken and LRM in spoken
    assert "(השנייה)" in spoken  # the bracket characters as written, not swapped
    assert spoken == text


def test_persian_zero_width_non_joiner_survives_normalisation() -> None:
    assert to_spoken(f"نمی{ZWNJ}داند", "fa") == f"نمی{ZWNJ}داند"


@pytest.mark.parametrize(
    ("text", "hint", "language"),
    [
        ("東京都心では昨夜から激しい雨が降り続いた。", None, "ja"),
        ("北京今天下雪了。学校都关门了。", None, "zh"),
        ("서울에 비가 왔다. 지하철이 멈췄다.", None, "ko"),
        ("قال الوزير إن الاجتماع انتهى وإن المحادثات ستستأنف غداً", "en", "ar"),
        ("وزیر گفت که جلسه تمام شد و کسی نمی داند", "fa", "fa"),
        ("Ο πρωθυπουργός μίλησε χθες για την οικονομία", None, "el"),
        ("ראש הממשלה נפגש אתמול עם השר", None, "he"),
    ],
)
def test_language_from_the_script_where_stop_words_cannot_tell(
    text: str, hint: str | None, language: str
) -> None:
    assert detect_language(text, hint) == language


def test_a_long_sentence_without_spaces_is_cut_between_characters() -> None:
    sentence = "東京では昨夜から激しい雨が降り続き" * 30 + "。"
    parts = split_long(sentence, limit=100)
    assert len(parts) > 1 and all(len(p) <= 100 for p in parts)
    assert "".join(parts) == sentence


def test_a_long_cjk_sentence_breaks_at_its_commas_first() -> None:
    sentence = "、".join(["東京では昨夜から雨が降り続いた"] * 20) + "。"
    parts = split_long(sentence, limit=80)
    assert len(parts) > 1 and all(len(p) <= 80 for p in parts)
    assert all(p.endswith(("、", "。")) for p in parts)
    assert "".join(parts) == sentence


CJK = st.text(alphabet=st.sampled_from("東京雨電車止明日晴北今天下雪学校关门了"), min_size=1)
STOP = st.sampled_from(["。", "！", "？", "。」", "！”"])
CJK_SENTENCE = st.tuples(CJK, STOP).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(CJK_SENTENCE, min_size=1, max_size=8), st.integers(20, 400))
def test_cjk_sentences_rejoin_without_spaces(sentences: list[str], limit: int) -> None:
    paragraph = "".join(sentences)
    parts = [p for s in split_sentences(paragraph, "ja") for p in split_long(s, limit)]
    assert "".join(parts) == paragraph
    assert all(len(p) <= limit for p in parts)


JAPANESE = """# 東京で記録的な大雨

東京都心では昨夜から激しい雨が降り続いた。鉄道の一部は運転を見合わせている！
気象庁は「今夜も警戒が必要だ」と呼びかけた。週末は晴れるのだろうか？

川の水位は午前中に下がり始めた。
"""
ARABIC = """# أمطار غزيرة في العاصمة

قال الوزير إن الاجتماع انتهى، وإن المحادثات ستستأنف غداً. هل سيتم التوصل إلى اتفاق؟
لا أحد يعرف!

الطقس حار؛ والناس في البيوت.
"""


def test_a_wrapped_japanese_markdown_line_rejoins_without_a_space() -> None:
    article = extract(JAPANESE, kind=SourceKind.MARKDOWN)
    assert article.language == "ja"
    assert article.paragraphs[0] == (
        "東京都心では昨夜から激しい雨が降り続いた。鉄道の一部は運転を見合わせている！"
        "気象庁は「今夜も警戒が必要だ」と呼びかけた。週末は晴れるのだろうか？"
    )
    sentences = [s.text for s in segment_article(article) if s.role.value == "sentence"]
    assert sentences == [
        "東京都心では昨夜から激しい雨が降り続いた。",
        "鉄道の一部は運転を見合わせている！",
        "気象庁は「今夜も警戒が必要だ」と呼びかけた。",
        "週末は晴れるのだろうか？",
        "川の水位は午前中に下がり始めた。",
    ]


@pytest.fixture
def cli() -> click.Group:
    return articleaudio_cli


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        (
            "ja.md",
            JAPANESE,
            [
                "  0 title      東京で記録的な大雨",
                "  2 sentence   東京都心では昨夜から激しい雨が降り続いた。",
                "  3 sentence   鉄道の一部は運転を見合わせている!",  # NFKC: the voice gets "!"
                "  4 sentence   気象庁は「今夜も警戒が必要だ」と呼びかけた。",
                "  5 sentence   週末は晴れるのだろうか?",
                "  6 sentence   川の水位は午前中に下がり始めた。",
            ],
        ),
        (
            "ar.md",
            ARABIC,
            [
                "  0 title      أمطار غزيرة في العاصمة",
                "  2 sentence   قال الوزير إن الاجتماع انتهى، وإن المحادثات ستستأنف غداً.",
                "  3 sentence   هل سيتم التوصل إلى اتفاق؟",
                "  4 sentence   لا أحد يعرف!",
                "  5 sentence   الطقس حار؛ والناس في البيوت.",
            ],
        ),
    ],
)
def test_script_prints_the_sentences_of_a_non_latin_article(
    cli: click.Group, tmp_path: Path, name: str, text: str, expected: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["script", str(path)])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stdout.splitlines() if " disclosure " not in line]
    assert lines == expected
