"""A widget customer, a WhatsApp customer and an agent, each talking to the running stack as they would.

- :class:`WidgetCustomer`: the widget's socket.io protocol (``session_request``, ``user_uttered``),
  every event the hub emits kept in arrival order.
- :class:`WhatsAppCustomer`: signed Meta webhooks to the hub; what the hub sends them is read back
  from the fake Graph API server the stack's hub points at.
- :class:`AgentDesk`: the agent REST API (``/api/v1/agent``) with a bearer token.
- :func:`add_agent`: ``python -m handoff add-agent`` against the stack's database, as an admin would.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import socketio
import websockets
import yaml

from ops.stack import ROOT
from tests.fakes.graph_api import FakeGraphAPI

__all__ = [
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_TOKEN",
    "AgentDesk",
    "ConversationWatch",
    "Said",
    "WhatsAppCustomer",
    "WidgetCustomer",
    "add_agent",
    "kb_answer",
]

WHATSAPP_TOKEN = "e2e-graph-token"
WHATSAPP_APP_SECRET = "e2e-app-secret"
WHATSAPP_PHONE_NUMBER_ID = "106540352242922"

GUARD_S = 90.0  # only against hangs: the real Rasa answers in about a second
KB_DIR = ROOT / "knowledge_base" / "data" / "demo"


def kb_answer(entry_id: str, lang: str) -> str:
    for path in (KB_DIR / lang).glob("*.yaml"):
        for entry in yaml.safe_load(path.read_text()):
            if entry["id"] == entry_id:
                return " ".join(str(entry["answer"]).split())
    raise KeyError(entry_id)


def add_agent(data_dir: Path, *, email: str, name: str, password: str, languages: str = "es,en") -> None:
    """Create an agent account in the stack's hub database with the CLI an admin uses."""
    env = {**os.environ, "DATA_DIR": str(data_dir), "AGENT_PASSWORD": password}
    env.pop("DATABASE_URL", None)
    argv = [sys.executable, "-m", "handoff", "add-agent", "--email", email, "--name", name,
            "--languages", languages]
    result = subprocess.run(argv, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"add-agent failed: {result.stdout}\n{result.stderr}"


@dataclass(frozen=True)
class Said:
    """One customer message and the hub's receipt for it."""

    text: str
    receipt: dict[str, Any]
    receipt_ms: float
    sent_at: float  # time.perf_counter() when it left

    @property
    def conversation_id(self) -> int:
        return int(self.receipt["conversation_id"])

    @property
    def message_id(self) -> int:
        return int(self.receipt["id"])


class WidgetCustomer:
    """A website visitor's browser running the widget."""

    def __init__(self, hub_url: str) -> None:
        self.hub_url = hub_url
        self.session_id = ""
        self.sio = socketio.AsyncClient(reconnection=False)
        self.shown: list[dict[str, Any]] = []  # every bot_uttered, in order (what the widget shows)
        self._events: dict[str, asyncio.Queue[Any]] = defaultdict(asyncio.Queue)

        @self.sio.on("*")
        async def _any(event: str, data: Any = None) -> None:
            if event == "bot_uttered":
                self.shown.append(data)
            self._events[event].put_nowait(data)

    async def open(self) -> str:
        await self.sio.connect(self.hub_url, socketio_path="/socket.io", transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": None})
        self.session_id = await self.next("session_confirm")
        await self.next("session_history")
        return self.session_id

    async def close(self) -> None:
        await self.sio.disconnect()

    async def next(self, event: str, timeout: float = GUARD_S) -> Any:
        return await asyncio.wait_for(self._events[event].get(), timeout)

    async def say(self, text: str) -> Said:
        """Send a message and wait for its receipt (``message_received``)."""
        client_message_id = uuid.uuid4().hex
        started = time.perf_counter()
        await self.sio.emit(
            "user_uttered",
            {"message": text, "session_id": self.session_id, "client_message_id": client_message_id},
        )
        while True:
            receipt = await self.next("message_received", timeout=15)
            if receipt.get("client_message_id") == client_message_id:
                return Said(text, receipt, (time.perf_counter() - started) * 1000, started)

    async def sees(self, match: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        """The next ``bot_uttered`` that matches (earlier ones stay in ``shown``)."""
        deadline = time.monotonic() + GUARD_S
        while True:
            left = deadline - time.monotonic()
            try:
                frame: dict[str, Any] = await self.next("bot_uttered", timeout=max(left, 0.01))
            except TimeoutError:
                shown = [f"{f.get('sender_type')}: {f.get('text')}" for f in self.shown]
                raise AssertionError(f"the widget never showed {what}; it showed {shown}") from None
            if match(frame):
                return frame

    async def answer_to(self, said: Said) -> list[dict[str, Any]]:
        """The bot's replies to one message (waits for the first one, then for the turn to end)."""
        await self.sees(lambda f: f.get("in_reply_to_id") == said.message_id, f"a reply to {said.text!r}")
        await asyncio.sleep(0.5)  # the turn's other replies are delivered right after the first
        return [f for f in self.shown if f.get("in_reply_to_id") == said.message_id]


def sign(body: bytes) -> str:
    return "sha256=" + hmac.new(WHATSAPP_APP_SECRET.encode(), body, hashlib.sha256).hexdigest()


def graph_text(body: dict[str, Any]) -> str:
    """The text a WhatsApp user reads in one Graph message body (plain or interactive)."""
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        return str(body["interactive"].get("body", {}).get("text", ""))
    return ""


class WhatsAppCustomer:
    """A WhatsApp user: Meta posts their messages to the hub; the hub answers through the Graph API."""

    def __init__(self, hub_url: str, graph: FakeGraphAPI, *, name: str) -> None:
        self.http = httpx.AsyncClient(base_url=hub_url, timeout=30)
        self.graph = graph
        self.name = name
        self.wa_id = "346" + str(uuid.uuid4().int)[:8]
        self._seen = 0  # messages to this user already looked at

    async def aclose(self) -> None:
        await self.http.aclose()

    async def say(self, text: str) -> tuple[str, float]:
        """Meta's signed webhook with one text message; (its wamid, ms until the hub answered 200)."""
        wamid = f"wamid.E2E{uuid.uuid4().hex[:16]}"
        message = {"from": self.wa_id, "id": wamid, "timestamp": str(int(time.time())),
                   "type": "text", "text": {"body": text}}
        value = {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "34910000000", "phone_number_id": WHATSAPP_PHONE_NUMBER_ID},
            "contacts": [{"profile": {"name": self.name}, "wa_id": self.wa_id}],
            "messages": [message],
        }
        body = {"object": "whatsapp_business_account",
                "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}]}
        raw = json.dumps(body).encode()
        started = time.perf_counter()
        response = await self.http.post(
            "/api/v1/channels/whatsapp/webhook",
            content=raw,
            headers={"Content-Type": "application/json", "X-Hub-Signature-256": sign(raw)},
        )
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.text
        return wamid, elapsed

    def received(self) -> list[str]:
        """Texts the hub sent this user, in order."""
        return [graph_text(r.body) for r in self.graph.sent() if r.body.get("to") == self.wa_id]

    async def read_receipt(self, wamid: str) -> float:
        """Seconds (from now) until the hub marked ``wamid`` read at the Graph API."""
        started = time.perf_counter()
        while not any(r.body.get("message_id") == wamid for r in self.graph.reads()):
            if time.perf_counter() - started > GUARD_S:
                raise AssertionError(f"{wamid} was never marked read")
            await asyncio.sleep(0.05)
        return time.perf_counter() - started

    async def gets(self, match: Callable[[str], bool], what: str) -> str:
        """The next text sent to this user that matches."""
        deadline = time.monotonic() + GUARD_S
        while True:
            texts = self.received()
            for index in range(self._seen, len(texts)):
                if match(texts[index]):
                    self._seen = index + 1
                    return texts[index]
            if time.monotonic() > deadline:
                raise AssertionError(f"WhatsApp never delivered {what}; the user got {texts}")
            await asyncio.sleep(0.1)


class AgentDesk:
    """One agent using the REST API, as a console or another helpdesk would."""

    def __init__(self, hub_url: str, *, email: str, password: str) -> None:
        self.http = httpx.AsyncClient(base_url=f"{hub_url}/api/v1/agent", timeout=30)
        self.email = email
        self.password = password
        self.me: dict[str, Any] = {}
        self.token = ""

    async def aclose(self) -> None:
        await self.http.aclose()

    async def call(self, method: str, path: str, expect: int = 200, **kwargs: Any) -> Any:
        response = await self.http.request(method, path, **kwargs)
        assert response.status_code == expect, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    async def log_in(self) -> dict[str, Any]:
        body = await self.call("POST", "/login", json={"email": self.email, "password": self.password})
        self.token = body["token"]
        self.http.headers["Authorization"] = f"Bearer {self.token}"
        self.me = body["agent"]
        await self.call("PUT", "/me/status", json={"status": "online"})
        return self.me

    async def queue(self) -> dict[str, Any]:
        return dict(await self.call("GET", "/queue", params={"all": "true"}))

    async def claim(self, conversation_id: int) -> dict[str, Any]:
        return dict(await self.call("POST", f"/conversations/{conversation_id}/claim"))

    async def context(self, conversation_id: int) -> dict[str, Any]:
        return dict(await self.call("GET", f"/conversations/{conversation_id}/context"))

    async def reply(self, conversation_id: int, text: str) -> dict[str, Any]:
        path = f"/conversations/{conversation_id}/messages"
        return dict(await self.call("POST", path, expect=201, json={"text": text}))

    async def transfer(self, conversation_id: int, *, to_agent_id: int, note: str) -> dict[str, Any]:
        body = {"agent_id": to_agent_id, "note": note}
        return dict(await self.call("POST", f"/conversations/{conversation_id}/transfer", json=body))

    async def resolve(self, conversation_id: int) -> dict[str, Any]:
        return dict(await self.call("POST", f"/conversations/{conversation_id}/resolve"))

    async def hand_back(self, conversation_id: int) -> dict[str, Any]:
        return dict(await self.call("POST", f"/conversations/{conversation_id}/hand-back"))


class ConversationWatch:
    """The conversation's live stream (what an agent's console follows, with its token)."""

    def __init__(self, ws: Any) -> None:
        self._ws = ws

    @classmethod
    @asynccontextmanager
    async def open(
        cls, hub_url: str, conversation_id: int, *, token: str
    ) -> AsyncIterator[ConversationWatch]:
        base = hub_url.replace("http", "ws", 1)
        url = f"{base}/api/v1/conversations/{conversation_id}/ws?token={token}"
        async with websockets.connect(url) as ws:
            first = json.loads(await ws.recv())
            assert first["type"] == "subscribed", first
            yield cls(ws)

    async def _frame(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        async def first() -> dict[str, Any]:
            while True:
                frame: dict[str, Any] = json.loads(await self._ws.recv())
                if match(frame):
                    return frame

        return await asyncio.wait_for(first(), GUARD_S)

    async def message(self, match: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
        """The next message frame (incoming, outgoing or activity) that matches."""
        frame = await self._frame(lambda f: f.get("type") == "message" and match(f["message"]))
        return dict(frame["message"])

    async def status(self) -> dict[str, Any]:
        """The conversation as of its next status change."""
        return dict((await self._frame(lambda f: f.get("type") == "status"))["conversation"])
