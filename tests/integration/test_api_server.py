"""``serve --api`` through a real Uvicorn on 127.0.0.1: the guard (tokens, body size,
media type, rate limit, private URLs), jobs that end done, and unpublishing."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from articleaudio.api import TOKENS_ENV, ApiSettings, api_server
from articleaudio.cli.app import cli
from articleaudio.extract import SourceKind
from articleaudio.jobs import RetryPolicy, payload_key, settings_to_json, text_payload
from articleaudio.library import new_job, open_job_store
from articleaudio.settings import BuildSettings
from articleaudio.synth import Synthesizer
from articleaudio.synth.synthesize import Piece
from articleaudio.web import bind_socket

from ..support.fake_synthesizer import FakeSynthesizer
from ..support.jobs_web import Site, article, site
from ..support.servers import running_server

TOKEN = "tok-a-7f3e9c"
OTHER_TOKEN = "tok-b-51d0aa"
FINAL = {"done", "failed"}


def story(title: str) -> dict[str, Any]:
    """A CMS article JSON, as ``extract`` reads it."""
    return {
        "title": title,
        "body": f"{title} opened on Monday. Traffic across {title} was light all day.",
        "authors": ["Ann Lee"],
        "url": f"https://news.example.org/{title.lower().replace(' ', '-')}",
    }


@dataclass(frozen=True)
class Api:
    """A served library with the API on."""

    root: Path
    port: int

    def call(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], Any]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            response = conn.getresponse()
            data = response.read()
            found = {k.lower(): v for k, v in response.getheaders()}
        finally:
            conn.close()
        is_json = found.get("content-type", "").startswith("application/json")
        return response.status, found, json.loads(data) if is_json else data

    def post(self, data: Any, token: str | None = TOKEN) -> tuple[int, dict[str, str], Any]:
        headers = {"content-type": "application/json"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        return self.call("POST", "/api/v1/articles", json.dumps(data).encode(), headers)

    def get(self, path: str) -> Any:
        status, _, data = self.call("GET", path, headers={"authorization": f"Bearer {TOKEN}"})
        assert status == 200, data
        return data

    def stored_jobs(self) -> int:
        with open_job_store(self.root) as store:
            return len(store.jobs())

    def wait(self, job_id: str, timeout: float = 120.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            job: dict[str, Any] = self.get(f"/api/v1/jobs/{job_id}")
            if job["state"] in FINAL:
                return job
            time.sleep(0.1)
        raise AssertionError(f"job {job_id} did not finish: {job}")


class BuggySynthesizer(FakeSynthesizer):
    """The fake voice with a bug: a sentence naming "Explode" raises what nothing expects."""

    def synthesize(self, text: str) -> Piece:
        if "Explode" in text:
            raise RuntimeError("the voice tripped over itself\nat line two")
        return super().synthesize(text)


@contextlib.contextmanager
def serving_api(
    root: Path, *, synthesizer: Synthesizer | None = None, **options: Any
) -> Iterator[Api]:
    root.mkdir(parents=True, exist_ok=True)
    settings = ApiSettings(
        tokens=(TOKEN, OTHER_TOKEN), build=BuildSettings(use_cache=False), **options
    )
    sock = bind_socket("127.0.0.1", 0)
    port = sock.getsockname()[1]
    voice = synthesizer or FakeSynthesizer()
    with api_server(root, settings, synthesizer=voice, access_log=False) as server:
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
            time.sleep(0.02)
        try:
            yield Api(root, port)
        finally:
            server.should_exit = True
            thread.join(10)
            sock.close()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    with serving_api(
        tmp_path_factory.mktemp("api") / "library", burst=1000, max_body_bytes=65536
    ) as served:
        yield served


@pytest.fixture
def web() -> Iterator[Site]:
    with site() as served:
        yield served


def _error(data: Any) -> str:
    assert set(data) == {"error"} and set(data["error"]) == {"code", "message"}, data
    return str(data["error"]["code"])


def test_no_token_is_refused_and_nothing_is_queued(api: Api) -> None:
    before = api.stored_jobs()
    status, headers, data = api.post(story("Harbour Bridge"), token=None)
    assert status == 401 and _error(data) == "unauthorized"
    assert headers["www-authenticate"].startswith("Bearer")
    assert api.stored_jobs() == before
    status, _, data = api.call("GET", "/api/v1/jobs")
    assert status == 401


@pytest.mark.parametrize(
    "header", [f"Bearer {TOKEN}x", f"Basic {TOKEN}", f"Bearer {TOKEN[:-1]}", "Bearer "]
)
def test_a_wrong_token_is_refused(api: Api, header: str) -> None:
    before = api.stored_jobs()
    body = json.dumps(story("Wrong Token")).encode()
    headers = {"content-type": "application/json", "authorization": header}
    status, _, data = api.call("POST", "/api/v1/articles", body, headers)
    assert status == 401 and _error(data) == "unauthorized"
    assert TOKEN not in json.dumps(data)
    assert api.stored_jobs() == before


def test_an_oversize_body_is_refused_declared_or_not(api: Api) -> None:
    big = json.dumps({**story("Big"), "body": "word " * 20_000}).encode()
    headers = {"content-type": "application/json", "authorization": f"Bearer {TOKEN}"}
    status, _, data = api.call("POST", "/api/v1/articles", big, headers)
    assert status == 413 and _error(data) == "too_large"
    # Chunked: no Content-Length to trust, so the server counts what it reads.
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    chunks = (big[n : n + 8192] for n in range(0, len(big), 8192))
    try:
        conn.request("POST", "/api/v1/articles", body=chunks, headers=headers, encode_chunked=True)
        response = conn.getresponse()
        assert response.status == 413
        assert _error(json.loads(response.read())) == "too_large"
    finally:
        conn.close()


def test_not_json_is_415_and_bad_json_is_400(api: Api) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    body = json.dumps(story("Form")).encode()
    status, _, data = api.call(
        "POST", "/api/v1/articles", body, {**auth, "content-type": "text/plain"}
    )
    assert status == 415 and _error(data) == "unsupported_media_type"
    bad = b'{"title": "x", '
    status, _, data = api.call(
        "POST", "/api/v1/articles", bad, {**auth, "content-type": "application/json"}
    )
    assert status == 400 and _error(data) == "bad_json"


def test_an_invalid_article_is_422(api: Api) -> None:
    before = api.stored_jobs()
    for body in ({"body": "no title here"}, {"title": "Nothing to read"}, {"url": "ftp://x/y"}):
        status, _, data = api.post(body)
        assert status == 422, (body, data)
        assert _error(data) in {"invalid_article", "invalid_url"}
    assert api.stored_jobs() == before


def test_private_urls_are_refused_unless_allowed(api: Api, web: Site, tmp_path: Path) -> None:
    url = web.script("/story", (200, article("Private Story"), 0.0))
    before = api.stored_jobs()
    for refused in (url, "http://10.0.0.1/story", "http://[::1]/story"):
        status, _, data = api.post({"url": refused})
        assert status == 422 and _error(data) == "url_refused", data
    assert web.hits["/story"] == 0  # refused before connecting
    assert api.stored_jobs() == before
    with serving_api(tmp_path / "open", allow_private=True) as allowed:
        status, headers, data = allowed.post({"url": url})
        assert status == 202, data
        assert headers["location"] == f"/api/v1/jobs/{data['id']}"
        job = allowed.wait(data["id"])
    assert job["state"] == "done" and job["slug"] == "private-story"
    assert web.hits["/story"] == 1


def test_duplicate_posts_are_one_job_that_ends_done_with_its_urls(api: Api) -> None:
    before = api.stored_jobs()
    answers = [api.post(story("Harbour Bridge Reopens")) for _ in range(3)]
    assert [a[0] for a in answers] == [202, 202, 202]
    ids = {a[2]["id"] for a in answers}
    assert len(ids) == 1
    assert api.stored_jobs() == before + 1
    job = api.wait(ids.pop())
    assert job["state"] == "done", job
    assert job["slug"] == "harbour-bridge-reopens"
    assert job["requested_by"] == "api:token1"
    audio = urlsplit(job["episode"]["audio"]).path
    status, headers, body = api.call("GET", audio)
    assert status == 200 and headers["content-type"] == "audio/mpeg" and len(body) > 1000
    listed = api.get("/api/v1/jobs?state=done")["jobs"]
    assert job["id"] in {j["id"] for j in listed}
    assert all(j["state"] == "done" for j in listed)
    catalogue = (api.root / "articleaudio.sqlite").read_bytes()
    assert TOKEN.encode() not in catalogue


def test_delete_unpublishes(api: Api) -> None:
    status, _, data = api.post(story("Ferry Strike Ends"))
    assert status == 202
    slug = api.wait(data["id"])["slug"]
    assert slug in (api.root / "feed.xml").read_text()
    path = f"/api/v1/episodes/{slug}"
    assert api.call("DELETE", path)[0] == 401
    assert (api.root / "episodes" / slug).is_dir()
    status, _, data = api.call("DELETE", path, headers={"authorization": f"Bearer {OTHER_TOKEN}"})
    assert status == 200 and data == {"slug": slug, "unpublished": True}
    assert slug not in (api.root / "feed.xml").read_text()
    assert not (api.root / "episodes" / slug).exists()
    assert api.call("GET", f"/episodes/{slug}/")[0] == 404
    auth = {"authorization": f"Bearer {TOKEN}"}
    status, _, data = api.call("DELETE", path, headers=auth)
    assert status == 404 and _error(data) == "not_found"
    # A slug that is a path is no episode, and the library stays.
    status, _, _ = api.call("DELETE", "/api/v1/episodes/..", headers=auth)
    assert status == 404 and (api.root / "feed.xml").is_file()


def test_unknown_jobs_states_and_conflicts(api: Api) -> None:
    auth = {"authorization": f"Bearer {TOKEN}"}
    status, _, data = api.call("GET", "/api/v1/jobs/0123456789abcdef", headers=auth)
    assert status == 404 and _error(data) == "not_found"
    status, _, data = api.call("GET", "/api/v1/jobs?state=sleeping", headers=auth)
    assert status == 400 and _error(data) == "bad_state"
    status, _, data = api.call("GET", "/api/v1/nothing-here", headers=auth)
    assert status == 404 and _error(data) == "not_found"
    status, _, data = api.post(story("Tram Line Extended"))
    job = api.wait(data["id"])
    status, _, data = api.call("POST", f"/api/v1/jobs/{job['id']}/retry", headers=auth)
    assert status == 409 and _error(data) == "conflict"


def test_openapi_and_the_library_routes_are_served(api: Api) -> None:
    status, _, doc = api.call("GET", "/api/v1/openapi.json")
    assert status == 200 and doc["openapi"].startswith("3.1")
    assert {"/articles", "/jobs", "/jobs/{job_id}", "/episodes/{slug}"} <= set(doc["paths"])
    status, headers, _ = api.call("GET", "/")
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert api.call("GET", "/articleaudio.sqlite")[0] == 404


def test_a_burst_is_rate_limited_and_no_accepted_post_is_lost(tmp_path: Path) -> None:
    with serving_api(tmp_path / "burst", burst=5, rate_per_s=0.5) as api:
        started = time.monotonic()
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda n: api.post(story(f"Burst Story {n}")), range(200)))
        elapsed = time.monotonic() - started
        accepted = [data["id"] for status, _, data in answers if status == 202]
        limited = [(headers, data) for status, headers, data in answers if status == 429]
        assert len(accepted) + len(limited) == 200
        assert 5 <= len(accepted) <= 5 + int(elapsed * 0.5) + 1
        assert all(int(h["retry-after"]) >= 1 and _error(d) == "rate_limited" for h, d in limited)
        finished = [api.wait(job_id) for job_id in accepted]
        assert api.stored_jobs() == len(accepted)
    assert all(job["state"] == "done" for job in finished), finished


def test_serve_without_api_takes_no_writes(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    with running_server(root) as url:
        parts = urlsplit(url)
        conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=10)
        body = json.dumps(story("Nope")).encode()
        headers = {"content-type": "application/json", "authorization": f"Bearer {TOKEN}"}
        conn.request("POST", "/api/v1/articles", body=body, headers=headers)
        assert conn.getresponse().status == 405
        conn.close()
    assert not (root / "articleaudio.sqlite").exists()


def test_serve_api_without_a_token_refuses_to_start(tmp_path: Path) -> None:
    result = CliRunner(env={TOKENS_ENV: " , "}).invoke(
        cli, ["serve", "-o", str(tmp_path), "--api", "--port", "0"]
    )
    assert result.exit_code == 1
    assert "Error: serve --api accepts writes only with a token" in result.stderr


def test_library_settings_give_tokens(tmp_path: Path) -> None:
    from articleaudio.api import api_tokens

    (tmp_path / "articleaudio.toml").write_text(
        '[podcast]\ntitle = "T"\n\n[api]\ntokens = ["from-file"]\n'
    )
    assert api_tokens(tmp_path, {TOKENS_ENV: "from-env"}) == ("from-env", "from-file")
    (tmp_path / "articleaudio.toml").write_text("[api]\ntokens = 5\n")
    with pytest.raises(ValueError, match="tokens must be a list"):
        api_tokens(tmp_path, {})


def test_jobs_a_dead_server_left_running_are_built_at_start(tmp_path: Path) -> None:
    root = tmp_path / "crashed"
    root.mkdir()
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    payload = text_payload(article("Left Running").decode(), SourceKind.MARKDOWN, "left.md")
    settings = settings_to_json(BuildSettings(output=root, use_cache=False))
    with open_job_store(root) as store:
        job = store.add(new_job(payload, settings, payload_key(payload), "api:token1"))
        assert store.claim(job.id, f"{socket.gethostname()}:{dead.stdout.strip()}") is not None
    with serving_api(root) as api:
        finished = api.wait(job.id)
    assert finished["state"] == "done" and finished["slug"] == "left-running"
    assert finished["attempts"] == 2


def test_a_job_meeting_a_bug_is_tried_three_times_then_fails_and_the_server_serves_on(
    tmp_path: Path,
) -> None:
    retry = RetryPolicy(backoff_s=0.05)
    with serving_api(tmp_path / "lib", synthesizer=BuggySynthesizer(), retry=retry) as api:
        status, _, bad = api.post(story("Explode Bridge"))
        assert status == 202, bad
        failed = api.wait(bad["id"], timeout=30)  # before: tried every second, for ever
        status, _, good = api.post(story("Calm Bridge"))
        assert status == 202, good
        done = api.wait(good["id"])
    assert (failed["state"], failed["attempts"]) == ("failed", 3)
    assert failed["error"] == (
        "api: articleaudio failed (RuntimeError: the "
        "voice tripped over itself), a bug: please report it with the log"
    )
    assert (done["state"], done["slug"]) == ("done", "calm-bridge")
