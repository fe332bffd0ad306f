"""Fixtures of the browser layer: one headless Chromium per module, a fresh page per test.

Debian's ``chromium`` is used (``scripts/install-browser.sh`` installs it), driven by
Playwright; without either, the layer's tests are skipped, not failed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--autoplay-policy=no-user-gesture-required",
]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    if not CHROMIUM.exists():
        pytest.skip(
            f"Debian's chromium is not installed at {CHROMIUM}; "
            "run scripts/install-browser.sh as root"
        )
    with sync_api.sync_playwright() as pw:
        # Its own temporary folder: playing audio, it leaves a PulseAudio client folder
        # (pulse-*) behind, which the session's leftover check would count as ours.
        scratch = tmp_path_factory.mktemp("chromium")
        env = {**os.environ, "TMPDIR": str(scratch), "PULSE_RUNTIME_PATH": str(scratch / "pulse")}
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, env=env)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    # The page's CSP forbids eval, which Playwright's polling needs; the escaping
    # is tested without that safety net, and the CSP on its own below.
    context = browser.new_context(viewport={"width": 800, "height": 900}, bypass_csp=True)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], errors
