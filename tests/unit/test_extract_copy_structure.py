"""Text copies read by structure (issue 15): each signal on a small copy written for it,
and the development set's text copies scored against the issue's floor and mean.

The synthetic copies are shaped like what select-all + copy gives on news pages:
menus as runs of short lines, share bars, a comment thread or teaser list after the
article written in full sentences, scripts without spaces.
"""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest

from articleaudio.extract.article import extract
from articleaudio.extract.copy_sections import Features, boundary, continues, drop_inserts
from articleaudio.extract.headline import split_glued_byline
from articleaudio.extract.ingest import SourceKind
from articleaudio.extract.measures import (
    cjk_language,
    content_terms,
    function_density,
    overlap,
    units,
)
from articleaudio.models import Article, Block, BlockKind

MENU = "Home\nNews\nSport\nWeather\nBusiness\nCulture\n"
FOOTER = "About us\nContact\nPrivacy policy\n© 2024 Tamar Herald"
ARTICLE = [
    "The city council approved a new bridge over the river Tamar on Tuesday, ending a"
    " decade of argument about how the two halves of the town should be joined.",
    "Councillors voted by twenty-one to four for the design, which carries a road, a"
    " cycle lane and a footpath across the river at its narrowest point.",
    "Residents on both banks had campaigned for the bridge since the old ferry stopped"
    " running, and many of them watched the vote from the public gallery.",
    "Work on the bridge is due to start in the spring, and the council expects the"
    " first cars to cross the river in the summer of the following year.",
]


def _copy(*parts: str) -> str:
    return "\n\n".join(parts) + "\n"


def _read(text: str) -> Article:
    return extract(text, kind=SourceKind.TEXT)


# --- the article's end ------------------------------------------------------------------

TEASERS = [
    "Storm damage closes coastal path for the whole summer",
    "12 March 2024",
    "Walkers have been told to stay away from the cliffs after a landslip that carried"
    " part of the path into the sea during the storms of the last weekend.",
    "Hospital trust names its new chief executive after a long search",
    "11 March 2024",
    "The trust said that the appointment followed an open competition in which more"
    " than forty candidates had applied for the post from across the country.",
]


def test_teaser_run_after_the_article_is_not_read() -> None:
    text = _copy(
        MENU + "Council approves new bridge over the Tamar\nBy Ann Lee\n12 March 2024",
        *ARTICLE,
        "Share this:\nMore stories",
        *TEASERS,
    )
    article = _read(text)
    assert [b.text for b in article.blocks] == ARTICLE
    assert article.title == "Council approves new bridge over the Tamar"
    assert article.authors == ("Ann Lee",)


def test_comment_thread_on_the_same_story_is_not_read() -> None:
    comments = []
    for name, said in [
        ("riverfan says:", "About time the council approved the bridge over the river, it is"),
        ("oldferry says:", "The bridge will be full of cars from the first day, mark my words and"),
        ("walker22 says:", "A footpath across the river at last, the residents deserved this one"),
    ]:
        comments += [f"{name}\n12 March 2024 at 9:14 am", f"{said} after all these years."]
    text = _copy(
        MENU + "Council approves new bridge over the Tamar\nBy Ann Lee",
        *ARTICLE,
        "Share this:\n3 Comments",
        *comments,
    )
    assert [b.text for b in _read(text).blocks] == ARTICLE


def test_live_blog_entries_with_time_stamps_are_all_read() -> None:
    entries = []
    for k, paragraph in enumerate(ARTICLE):
        entries += [f"12 March 2024 1{k}:00", paragraph]
    text = _copy(MENU + "Tamar bridge vote: live updates", *entries, "Share\nComments", FOOTER)
    assert [b.text for b in _read(text).blocks] == ARTICLE


def test_the_next_story_on_the_page_is_not_read() -> None:
    other = [
        "Police are searching for a man who escaped from a prison van on the motorway"
        " near the airport early on Monday morning, the force said.",
        "Officers said that the man was dangerous and should not be approached by members"
        " of the public, who should call the emergency number instead.",
    ]
    text = _copy(
        MENU + "Council approves new bridge over the Tamar",
        *ARTICLE,
        "Related\nPrisoner escapes from van on motorway",
        *other,
    )
    assert [b.text for b in _read(text).blocks] == ARTICLE


