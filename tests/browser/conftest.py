"""A real hub (uvicorn, SQLite in tmp) behind a stub Rasa, and Debian's Chromium via Playwright.

CI must install the browser first: ``apt-get install -y chromium``. Without it these tests
fail under CI=true and are skipped elsewhere.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from hub.app import create_app
from hub.settings import Settings

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

Reply = list[dict[str, Any]]


@dataclass
class StubRasa:
    """Answers Rasa's REST webhook like a tiny bot. ``hold`` keeps a text unanswered until released."""

    calls: list[str] = field(default_factory=list)
    held: dict[str, threading.Event] = field(default_factory=dict)
    answer: Callable[[str], Reply] = field(default=lambda text: [{"text": f"Respuesta a: {text}"}])

    def hold(self, text: str) -> threading.Event:
        release = threading.Event()
        self.held[text] = release
        return release

    def reply(self, text: str) -> Reply:
        self.calls.append(text)
        release = self.held.get(text)
        if release is not None:
            release.wait(30)
        return self.answer(text)


def _serve_stub(stub: StubRasa) -> tuple[ThreadingHTTPServer, str]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *_args: Any) -> None:
            return None

        def _json(self, status: int, body: Any) -> None:
            raw = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            if self.path.startswith("/conversations/"):
                self._json(200, {"latest_message": {}})
            else:
                self._json(200, {"version": "stub"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if self.path != "/webhooks/rest/webhook":
                self._json(404, {})
                return
            replies = stub.reply(body["message"])
            self._json(200, [{"recipient_id": body["sender"], **r} for r in replies])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="stub-rasa").start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@dataclass
class RunningHub:
    url: str
    database_url: str
    rasa: StubRasa

    def stored_incoming(self) -> list[str]:
        """Texts of the widget messages the hub stored, oldest first."""
        path = self.database_url.removeprefix("sqlite+aiosqlite:///")
        with contextlib.closing(sqlite3.connect(path)) as db:
            rows = db.execute(
                "SELECT text FROM messages WHERE channel = 'widget' AND message_type = 'incoming' ORDER BY id"
            )
            return [row[0] for row in rows]


@pytest.fixture
def hub(tmp_path: Path) -> Iterator[RunningHub]:
    stub = StubRasa()
    stub_server, rasa_url = _serve_stub(stub)
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    settings = Settings(data_dir=tmp_path, database_url=database_url, rasa_url=rasa_url, rasa_retry_base=0.1)
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
