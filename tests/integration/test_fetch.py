"""The polite fetcher against a real HTTP server on 127.0.0.1: validators, delays, limits."""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from articleaudio.errors import FetchError, HTTPStatusError, PrivateAddressError
from articleaudio.extract import Fetcher, FetchSettings, Validators, fetch_url

ETAG = '"feed-v1"'
LAST_MODIFIED = "Mon, 30 Nov 2026 08:00:00 GMT"
FEED = b"<rss version='2.0'><channel><title>T</title></channel></rss>"
SLOW_SECONDS = 3.0


@dataclass
class Site:
    """What the test server answers, and what it was asked."""

    base: str = ""
    etag: str = ETAG
    requests: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def seen(self, path: str) -> list[dict[str, str]]:
        with self.lock:
            return [headers for _, p, headers in self.requests if p == path]


class Handler(BaseHTTPRequestHandler):
    """Answers by :data:`ROUTES`; ``/hop/N`` redirects N more times before answering."""

    site: Site

    def do_GET(self) -> None:
        with self.site.lock:
            self.site.requests.append((time.monotonic(), self.path, dict(self.headers.items())))
        if self.path.startswith("/hop/"):
            left = int(self.path.rsplit("/", 1)[1])
            if left:
                return self.send(302, b"", Location=f"/hop/{left - 1}")
            return self.send(200, b"arrived")
        route = ROUTES.get(self.path)
        if route is None:
            return self.send(404, b"")
        route(self, self.site)

    def send(self, status: int, body: bytes, *, length: bool = True, **headers: str) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _etag_route(handler: Handler, site: Site) -> None:
    if handler.headers.get("If-None-Match") == site.etag:
        return handler.send(304, b"", ETag=site.etag)
    handler.send(200, FEED, ETag=site.etag, Content_Type="application/rss+xml")


def _last_modified_route(handler: Handler, site: Site) -> None:
    # Exact comparison is what RFC 9110 §13.1.3 lets a server with one version do.
    if handler.headers.get("If-Modified-Since") == LAST_MODIFIED:
        return handler.send(304, b"")
    handler.send(200, FEED, Last_Modified=LAST_MODIFIED)


def _slow_route(handler: Handler, site: Site) -> None:
    time.sleep(SLOW_SECONDS)
    handler.send(200, b"late")


def _big_route(handler: Handler, site: Site) -> None:
    handler.send(200, b"x" * 5000)


def _big_unannounced_route(handler: Handler, site: Site) -> None:
    # No Content-Length: the body ends when the server closes, so only reading counts it.
    handler.close_connection = True
    handler.send(200, b"x" * 200_000, length=False)


def _error_route(handler: Handler, site: Site) -> None:
    handler.send(503, b"down")


def _to_other_loopback(handler: Handler, site: Site) -> None:
    port = site.base.rsplit(":", 1)[1]
    handler.send(302, b"", Location=f"http://127.0.0.2:{port}/page")


def _page_route(handler: Handler, site: Site) -> None:
    handler.send(200, b"<p>page</p>", Content_Type="text/html; charset=utf-8")


ROUTES: dict[str, Callable[[Handler, Site], None]] = {
    "/etag": _etag_route,
    "/last-modified": _last_modified_route,
    "/slow": _slow_route,
    "/big": _big_route,
    "/big-unannounced": _big_unannounced_route,
    "/error": _error_route,
    "/to-127.0.0.2": _to_other_loopback,
    "/page": _page_route,
}

LOCAL = FetchSettings(allow_private=True, host_delay=0.0, timeout=5.0)
"""The tests' server is on loopback, so they allow it explicitly."""


