"""The test session's own PostgreSQL and Redis answer, and fresh databases are empty."""

from __future__ import annotations

import psycopg

from ..support.services import RedisServer


def test_postgres_fixture_serves_a_database_of_its_own(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT current_database(), current_setting('fsync')").fetchone()
    assert row == ("articleaudio", "off")


def test_fresh_postgres_databases_are_distinct_and_empty(
    fresh_postgres_url: str, postgres_url: str
) -> None:
    assert fresh_postgres_url != postgres_url
    with psycopg.connect(fresh_postgres_url) as conn:
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert tables == (0,)


def test_redis_fixture_answers_and_keeps_nothing_on_disk(
    redis_server: RedisServer, fresh_redis_url: str
) -> None:
    assert fresh_redis_url == redis_server.url()
    assert redis_server.command("SET", "k", "v") == b"+OK"
    assert redis_server.command("DBSIZE") == b":1"
    assert redis_server.command("CONFIG", "GET", "save") == b"*2"
