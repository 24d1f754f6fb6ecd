"""`make chat`: talk to the running hub as a customer would, with receipt ticks and live replies.

Type a message and press Enter. When the bot offers options, type their number. `/quit` leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
import uuid
from typing import Any

import httpx
import websockets

__all__ = ["Chat", "main"]

TICK = "\u2713"


class Chat:
    def __init__(self, hub_url: str, source_id: str, language: str | None) -> None:
        self.hub_url = hub_url.rstrip("/")
        self.source_id = source_id
        self.language = language
        self.http = httpx.AsyncClient(base_url=self.hub_url, timeout=10)
        self.conversation_id: int | None = None
        self.seen: set[int] = set()
        self.options: list[dict[str, str]] = []
        self.listener: asyncio.Task[None] | None = None

    async def send(self, text: str) -> None:
        if text.isdigit() and 0 < int(text) <= len(self.options):
            option = self.options[int(text) - 1]
            text = option.get("payload") or option["title"]
        body = {
            "channel": "api",
            "source_id": self.source_id,
            "client_message_id": str(uuid.uuid4()),
            "text": text,
            "language": self.language,
        }
        started = time.perf_counter()
        try:
            response = await self.http.post("/api/v1/messages", json=body)
        except httpx.HTTPError as exc:
            print(f"  ! hub unreachable at {self.hub_url} ({exc}); is `make run` running?")
            return
        elapsed_ms = (time.perf_counter() - started) * 1000
        if response.status_code >= 400:
            print(f"  ! {response.status_code}: {response.text}")
            return
        receipt = response.json()
        self.seen.add(int(receipt["id"]))
        print(f"  {TICK} {receipt['status']} ({elapsed_ms:.0f} ms)")
        if receipt["conversation_id"] != self.conversation_id:
            self.conversation_id = int(receipt["conversation_id"])
            if self.listener is not None:
                self.listener.cancel()
            self.listener = asyncio.create_task(self.listen(self.conversation_id))

    async def listen(self, conversation_id: int) -> None:
        ws_url = self.hub_url.replace("http", "ws", 1) + f"/api/v1/conversations/{conversation_id}/ws"
        while True:
            try:
                async with websockets.connect(ws_url) as ws:
                    await self.catch_up(conversation_id)
                    async for raw in ws:
                        self.show(json.loads(raw))
            except (OSError, websockets.WebSocketException):
                await asyncio.sleep(1)

    async def catch_up(self, conversation_id: int) -> None:
        """Replies that arrived before the websocket connected are read from the conversation."""
        response = await self.http.get(f"/api/v1/conversations/{conversation_id}/messages")
        if response.status_code == 200:
            for message in response.json().get("messages", []):
                self.show({"type": "message", "message": message})

    def show(self, frame: dict[str, Any]) -> None:
        if frame.get("type") == "typing":
            if frame.get("on"):
                print("  ...", flush=True)
            return
        message = frame.get("message")
        if frame.get("type") != "message" or not message or message["id"] in self.seen:
            return
        self.seen.add(message["id"])
        if message.get("message_type") == "incoming":
            return
        who = message.get("sender_type", "bot")
        label = {"bot": "bot", "agent": "agent"}.get(who, "--")
        print(f"{label}> {message.get('text') or ''}", flush=True)
        buttons = message.get("buttons") or []
        self.options = list(buttons)
        for number, button in enumerate(buttons, start=1):
            print(f"     {number}. {button['title']}")

    async def close(self) -> None:
        if self.listener is not None:
            self.listener.cancel()
        await self.http.aclose()


async def run(chat: Chat) -> None:
    loop = asyncio.get_running_loop()
    print(f"Chatting with {chat.hub_url} as {chat.source_id}. /quit to leave.")
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line or line.strip() == "/quit":
                break
            if line.strip():
                await chat.send(line.strip())
        await asyncio.sleep(0.5)
    finally:
        await chat.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="hub URL")
    parser.add_argument("--as", dest="source_id", default=f"cli-{uuid.uuid4().hex[:8]}",
                        help="your customer id on the api channel (reuse it to continue a history)")
    parser.add_argument("--lang", choices=["es", "en"], default=None,
                        help="force a language (default: the hub detects it)")
    args = parser.parse_args()
    asyncio.run(run(Chat(args.hub, args.source_id, args.lang)))


if __name__ == "__main__":
    main()
