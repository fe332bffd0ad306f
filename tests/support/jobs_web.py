"""A real HTTP server on 127.0.0.1 whose answers a test changes as it goes (job tests)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Answer = tuple[int, bytes, float]
"""Status, Markdown body, seconds to wait before answering."""


@dataclass
class Site:
    """Path → the answers still to give (the last one repeats), and requests seen."""

    base: str = ""
    answers: dict[str, list[Answer]] = field(default_factory=dict)
    hits: Counter[str] = field(default_factory=Counter)

    def script(self, path: str, *answers: Answer) -> str:
        """Answer ``path`` with these in turn; returns its URL."""
        self.answers[path] = list(answers)
        return self.base + path

    def _next(self, path: str) -> Answer:
        queue = self.answers.get(path) or [(404, b"", 0.0)]
        return queue.pop(0) if len(queue) > 1 else queue[0]


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
            status, body, delay = state._next(self.path)
            time.sleep(delay)
            self.send_response(status)
            self.send_header("Content-Type", "text/markdown; charset=utf-8")
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
