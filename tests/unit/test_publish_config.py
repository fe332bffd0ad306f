"""Podcast settings: articleaudio.toml, defaults, and clear errors for invalid values."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from articleaudio.config import (
    DEFAULT_BASE_URL,
    PodcastConfig,
    config_from_dict,
    describe_artwork,
    load_config,
)
from articleaudio.errors import ConfigError
from articleaudio.library.publish import default_artwork

GOOD_TOML = """
[podcast]
title = "The Daily Read"
description = "Articles, read aloud."
base_url = "https://news.example.org/podcast/"
link = "https://news.example.org/"
author = "Example News"
owner_name = "Jane Editor"
owner_email = "jane@news.example.org"
artwork = "art/cover.jpg"
category = "News"
subcategory = "Politics"
language = "en-GB"
explicit = true
feed_file = "daily.xml"

[voices]
de = "de_DE-thorsten-medium"
"""


def save_image(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "JPEG") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size).save(path, format=fmt)
    return path


def test_defaults_without_a_file(tmp_path: Path) -> None:
    config = load_config(cwd=tmp_path)
    assert config == PodcastConfig()
    assert config.base_url == DEFAULT_BASE_URL == "http://127.0.0.1:8000/"
    assert config.feed_url == "http://127.0.0.1:8000/feed.xml"
    suffix, size = describe_artwork(default_artwork())
    assert (suffix, size) == (".png", 1400)


def test_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    save_image(tmp_path / "art" / "cover.jpg", (1400, 1400))
    (tmp_path / "articleaudio.toml").write_text(GOOD_TOML, encoding="utf-8")
    config = load_config(cwd=tmp_path)
    assert config.title == "The Daily Read"
    assert config.artwork == (tmp_path / "art" / "cover.jpg").resolve()
    assert config.explicit is True and config.language == "en-GB"
    assert config.feed_url == "https://news.example.org/podcast/daily.xml"
    assert config.site_link == "https://news.example.org/"
    assert config.voices == (("de", "de_DE-thorsten-medium"),)
    assert config.voice_for("de-AT") == "de_DE-thorsten-medium" and config.voice_for("en") is None


def test_explicit_path_wins_and_missing_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read config file .*nope\.toml"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("size", "mode", "fmt", "message"),
    [
        ((1000, 1000), "RGB", "JPEG", "is 1000x1000 px; use 1400 to 3000 px on each side"),
        ((3200, 3200), "RGB", "PNG", "is 3200x3200 px; use 1400 to 3000 px on each side"),
        ((1400, 1500), "RGB", "JPEG", "is 1400x1500 px; podcast artwork must be square"),
        ((1400, 1400), "RGBA", "PNG", "has colour mode RGBA; save it as RGB without transparency"),
        ((1400, 1400), "CMYK", "JPEG", "has colour mode CMYK; save it as RGB without transparency"),
        ((1400, 1400), "RGB", "GIF", "is GIF; save it as JPEG or PNG"),
    ],
)
def test_artwork_rules(
    tmp_path: Path, size: tuple[int, int], mode: str, fmt: str, message: str
) -> None:
    image = save_image(tmp_path / "cover.img", size, mode, fmt)
    with pytest.raises(ConfigError) as caught:
        config_from_dict({"artwork": "cover.img"}, base_dir=tmp_path, source="articleaudio.toml")
    assert str(caught.value) == f"articleaudio.toml: artwork {image.resolve()} {message}"


def test_artwork_that_is_not_an_image(tmp_path: Path) -> None:
    (tmp_path / "cover.jpg").write_text("not an image")
    with pytest.raises(ConfigError, match="is not an image; use a JPEG or PNG file"):
        config_from_dict({"artwork": "cover.jpg"}, base_dir=tmp_path)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"titel": "x"}, "unknown setting 'titel' in [podcast]; did you mean 'title'?"),
        ({"category": "Newz"}, "category 'Newz' is not an Apple Podcasts category; use one of:"),
        ({"subcategory": "Golf"}, "subcategory 'Golf' is not in 'News'; use: Business News,"),
        ({"owner_email": "jane"}, "owner_email 'jane' is not an e-mail address"),
        ({"base_url": "https://x.example/p"}, "base_url 'https://x.example/p' must end with '/'"),
        ({"base_url": "ftp://x.example/"}, "must be an absolute http(s) URL"),
        ({"explicit": "yes"}, "explicit must be true or false, not 'yes'"),
        ({"title": ""}, "title must be a non-empty text string, not ''"),
        ({"language": "english!"}, "language 'english!' is not a language tag"),
        ({"feed_file": "../feed.xml"}, "feed_file '../feed.xml' must be a plain file name"),
    ],
)
def test_invalid_settings_say_what_to_fix(table: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_from_dict(table, source="articleaudio.toml")
    assert str(caught.value).startswith("articleaudio.toml: ")
    assert message in str(caught.value)


def test_invalid_toml(tmp_path: Path) -> None:
    path = tmp_path / "articleaudio.toml"
    path.write_text("[podcast]\ntitle = \n")
    with pytest.raises(ConfigError, match=r"articleaudio\.toml is not valid TOML"):
        load_config(path)


FEEDS_TOML = """
[podcast]
title = "The Daily Read"

