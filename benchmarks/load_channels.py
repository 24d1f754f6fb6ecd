"""The load generator's customers: widget browsers (socket.io) and Meta's webhook (signed POSTs).

Widget: one python-socketio ``AsyncClient`` per customer, each with its own session
(``session_request`` -> ``session_confirm``); a message is ``user_uttered`` with a
``client_message_id`` and its receipt is the ``message_received`` event naming that id.
Answers (``bot_uttered``) are counted per ``in_reply_to_id``.

WhatsApp: one webhook POST per message in Meta's shape (entry -> changes -> value -> messages),
signed with ``X-Hub-Signature-256``; its receipt is the 200 (the hub stores before answering).
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
from collections import Counter, defaultdict
from typing import Any

import aiohttp
import socketio

from benchmarks.load_generator import Shot

__all__ = ["WhatsAppDriver", "WidgetDriver", "webhook_body"]

WEBHOOK = "/api/v1/channels/whatsapp/webhook"
_CONNECTS = 20  # sockets opened at once during setup


class WidgetDriver:
    def __init__(self, hub_url: str, customers: int, *, run_id: str) -> None:
        self._url = hub_url
        self._count = customers
        self._run_id = run_id
        self._clients: list[socketio.AsyncClient] = []
        self._sessions: list[str] = []
        self._receipts: dict[str, list[tuple[float, int | None]]] = defaultdict(list)
        self._answers: Counter[int] = Counter()
        self._changed = asyncio.Event()

    async def _connect(self, index: int, slots: asyncio.Semaphore) -> None:
        client = socketio.AsyncClient(reconnection=False)
        confirmed: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        @client.on("session_confirm")
        async def _confirm(session_id: str) -> None:
            if not confirmed.done():
                confirmed.set_result(session_id)

        @client.on("message_received")
        async def _receipt(data: dict[str, Any]) -> None:
            now = time.monotonic()
            self._receipts[str(data.get("client_message_id"))].append((now, data.get("id")))
            self._changed.set()

        @client.on("bot_uttered")
        async def _answer(data: dict[str, Any]) -> None:
            reply_to = data.get("in_reply_to_id")
            if isinstance(reply_to, int):
                self._answers[reply_to] += 1
                self._changed.set()

        async with slots:
            await client.connect(self._url, socketio_path="/socket.io", transports=["websocket"])
            await client.emit("session_request", {"session_id": f"{self._run_id}-session-{index:04d}"})
            self._sessions[index] = await asyncio.wait_for(confirmed, 30)
        self._clients[index] = client

    async def setup(self) -> None:
        self._clients = [socketio.AsyncClient()] * self._count  # placeholders, replaced below
        self._sessions = [""] * self._count
        slots = asyncio.Semaphore(_CONNECTS)
        await asyncio.gather(*(self._connect(i, slots) for i in range(self._count)))

    async def send(self, shot: Shot) -> None:
        session_id = self._sessions[shot.customer]
        data = {"message": shot.text, "session_id": session_id, "client_message_id": shot.id}
        shot.sent = time.monotonic()
        try:
            await self._clients[shot.customer].emit("user_uttered", data)
        except Exception as exc:
            shot.error = f"{type(exc).__name__}: {exc}"

    def _match(self, shots: list[Shot]) -> tuple[int, int]:
        """Give each send of an id one receipt of that id, in time order; (missing receipts, unanswered)."""
        by_id: dict[str, list[Shot]] = defaultdict(list)
        for shot in shots:
            by_id[shot.id].append(shot)
        missing = unanswered = 0
        for ident, sends in by_id.items():
            receipts = sorted(self._receipts.get(ident, []))
            in_order = sorted(sends, key=lambda s: s.sent or 0)
            for shot, (at, message_id) in zip(in_order, receipts, strict=False):
                shot.receipt, shot.message_id = at, message_id
            missing += max(0, len(sends) - len(receipts))
            first = receipts[0][1] if receipts else None
            unanswered += first is None or self._answers[first] == 0
        return missing, unanswered

    async def settle(self, shots: list[Shot], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._changed.clear()
            if self._match(shots) == (0, 0):
                return
            try:
                await asyncio.wait_for(self._changed.wait(), max(0.0, deadline - time.monotonic()))
            except TimeoutError:
                break
        self._match(shots)

    def answers(self) -> dict[int, int]:
        return dict(self._answers)

    async def close(self) -> None:
        await asyncio.gather(*(c.disconnect() for c in self._clients if c.connected), return_exceptions=True)


def webhook_body(*, phone_id: str, wa_id: str, wamid: str, text: str) -> bytes:
    """One text message from ``wa_id`` as Meta posts it."""
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "34910000000", "phone_number_id": phone_id},
        "contacts": [{"profile": {"name": f"Cliente {wa_id[-4:]}"}, "wa_id": wa_id}],
        "messages": [
            {"from": wa_id, "id": wamid, "timestamp": str(int(time.time())), "type": "text",
             "text": {"body": text}}
        ],
    }
    body = {"object": "whatsapp_business_account",
            "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
    return json.dumps(body).encode()


class WhatsAppDriver:
    def __init__(self, hub_url: str, customers: int, *, app_secret: str, phone_id: str) -> None:
        self._url = hub_url.rstrip("/") + WEBHOOK
        self._secret = app_secret.encode()
        self._phone_id = phone_id
        self._http: aiohttp.ClientSession | None = None

    @staticmethod
    def wa_id(customer: int) -> str:
        return str(34600000000 + customer)

    async def setup(self) -> None:
        connector = aiohttp.TCPConnector(limit=200)
        self._http = aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=60))

    async def send(self, shot: Shot) -> None:
        assert self._http is not None
        body = webhook_body(phone_id=self._phone_id, wa_id=self.wa_id(shot.customer), wamid=shot.id,
                            text=shot.text)
        signature = "sha256=" + hmac.new(self._secret, body, hashlib.sha256).hexdigest()
        headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature}
        shot.sent = time.monotonic()
        try:
            async with self._http.post(self._url, data=body, headers=headers) as response:
                await response.read()
                shot.status = response.status
                if response.status == 200:
                    shot.receipt = time.monotonic()
        except Exception as exc:
            shot.error = f"{type(exc).__name__}: {exc}"

    async def settle(self, shots: list[Shot], timeout: float) -> None:
        return None  # every POST was awaited; answers are checked in the database and at the fake Graph

    def answers(self) -> dict[int, int]:
        return {}

    async def close(self) -> None:
        if self._http is not None:
            await self._http.close()
