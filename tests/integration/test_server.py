"""``articleaudio serve`` against a real Uvicorn on 127.0.0.1: what podcast apps need,
and nothing outside the output folder."""

from __future__ import annotations

import email.utils
import http.client
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit
from xml.etree import ElementTree

import pytest

from articleaudio.config import PodcastConfig
from articleaudio.errors import ConfigError, SourceNotFoundError
from articleaudio.library.publish import publish_episode
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings
from articleaudio.web import player, server

from ..support.episodes import make_library
from ..support.fake_synthesizer import FakeSynthesizer
from ..support.paths import SAMPLE
from ..support.servers import running_server

SECRET = "TOP-SECRET-OUTSIDE-THE-FOLDER"
PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_NS = "http://www.itunes.com/dtds/podcast-1.0.dtd"
SLUG = "bridge"


@dataclass(frozen=True)
class Site:
    """A served library and the files behind it."""

    root: Path
    host: str
    port: int

    def request(
        self, method: str, target: str, headers: dict[str, str] | None = None
    ) -> tuple[http.client.HTTPResponse, bytes]:
        # http.client sends the request target as given: no normalisation of "..".
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            conn.request(method, target, headers=headers or {})
            response = conn.getresponse()
            return response, response.read()
        finally:
            conn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    base = tmp_path_factory.mktemp("serve")
    root = base / "library"
    folder, episode = make_library(root, SLUG)
    player.write_embed(folder, episode)
    (base / "secret.txt").write_text(SECRET)
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_text(SECRET)
    (root / "articleaudio.sqlite").write_text(SECRET)
    (root / ".hidden").write_text(SECRET)
    (root / "voices").mkdir()
    (root / "voices" / "en_GB-x-low.onnx.json").write_text(SECRET)
    (root / "articleaudio.toml").write_text(SECRET)
    os.symlink(base / "secret.txt", root / "leak.txt")
    os.symlink(base / "outside", root / "leakdir")
    os.symlink(folder / "episode.json", root / "latest.json")  # inside: allowed
    with running_server(root) as url:
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        yield Site(root, parts.hostname, parts.port)


@pytest.fixture(scope="module")
def mp3(site: Site) -> bytes:
    return (site.root / "episodes" / SLUG / f"{SLUG}.mp3").read_bytes()


MP3_URL = f"/episodes/{SLUG}/{SLUG}.mp3"


def test_get_whole_file_has_exact_length_and_ranges_advertised(site: Site, mp3: bytes) -> None:
    response, body = site.request("GET", MP3_URL)
    assert response.status == 200
    assert body == mp3
    assert response.getheader("Content-Length") == str(len(mp3))
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("Content-Type") == "audio/mpeg"


def test_head_sends_headers_without_body(site: Site, mp3: bytes) -> None:
    response, body = site.request("HEAD", MP3_URL)
    assert (response.status, body) == (200, b"")
    assert response.getheader("Content-Length") == str(len(mp3))
    assert response.getheader("Accept-Ranges") == "bytes"
    assert response.getheader("ETag")
    assert response.getheader("Last-Modified")


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-99", 0, 99),  # what apps ask first
        ("bytes=0-1", 0, 1),  # Apple's probe
        ("bytes=50000-59999", 50000, 59999),  # middle
        ("bytes=-100", -100, -1),  # suffix: the last 100 bytes
        ("bytes=150000-", 150000, -1),  # open-ended
        ("bytes=159000-999999999", 159000, -1),  # end clipped to the file
    ],
)
def test_byte_ranges(site: Site, mp3: bytes, header: str, first: int, last: int) -> None:
    size = len(mp3)
    start, end = first % size, last % size
    response, body = site.request("GET", MP3_URL, {"Range": header})
    assert response.status == 206
    assert body == mp3[start : end + 1]
    assert response.getheader("Content-Range") == f"bytes {start}-{end}/{size}"
    assert response.getheader("Content-Length") == str(end - start + 1)
    assert response.getheader("Content-Type") == "audio/mpeg"


def test_head_with_range_reports_partial_length(site: Site, mp3: bytes) -> None:
    response, body = site.request("HEAD", MP3_URL, {"Range": "bytes=-100"})
    assert (response.status, body) == (206, b"")
    assert response.getheader("Content-Length") == "100"
    size = len(mp3)
    assert response.getheader("Content-Range") == f"bytes {size - 100}-{size - 1}/{size}"


@pytest.mark.parametrize("header", ["bytes=999999999-", "bytes=-0"])
def test_unsatisfiable_range_is_416(site: Site, mp3: bytes, header: str) -> None:
    response, body = site.request("GET", MP3_URL, {"Range": header})
    assert response.status == 416
    assert response.getheader("Content-Range") == f"bytes */{len(mp3)}"
    assert mp3[:100] not in body


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "items=0-5", "bytes=9-2", "bytes=x-y"])
def test_ranges_we_do_not_support_get_the_whole_file(site: Site, mp3: bytes, header: str) -> None:
    # RFC 9110 §14.2: a server may ignore a Range header it does not support.
    response, body = site.request("GET", MP3_URL, {"Range": header})
    assert (response.status, body) == (200, mp3)


