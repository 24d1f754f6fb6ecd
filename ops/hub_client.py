"""A customer of the hub's channel-neutral API: send, follow the live stream, wait for the answer.

Used by `make chat`, the end-to-end tests and the latency benchmark, so all three talk to the hub
the way a channel client does. Posting needs an API key: the one given, else HUB_API_KEY, else the
local development key `make run` writes to DATA_DIR/dev_api_key (hub/api_keys/dev_key.py).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import websockets

from hub.api_keys.dev_key import read_dev_key
from ops.stack import ROOT

__all__ = ["Answer", "HubClient", "Sent", "local_api_key"]


@dataclass(frozen=True)
class Sent:
    """The hub's receipt for one message and how long it took to arrive."""

    receipt: dict[str, Any]
    http_status: int
    receipt_ms: float
    sent_at: float  # time.perf_counter() when the request left

    @property
    def message_id(self) -> int:
        return int(self.receipt["id"])

    @property
    def conversation_id(self) -> int:
        return int(self.receipt["conversation_id"])


@dataclass
class Answer:
    """What the hub did with one incoming message once its bot turn finished."""

    incoming: dict[str, Any]
    replies: list[dict[str, Any]] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(r["text"] for r in self.replies if r["message_type"] == "outgoing")


def local_api_key() -> str | None:
    """HUB_API_KEY, else the development key of `make run` in DATA_DIR (default var/)."""
    return os.environ.get("HUB_API_KEY") or read_dev_key((ROOT / os.environ.get("DATA_DIR", "var")).resolve())


class HubClient:
    def __init__(
        self,
        hub_url: str,
        *,
        source_id: str | None = None,
        channel: str = "api",
        api_key: str | None = None,
    ) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.source_id = source_id or f"cli-{uuid.uuid4().hex[:10]}"
        self.channel = channel
        key = api_key or local_api_key()
        self._auth = {"Authorization": f"Bearer {key}"} if key else {}
        self.http = httpx.AsyncClient(base_url=self.hub_url, timeout=15)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def send(
        self, text: str, *, client_message_id: str | None = None, language: str | None = None
    ) -> Sent:
        """POST the message; raises httpx.HTTPStatusError with the hub's explanation on 4xx/5xx."""
        body = {
            "channel": self.channel,
            "source_id": self.source_id,
            "client_message_id": client_message_id or str(uuid.uuid4()),
            "text": text,
            "language": language,
        }
        started = time.perf_counter()
        response = await self.http.post("/api/v1/messages", json=body, headers=self._auth)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response.raise_for_status()
        return Sent(response.json(), response.status_code, elapsed_ms, started)

    async def messages(self, conversation_id: int, *, after_id: int = 0) -> list[dict[str, Any]]:
        """The conversation's messages, read as its customer (the hub checks the source_id)."""
        response = await self.http.get(
            f"/api/v1/conversations/{conversation_id}/messages",
            params={"after_id": after_id, "source_id": self.source_id},
        )
        response.raise_for_status()
        return list(response.json()["messages"])

    async def conversation(self, conversation_id: int) -> dict[str, Any]:
        response = await self.http.get(
            f"/api/v1/conversations/{conversation_id}", params={"source_id": self.source_id}
        )
        response.raise_for_status()
        return dict(response.json())

    async def wait_answer(self, sent: Sent, *, timeout_s: float = 60) -> Answer:
        """Poll the conversation until the message's bot turn is over; return it with its replies."""
        deadline = time.monotonic() + timeout_s
        while True:
            rows = await self.messages(sent.conversation_id, after_id=sent.message_id - 1)
            incoming = next(m for m in rows if m["id"] == sent.message_id)
            if incoming.get("bot_state") not in ("queued", None):
                replies = [m for m in rows if m.get("in_reply_to_id") == sent.message_id]
                return Answer(incoming, replies)
            if time.monotonic() > deadline:
                raise TimeoutError(f"no answer to message {sent.message_id} in {timeout_s:.0f} s")
            await asyncio.sleep(0.2)

    @asynccontextmanager
    async def stream(self) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
        """Everything the api channel delivers to this customer: receipts, typing, messages."""
        ws_base = self.hub_url.replace("http", "ws", 1)
        url = f"{ws_base}/api/v1/channels/{self.channel}/ws?source_id={self.source_id}"
        async with websockets.connect(url) as ws:
            first = json.loads(await ws.recv())
            if first.get("type") != "subscribed":
                raise RuntimeError(f"unexpected first frame {first}")

            async def frames() -> AsyncIterator[dict[str, Any]]:
                async for raw in ws:
                    yield json.loads(raw)

            yield frames()
