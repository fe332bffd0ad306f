"""``articleaudio serve``: the output folder over HTTP, as podcast apps expect it.

Starlette routes every GET/HEAD to :func:`serve_file`, which maps the URL to a
file strictly inside the folder (no ``..``, no dotfiles, no symlink that leads
out, none of the builder's or editors' files) and answers with what podcast apps
and browsers rely on: byte ranges (RFC 9110 §14), validators and conditional
requests (RFC 9110 §8.8, §13), exact ``Content-Length`` and the content types in
:data:`CONTENT_TYPES`.

The response streams from the very file descriptor that was measured, so a
feed or page replaced (renamed over) mid-request still gets a length that
matches its body.
"""

from __future__ import annotations

import email.utils
import html
import os
import re
import socket
import stat
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import quote

import anyio
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import (
    HTMLResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Route

from ..errors import ConfigError, SourceNotFoundError
from ..layout import (
    CHECK_FILE,
    CONFIG_NAME,
    EMBED_FILE,
    EPISODES_DIR,
    REVIEW_FILE,
    VOICES_DIR,
    episodes_dir,
)

CHUNK_BYTES = 64 * 1024
"""Read size while streaming a file."""
CONTENT_TYPES: tuple[tuple[str, str], ...] = (
    # Longest suffix first: the first match wins.
    (".chapters.json", "application/json+chapters"),  # Podcasting 2.0 <podcast:chapters>
    (".json", "application/json"),
    (".mp3", "audio/mpeg"),
    (".m4a", "audio/mp4"),
    (".opus", "audio/ogg"),  # Ogg Opus, RFC 7845 §9
    (".ogg", "audio/ogg"),
    (".xml", "application/rss+xml"),
    (".rss", "application/rss+xml"),
    (".vtt", "text/vtt; charset=utf-8"),
    (".srt", "application/x-subrip"),
    (".html", "text/html; charset=utf-8"),
    (".js", "text/javascript; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".txt", "text/plain; charset=utf-8"),
    (".jpg", "image/jpeg"),
    (".jpeg", "image/jpeg"),
    (".png", "image/png"),
    (".webp", "image/webp"),
)
"""File-name suffix → Content-Type."""
DEFAULT_TYPE = "application/octet-stream"
HIDDEN_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm", ".sqlite-journal", ".lock", ".tmp")
"""Catalogue, locks and half-written files stay private even inside the folder."""
PRIVATE_FOLDERS = frozenset({VOICES_DIR})
"""Top-level library folders that are the builder's, not the listener's (voice models)."""
PRIVATE_FILES = frozenset({CONFIG_NAME})
"""Top-level library files that are the builder's: the settings (owner address, voice map)."""
EDITORS_FILES = frozenset({REVIEW_FILE, CHECK_FILE})
"""Episode files that are the newsroom's: the check report and the review page built
from it (what the voice got wrong, before anyone fixed it). An editor opens them from
the file system; served, they would be one guessable URL away from every listener."""
INDEX_FILES = ("index.html", EMBED_FILE)
"""What a folder URL shows: an episode folder shows its player."""
COMMON_HEADERS = {
    "cache-control": "no-cache",  # revalidate each time; cheap with ETag
    "x-content-type-options": "nosniff",
    "access-control-allow-origin": "*",  # the script embed fetches episode.json cross-site
    "access-control-expose-headers": "Content-Length, Content-Range, Accept-Ranges, ETag",
}
_RANGE_RE = re.compile(r"bytes=(\d*)-(\d*)")


class RangeNotSatisfiableError(Exception):
    """An HTTP-level condition (→ 416), not a user error of the library."""


@dataclass(frozen=True)
class Validators:
    """What identifies one version of a file (RFC 9110 §8.8)."""

    etag: str
    """Strong entity tag from inode, size and modification time."""
    last_modified: str
    """IMF-fixdate of the modification time."""
    mtime: int
    """Modification time in whole seconds, for date comparisons."""

    @staticmethod
    def of(st: os.stat_result) -> Validators:
        """Validators of a stat result."""
        etag = f'"{st.st_ino:x}-{st.st_size:x}-{st.st_mtime_ns:x}"'
        return Validators(etag, email.utils.formatdate(st.st_mtime, usegmt=True), int(st.st_mtime))


def content_type(name: str) -> str:
    """Content-Type for a file name.

    >>> content_type("a.chapters.json"), content_type("feed.xml"), content_type("x.bin")
    ('application/json+chapters', 'application/rss+xml', 'application/octet-stream')
    """
    lower = name.lower()
    return next((ctype for suffix, ctype in CONTENT_TYPES if lower.endswith(suffix)), DEFAULT_TYPE)


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """One ``bytes=`` range → ``(first, last)`` inclusive, or None to send the whole file.

    RFC 9110 §14.2 lets a server ignore a Range it does not support, so several
    ranges, other units and malformed values get a plain 200.

    >>> parse_range("bytes=0-99", 1000), parse_range("bytes=-100", 1000)
    ((0, 99), (900, 999))
    >>> parse_range("bytes=900-5000", 1000), parse_range("bytes=0-1,5-6", 1000)
    ((900, 999), None)
    """
    match = _RANGE_RE.fullmatch(header.replace(" ", ""))
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if not first:  # suffix range: the last N bytes
        if int(last) == 0 or size == 0:
            raise RangeNotSatisfiableError(header)
        return max(0, size - int(last)), size - 1
    start = int(first)
    if start >= size:
        raise RangeNotSatisfiableError(header)
    end = min(int(last), size - 1) if last else size - 1
    return (start, end) if end >= start else None


def resolve_path(root: Path, url_path: str) -> Path | None:
    """The real file or folder a URL path names inside ``root`` (already real), or None.

    >>> root = Path("/srv/out")
    >>> [resolve_path(root, p) for p in ("/../etc/passwd", "/.git/config", "/a\\\\b")]
    [None, None, None]
    """
    if "\x00" in url_path or "\\" in url_path:
        return None
    parts = [part for part in url_path.split("/") if part]
    # ".." and "." start with a dot too, so this also stops traversal.
    if any(part.startswith(".") or part.endswith(HIDDEN_SUFFIXES) for part in parts):
        return None
    if parts and (parts[0] in PRIVATE_FOLDERS or (len(parts) == 1 and parts[0] in PRIVATE_FILES)):
        return None
    real = Path(os.path.realpath(root.joinpath(*parts)))
    if real != root and root not in real.parents:
        return None  # a symlink that leads out of the folder
    if real.name in EDITORS_FILES or (parts and parts[-1] in EDITORS_FILES):
        return None  # by its own name or through a symlink's
    return real


def create_app(output_dir: Path) -> Starlette:
    """The ASGI app serving ``output_dir`` (read-only)."""
    if not output_dir.is_dir():
        raise SourceNotFoundError(
            f"output folder {output_dir} does not exist; build an episode first with "
            f"`articleaudio build ARTICLE -o {output_dir}`",
            source=str(output_dir),
        )
    root = Path(os.path.realpath(output_dir))

    async def endpoint(request: Request) -> Response:
        return await serve_file(root, request)

    routes = [Route("/{path:path}", endpoint, methods=["GET", "HEAD"])]
    return Starlette(routes=routes)


async def serve_file(root: Path, request: Request) -> Response:
    """Answer one GET or HEAD for a path under ``root``."""
    url_path: str = request.scope["path"]
    target = resolve_path(root, url_path)
    if target is not None and _is_dir(target):
        if not url_path.endswith("/"):
            return RedirectResponse(_folder_url(root, target), status_code=308)
        if target == root and not (root / "index.html").is_file():
            return _listing(root)
        # Resolved again: an index file may itself be a symlink leading out.
        indexes = (resolve_path(root, url_path + name) for name in INDEX_FILES)
        target = next((p for p in indexes if p is not None and p.is_file()), None)
    file = _open_regular(target)
    if file is None or target is None:
        return _not_found()
    return _file_response(request, file, os.fstat(file.fileno()), content_type(target.name))


def _is_dir(path: Path) -> bool:
    try:
        return stat.S_ISDIR(path.stat().st_mode)
    except OSError:  # missing, or a name too long for the file system
        return False


def _open_regular(path: Path | None) -> BinaryIO | None:
    if path is None:
        return None
    try:
        file = open(path, "rb")  # noqa: SIM115 - closed by the response
    except OSError:
        return None
    if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
        file.close()
        return None
    return file


def _file_response(request: Request, file: BinaryIO, st: os.stat_result, ctype: str) -> Response:
    tags = Validators.of(st)
    headers = {
        **COMMON_HEADERS,
        "accept-ranges": "bytes",
        "etag": tags.etag,
        "last-modified": tags.last_modified,
    }
    status = _precondition_status(request, tags)
    if status is not None:
        file.close()
        return Response(status_code=status, headers=headers)
    try:
        byte_range = _wanted_range(request, tags, st.st_size)
    except RangeNotSatisfiableError:
        file.close()
        headers["content-range"] = f"bytes */{st.st_size}"
        return Response(status_code=416, headers=headers)
    first, last = byte_range or (0, st.st_size - 1)
    if byte_range is not None:
        headers["content-range"] = f"bytes {first}-{last}/{st.st_size}"
    headers["content-length"] = str(last - first + 1)
    status = 206 if byte_range is not None else 200
    if request.method == "HEAD":
        file.close()
        return Response(status_code=status, headers=headers, media_type=ctype)
    body = _read_span(file, first, last - first + 1)
    return StreamingResponse(body, status_code=status, headers=headers, media_type=ctype)


def _precondition_status(request: Request, tags: Validators) -> int | None:
    """412 or 304 per RFC 9110 §13.2.2 (evaluation order), else None."""
    h = request.headers
    if "if-match" in h and not _etag_in(h["if-match"], tags.etag, weak=False):
        return 412
    if "if-match" not in h and "if-unmodified-since" in h:
        since = _http_date(h["if-unmodified-since"])
        if since is not None and tags.mtime > since:
            return 412
    if "if-none-match" in h:
        return 304 if _etag_in(h["if-none-match"], tags.etag, weak=True) else None
    since = _http_date(h.get("if-modified-since", ""))
    return 304 if since is not None and tags.mtime <= since else None


def _wanted_range(request: Request, tags: Validators, size: int) -> tuple[int, int] | None:
    header = request.headers.get("range")
    if header is None:
        return None
    if_range = request.headers.get("if-range")
    if if_range is not None and not _if_range_holds(if_range, tags):
        return None  # the client's copy is stale: send the whole new file (§13.1.5)
    return parse_range(header, size)


def _if_range_holds(value: str, tags: Validators) -> bool:
    value = value.strip()
    if value.startswith(('"', "W/")):
        return value == tags.etag  # strong comparison only
    return _http_date(value) == tags.mtime


def _etag_in(header: str, etag: str, *, weak: bool) -> bool:
    if header.strip() == "*":
        return True
    tags = [t.strip() for t in header.split(",")]
    if weak:
        tags = [t.removeprefix("W/") for t in tags]
    return etag in tags


def _http_date(value: str) -> int | None:
    try:
        return int(email.utils.parsedate_to_datetime(value).timestamp())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


async def _read_span(file: BinaryIO, start: int, length: int) -> AsyncIterator[bytes]:
    try:
        await anyio.to_thread.run_sync(file.seek, start)
        while length > 0:
            chunk = await anyio.to_thread.run_sync(file.read, min(CHUNK_BYTES, length))
            if not chunk:
                break  # truncated in place by someone else; the client sees a short body
            length -= len(chunk)
            yield chunk
    finally:
        file.close()


def _folder_url(root: Path, folder: Path) -> str:
    # Built from the resolved folder, not echoed from the request, so no open redirect.
    parts = folder.relative_to(root).parts
    return "/" + "".join(f"{quote(p)}/" for p in parts)


def _listing(root: Path) -> Response:
    episodes = episodes_dir(root)
    slugs = sorted(p.name for p in episodes.iterdir() if p.is_dir()) if episodes.is_dir() else []
    items = "".join(
        f'<li><a href="{EPISODES_DIR}/{quote(s)}/">{html.escape(s)}</a></li>'
        for s in slugs
        if not s.startswith(".")
    )
    feeds = "".join(
        f'<li><a href="{quote(p.name)}">{html.escape(p.name)}</a></li>'
        for p in sorted(root.glob("*.xml"))
    )
    page = (
        '<!doctype html><html lang="en"><meta charset="utf-8"><title>articleaudio</title>'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<h1>articleaudio</h1><h2>Feeds</h2><ul>{feeds}</ul><h2>Episodes</h2><ul>{items}</ul>"
    )
    return HTMLResponse(page, headers=COMMON_HEADERS)


def _not_found() -> Response:
    return PlainTextResponse("Not Found", status_code=404, headers=COMMON_HEADERS)


def bind_socket(host: str, port: int) -> socket.socket:
    """A listening TCP socket; port 0 picks a free one."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise ConfigError(f"cannot use host {host!r} ({exc}); try --host 127.0.0.1") from exc
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise ConfigError(
            f"cannot listen on {host}:{port} ({exc.strerror}); choose another --port"
        ) from exc
    return sock


def make_server(output_dir: Path, *, access_log: bool = True) -> uvicorn.Server:
    """A Uvicorn server for ``output_dir``; run it with ``.run(sockets=[bind_socket(...)])``.

    The caller binds the socket so that a busy port is a :class:`ConfigError`
    before anything starts, and so tests can listen on port 0.
    """
    return app_server(create_app(output_dir), access_log=access_log)


def app_server(app: Starlette, *, access_log: bool = True) -> uvicorn.Server:
    """A Uvicorn server for any ASGI app of ours (the library alone, or with the API)."""
    config = uvicorn.Config(
        app,
        lifespan="off",
        access_log=access_log,
        log_level="info" if access_log else "warning",
        server_header=False,
    )
    return uvicorn.Server(config)
