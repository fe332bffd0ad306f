"""A real HTTP server on 127.0.0.1 whose answers a test changes as it goes (job tests).

A path answers with its :class:`Page` (``Site.pages``), or with answers scripted in
turn (``Site.script``). A page sends an ``ETag`` (a hash of its body) and answers a
request that sends it back ``304``, so a test counts what a conditional poll costs.
"""

from __future__ import annotations

import contextlib
import hashlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MARKDOWN = "text/markdown; charset=utf-8"

Answer = tuple[int, bytes, float]
"""A scripted answer: status, Markdown body, seconds to wait before answering."""


@dataclass
class Page:
    """One path's answer: status, media type, body, and whether it sends an ETag."""

    body: bytes
    status: int = 200
    media_type: str = "text/html; charset=utf-8"
    etag: bool = True
    delay: float = 0.0
    """Seconds to wait before answering."""


@dataclass
class Site:
    """The pages served, answers still to give, and the requests seen (all, and those
    with ``If-None-Match``)."""

    base: str = ""
    pages: dict[str, Page] = field(default_factory=dict)
    answers: dict[str, list[Page]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)
    conditional: Counter[str] = field(default_factory=Counter)
    requests: list[str] = field(default_factory=list)
    """Every path asked for, in order."""

    def script(self, path: str, *answers: Answer) -> str:
        """Answer ``path`` with these in turn (the last one repeats); returns its URL."""
        self.answers[path] = [
            Page(body, status, MARKDOWN, etag=False, delay=delay) for status, body, delay in answers
        ]
        return self.base + path

    def next_page(self, path: str) -> Page:
        """What ``path`` answers now (a 404 when nothing is served there)."""
        queue = self.answers.get(path)
        if queue:
            return queue.pop(0) if len(queue) > 1 else queue[0]
        return self.pages.get(path) or Page(b"", status=404, media_type=MARKDOWN)


def etag_of(body: bytes) -> str:
    """The ETag a page sends: a hash of its body."""
    return '"' + hashlib.sha256(body).hexdigest()[:16] + '"'


def article(title: str, sentences: int = 2) -> bytes:
    """A small Markdown article."""
    body = " ".join(f"{title} sentence number {n} is about the harbour." for n in range(sentences))
    return f"# {title}\n\nBy Ann Lee\n\n{body}\n".encode()


@contextlib.contextmanager
def site() -> Iterator[Site]:
    """Serve a :class:`Site` until the block ends."""
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.hits[self.path] += 1
            state.requests.append(self.path)
            asked = self.headers.get("If-None-Match")
            state.conditional[self.path] += asked is not None
            page = state.next_page(self.path)
            time.sleep(page.delay)
            etag = etag_of(page.body) if page.etag and page.status == 200 else None
            status, body = (304, b"") if etag and asked == etag else (page.status, page.body)
            self.send_response(status)
            self.send_header("Content-Type", page.media_type)
            if etag:
                self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    state.base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
