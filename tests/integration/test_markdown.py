"""Markdown sources: front matter as metadata, pipe tables, date lines, bylines under the title.

Files are read through the ingest stage and extracted as a build does; the spoken
form is checked through the real ``script`` and ``build`` commands.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from articleaudio.cli.app import cli
from articleaudio.errors import ArticleAudioError
from articleaudio.extract.article import extract, extract_source
from articleaudio.extract.frontmatter import split_front_matter
from articleaudio.extract.ingest import SourceKind, read_source
from articleaudio.models import Article, BlockKind
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from articleaudio.text.segment import SpeechSettings

from ..support.fake_synthesizer import FakeSynthesizer

BODY = """
The barriers on the river were built in 2019 and failed on Monday night after the storm.

The agency said it would review the design of every barrier in the county this year.
"""

YAML_ARTICLE = f"""---
title: "Flood barriers fail in March storms"
author: Priya Raman
date: 2026-03-14T09:30:00Z
url: https://news.example.org/flood-barriers
image: 'https://news.example.org/img/barrier.jpg'
tags: [floods, weather, "local news"]
draft: false
---
{BODY}"""

TOML_ARTICLE = f"""+++
title = "Flood barriers fail in March storms"
authors = ["Priya Raman", "Tom Hale"]
date = 2026-03-14
url = "https://news.example.org/flood-barriers"
image = "https://news.example.org/img/barrier.jpg"
tags = ["floods", "weather"]
+++
{BODY}"""

TABLE = """| Town | Homes flooded | Cost |
|------|--------------:|------|
| Ely | 120 | £3m |
| Wisbech | 45 | £1m |"""

BIG_TABLE = "| Town | Homes |\n|---|---|\n" + "\n".join(
    f"| Town {n} | {n * 10} |" for n in range(9)
)


def _read(tmp_path: Path, text: str, name: str = "article.md") -> Article:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return extract_source(read_source(str(path)))


def _spoken(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "spoken.md"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(cli, ["script", str(path), "--json"])
    assert result.exit_code == 0, result.output
    return [json.loads(line)["spoken"] for line in result.stdout.splitlines()]


def test_yaml_front_matter_is_metadata_not_the_headline(tmp_path: Path) -> None:
    article = _read(tmp_path, YAML_ARTICLE)
    assert article.title == "Flood barriers fail in March storms"
    assert article.authors == ("Priya Raman",)
    assert article.published == datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
    assert article.url == "https://news.example.org/flood-barriers"
    assert article.image == "https://news.example.org/img/barrier.jpg"
    assert article.tags == ("floods", "weather", "local news")
    assert [b.text[:20] for b in article.blocks] == ["The barriers on the ", "The agency said it w"]


def test_toml_front_matter_is_metadata(tmp_path: Path) -> None:
    article = _read(tmp_path, TOML_ARTICLE)
    assert article.title == "Flood barriers fail in March storms"
    assert article.authors == ("Priya Raman", "Tom Hale")
    assert article.published == datetime(2026, 3, 14)
    assert article.url == "https://news.example.org/flood-barriers"
    assert article.image == "https://news.example.org/img/barrier.jpg"
    assert article.tags == ("floods", "weather")
    assert len(article.blocks) == 2


def test_front_matter_is_never_spoken(tmp_path: Path) -> None:
    for text in (YAML_ARTICLE, TOML_ARTICLE):
        spoken = _spoken(tmp_path, text)
        assert spoken[0] == "Flood barriers fail in March storms"
        assert spoken[1].startswith("By Priya Raman")
        assert not any("title" in s or "https" in s or "equals" in s for s in spoken)


def test_a_heading_repeating_the_front_matter_title_is_not_read_twice(tmp_path: Path) -> None:
    text = YAML_ARTICLE.replace("---\n\n", "---\n\n# Flood barriers fail in March storms\n\n")
    article = _read(tmp_path, text)
    assert article.title == "Flood barriers fail in March storms"
    assert [b.kind for b in article.blocks] == [BlockKind.PARAGRAPH, BlockKind.PARAGRAPH]
    assert article.authors == ("Priya Raman",)


def test_yaml_lists_and_text_blocks_and_rules_that_are_not_front_matter() -> None:
    data, rest = split_front_matter(
        "---\nauthors:\n  - Ann Lee\n  - Bo Li\ndescription: >\n  Storms hit\n  the town.\n"
        "seo:\n  title: Other\n---\nBody\n"
    )
    assert data == {
        "authors": ["Ann Lee", "Bo Li"],
        "description": "Storms hit the town.",
        "seo": None,
    }
    assert rest == "Body\n"
    prose = "---\nJust a line of prose between rules.\n---\n"
    assert split_front_matter(prose) == ({}, prose)


def test_invalid_toml_front_matter_is_one_error_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text('+++\ntitle = "unclosed\n+++\n\nText here.\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["script", str(path)])
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: the +++ front matter is not valid TOML")
    assert len(result.stderr.splitlines()) == 1


def test_date_line_under_the_title_is_the_date(tmp_path: Path) -> None:
    head = "# Flood barriers fail in March storms\n\nBy Priya Raman\n*Published 14 March 2026*\n"
    text = head + BODY
    article = _read(tmp_path, text)
    assert article.authors == ("Priya Raman",)
    assert article.published == datetime(2026, 3, 14)
    assert article.blocks[0].text.startswith("The barriers")
    spoken = _spoken(tmp_path, text)
    assert spoken[1] == "By Priya Raman. March fourteenth, twenty twenty-six."
    assert not any(s.startswith("Published") for s in spoken)


def test_small_table_is_read_row_by_row(tmp_path: Path) -> None:
    article = _read(tmp_path, f"# Flood costs\n{BODY}\n{TABLE}\n\nRepairs start in May.\n")
    table = next(b for b in article.blocks if b.kind is BlockKind.TABLE)
    assert table.text.split("\n") == [
        "Town: Ely; Homes flooded: 120; Cost: £3m.",
        "Town: Wisbech; Homes flooded: 45; Cost: £1m.",
    ]
    spoken = _spoken(tmp_path, f"# Flood costs\n{BODY}\n{TABLE}\n\nRepairs start in May.\n")
    assert "Town: Ely; Homes flooded: one hundred and twenty; Cost: three million pounds." in spoken
    assert spoken[-1] == "Repairs start in May."
    assert not any("|" in s or "dash" in s for s in spoken)


def test_large_table_is_a_short_configurable_note(tmp_path: Path) -> None:
    text = f"# Flood costs\n{BODY}\n{BIG_TABLE}\n\nRepairs start in May.\n"
    spoken = _spoken(tmp_path, text)
    assert spoken[-2:] == ["A table follows in the article.", "Repairs start in May."]
    path = tmp_path / "big.md"
    path.write_text(text, encoding="utf-8")
    note = "The article has a table of the towns."
    result = CliRunner().invoke(
        cli, ["build", str(path), "-o", str(tmp_path / "out"), "--table-note", note, "--json"]
    )
    assert result.exit_code == 0, result.output
    cues = json.loads(result.stdout)["timeline"]["cues"]
    assert [c["text"] for c in cues[-2:]] == [note, "Repairs start in May."]
    assert cues[-2]["end"] > cues[-2]["start"]


def test_table_note_setting_reaches_the_timeline(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_text(f"# Flood costs\n{BODY}\n{BIG_TABLE}\n", encoding="utf-8")
    speech = SpeechSettings(table_note="See the table online.")
    settings = BuildSettings(output=tmp_path / "out", speech=speech)
    built = build_episode(str(path), settings, synthesizer=FakeSynthesizer())
    texts = [c.text for c in built.episode.timeline.cues]
    assert texts[-1] == "See the table online."
    assert not any("Town 3" in t for t in texts)


_FRONT = st.sampled_from(["---\n", "+++\n", "title: x\n", "- a\n", "  b: c\n", "tags: [a, 'b\n"])
_BODY = st.sampled_from(["| a | b |\n", "|---|---|\n", "# T\n", "By Ann Lee\n", "\n", "Text.\n"])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(_FRONT, _BODY, st.text(max_size=12)), max_size=14).map("".join))
def test_any_markdown_is_an_article_or_one_clear_error(text: str) -> None:
    try:
        article = extract(text, kind=SourceKind.MARKDOWN)
    except ArticleAudioError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert article.title.strip()
        assert all(b.text.strip() for b in article.blocks)


def test_front_matter_on_stdin_is_read_as_markdown() -> None:
    result = CliRunner().invoke(cli, ["script", "-", "--json"], input=YAML_ARTICLE)
    assert result.exit_code == 0, result.output
    spoken = [json.loads(line)["spoken"] for line in result.stdout.splitlines()]
    assert spoken[0] == "Flood barriers fail in March storms"
    assert not any("title" in s for s in spoken)


def test_a_wrapped_body_line_starting_with_by_stays_in_its_paragraph(tmp_path: Path) -> None:
    article = _read(
        tmp_path,
        "# Flood barriers fail\nBy Priya Raman\nThe barriers failed on Monday night\n"
        "By Monday, it was over and the town was under water again.\n",
    )
    assert article.authors == ("Priya Raman",)
    assert [b.text for b in article.blocks] == [
        "The barriers failed on Monday night By Monday, it was over and the town was under "
        "water again."
    ]
