"""A real hub (uvicorn, SQLite in tmp) behind a stub Rasa, and Debian's Chromium via Playwright.

CI must install the browser first: ``apt-get install -y chromium``. Without it these tests
fail under CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_testing import CHROMIUM, CHROMIUM_ARGS, RunningHub, StubRasa, serve_stub, serving_in_thread
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from hub.settings import Settings
from mostrador.wiring import create_app


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    stub = StubRasa()
    stub_server, rasa_url = serve_stub(stub)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    settings = Settings(
        data_dir=tmp_path, database_url=database_url, rasa_url=rasa_url, rasa_retry_base=0.1,
        bot_holding_after=0.0, bot_handoff_after=0.0,  # held stub replies must not trigger holding/handoff
    )
    try:
        with serving_in_thread(create_app(settings)) as url:
            try:
                yield RunningHub(url, database_url, stub)
            finally:
                for release in stub.held.values():
                    release.set()
    finally:
        stub_server.shutdown()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        message = (
            f"Chromium not found at {CHROMIUM}: run `apt-get update && apt-get install -y chromium` "
            "(or set CHROMIUM_PATH)"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800}, locale="es-ES")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    page.set_default_timeout(20_000)  # a guard against hangs, not a timing
    return page
