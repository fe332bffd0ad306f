"""The one HTTP client of articleaudio: polite, bounded, conditional GETs.

Every fetch of a feed, a sitemap or an article page goes through :class:`Fetcher`:
it names articleaudio in its ``User-Agent``, waits a minimum delay between two
requests to the same host, sends the ``ETag`` / ``Last-Modified`` validators it is
given (RFC 9110 §13.1) and reports ``304 Not Modified`` as a distinct result, stops
at a timeout, a size limit and a redirect limit, and refuses hosts that resolve to
loopback, link-local or private addresses unless its settings allow them.

The address check is made on every hop, redirects included, and the connection goes
to the very address that was checked, so a name that resolves differently a moment
later (DNS rebinding) cannot slip past it. Proxies from the environment are not used
for the same reason: the target would be resolved where it cannot be checked. The
checks and the pinned connections are in :mod:`.connect`.
"""

from __future__ import annotations

import http.client
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import FetchError, HTTPStatusError
from .connect import pinned_connection, refuse_private, resolve_host

USER_AGENT = "articleaudio/0.1 (+article-to-podcast reader)"
"""Names articleaudio to the sites it reads, so their editors can tell it apart."""
FETCH_TIMEOUT = 20.0
"""Seconds to wait for a server to connect or send the next bytes."""
TOTAL_TIMEOUT = 120.0
"""Seconds a whole fetch may take, so a server dripping bytes cannot hold it forever."""
MAX_FETCH_BYTES = 20 * 1024 * 1024
"""Largest body read; bigger responses are refused rather than parsed slowly."""
MAX_REDIRECTS = 5
"""Redirects followed before a URL is given up on (browsers allow ~20; articles need 1-2)."""
HOST_DELAY = 1.0
"""Seconds between the end of one request to a host and the start of the next."""
READ_CHUNK = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
NOT_MODIFIED = 304


@dataclass(frozen=True)
class Validators:
    """What a server said identifies the version it sent, to ask for changes only."""

    etag: str | None = None
    """The ``ETag`` response header, sent back as ``If-None-Match``."""
    last_modified: str | None = None
    """The ``Last-Modified`` response header, sent back as ``If-Modified-Since``."""

    def headers(self) -> dict[str, str]:
        """The conditional request headers these validators make.

        >>> Validators(etag='"v1"', last_modified=None).headers()
        {'If-None-Match': '"v1"'}
        """
        pairs = (("If-None-Match", self.etag), ("If-Modified-Since", self.last_modified))
        return {name: value for name, value in pairs if value}


@dataclass(frozen=True)
class FetchSettings:
    """How politely and how far a :class:`Fetcher` goes."""

    timeout: float = FETCH_TIMEOUT
    """Seconds to wait to connect or for the next bytes."""
    total_timeout: float = TOTAL_TIMEOUT
    """Seconds the whole fetch, redirects included, may take."""
    max_bytes: int = MAX_FETCH_BYTES
    """Largest body accepted."""
    max_redirects: int = MAX_REDIRECTS
    """Redirects followed before giving up."""
    host_delay: float = HOST_DELAY
    """Minimum seconds between two requests to the same host."""
    allow_private: bool = False
    """Whether loopback, link-local and private addresses may be fetched (tests, intranets)."""
    allowed_networks: tuple[str, ...] = ()
    """Private networks that may be fetched all the same (``10.1.2.0/24``: the CMS's)."""
    ca_file: str | None = None
    """A CA bundle (PEM) to trust instead of the system's: an intranet CMS with its own CA."""
    user_agent: str = USER_AGENT
    """The ``User-Agent`` header."""
    accept: str = "*/*"
    """The ``Accept`` header."""


