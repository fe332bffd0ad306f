"""What stands between a request and a write: tokens, the body limit, the rate limit.

This is the one part of articleaudio that listens for writes, so each check answers
with its own status (401, 413, 415, 429) before any work is done, and none of them
ever logs or echoes a token.
"""

from __future__ import annotations

import hmac
import math
import os
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

from ..config import API_TOKENS_ENV

TOKENS_ENV = API_TOKENS_ENV
"""Comma-separated bearer tokens the API accepts (with the library's ``[api] tokens``)."""
MAX_BODY_BYTES = 2 * 1024 * 1024
"""Largest request body: a long article's CMS JSON is well under this."""
RATE_PER_S = 1.0
"""Writes a client may make per second, on average."""
BURST = 20
"""Writes a client may make at once (the bucket's size)."""
MAX_CLIENTS = 10_000
"""Buckets kept; past this the full ones (idle clients) are dropped."""


class ApiError(Exception):
    """An HTTP-level refusal, answered as ``{"error": {"code", "message"}}``."""

    def __init__(
        self, status: int, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.headers = headers or {}


def env_tokens(environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """The tokens in :data:`TOKENS_ENV`.

    >>> env_tokens({TOKENS_ENV: " a1, ,b2 "})
    ('a1', 'b2')
    """
    value = (os.environ if environ is None else environ).get(TOKENS_ENV, "")
    return tuple(t.strip() for t in value.split(",") if t.strip())


def token_index(header: str | None, tokens: tuple[str, ...]) -> int:
    """Which of ``tokens`` an ``Authorization`` header carries; :class:`ApiError` 401 if none.

    Every token is compared, in constant time, so the time taken says nothing of which
    token came closest.

    >>> token_index("Bearer s3cret", ("other", "s3cret"))
    1
    """
    scheme, _, given = (header or "").partition(" ")
    found = -1
    for n, token in enumerate(tokens):
        if hmac.compare_digest(given.strip().encode(), token.encode()):
            found = n
    if scheme.lower() != "bearer" or found < 0:
        raise ApiError(
            401,
            "unauthorized",
            "send 'Authorization: Bearer TOKEN' with a token from ARTICLEAUDIO_API_TOKENS "
            "or the library's [api] tokens",
            {"www-authenticate": 'Bearer realm="articleaudio"'},
        )
    return found


async def read_limited(
    chunks: AsyncIterator[bytes], declared: str | None, limit: int = MAX_BODY_BYTES
) -> bytes:
    """The body, refused (413) once it passes ``limit`` bytes, whatever it declared.

    ``Content-Length`` refuses early; counting while reading catches a body that lies
    about its length or is chunked.
    """
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise _too_large(limit)
    return bytes(body)


def _too_large(limit: int) -> ApiError:
    return ApiError(413, "too_large", f"the body is larger than {limit // 1024} KiB")


@dataclass
class _Bucket:
    tokens: float
    at: float


@dataclass
class RateLimiter:
    """A token bucket per client: ``burst`` at once, then ``rate`` per second."""

    rate: float = RATE_PER_S
    burst: int = BURST
    clock: Callable[[], float] = time.monotonic
    _buckets: dict[str, _Bucket] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, client: str) -> None:
        """Spend one token of ``client``'s bucket, or raise :class:`ApiError` 429.

        >>> limiter = RateLimiter(rate=1.0, burst=2, clock=lambda: 0.0)
        >>> limiter.take("a"), limiter.take("a")
        (None, None)
        >>> limiter.take("a")
        Traceback (most recent call last):
        articleaudio.api.guard.ApiError: too many requests; try again in 1 s
        """
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(client) or self._new_bucket(client, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.at) * self.rate)
            bucket.at = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return
            wait = max(1, math.ceil((1.0 - bucket.tokens) / self.rate))
        raise ApiError(
            429,
            "rate_limited",
            f"too many requests; try again in {wait} s",
            {"retry-after": str(wait)},
        )

    def _new_bucket(self, client: str, now: float) -> _Bucket:
        if len(self._buckets) >= MAX_CLIENTS:
            # Forget the clients whose buckets have refilled: they lose nothing.
            self._buckets = {
                k: b
                for k, b in self._buckets.items()
                if b.tokens + (now - b.at) * self.rate < self.burst
            }
        bucket = _Bucket(float(self.burst), now)
        self._buckets[client] = bucket
        return bucket
