"""Real HTTP servers on 127.0.0.1: a table of canned responses (for the URL tests) and
articleaudio's own Uvicorn server over a library folder.

A route with an ``ETag`` header answers ``304 Not Modified`` to a request whose
``If-None-Match`` names that ETag, as a server with one version of the file would.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from articleaudio.web import server

Route = tuple[int, dict[str, str], bytes]
"""Status, headers, body."""
SLOW_PATH = "/slow"
"""Answers only after :data:`SLOW_SECONDS`, for timeout tests."""
SLOW_SECONDS = 3.0


@contextlib.contextmanager
def serving(routes: dict[str, Route]) -> Iterator[str]:
    """Serve ``routes`` (path → response; anything else is 404); yields the base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == SLOW_PATH:
                time.sleep(SLOW_SECONDS)
            status, headers, body = routes.get(self.path, (404, {}, b""))
            etag = headers.get("ETag")
            if etag is not None and self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The client may have given up first (timeout and size-limit tests).
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # quiet test output
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextlib.contextmanager
def running_server(root: Path) -> Iterator[str]:
    """A real Uvicorn serving ``root`` on a free port of 127.0.0.1, in a thread."""
    sock = server.bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    http_server = server.make_server(root, access_log=False)
    thread = threading.Thread(target=http_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not http_server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        http_server.should_exit = True
        thread.join(10)
        sock.close()