@dataclass(frozen=True)
class FetchResult:
    """One answered GET: a body (2xx) or "not modified" (304)."""

    url: str
    """The URL asked for."""
    final_url: str
    """The URL that answered, after redirects."""
    status: int
    """The HTTP status of the final answer (200, 304, ...)."""
    etag: str | None
    """The ``ETag`` to send next time (the one sent, if a 304 did not repeat it)."""
    last_modified: str | None
    """The ``Last-Modified`` to send next time."""
    body: bytes
    """The body; empty for a 304."""
    content_type: str | None
    """The media type, lower case, without parameters (``text/html``)."""
    charset: str | None
    """The ``charset`` parameter of ``Content-Type``, if any."""
    elapsed: float
    """Seconds from the first request to the end of the body, without the host delay."""

    @property
    def not_modified(self) -> bool:
        """Whether the server said the version the validators name is still current."""
        return self.status == NOT_MODIFIED

    @property
    def validators(self) -> Validators:
        """The validators to send with the next request for this URL."""
        return Validators(etag=self.etag, last_modified=self.last_modified)


@dataclass(frozen=True)
class _Hop:
    """One request of a fetch: where it goes and what it sends."""

    url: str
    headers: dict[str, str]
    deadline: float
    settings: FetchSettings


class Fetcher:
    """GETs URLs politely; keep one per watch so the per-host delay spans its requests.

    Safe to share between threads: requests to one host take turns, each after the
    host's delay; requests to different hosts run side by side.
    """

    def __init__(
        self,
        settings: FetchSettings | None = None,
        *,
        resolve: Callable[[str, int], list[str]] | None = None,
    ) -> None:
        self.settings = settings or FetchSettings()
        self._resolve = resolve or resolve_host
        self._last_done: dict[str, float] = {}
        self._host_locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(
        self, url: str, *, validators: Validators | None = None, accept: str | None = None
    ) -> FetchResult:
        """GET ``url``, following redirects; a 2xx or a 304 is a result, anything else raises.

        ``accept`` overrides the settings' ``Accept`` header for this request.

        Raises :class:`~articleaudio.errors.PrivateAddressError` for a refused address,
        :class:`~articleaudio.errors.HTTPStatusError` for a 4xx/5xx answer and
        :class:`~articleaudio.errors.FetchError` for timeouts, size, redirects, network.
        """
        settings = self.settings
        headers = {"User-Agent": settings.user_agent, "Accept": accept or settings.accept}
        headers.update((validators or Validators()).headers())
        start = time.monotonic()
        hop = _Hop(url, headers, start + settings.total_timeout, settings)
        waited = 0.0
        for _ in range(settings.max_redirects + 1):
            answer, pause = self._polite_request(hop)
            waited += pause
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                elapsed = time.monotonic() - start - waited
                return _result(url, hop.url, answer, validators, elapsed)
            hop = _Hop(urllib.parse.urljoin(hop.url, location), headers, hop.deadline, settings)
        raise FetchError(
            f"{url} redirected more than {settings.max_redirects} times; give the final URL",
            source=url,
        )

    def _polite_request(self, hop: _Hop) -> tuple[_Answer, float]:
        """One request after the host's delay, and the seconds waited for it."""
        host = _host_key(hop.url)
        with self._lock:
            host_lock = self._host_locks.setdefault(host, threading.Lock())
        with host_lock:
            last = self._last_done.get(host)
            pause = 0.0 if last is None else last + self.settings.host_delay - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            try:
                return self._request(hop), max(pause, 0.0)
            finally:
                self._last_done[host] = time.monotonic()

    def _request(self, hop: _Hop) -> _Answer:
        parts = _split_url(hop.url)
        addresses = self._checked_addresses(hop.url, parts)
        connection = pinned_connection(
            parts.hostname or "",
            _port(parts),
            addresses=addresses,
            tls=parts.scheme.lower() == "https",
            timeout=hop.settings.timeout,
            ca_file=hop.settings.ca_file,
        )
        try:
            connection.request("GET", _target(parts), headers=hop.headers)
            response = connection.getresponse()
            headers = {name.lower(): value for name, value in response.getheaders()}
            body = b""
            if 200 <= response.status < 300:
                body = _read_body(response, hop)
            return _Answer(response.status, headers, body)
        except FetchError:
            raise
        except (OSError, http.client.HTTPException) as exc:
            message = f"cannot fetch {hop.url}: {_reason(exc)}"
            raise FetchError(message, source=hop.url, transient=True) from exc
        finally:
            connection.close()

    def _checked_addresses(self, url: str, parts: urllib.parse.SplitResult) -> list[str]:
        host = parts.hostname or ""
        try:
            addresses = self._resolve(host, _port(parts))
        except OSError as exc:
            message = f"cannot fetch {url}: cannot resolve {host}"
            raise FetchError(message, source=url, transient=True) from exc
        if not addresses:
            raise FetchError(f"cannot fetch {url}: {host} has no address", source=url)
        if not self.settings.allow_private:
            for address in addresses:
                refuse_private(url, address, allowed=self.settings.allowed_networks)
        return addresses