@pytest.mark.parametrize(
    ("path", "ctype"),
    [
        ("/feed.xml", "application/rss+xml"),
        (MP3_URL, "audio/mpeg"),
        (f"/episodes/{SLUG}/{SLUG}.vtt", "text/vtt; charset=utf-8"),
        (f"/episodes/{SLUG}/{SLUG}.chapters.json", "application/json+chapters"),
        (f"/episodes/{SLUG}/episode.json", "application/json"),
        (f"/episodes/{SLUG}/embed.html", "text/html; charset=utf-8"),
        (f"/episodes/{SLUG}/player.js", "text/javascript; charset=utf-8"),
    ],
)
def test_content_types_and_exact_lengths(site: Site, path: str, ctype: str) -> None:
    response, body = site.request("GET", path)
    assert response.status == 200
    assert response.getheader("Content-Type") == ctype
    assert body == (site.root / path.lstrip("/")).read_bytes()
    assert response.getheader("Content-Length") == str(len(body))
    assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_conditional_get_by_etag(site: Site) -> None:
    first, _ = site.request("GET", "/feed.xml")
    etag = first.getheader("ETag")
    assert etag and etag.startswith('"')
    again, body = site.request("GET", "/feed.xml", {"If-None-Match": etag})
    assert (again.status, body) == (304, b"")
    assert again.getheader("ETag") == etag
    weak, _ = site.request("GET", "/feed.xml", {"If-None-Match": f'"nope", W/{etag}'})
    assert weak.status == 304  # If-None-Match uses the weak comparison (RFC 9110 §13.1.2)
    other, body = site.request("GET", "/feed.xml", {"If-None-Match": '"something-else"'})
    assert other.status == 200 and body


def test_conditional_get_by_date(site: Site) -> None:
    first, _ = site.request("HEAD", MP3_URL)
    modified = first.getheader("Last-Modified")
    assert modified
    same, body = site.request("GET", MP3_URL, {"If-Modified-Since": modified})
    assert (same.status, body) == (304, b"")
    older = email.utils.formatdate(email.utils.parsedate_to_datetime(modified).timestamp() - 60)
    stale, body = site.request("GET", MP3_URL, {"If-Modified-Since": older})
    assert stale.status == 200 and len(body) > 1000


def test_if_range_sends_whole_file_when_the_copy_is_stale(site: Site, mp3: bytes) -> None:
    etag = site.request("HEAD", MP3_URL)[0].getheader("ETag")
    assert etag
    fresh, body = site.request("GET", MP3_URL, {"Range": "bytes=0-9", "If-Range": etag})
    assert (fresh.status, body) == (206, mp3[:10])
    stale, body = site.request("GET", MP3_URL, {"Range": "bytes=0-9", "If-Range": '"old"'})
    assert (stale.status, body) == (200, mp3)


def test_if_match_failure_is_412(site: Site) -> None:
    response, _ = site.request("GET", "/feed.xml", {"If-Match": '"old"'})
    assert response.status == 412


def test_replaced_file_gets_a_new_etag(site: Site) -> None:
    feed = site.root / "feed.xml"
    before = site.request("HEAD", "/feed.xml")[0].getheader("ETag")
    tmp = site.root / ".feed.xml.tmp"
    tmp.write_text(feed.read_text() + "<!-- updated -->\n")
    os.replace(tmp, feed)
    response, body = site.request("GET", "/feed.xml", {"If-None-Match": before or ""})
    assert response.status == 200
    assert body.endswith(b"<!-- updated -->\n")
    assert response.getheader("ETag") != before


