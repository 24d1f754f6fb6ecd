"""Test doubles for the browser tests: a stub Rasa (REST webhook) and a handle on the running hub."""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import uvicorn

from tests.fakes.rasa import turn_mark

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "Reply", "RunningHub", "StubRasa", "serve_stub"]

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
    """Answers Rasa's REST webhook like a tiny bot. ``hold`` keeps a text unanswered until released.

    A reply may carry a custom payload, e.g. ``{"custom": {"handoff": {"reason": "explicit_request"}}}``.
    The tracker (``GET /conversations/<id>/tracker``) answers ``nlu(text)`` of the sender's latest
    text as ``latest_message`` (default: nothing understood) and ``slots``; tracker events (pause,
    resume) are recorded in ``events`` as (sender, event).
    """

    calls: list[str] = field(default_factory=list)
    held: dict[str, threading.Event] = field(default_factory=dict)
    answer: Callable[[str], Reply] = field(default=lambda text: [{"text": f"Respuesta a: {text}"}])
    nlu: Callable[[str], dict[str, Any]] = field(default=lambda _text: {})
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[tuple[str, str]] = field(default_factory=list)
    last_text: dict[str, str] = field(default_factory=dict)

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


def serve_stub(stub: StubRasa) -> tuple[ThreadingHTTPServer, str]:
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
                sender = self.path.split("/")[2]
                text = stub.last_text.get(sender, "")
                latest = {"text": text, **stub.nlu(text)} if text else {}
                self._json(200, {"sender_id": sender, "latest_message": latest, "slots": stub.slots})
            else:
                self._json(200, {"version": "stub"})

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
            if self.path.startswith("/conversations/") and self.path.split("?")[0].endswith(
                "/tracker/events"
            ):
                stub.events.append((self.path.split("/")[2], str(body.get("event"))))
                self._json(200, {})
                return
            if self.path != "/webhooks/rest/webhook":
                self._json(404, {})
                return
            stub.last_text[str(body["sender"])] = body["message"]
            replies = [turn_mark(body.get("metadata") or {}), *stub.reply(body["message"])]
            self._json(200, [{"recipient_id": body["sender"], **r} for r in replies])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="stub-rasa").start()
    return server, f"http://127.0.0.1:{server.server_address[1]}"


@contextlib.contextmanager
def serving_in_thread(app: Any) -> Iterator[str]:
    """Serve ``app`` with uvicorn on a free loopback port in a daemon thread (Playwright's sync API owns the
    test's event loop) until the block ends; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, ws="websockets-sansio", lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True, name="hub")
    thread.start()
    while not server.started:
        if not thread.is_alive():
            pytest.fail("the hub did not start; see the log above")
        thread.join(0.02)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


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
