"""A real hub (uvicorn, SQLite in tmp) behind a stub Rasa, and Debian's Chromium via Playwright.

CI must install the browser first: ``apt-get install -y chromium``. Without it these tests
fail under CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from browser_testing import CHROMIUM, CHROMIUM_ARGS, RunningHub, StubRasa, serve_stub
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
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), log_config=None, ws="websockets-sansio", lifespan="on")
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="hub")
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the hub did not start; see the log above")
        thread.join(0.02)
    try:
        yield RunningHub(f"http://127.0.0.1:{port}", database_url, stub)
    finally:
        for release in stub.held.values():
            release.set()
        server.should_exit = True
        thread.join(30)
        stub_server.shutdown()
        sock.close()


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