def test_an_advert_inside_the_article_does_not_end_it() -> None:
    text = _copy(
        MENU + "Council approves new bridge over the Tamar",
        *ARTICLE[:2],
        "Advertisement",
        *ARTICLE[2:],
        FOOTER,
    )
    assert [b.text for b in _read(text).blocks] == ARTICLE


def test_boundary_labels_by_kind() -> None:
    assert boundary("Share this:") == "closers"
    assert boundary("34 Comments") == "closers"
    assert boundary("Sdílet článek") == "closers"
    assert boundary("Advertisement") == "interrupts"
    assert boundary("【関連記事】") == "links"
    assert boundary("Leggi anche") == "links"
    assert boundary("Shares in the bank fell by a third after the results were published.") is None


def test_continuation_signals_pull_the_right_way() -> None:
    on = Features(on_topic=0.4, closer=False, dates=0, gap=1, listing=False)
    assert continues(on)
    assert not continues(replace(on, on_topic=0.0))  # another story
    assert not continues(replace(on, closer=True))  # behind 'Share' or 'Comments'
    assert continues(replace(on, on_topic=0.1))
    assert not continues(replace(on, on_topic=0.1, dates=1))  # a dated item
    assert not continues(
        replace(on, on_topic=0.9, dates=1, listing=True)
    )  # one of a list of dated items


# --- inserts inside the article ---------------------------------------------------------


def test_link_list_between_paragraphs_is_not_read_as_subheadings() -> None:
    links = [
        "Man Shot at Petrol Station Dies in Hospital After Row",
        "Mayor Announces New Plan for City Parking Charges Next Year",
        "School Closes Early as Heating Fails in the Cold Snap",
    ]
    paragraphs = [*ARTICLE, ARTICLE[0].replace("Tuesday", "the day")]
    blocks = []
    for k, paragraph in enumerate(paragraphs):
        blocks.append(Block(BlockKind.PARAGRAPH, paragraph))
        if k < len(links):
            blocks.append(Block(BlockKind.HEADING, links[k]))
    kept = drop_inserts(blocks, "Council approves new bridge over the Tamar", "en")
    assert [b.kind for b in kept] == [BlockKind.PARAGRAPH] * 4
    # the article's own short subheadings stay
    own = [blocks[0], Block(BlockKind.HEADING, "What happens next"), *blocks[2:3]]
    assert drop_inserts(own, "Council approves new bridge", "en") == own


def test_video_title_and_blurb_repeating_the_headline_and_lead_are_dropped() -> None:
    lead = Block(BlockKind.PARAGRAPH, ARTICLE[0])
    headline = "Council approves new bridge over the Tamar after years of argument"
    video = Block(BlockKind.HEADING, "Video: council approves new Tamar bridge after argument")
    blurb = Block(BlockKind.PARAGRAPH, ARTICLE[0] + " Our reporter was in the public gallery.")
    rest = Block(BlockKind.PARAGRAPH, ARTICLE[1])
    kept = drop_inserts([lead, video, blurb, rest], headline, "en")
    assert kept == [lead, rest]


def test_linked_headline_and_photo_captions_inside_the_article_are_not_read() -> None:
    link = "Will the bridge be finished on time? Engineers doubt the council's plan?"
    text = _copy(
        MENU + "Council approves new bridge over the Tamar",
        ARTICLE[0],
        "Read also\n" + link,
        "FILE PHOTO: The river Tamar at low tide in March, with the old ferry in view.",
        *ARTICLE[1:3],
        "The old ferry on its last crossing in 2019, with its crew. Ann Lee/Tamar Herald",
        ARTICLE[3],
        FOOTER,
    )
    assert [b.text for b in _read(text).blocks] == ARTICLE


# --- headline selection -----------------------------------------------------------------


def test_headline_not_on_the_first_line_is_found_past_menus_and_teasers() -> None:
    teaser_list = "Storm closes coastal path\nHospital names new chief\nTrain fares to rise again"
    text = _copy(
        MENU + "Most read\n" + teaser_list,
        "LOCAL NEWS\nCouncil approves new bridge over the Tamar\nAnn Lee\n12 March 2024",
        *ARTICLE,
    )
    article = _read(text)
    assert article.title == "Council approves new bridge over the Tamar"
    assert article.authors == ("Ann Lee",)


