"""The attacker's tools for ops/security_walk.py: one keep-alive HTTP client, signed WhatsApp webhooks,
widget sockets, the operators' CLIs, and read-only queries on the hub's SQLite database."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import socketio

__all__ = [
    "MB",
    "SECRET_EMAIL",
    "STRANGER_PHONE",
    "VICTIM_PHONE",
    "WALK",
    "Walk",
    "Widget",
    "answer",
    "big_body",
    "whatsapp_env",
]

MB = 1024 * 1024
VICTIM_PHONE = "34657025713"  # the WhatsApp customer of findings 1 and 2 (the number)
STRANGER_PHONE = "34600999001"  # a number that never wrote (finding 1)
SECRET_EMAIL = "victima.walk@example.com"
WALK = uuid.uuid4().hex[:6]


def whatsapp_env(graph_url: str, secret: str, phone_number_id: str) -> dict[str, str]:
    """The hub's WhatsApp settings of a walk: on, signed with ``secret``, sending to the fake Graph API (the
    token the walks' FakeGraphAPI expects, ``walk-token``)."""
    return {
        "WHATSAPP_ENABLED": "true", "WHATSAPP_ACCESS_TOKEN": "walk-token", "WHATSAPP_APP_SECRET": secret,
        "WHATSAPP_VERIFY_TOKEN": "verify-me", "WHATSAPP_PHONE_NUMBER_ID": phone_number_id,
        "WHATSAPP_GRAPH_URL": graph_url,
    }  # fmt: skip


def answer(response: httpx.Response, *, message: int = 0) -> str:
    """Status and the error's code, as the hub's error shape gives them (and its message's start)."""
    try:
        error = response.json().get("error")
    except ValueError:
        return f"{response.status_code} {response.text[:60]!r}"
    if not isinstance(error, dict):
        return str(response.status_code)
    said = f": {str(error.get('message'))[:message]}…" if message else ""
    return f"{response.status_code} {error.get('code')}{said}"


