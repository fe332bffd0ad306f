"""Fixtures of the integration layer: the bundled sample built once with the real parts."""

from __future__ import annotations

import pytest

from articleaudio import Built
from articleaudio.pipeline import build_episode
from articleaudio.settings import BuildSettings

from ..support.paths import SAMPLE


@pytest.fixture(scope="session")
def real_episode(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The bundled sample built with the real Piper voice and the real ffmpeg."""
    out = tmp_path_factory.mktemp("real-output")
    return build_episode(str(SAMPLE), BuildSettings(output=out))


# The session's private PostgreSQL and Redis (tests/support/services.py).
from ..support.services import (  # noqa: E402, F401
    fresh_postgres_url,
    fresh_redis_url,
    postgres_server,
    postgres_url,
    redis_server,
    redis_url,
)
