"""`make chat`: talk to the running hub as a customer would, with receipt ticks and live replies.

Type a message and press Enter. When the bot offers options, type their number. `/quit` leaves.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import websockets

from ops.hub_client import HubClient, local_api_key

__all__ = ["main"]

TICK = "\u2713"


class Screen:
    """Prints what the customer sees; remembers the last options offered."""

    def __init__(self) -> None:
        self.options: list[dict[str, Any]] = []

    def show(self, frame: dict[str, Any]) -> None:
        kind = frame.get("type")
        if kind == "typing" and frame.get("on"):
            print("  ...", flush=True)
        message = frame.get("message") or {}
        if kind != "message" or message.get("message_type") == "incoming":
            return
        label = {"bot": "bot", "agent": "agent"}.get(message.get("sender_type", ""), "--")
        print(f"{label}> {message.get('text', '')}", flush=True)
        self.options = list(message.get("buttons") or [])
        for number, button in enumerate(self.options, start=1):
            print(f"     {number}. {button['title']}", flush=True)

    def pick(self, line: str) -> str:
        """A number picks an offered option (its payload goes to the bot); anything else is text."""
        if line.isdigit() and 0 < int(line) <= len(self.options):
            option = self.options[int(line) - 1]
            return str(option.get("payload") or option["title"])
        return line


async def follow(frames: AsyncIterator[dict[str, Any]], screen: Screen) -> None:
    async for frame in frames:
        screen.show(frame)


async def run(client: HubClient, language: str | None) -> None:
    loop = asyncio.get_running_loop()
    screen = Screen()
    print(f"Chatting with {client.hub_url} as {client.source_id}. /quit to leave.")
    async with client.stream() as frames:
        listener = asyncio.create_task(follow(frames, screen))
        try:
            while True:
                raw = await loop.run_in_executor(None, sys.stdin.readline)
                line = raw.strip()
                if not raw or line == "/quit":  # end of input or the customer leaves
                    break
                if not line:
                    continue
                try:
                    sent = await client.send(screen.pick(line), language=language)
                except httpx.HTTPStatusError as exc:
                    print(f"  ! {exc.response.status_code}: {exc.response.text}")
                    continue
                print(f"  {TICK} {sent.receipt['status']} ({sent.receipt_ms:.0f} ms)", flush=True)
        finally:
            listener.cancel()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hub", default="http://127.0.0.1:8000", help="hub URL")
    parser.add_argument("--as", dest="source_id", default=f"cli-{uuid.uuid4().hex[:8]}",
                        help="your customer id on the api channel (reuse it to continue a history)")
    parser.add_argument("--lang", choices=["es", "en"], default=None,
                        help="force a language (default: the hub detects it)")
    parser.add_argument("--api-key", default=None,
                        help="API key (default: HUB_API_KEY, else DATA_DIR/dev_api_key written by make run)")
    args = parser.parse_args()
    if not (args.api_key or local_api_key()):
        print("No API key: start the hub with `make run` (it writes DATA_DIR/dev_api_key), or pass --api-key "
              "from `python -m hub.api_keys create --name chat`.")
    client = HubClient(args.hub, source_id=args.source_id, api_key=args.api_key)
    try:
        asyncio.run(run(client, args.lang))
    except (OSError, websockets.WebSocketException) as exc:
        raise SystemExit(f"cannot reach the hub at {args.hub} ({exc}); start it with `make run`") from None
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