def test_byline_glued_to_the_headline_is_split_into_metadata() -> None:
    text = _copy(
        MENU + "Council approves new bridge over the TamarBy Ann Lee | 12 March 2024",
        *ARTICLE,
        FOOTER,
    )
    article = _read(text)
    assert article.title == "Council approves new bridge over the Tamar"
    assert article.authors == ("Ann Lee",)
    assert article.published is not None and article.published.day == 12
    assert split_glued_byline("Elderly Local Man Badly Bitten By Police Dog") is None


def test_name_and_date_byline_without_by_is_metadata() -> None:
    text = _copy(
        MENU + "Council approves new bridge over the Tamar\nAnn Lee | 12 March 2024",
        *ARTICLE,
        FOOTER,
    )
    article = _read(text)
    assert article.authors == ("Ann Lee",)
    assert article.published is not None and (article.published.month, article.published.day) == (
        3,
        12,
    )
    assert [b.text for b in article.blocks] == ARTICLE


def test_copy_without_a_headline_line_uses_its_first_sentence_and_logs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.INFO, logger="articleaudio"):
        article = _read(_copy(MENU, *ARTICLE, "Share\nComments"))
    assert article.title == ARTICLE[0]  # one sentence: it becomes the title
    assert [b.text for b in article.blocks] == ARTICLE[1:]
    assert "no headline" in caplog.text


# --- any script -------------------------------------------------------------------------

JAPANESE = [
    "市議会は火曜日、川に新しい橋を架ける計画を賛成多数で承認した。町の東と西を結ぶ方法をめぐる"
    "十年にわたる議論に決着がついた形だ。",
    "橋には車道と自転車道、歩道が設けられる。工事は来年の春に始まり、再来年の夏には最初の車が"
    "通れるようになる見込みだという。",
    "両岸の住民は渡し船が廃止されて以来、橋の建設を求めて運動を続けてきた。多くの住民が傍聴席"
    "から採決を見守った。",
]


def test_japanese_copy_without_spaces_is_read() -> None:
    text = _copy(
        "ホーム\nニュース\nスポーツ",
        "市議会、川に新しい橋の建設を承認\n3/12(火) 18:45配信\nシェアする",
        *JAPANESE,
        "【関連記事】\n駅前の再開発計画が始動\n市長選の日程が決定",
        FOOTER,
    )
    article = _read(text)
    assert article.language == "ja"
    assert article.title == "市議会、川に新しい橋の建設を承認"
    assert [b.text for b in article.blocks] == JAPANESE


KOREAN = [
    "시의회는 화요일 강을 가로지르는 새 다리 건설 계획을 찬성 다수로 승인했다. 이로써 도시의 두"
    " 지역을 어떻게 연결할지를 둘러싼 십 년간의 논쟁이 끝났다.",
    "다리에는 차도와 자전거 도로, 보행로가 함께 놓인다. 공사는 내년 봄에 시작되며 첫 차량은 그"
    " 다음 해 여름에 다리를 건널 수 있을 것으로 보인다.",
    "양쪽 강변의 주민들은 나룻배 운항이 중단된 뒤로 다리 건설을 요구해 왔으며 많은 주민이"
    " 방청석에서 표결을 지켜봤다.",
]


def test_korean_copy_is_read() -> None:
    text = _copy(
        "홈\n뉴스\n스포츠",
        "시의회, 강에 새 다리 건설 승인\n공유\n댓글",
        *KOREAN,
        "관련기사\n많이 본 뉴스",
    )
    article = _read(text)
    assert article.language == "ko"
    assert article.title == "시의회, 강에 새 다리 건설 승인"
    assert [b.text for b in article.blocks] == KOREAN