@pytest.fixture
def site() -> Iterator[Site]:
    site = Site()
    handler = type("SiteHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    site.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield site
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_etag_then_304_with_if_none_match(site: Site) -> None:
    fetcher = Fetcher(LOCAL)
    first = fetcher.get(f"{site.base}/etag", accept="application/rss+xml")
    assert (first.status, first.etag, first.body) == (200, ETAG, FEED)
    assert first.content_type == "application/rss+xml" and not first.not_modified
    second = fetcher.get(f"{site.base}/etag", validators=first.validators)
    assert second.not_modified and second.status == 304 and second.body == b""
    assert second.etag == ETAG
    sent = site.seen("/etag")
    assert "If-None-Match" not in sent[0] and sent[1]["If-None-Match"] == ETAG
    assert all(h["User-Agent"].startswith("articleaudio/") for h in sent)
    assert [h["Accept"] for h in sent] == ["application/rss+xml", "*/*"]
    site.etag = '"feed-v2"'  # the feed changed: the old validator no longer matches
    third = fetcher.get(f"{site.base}/etag", validators=second.validators)
    assert (third.status, third.etag, third.body) == (200, '"feed-v2"', FEED)


def test_last_modified_is_sent_back_as_if_modified_since(site: Site) -> None:
    fetcher = Fetcher(LOCAL)
    first = fetcher.get(f"{site.base}/last-modified")
    assert first.status == 200 and first.last_modified == LAST_MODIFIED and first.etag is None
    second = fetcher.get(f"{site.base}/last-modified", validators=first.validators)
    assert second.not_modified
    assert second.last_modified == LAST_MODIFIED  # kept though the 304 did not repeat it
    assert site.seen("/last-modified")[1]["If-Modified-Since"] == LAST_MODIFIED
    assert Validators().headers() == {}


def test_per_host_delay_is_kept_between_requests_to_one_host(site: Site) -> None:
    delay = 0.6
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=delay))
    fetcher.get(f"{site.base}/page")
    second = fetcher.get(f"{site.base}/page")
    times = [t for t, path, _ in site.requests if path == "/page"]
    assert times[1] - times[0] >= delay
    assert second.elapsed < delay  # the wait is not the server's time
    # Another host name (the same server) is not held back by the first host's delay.
    port = site.base.rsplit(":", 1)[1]
    start = time.monotonic()
    fetcher.get(f"http://localhost:{port}/page")
    assert time.monotonic() - start < delay / 2


def test_threads_sharing_a_fetcher_take_turns_at_one_host(site: Site) -> None:
    delay = 0.4
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=delay))
    threads = [threading.Thread(target=fetcher.get, args=(f"{site.base}/page",)) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    times = sorted(t for t, path, _ in site.requests if path == "/page")
    assert len(times) == 3
    assert min(b - a for a, b in itertools.pairwise(times)) >= delay


def test_redirects_are_followed_up_to_the_limit(site: Site) -> None:
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0, max_redirects=3))
    result = fetcher.get(f"{site.base}/hop/3")
    assert result.final_url == f"{site.base}/hop/0" and result.body == b"arrived"
    assert result.url == f"{site.base}/hop/3"
    with pytest.raises(FetchError, match="redirected more than 3 times"):
        fetcher.get(f"{site.base}/hop/4")
    assert len(site.seen("/hop/4")) == 1 and len(site.seen("/hop/0")) == 1


def test_oversize_body_is_refused(site: Site) -> None:
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0, max_bytes=1000))
    with pytest.raises(FetchError, match="more than 1000 bytes"):
        fetcher.get(f"{site.base}/big")
    small = Fetcher(FetchSettings(allow_private=True, host_delay=0.0, max_bytes=100_000))
    with pytest.raises(FetchError, match="more than 100000 bytes"):
        small.get(f"{site.base}/big-unannounced")
    assert len(Fetcher(LOCAL).get(f"{site.base}/big").body) == 5000


def test_slow_response_hits_the_timeout(site: Site) -> None:
    fetcher = Fetcher(FetchSettings(allow_private=True, host_delay=0.0, timeout=0.5))
    start = time.monotonic()
    with pytest.raises(FetchError, match="timeout"):
        fetcher.get(f"{site.base}/slow")
    assert time.monotonic() - start < SLOW_SECONDS - 1