[[feeds]]
feed_file = "politics.xml"
tag = "Politics"

[[feeds]]
feed_file = "ada.xml"
title = "Ada's articles"
author = "ada reporter"
"""


def test_extra_feeds_are_read(tmp_path: Path) -> None:
    path = tmp_path / "articleaudio.toml"
    path.write_text(FEEDS_TOML)
    config = load_config(path)
    politics, ada = config.feeds
    assert (politics.feed_file, politics.tag, politics.title) == ("politics.xml", "Politics", None)
    assert config.for_selection(politics).title == "The Daily Read: Politics"
    assert config.for_selection(ada).title == "Ada's articles"
    assert config.for_selection(ada).feed_url == "http://127.0.0.1:8000/ada.xml"


@pytest.mark.parametrize(
    ("feeds", "message"),
    [
        ('[[feeds]]\ntag = "x"\n', "a [[feeds]] table needs a feed_file"),
        ('[[feeds]]\nfeed_file = "x.xml"\n', "[[feeds]] x.xml needs a tag, author or publisher"),
        ('[[feeds]]\nfeed_file = "x.xml"\nsection = "y"\n', "each [[feeds]] table takes only:"),
        ('[[feeds]]\nfeed_file = "feed.xml"\ntag = "y"\n', "feed_file names must differ"),
        ('[[feeds]]\nfeed_file = "../x.xml"\ntag = "y"\n', "must be a plain file name"),
    ],
)
def test_invalid_extra_feeds(tmp_path: Path, feeds: str, message: str) -> None:
    path = tmp_path / "articleaudio.toml"
    path.write_text("[podcast]\n" + feeds)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert message in str(caught.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "Mine"\n[podcast]\n', "unknown top-level key 'title'; put title under [podcast]"),
        ('[podcats]\ntitle = "Mine"\n', "unknown top-level key 'podcats'; did you mean 'podcast'?"),
        ("[stuff]\nx = 1\n", "unknown top-level key 'stuff'; the file takes only podcast, feeds"),
        ('[podcast]\nbase_ulr = "https://a.example/"\n', "'base_ulr' in [podcast]; did you mean"),
        (
            '[[feeds]]\nfeed_file = "t.xml"\ntags = "x"\n',
            "'tags' in [[feeds]]; did you mean 'tag'?",
        ),
        ('[feeds]\nfeed_file = "t.xml"\ntag = "x"\n', "[feeds] is a single table; write [[feeds]]"),
        ('[voices]\n"de de" = "x"\n', "[voices] key 'de de' is not a language tag"),
        ("[voices]\nde = 5\n", "[voices] de must be a voice name, not 5"),
        ('voices = "de"\n', "[voices] must be a table like de = "),
    ],
)
def test_unknown_or_misplaced_keys_name_the_nearest_valid_one(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "articleaudio.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value).startswith(f"{path}: ")
    assert message in str(caught.value)


def test_a_category_without_subcategories_needs_no_subcategory(tmp_path: Path) -> None:
    # The default subcategory ("Daily News") belongs to the default category only.
    path = tmp_path / "articleaudio.toml"
    path.write_text('[podcast]\ncategory = "Technology"\n')
    assert load_config(path).subcategory is None