OTHER_SCRIPTS = {
    "ru": (
        "Главная\nНовости\nСпорт",
        "Городской совет одобрил строительство нового моста",
        [
            "Городской совет во вторник одобрил строительство нового моста через реку, и"
            " этим закончился спор, который шёл в городе больше десяти лет.",
            "По мосту пройдут дорога, велосипедная дорожка и тротуар, а работы начнутся"
            " весной, как только будет готов проект.",
            "Жители обоих берегов добивались моста с тех пор, как перестал ходить паром, и"
            " многие из них следили за голосованием из зала.",
        ],
        "Поделиться\nКомментарии",
    ),
    "el": (
        "Αρχική\nΕιδήσεις\nΑθλητικά",
        "Το δημοτικό συμβούλιο ενέκρινε τη νέα γέφυρα",
        [
            "Το δημοτικό συμβούλιο ενέκρινε την Τρίτη την κατασκευή μιας νέας γέφυρας πάνω"
            " από τον ποταμό, και έτσι τελείωσε μια διαφωνία που κράτησε δέκα χρόνια.",
            "Η γέφυρα θα έχει δρόμο, ποδηλατόδρομο και πεζοδρόμιο, και τα έργα θα αρχίσουν"
            " την άνοιξη, όταν θα είναι έτοιμη η μελέτη.",
            "Οι κάτοικοι και των δύο οχθών ζητούσαν τη γέφυρα από τότε που σταμάτησε το"
            " πορθμείο, και πολλοί από αυτούς παρακολούθησαν την ψηφοφορία.",
        ],
        "Κοινοποίηση\n© 2024",
    ),
    "ar": (
        "الرئيسية\nأخبار\nرياضة",
        "المجلس البلدي يوافق على بناء جسر جديد",
        [
            "وافق المجلس البلدي يوم الثلاثاء على بناء جسر جديد فوق النهر، وبذلك انتهى خلاف"
            " استمر في المدينة أكثر من عشر سنوات.",
            "وسيضم الجسر طريقا للسيارات ومسارا للدراجات وممرا للمشاة، ومن المقرر أن تبدأ"
            " الأعمال في الربيع بعد أن يكتمل التصميم.",
            "وكان سكان الضفتين قد طالبوا بالجسر منذ أن توقفت العبارة عن العمل، وتابع كثير"
            " منهم التصويت من القاعة.",
        ],
        "مشاركة\n© 2024",
    ),
    "he": (
        "ראשי\nחדשות\nספורט",
        "מועצת העיר אישרה את בניית הגשר החדש",
        [
            "מועצת העיר אישרה ביום שלישי את בנייתו של גשר חדש מעל הנהר, וכך הסתיים ויכוח"
            " שנמשך בעיר יותר מעשר שנים.",
            "על הגשר יעברו כביש, שביל אופניים ומדרכה, והעבודות יתחילו באביב כאשר התכנון יהיה מוכן.",
            "תושבי שתי הגדות דרשו את הגשר מאז שהמעבורת הפסיקה לפעול, ורבים מהם צפו"
            " בהצבעה מן האולם.",
        ],
        "שיתוף\n© 2024",
    ),
}


@pytest.mark.parametrize("language", sorted(OTHER_SCRIPTS))
def test_cyrillic_greek_arabic_and_hebrew_copies_are_read_untouched(language: str) -> None:
    menu, headline, paragraphs, tail = OTHER_SCRIPTS[language]
    article = _read(_copy(menu, headline, *paragraphs, tail, FOOTER))
    assert article.language == language
    assert article.title == headline
    # right-to-left text comes out in the order it was written, characters unchanged
    assert [b.text for b in article.blocks] == paragraphs


def test_script_signals() -> None:
    assert cjk_language("東京都は新しい計画を発表した。") == "ja"
    assert cjk_language("北京市政府今天发布了新的计划。") == "zh"
    assert cjk_language("서울시는 새 계획을 발표했다.") == "ko"
    assert cjk_language("Council approves bridge") is None
    # ten CJK characters are five word-sized units; a menu entry has no particles
    assert units("市議会は新しい橋を承認") == 6
    assert function_density(JAPANESE[0], "ja") > 0.2 > function_density("ニュース速報", "ja")
    assert function_density(KOREAN[0], "ko") > 0.3
    # topic continuity works on character pairs where there are no spaces
    assert (
        overlap(content_terms("市議会が計画を承認", "ja"), content_terms(JAPANESE[0], "ja")) > 0.9
    )
    assert overlap(content_terms("駅前の再開発", "ja"), content_terms(JAPANESE[0], "ja")) == 0