def test_error_status_is_an_http_status_error(site: Site) -> None:
    with pytest.raises(HTTPStatusError, match="HTTP 503") as caught:
        Fetcher(LOCAL).get(f"{site.base}/error")
    assert caught.value.status == 503


@pytest.mark.parametrize("host", ["127.0.0.1", "10.0.0.1", "[::1]", "169.254.169.254"])
def test_private_addresses_are_refused_without_the_allow_switch(site: Site, host: str) -> None:
    port = site.base.rsplit(":", 1)[1]
    start = time.monotonic()
    with pytest.raises(PrivateAddressError, match="private address") as caught:
        Fetcher(FetchSettings(timeout=5.0)).get(f"http://{host}:{port}/page")
    assert caught.value.address == host.strip("[]")
    assert time.monotonic() - start < 1  # refused before any connection is tried
    assert site.seen("/page") == []


def test_a_name_that_resolves_to_loopback_is_refused(site: Site) -> None:
    port = site.base.rsplit(":", 1)[1]
    with pytest.raises(PrivateAddressError) as caught:
        Fetcher().get(f"http://localhost:{port}/page")
    assert caught.value.address in {"127.0.0.1", "::1"}
    assert site.seen("/page") == []
    # With the switch, the same URL is fetched.
    assert Fetcher(LOCAL).get(f"http://localhost:{port}/page").body == b"<p>page</p>"


def test_a_redirect_to_a_refused_address_is_refused(site: Site) -> None:
    # Only the server's own address is allowed; the redirect's target is checked again.
    fetcher = Fetcher(FetchSettings(host_delay=0.0, allowed_networks=("127.0.0.1/32",)))
    assert fetcher.get(f"{site.base}/page").status == 200
    with pytest.raises(PrivateAddressError) as caught:
        fetcher.get(f"{site.base}/to-127.0.0.2")
    assert caught.value.address == "127.0.0.2"
    assert len(site.seen("/page")) == 1  # the redirect's target was never asked


def test_every_resolved_address_is_checked(site: Site) -> None:
    # A name with one public and one private address is refused: it could be either.
    port = int(site.base.rsplit(":", 1)[1])
    fetcher = Fetcher(resolve=lambda host, _port: ["93.184.215.14", "10.1.2.3"])
    with pytest.raises(PrivateAddressError) as caught:
        fetcher.get(f"http://news.example:{port}/page")
    assert caught.value.address == "10.1.2.3"


def test_fetch_url_for_the_command_line_reads_loopback(site: Site) -> None:
    source = fetch_url(f"{site.base}/page")
    assert source.text == "<p>page</p>" and source.url == f"{site.base}/page"
    with pytest.raises(PrivateAddressError):
        fetch_url(f"{site.base}/page", settings=FetchSettings())


@pytest.fixture
def tls_site(site: Site, tmp_path: Path) -> Iterator[tuple[str, str]]:
    """The same routes over HTTPS with a certificate for ``localhost`` only; (port, CA file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=localhost"),
            *("-addext", "subjectAltName=DNS:localhost"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    handler = type("SiteHandler", (Handler,), {"site": site})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True).start()
    try:
        yield str(httpd.server_address[1]), str(cert)
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_https_verifies_the_certificate_against_the_url_host(
    site: Site, tls_site: tuple[str, str]
) -> None:
    port, ca_file = tls_site
    fetcher = Fetcher(dataclasses.replace(LOCAL, ca_file=ca_file))
    # The connection goes to the checked address, yet TLS names the URL's host (SNI).
    assert fetcher.get(f"https://localhost:{port}/page").body == b"<p>page</p>"
    with pytest.raises(FetchError, match="certificate is not valid for '127\\.0\\.0\\.1'"):
        fetcher.get(f"https://127.0.0.1:{port}/page")  # the certificate is not for this name
    with pytest.raises(FetchError, match="self-signed certificate"):
        Fetcher(LOCAL).get(f"https://localhost:{port}/page")  # its CA is not trusted
    assert len(site.seen("/page")) == 1
