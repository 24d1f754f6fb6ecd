"""Helpers for hub tests: the running hub, a fake Rasa on real HTTP (the mocked one: tests/fakes/rasa.py)."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from starlette.testclient import TestClient

from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.rasa import FALLBACK_TEXT, turn_mark
from tests.support.in_process_hub import InProcessHub

__all__ = ["HubClient", "RasaServer", "running"]


class HubClient(InProcessHub):
    """A running hub (TestClient): post as a customer, read conversations, look into the database."""

    def wait_for_replies(self, conversation_id: int, count: int = 1) -> list[dict[str, Any]]:
        def replies() -> list[dict[str, Any]]:
            found = [m for m in self.messages(conversation_id) if m["message_type"] != "incoming"]
            return found if len(found) >= count else []

        return self.wait_until(replies, f"{count} replies in conversation {conversation_id}")


class RasaServer:
    """A fake Rasa over real HTTP on loopback that can be up, down, hung or failing.

    ``up()`` echoes (``reply`` decides the answer), ``down()`` closes the socket (connection
    refused) and ``up()`` reopens it on the same port, ``hang()`` holds every request (webhook and
    ``GET /``) until ``up()`` lets them go (the held webhook calls are then answered), ``fail(503)``
    answers that status. ``webhook_calls``: every webhook request received; ``answered``: those
    answered 200; ``in_flight``: requests being held right now; ``tracker_events``: (sender, event) posted
    to a tracker (pause, resume, rewind). Answers carry the action server's turn mark; ``actions_down``
    answers Rasa's fallback without it (the action server cannot be reached).
    """

    def __init__(self) -> None:
        self.mode = "up"
        self.status = 503
        self.webhook_calls: list[dict[str, Any]] = []
        self.answered: list[dict[str, Any]] = []
        self.in_flight = 0
        self.tracker_events: list[tuple[str, dict[str, Any]]] = []  # (sender, event)
        self.reply: Callable[[str], list[dict[str, Any]]] = lambda text: [{"text": f"echo: {text}"}]
        self.actions_down = False
        self._released = threading.Event()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._port = 0
        self._open()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        rasa = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _send(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                with contextlib.suppress(OSError):  # the hub may have given up on this request
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)

            def _hold(self) -> None:
                with rasa._lock:
                    rasa.in_flight += 1
                try:
                    while rasa.mode == "hang" and not rasa._released.wait(0.05):
                        pass
                finally:
                    with rasa._lock:
                        rasa.in_flight -= 1

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self.path != "/webhooks/rest/webhook":
                    if "/tracker/events" in self.path:  # pause, resume, rewind
                        rasa.tracker_events.append((self.path.split("/")[2].split("?")[0], body))
                    self._send(200, {"ok": True})
                    return
                rasa.webhook_calls.append(body)
                self._hold()
                if rasa.mode == "fail":
                    self._send(rasa.status, {"error": "loading model"})
                    return
                rasa.answered.append(body)
                if rasa.actions_down:
                    items = [{"text": FALLBACK_TEXT}]
                else:
                    items = [turn_mark(body.get("metadata") or {}), *rasa.reply(body["message"])]
                self._send(200, [{"recipient_id": body["sender"], **item} for item in items])

            def do_GET(self) -> None:
                if "/tracker" in self.path:
                    last = rasa.answered[-1]["message"] if rasa.answered else ""
                    self._send(200, {"latest_message": {"text": last, "intent": {"name": "greet"}}})
                    return
                self._hold()
                self._send(200, {"version": "3.6.21"})

        return Handler

    def _open(self) -> None:
        server = ThreadingHTTPServer(("127.0.0.1", self._port), self._handler())
        server.daemon_threads = True
        self._port = int(server.server_address[1])
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def _close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def up(self) -> None:
        self.mode = "up"
        self._released.set()
        if self._server is None:
            self._open()

    def down(self) -> None:
        self.mode = "down"
        self._close()

    def hang(self) -> None:
        self._released.clear()
        self.mode = "hang"

    def fail(self, status: int = 503) -> None:
        self.status = status
        self.mode = "fail"

    def close(self) -> None:
        self._released.set()
        self.mode = "closed"
        self._close()

    def __enter__(self) -> RasaServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def running(settings: Settings, **update: Any) -> Iterator[HubClient]:
    """The product's app on ``settings`` (with ``update``) in a TestClient, until the block ends."""
    with TestClient(create_app(settings.model_copy(update=update))) as client:
        yield HubClient(client)
