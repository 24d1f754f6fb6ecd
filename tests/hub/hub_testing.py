"""Test doubles and helpers for hub tests (imported by conftest and tests)."""

from __future__ import annotations

import contextlib
import json
import threading
import time
import uuid
from collections.abc import Awaitable, Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from hub.services import Services

__all__ = ["FakeRasa", "HubClient", "RasaServer"]

T = TypeVar("T")


class FakeRasa:
    """Rasa's REST webhook + tracker API over httpx.MockTransport.

    ``reply(text, metadata)`` decides the answer (default: echo). ``down`` makes every call fail
    to connect; ``error_status`` makes the webhook answer that HTTP error. ``before_reply``
    (async) runs inside the app's event loop before answering.
    """

    def __init__(self) -> None:
        self.down = False
        self.error_status: int | None = None
        self.calls: list[dict[str, Any]] = []
        self.tracker_calls: list[httpx.Request] = []
        self.reply: Callable[[str, dict[str, Any]], list[dict[str, Any]]] = lambda text, _m: [
            {"text": f"echo: {text}"}
        ]
        self.before_reply: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self.last_text: dict[str, str] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}

    @property
    def webhook_calls(self) -> list[dict[str, Any]]:
        return list(self.calls)

    async def handle(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path == "/webhooks/rest/webhook":
            if self.error_status is not None:
                return httpx.Response(self.error_status, text="internal error")
            body = json.loads(request.content)
            sender = body["sender"]
            self.calls.append(body)
            self.in_flight[sender] = self.in_flight.get(sender, 0) + 1
            self.max_in_flight[sender] = max(self.max_in_flight.get(sender, 0), self.in_flight[sender])
            try:
                if self.before_reply is not None:
                    await self.before_reply(body)
                self.last_text[sender] = body["message"]
                items = self.reply(body["message"], body["metadata"])
            finally:
                self.in_flight[sender] -= 1
            return httpx.Response(200, json=[{"recipient_id": sender, **i} for i in items])
        if path.startswith("/conversations/") and path.endswith("/tracker"):
            self.tracker_calls.append(request)
            sender = path.split("/")[2]
            latest = {
                "text": self.last_text.get(sender, ""),
                "intent": {"name": "ask_shipping", "confidence": 0.93},
                "intent_ranking": [
                    {"name": "ask_shipping", "confidence": 0.93},
                    {"name": "greet", "confidence": 0.04},
                ],
                "entities": [{"entity": "order_id", "value": "A-1001", "start": 3, "end": 9}],
            }
            return httpx.Response(200, json={"sender_id": sender, "latest_message": latest})
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")


class HubClient:
    """A running hub (TestClient) plus helpers to post messages and look into the database."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def post(
        self,
        text: str,
        *,
        source_id: str = "cust-1",
        client_message_id: str | None = None,
        language: str | None = None,
    ) -> httpx.Response:
        body = {
            "channel": "api",
            "source_id": source_id,
            "client_message_id": client_message_id or uuid.uuid4().hex,
            "text": text,
            "language": language,
        }
        return self.client.post("/api/v1/messages", json=body)

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/conversations/{conversation_id}/messages")
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def db(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        """Run ``fn(session)`` inside the hub's event loop; the session may write (committed at the end)."""

        async def run() -> T:
            async with self.services.sessions.begin() as session:
                return await fn(session)

        portal = self.client.portal
        assert portal is not None
        return portal.call(run)

    def wait_until(self, check: Callable[[], T], what: str, deadline_s: float = 20.0) -> T:
        """Poll ``check`` until it returns something truthy (a guard against hangs, not a timing)."""
        end = time.monotonic() + deadline_s
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"never happened: {what}")
            time.sleep(0.01)

    def wait_for_replies(self, conversation_id: int, count: int = 1) -> list[dict[str, Any]]:
        def replies() -> list[dict[str, Any]]:
            found = [m for m in self.messages(conversation_id) if m["message_type"] != "incoming"]
            return found if len(found) >= count else []

        return self.wait_until(replies, f"{count} replies in conversation {conversation_id}")

    def wait_idle(self, conversation_id: int) -> list[dict[str, Any]]:
        """Wait until no incoming message of the conversation is queued for the bot."""

        def idle() -> list[dict[str, Any]]:
            messages = self.messages(conversation_id)
            queued = [m for m in messages if m["bot_state"] == "queued"]
            return messages if not queued else []

        return self.wait_until(idle, f"conversation {conversation_id} processed")


class RasaServer:
    """A fake Rasa over real HTTP on loopback that can be up, down, hung or failing.

    ``up()`` echoes (``reply`` decides the answer), ``down()`` closes the socket (connection
    refused) and ``up()`` reopens it on the same port, ``hang()`` holds every request (webhook and
    ``GET /``) until ``up()`` lets them go (the held webhook calls are then answered), ``fail(503)``
    answers that status. ``webhook_calls``: every webhook request received; ``answered``: those
    answered 200; ``in_flight``: requests being held right now.
    """

    def __init__(self) -> None:
        self.mode = "up"
        self.status = 503
        self.webhook_calls: list[dict[str, Any]] = []
        self.answered: list[dict[str, Any]] = []
        self.in_flight = 0
        self.reply: Callable[[str], list[dict[str, Any]]] = lambda text: [{"text": f"echo: {text}"}]
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
                    self._send(200, {"ok": True})  # tracker events (pause/resume)
                    return
                rasa.webhook_calls.append(body)
                self._hold()
                if rasa.mode == "fail":
                    self._send(rasa.status, {"error": "loading model"})
                    return
                rasa.answered.append(body)
                items = rasa.reply(body["message"])
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