TRAVERSALS = [
    "/../secret.txt",
    "/episodes/../../secret.txt",
    f"/episodes/{SLUG}/../../../secret.txt",
    "/%2e%2e/secret.txt",
    "/%2E%2E/secret.txt",
    "/%2e%2e%2fsecret.txt",
    "/..%2fsecret.txt",
    "/episodes/%2e%2e/%2e%2e/secret.txt",
    "/.%2e/secret.txt",
    "/..\\secret.txt",
    "/%5c..%5csecret.txt",
    "//etc/passwd",
    "/etc/passwd",
    "/%2fetc%2fpasswd",
    "/leak.txt",  # symlink to a file outside
    "/leakdir/secret.txt",  # symlink to a folder outside
    "/articleaudio.sqlite",  # the catalogue stays private
    "/.hidden",
    "/voices/en_GB-x-low.onnx.json",  # the library's voice models are the builder's
    "/voices/",
    "/articleaudio.toml",  # the library's settings (owner address, voice map)
    "/secret.txt%00.mp3",
    "/" + "a" * 5000,  # longer than a file name may be
    "/%ff%fe.mp3",  # not UTF-8
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_nothing_outside_the_folder_is_served(site: Site, target: str) -> None:
    response, body = site.request("GET", target)
    assert response.status == 404, target
    assert SECRET.encode() not in body
    assert b"root:" not in body


def test_symlink_inside_the_folder_is_served(site: Site) -> None:
    response, body = site.request("GET", "/latest.json")
    assert response.status == 200
    assert body == (site.root / "episodes" / SLUG / "episode.json").read_bytes()


def test_episode_folder_shows_its_player(site: Site) -> None:
    redirect, _ = site.request("GET", f"/episodes/{SLUG}")
    assert redirect.status == 308
    assert redirect.getheader("Location") == f"/episodes/{SLUG}/"
    page, body = site.request("GET", f"/episodes/{SLUG}/")
    assert page.status == 200
    assert body == (site.root / "episodes" / SLUG / "embed.html").read_bytes()


def test_root_lists_feed_and_episodes(site: Site) -> None:
    response, body = site.request("GET", "/")
    assert response.status == 200
    assert f'href="episodes/{SLUG}/"'.encode() in body
    assert b'href="feed.xml"' in body


def test_missing_file_and_other_methods(site: Site) -> None:
    assert site.request("GET", "/nope.mp3")[0].status == 404
    response, _ = site.request("POST", "/feed.xml")
    assert response.status == 405
    assert "GET" in (response.getheader("Allow") or "")


def test_script_embed_can_fetch_cross_origin(site: Site) -> None:
    response, _ = site.request(
        "GET", f"/episodes/{SLUG}/episode.json", {"Origin": "https://x.test"}
    )
    assert response.getheader("Access-Control-Allow-Origin") == "*"


def test_missing_output_folder_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(SourceNotFoundError, match="build an episode first"):
        server.create_app(tmp_path / "nope")


def test_busy_port_is_a_user_error() -> None:
    sock = server.bind_socket("127.0.0.1", 0)
    try:
        with pytest.raises(ConfigError, match="choose another --port"):
            server.bind_socket("127.0.0.1", sock.getsockname()[1])
    finally:
        sock.close()


def test_serve_command_serves_until_interrupted(site: Site) -> None:
    code = "from articleaudio.cli.player import serve; serve()"
    command = [sys.executable, "-c", code, "-o", str(site.root), "--port", "0"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        first = proc.stderr.readline()
        pattern = r"Serving .+ at http://127\.0\.0\.1:(\d+)/ \(Ctrl\+C to stop\)\n"
        match = re.fullmatch(pattern, first)
        assert match, first
        conn = http.client.HTTPConnection("127.0.0.1", int(match.group(1)), timeout=10)
        conn.request("HEAD", "/feed.xml")
        response = conn.getresponse()
        assert response.status == 200
        assert response.getheader("Content-Type") == "application/rss+xml"
        conn.close()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()


def test_a_podcast_app_can_fetch_everything_the_feed_names(tmp_path: Path) -> None:
    # The lead's pipeline and publisher (fake voice for speed), served for real:
    # every URL in feed.xml must answer with the type and length the feed states.
    root = tmp_path / "library"
    root.mkdir()
    sample = SAMPLE
    with running_server(root) as url:
        built = build_episode(
            str(sample), BuildSettings(output=root), synthesizer=FakeSynthesizer()
        )
        player.write_embed(built.directory, built.episode)
        publish_episode(root, built.episode, PodcastConfig(base_url=url + "/"))
        parts = urlsplit(url)
        assert parts.hostname and parts.port
        site = Site(root, parts.hostname, parts.port)
        response, feed = site.request("GET", "/feed.xml")
        assert response.getheader("Content-Type") == "application/rss+xml"
        channel = ElementTree.fromstring(feed).find("channel")
        assert channel is not None
        items = channel.findall("item")
        assert len(items) == 1
        enclosure = items[0].find("enclosure")
        assert enclosure is not None
        head, _ = site.request("HEAD", urlsplit(enclosure.get("url", "")).path)
        assert head.status == 200
        assert head.getheader("Content-Length") == enclosure.get("length")
        assert head.getheader("Content-Type") == enclosure.get("type") == "audio/mpeg"
        linked = [
            (el.get("url", ""), el.get("type", ""))
            for el in items[0].iter()
            if el.tag in (f"{{{PODCAST_NS}}}transcript", f"{{{PODCAST_NS}}}chapters")
        ]
        assert {kind for _, kind in linked} >= {"text/vtt", "application/json+chapters"}
        for link, kind in linked:
            response, body = site.request("GET", urlsplit(link).path)
            assert response.status == 200, link
            assert (response.getheader("Content-Type") or "").split(";")[0] == kind
            assert body
        image = channel.find(f"{{{ITUNES_NS}}}image")
        assert image is not None
        response, _ = site.request("HEAD", urlsplit(image.get("href", "")).path)
        assert response.status == 200
        assert response.getheader("Content-Type") in {"image/jpeg", "image/png"}
        page, _ = site.request("GET", f"/episodes/{built.episode.slug}/")
        assert page.status == 200
        assert site.request("GET", "/articleaudio.sqlite")[0].status == 404