@dataclass(frozen=True)
class _Answer:
    """A server's answer to one request."""

    status: int
    headers: dict[str, str]
    body: bytes


def _result(
    url: str, final_url: str, answer: _Answer, sent: Validators | None, elapsed: float
) -> FetchResult:
    if answer.status != NOT_MODIFIED and not 200 <= answer.status < 300:
        raise HTTPStatusError(
            f"{final_url} answered HTTP {answer.status} "
            f"{http.client.responses.get(answer.status, '')}".rstrip()
            + "; check the URL in a browser",
            source=url,
            status=answer.status,
        )
    sent = sent or Validators()
    media_type, charset = parse_content_type(answer.headers.get("content-type", ""))
    return FetchResult(
        url=url,
        final_url=final_url,
        status=answer.status,
        etag=answer.headers.get("etag") or sent.etag,
        last_modified=answer.headers.get("last-modified") or sent.last_modified,
        body=answer.body,
        content_type=media_type,
        charset=charset,
        elapsed=elapsed,
    )


def parse_content_type(value: str) -> tuple[str | None, str | None]:
    """The media type and charset of a ``Content-Type`` header.

    >>> parse_content_type('Text/HTML; charset="windows-1251"')
    ('text/html', 'windows-1251')
    >>> parse_content_type("")
    (None, None)
    """
    if not value.strip():
        return None, None
    message = http.client.HTTPMessage()
    message["Content-Type"] = value
    return message.get_content_type(), message.get_content_charset()


def _split_url(url: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        raise FetchError(f"cannot fetch {url}: only http(s) URLs can be fetched", source=url)
    return parts


def _port(parts: urllib.parse.SplitResult) -> int:
    try:
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"cannot fetch {parts.geturl()}: bad port", source=parts.geturl()) from exc
    return port or (443 if parts.scheme.lower() == "https" else 80)


def _target(parts: urllib.parse.SplitResult) -> str:
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "")


def _host_key(url: str) -> str:
    return (urllib.parse.urlsplit(url).hostname or "").lower()


def _read_body(response: http.client.HTTPResponse, hop: _Hop) -> bytes:
    limit = hop.settings.max_bytes
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise _too_big(hop.url, limit)
    chunks: list[bytes] = []
    size = 0
    while chunk := response.read(READ_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_big(hop.url, limit)
        if time.monotonic() > hop.deadline:
            raise FetchError(
                f"cannot fetch {hop.url}: {hop.settings.total_timeout:g} s passed before "
                "the whole body came (timeout); try again later",
                source=hop.url,
                transient=True,
            )
        chunks.append(chunk)
    return b"".join(chunks)


def _too_big(url: str, limit: int) -> FetchError:
    return FetchError(
        f"{url} sent more than {_size(limit)}, the most articleaudio reads", source=url
    )


def _size(limit: int) -> str:
    """
    >>> _size(20 * 1024 * 1024), _size(1000)
    ('20 MB', '1000 bytes')
    """
    mib = 1024 * 1024
    return f"{limit // mib} MB" if limit >= mib else f"{limit} bytes"


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "the server did not answer in time (timeout); try again later"
    return str(reason) or type(reason).__name__
