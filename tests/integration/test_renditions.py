"""Renditions and art (issue 13 item 14): the M4A and Opus files are tagged like the
MP3, listed in the feed as ``podcast:alternateEnclosure``, the Opus one is made at a
speech rate, and the episode's art (``--cover``, else the article's lead image when
it is beside the source) is in every file's tags and is the item's ``itunes:image``.

Built with the real Piper voice and the real ffmpeg through the CLI; the feed is
read with lxml and podcastparser, the tags with mutagen, the art with Pillow.
"""

from __future__ import annotations

import base64
import io
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import podcastparser
import pytest
from click.testing import CliRunner
from lxml import etree
from mutagen import id3
from mutagen.flac import Picture
from mutagen.mp4 import MP4
from mutagen.oggopus import OggOpus
from PIL import Image

from articleaudio.cli.app import cli
from articleaudio.config import describe_artwork
from articleaudio.encode.art import episode_art, local_image_path
from articleaudio.encode.encoder import decode

NS = {
    "itunes": "http://www.itunes.com/dtds/podcast-1.0.dtd",
    "podcast": "https://podcastindex.org/namespace/1.0",
}
BASE_URL = "http://127.0.0.1:8000/"
ARTICLE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Harbour bridge reopens</title>
<meta property="og:image" content="images/lead.png">
<meta name="author" content="Ada Lovelace">
</head><body><article>
<h1>Harbour bridge reopens</h1>
<p>The harbour bridge opened again at dawn on Monday, nine months after a storm
damaged two of its supports and forced the city to close it to traffic.</p>
<h2>What comes next</h2>
<p>Tolls return in the spring, the council said, and cyclists get a wider lane
on the east side of the deck from next week.</p>
</article></body></html>
"""


@dataclass(frozen=True)
class Build:
    folder: Path
    episode: dict[str, Any]
    feed: bytes

    def file(self, purpose: str) -> Path:
        return self.folder / str(self.episode["files"][purpose])


def save_image(path: Path, size: tuple[int, int], mode: str = "RGB", fmt: str = "PNG") -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new(mode, size, (200, 40, 40) if mode == "RGB" else (200, 40, 40, 128))
    image.save(path, format=fmt)
    return path.read_bytes()


def build(tmp: Path, *options: str) -> Build:
    source = tmp / "news" / "bridge.html"
    if not source.exists():
        source.parent.mkdir(parents=True)
        source.write_text(ARTICLE, encoding="utf-8")
        save_image(source.parent / "images" / "lead.png", (1600, 900), mode="RGBA")
    out = tmp / "out"
    result = CliRunner().invoke(cli, ["build", str(source), "-o", str(out), *options])
    assert result.exit_code == 0, result.stderr
    folder = next((out / "episodes").iterdir())
    episode = json.loads((folder / "episode.json").read_text(encoding="utf-8"))
    return Build(folder, episode, (out / "feed.xml").read_bytes())


@pytest.fixture(scope="module")
def lead(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """No --cover: the lead image beside the article is the art; all three renditions."""
    return build(tmp_path_factory.mktemp("lead"), "--also", "m4a", "--also", "opus")


def item(build: Build) -> Any:
    return etree.fromstring(build.feed).find("channel/item")


def test_opus_is_made_at_a_speech_rate_and_is_smaller_than_the_mp3(lead: Build) -> None:
    mp3, opus = lead.file("audio"), lead.file("opus")
    seconds = len(decode(opus, 48000)) / 48000  # the real ffmpeg decodes it whole
    assert seconds == pytest.approx(lead.episode["audio"]["duration"], abs=0.1)
    art = lead.episode["files"].get("art")
    art_bytes = (lead.folder / art).stat().st_size if art else 0  # in both files' tags
    opus_kbps = (opus.stat().st_size - art_bytes) * 8 / seconds / 1000
    mp3_kbps = (mp3.stat().st_size - art_bytes) * 8 / seconds / 1000
    print(f"opus {opus.stat().st_size} B ({opus_kbps:.1f} kb/s), mp3 {mp3.stat().st_size} B")
    assert opus_kbps < 36  # was 77 kb/s at the MP3's 64 kb/s target
    assert opus.stat().st_size < 0.7 * mp3.stat().st_size
    assert mp3_kbps == pytest.approx(64, abs=4)


def test_m4a_has_the_tags_art_and_chapters(lead: Build) -> None:
    tags = MP4(lead.file("m4a")).tags
    assert tags is not None
    assert tags["\xa9nam"] == ["Harbour bridge reopens"]
    assert tags["\xa9ART"] == ["Ada Lovelace"]
    assert tags["\xa9gen"] == ["Podcast"]
    assert tags["\xa9cmt"] == [lead.episode["disclosure"]]
    assert bytes(tags["covr"][0]) == lead.file("art").read_bytes()
    chapters = MP4(lead.file("m4a")).chapters
    assert chapters is not None
    expected = lead.episode["timeline"]["chapters"]
    assert [c.title for c in chapters] == [c["title"] for c in expected]
    assert [round(c.start, 2) for c in chapters] == [round(c["start"], 2) for c in expected]


def test_opus_has_the_comments_art_and_chapters(lead: Build) -> None:
    tags = OggOpus(lead.file("opus")).tags
    assert tags is not None
    assert tags["TITLE"] == ["Harbour bridge reopens"]
    assert tags["ARTIST"] == ["Ada Lovelace"]
    assert tags["COMMENT"] == [lead.episode["disclosure"]]
    picture = Picture(base64.b64decode(tags["METADATA_BLOCK_PICTURE"][0]))
    assert picture.type == 3 and picture.data == lead.file("art").read_bytes()
    chapters = lead.episode["timeline"]["chapters"]
    names = [tags[f"CHAPTER{n:03}NAME"][0] for n in range(1, len(chapters) + 1)]
    assert names == [c["title"] for c in chapters]
    assert tags["CHAPTER001"] == ["00:00:00.000"]


def test_lead_image_is_the_episode_art_made_fit_for_apple(lead: Build) -> None:
    art = lead.file("art").read_bytes()
    assert describe_artwork(art) == (".jpg", 1400)  # 1600x900 RGBA → square RGB JPEG
    with Image.open(io.BytesIO(art)) as image:
        assert image.getpixel((700, 700)) == pytest.approx((228, 147, 147), abs=4)  # on white
    mp3 = id3.ID3(lead.file("audio"))
    assert mp3.getall("APIC")[0].data == art
    href = item(lead).find("itunes:image", NS).get("href")
    assert href == f"{BASE_URL}episodes/{lead.folder.name}/{lead.episode['files']['art']}"
    parsed = podcastparser.parse(BASE_URL + "feed.xml", io.BytesIO(lead.feed))
    assert parsed["episodes"][0]["episode_art_url"] == href


def test_feed_lists_every_rendition(lead: Build) -> None:
    found = item(lead).findall("podcast:alternateEnclosure", NS)
    rows = {(n.get("type"), n.get("title"), n.get("default")) for n in found}
    assert rows == {
        ("audio/mpeg", "MP3", "true"),
        ("audio/mp4", "AAC", None),
        ("audio/ogg", "Opus", None),
    }
    for node in found:
        (source,) = node.findall("podcast:source", NS)
        name = source.get("uri").removeprefix(f"{BASE_URL}episodes/{lead.folder.name}/")
        assert node.get("length") == str((lead.folder / name).stat().st_size)
        assert int(node.get("bitrate")) in {64000, 32000}
    opus = next(n for n in found if n.get("title") == "Opus")
    assert opus.get("bitrate") == "32000" and opus.get("codecs") == "opus"


def test_validate_checks_renditions_and_episode_art(lead: Build, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["validate", "-o", str(lead.folder.parent.parent)])
    assert result.exit_code == 0, result.stdout
    out = tmp_path / "out"
    shutil.copytree(lead.folder.parent.parent, out)
    folder = out / "episodes" / lead.folder.name
    opus = folder / lead.episode["files"]["opus"]
    with opus.open("ab") as handle:
        handle.write(b"\0" * 10)
    save_image(folder / lead.episode["files"]["art"], (1400, 700), fmt="JPEG")
    result = CliRunner().invoke(cli, ["validate", "-o", str(out)])
    assert result.exit_code == 1
    size = opus.stat().st_size
    assert f"alternateEnclosure length {size - 10} != {opus.name}'s {size}" in result.output
    assert "is 1400x700 px; podcast artwork must be square" in result.output


def test_cover_wins_over_the_lead_image_byte_for_byte(tmp_path: Path) -> None:
    cover = save_image(tmp_path / "cover.jpg", (1400, 1400), fmt="JPEG")
    built = build(tmp_path, "--cover", str(tmp_path / "cover.jpg"))
    assert built.file("art").read_bytes() == cover
    assert id3.ID3(built.file("audio")).getall("APIC")[0].data == cover
    href = item(built).find("itunes:image", NS).get("href")
    assert href.endswith("/" + built.episode["files"]["art"])
    assert item(built).find("podcast:alternateEnclosure", NS) is None  # the MP3 alone


def test_bad_cover_fails_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "cover.jpg").write_text("not an image")
    (tmp_path / "a.md").write_text("# Title\n\nOne sentence to read.\n", encoding="utf-8")
    args = ["build", str(tmp_path / "a.md"), "-o", str(tmp_path / "out")]
    result = CliRunner().invoke(cli, [*args, "--cover", str(tmp_path / "cover.jpg")])
    assert result.exit_code == 1
    message = f"Error: cover art {tmp_path / 'cover.jpg'} is not an image; use a JPEG or PNG file"
    assert result.stderr.strip() == message
    assert not (tmp_path / "out").exists()


def test_lead_image_only_from_beside_the_source(tmp_path: Path) -> None:
    source = tmp_path / "news" / "page.html"
    source.parent.mkdir()
    source.write_text("<p>x</p>")
    save_image(tmp_path / "secret.png", (1400, 1400))
    save_image(tmp_path / "news" / "ok.png", (1400, 1400))
    assert local_image_path("../secret.png", str(source)) is None
    assert local_image_path(str(tmp_path / "secret.png"), str(source)) is None
    assert local_image_path((tmp_path / "secret.png").as_uri(), str(source)) is None
    assert local_image_path("ok.png", str(source)) == tmp_path / "news" / "ok.png"
    assert episode_art(None, "ok.png", "https://news.example/page") is None  # never fetched
    assert episode_art(None, "ok.png", "-") is None
    assert episode_art(None, "missing.png", str(source)) is None


def test_lead_image_in_a_data_url(tmp_path: Path) -> None:
    png = save_image(tmp_path / "a.png", (1500, 1500))
    url = "data:image/png;base64," + base64.b64encode(png).decode()
    art = episode_art(None, url, "https://news.example/page")
    assert art is not None and art.data == png and art.suffix == ".png"