class Walk:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.hub = args.hub.rstrip("/")
        self.data_dir = Path(args.data_dir).resolve()
        self.http = httpx.AsyncClient(base_url=self.hub, timeout=60)  # one keep-alive connection
        self.rows: list[tuple[str, str, str, str]] = []
        self.key = ""
        self.tokens: dict[str, str] = {}
        self.agent_ids: dict[str, int] = {}
        hub_log = self.data_dir / "logs" / "hub.log"
        self.log_offset = len(hub_log.read_text(errors="replace")) if hub_log.exists() else 0

    # -- recording, database, CLIs ----------------------------------------------------------------

    def row(self, finding: str, sent: str, came_back: str, stored: str, held: bool = True) -> None:
        cell = came_back if held else f"**NOT HELD** {came_back}"
        self.rows.append((finding, sent, cell, stored))
        print(f"  {finding}: {sent} -> {came_back} | {stored}", file=sys.stderr, flush=True)

    def db(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        uri = f"file:{self.data_dir / 'hub.db'}?mode=ro"
        with sqlite3.connect(uri, uri=True) as conn:
            return list(conn.execute(sql, params))

    def count(self, sql: str, *params: Any) -> int:
        return int(self.db(sql, *params)[0][0])

    def cli(self, *argv: str, password: str = "") -> str:
        env = {**os.environ, "DATA_DIR": str(self.data_dir), "AGENT_PASSWORD": password}
        env.pop("DATABASE_URL", None)
        done = subprocess.run(
            [sys.executable, "-m", *argv], env=env, capture_output=True, text=True, timeout=180, check=True
        )
        return done.stdout

    async def setup(self) -> None:
        self.key = self.cli("hub.api_keys", "create", "--name", f"security walk {WALK}").split()[-1]
        for who, role, langs in (
            ("sup", "supervisor", "es,en"),
            ("ana", "agent", "es"),
            ("locked", "agent", "es"),
        ):
            self.cli(
                "handoff",
                "add-agent",
                "--email",
                f"{who}-{WALK}@walk.example",
                "--name",
                who,
                "--languages",
                langs,
                "--role",
                role,
                password=f"pw-{who}-{WALK}",
            )
        for who in ("sup", "ana"):
            self.tokens[who] = await self.login(who)
            me = (await self.http.get("/api/v1/agent/me", headers=self.auth(who))).json()
            self.agent_ids[who] = int(me["id"])

    async def login(self, who: str, password: str | None = None) -> str:
        body = {"email": f"{who}-{WALK}@walk.example", "password": password or f"pw-{who}-{WALK}"}
        response = await self.http.post("/api/v1/agent/login", json=body)
        return str(response.json().get("token", "")) if response.status_code == 200 else ""

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    def key_auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    async def still_alive(self) -> str:
        response = await self.http.get("/healthz")  # same client: the keep-alive connection
        return f"next request {response.status_code}"

    def rss_mib(self) -> float:
        status = Path(f"/proc/{self.args.hub_pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]

    # -- customers -----------------------------------------------------------------------------------

    def signed(self, raw: bytes) -> dict[str, str]:
        mac = hmac.new(self.args.whatsapp_secret.encode(), raw, hashlib.sha256).hexdigest()
        return {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={mac}"}

    def webhook_body(self, value: dict[str, Any], phone_number_id: str | None = None) -> bytes:
        value = {
            "messaging_product": "whatsapp",
            "metadata": {
                "display_phone_number": "34910000000",
                "phone_number_id": phone_number_id or self.args.phone_number_id,
            },
            **value,
        }
        body = {
            "object": "whatsapp_business_account",
            "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
        }
        return json.dumps(body).encode()  # ensure_ascii: a lone surrogate stays the escape \ud800

    async def whatsapp_says(self, wa_id: str, text: str, name: str = "Cliente") -> httpx.Response:
        wamid = f"wamid.WALK{uuid.uuid4().hex[:16]}"
        raw = self.webhook_body(
            {
                "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
                "messages": [
                    {
                        "from": wa_id,
                        "id": wamid,
                        "timestamp": str(int(time.time())),
                        "type": "text",
                        "text": {"body": text},
                    }
                ],
            }
        )
        return await self.http.post(
            "/api/v1/channels/whatsapp/webhook", content=raw, headers=self.signed(raw)
        )

    async def wait_for(self, what: Callable[[], bool], seconds: float = 60) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if what():
                return True
            await asyncio.sleep(0.5)
        return False


class Widget:
    """A website visitor's socket.io client, every frame kept by event name."""

    def __init__(self, hub: str) -> None:
        self.hub = hub
        self.sio = socketio.AsyncClient(reconnection=False)
        self.frames: dict[str, list[Any]] = {}
        self.sio.on("*", self._any)

    async def _any(self, event: str, data: Any = None) -> None:
        self.frames.setdefault(event, []).append(data)

    async def open(self, session_id: str | None = None) -> str:
        await self.sio.connect(self.hub, socketio_path="/socket.io", transports=["websocket"])
        await self.sio.emit("session_request", {"session_id": session_id})
        history = await self.next("session_history")
        return str(history["session_id"])

    async def next(self, event: str, timeout: float = 30) -> Any:
        deadline = time.monotonic() + timeout
        while not self.frames.get(event):
            if time.monotonic() > deadline:
                raise TimeoutError(event)
            await asyncio.sleep(0.05)
        return self.frames[event].pop(0)

    async def say(self, token: str, text: str) -> dict[str, Any]:
        await self.sio.emit(
            "user_uttered", {"message": text, "session_id": token, "client_message_id": uuid.uuid4().hex}
        )
        return dict(await self.next("message_received"))


async def big_body(size: int) -> AsyncIterator[bytes]:
    chunk = b"a" * MB
    for _ in range(size // MB):
        yield chunk
