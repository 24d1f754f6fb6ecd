"""A fake Rasa over httpx.MockTransport: the REST webhook, the tracker and tracker events.

    rasa = FakeRasa()
    app = create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))

``reply(text, metadata)`` decides the answer (default: echo). ``down`` makes every call fail to
connect; ``error_status`` makes the webhook answer that HTTP error. ``before_reply`` (async) runs
inside the app's event loop before answering; ``hold_replies()`` makes answers wait for an event.
The tracker's latest message has ``intent(text)``
(default ``ask_shipping``, confidence 0.93, then ``greet``) and an ``order_id`` entity; ``slots``
are the tracker's slots; ``events`` records pause/resume per sender. ``tracker_events[sender]`` is the
tracker's event list as Rasa keeps it: each webhook call adds a ``user`` event (with the metadata) and
its ``bot`` events, and tracker events posted (rewind, pause...) are appended. ``timeout_after_turn``:
the next webhook call runs the turn, then the hub's read times out (Rasa took it; the hub never heard).
Every answer starts with the action server's turn mark with the NLU (:func:`turn_mark`, as
actions/language.py sends it); ``actions_down`` leaves it out and answers with Rasa's fallback instead,
as Rasa does while its action server cannot be reached.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

__all__ = ["FALLBACK_TEXT", "FakeRasa", "turn_mark"]

#: Rasa's ``utter_default`` (domain.yml): what it answers when the action server is down.
FALLBACK_TEXT = "Perdona, no te he entendido. ¿Me lo puedes decir de otra forma?"


def turn_mark(metadata: dict[str, Any], nlu: dict[str, Any] | None = None) -> dict[str, Any]:
    """The reply item by which the action server marks a turn it ran (actions/language.py)."""
    return {"custom": {"turn": {"message_id": metadata.get("message_id"), **(nlu or {})}}}


class FakeRasa:
    def __init__(self) -> None:
        self.down = False
        self.error_status: int | None = None
        self.calls: list[dict[str, Any]] = []
        self.tracker_calls: list[httpx.Request] = []
        self.events: list[tuple[str, str]] = []
        self.reply: Callable[[str, dict[str, Any]], list[dict[str, Any]]] = lambda text, _m: [
            {"text": f"echo: {text}"}
        ]
        self.before_reply: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self.intent: Callable[[str], str] = lambda _text: "ask_shipping"
        self.slots: dict[str, Any] = {"language": "es", "order_id": "A-1001"}
        self.last_text: dict[str, str] = {}
        self.in_flight: dict[str, int] = {}
        self.max_in_flight: dict[str, int] = {}
        self.tracker_events: dict[str, list[dict[str, Any]]] = {}
        self.timeout_after_turn = False
        self.requests: list[tuple[str, str]] = []  # (host, path) of every call: which Rasa server
        self.actions_down = False

    def hold_replies(self, timeout: float = 20.0) -> threading.Event:
        """Answers wait (at most ``timeout`` s) until the returned event is set: the bot still thinking."""
        gate = threading.Event()

        async def hold(_body: dict[str, Any]) -> None:
            await asyncio.to_thread(gate.wait, timeout)

        self.before_reply = hold
        return gate

    @property
    def webhook_calls(self) -> list[dict[str, Any]]:
        return list(self.calls)

    def messages_to_bot(self, conversation_id: int) -> list[str]:
        return [c["message"] for c in self.calls if c["sender"] == str(conversation_id)]

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append((request.url.host, request.url.path))
        if self.down:
            raise httpx.ConnectError("connection refused", request=request)
        path = request.url.path
        if path == "/webhooks/rest/webhook":
            if self.error_status is not None:
                return httpx.Response(self.error_status, text="internal error")
            return await self._webhook(json.loads(request.content))
        if path.startswith("/conversations/") and path.endswith("/tracker/events"):
            sender = path.split("/")[2]
            event = json.loads(request.content)
            self.events.append((sender, event["event"]))
            self.tracker_events.setdefault(sender, []).append(event)
            return httpx.Response(200, json={"sender_id": sender})
        if path.startswith("/conversations/") and path.endswith("/tracker"):
            self.tracker_calls.append(request)
            return self._tracker(path.split("/")[2])
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")

    async def _webhook(self, body: dict[str, Any]) -> httpx.Response:
        sender = body["sender"]
        self.calls.append(body)
        self.in_flight[sender] = self.in_flight.get(sender, 0) + 1
        self.max_in_flight[sender] = max(self.max_in_flight.get(sender, 0), self.in_flight[sender])
        try:
            if self.before_reply is not None:
                await self.before_reply(body)
            self.last_text[sender] = body["message"]
            if self.actions_down:
                items = [{"text": FALLBACK_TEXT}]
            else:
                mark = turn_mark(body["metadata"], self._nlu(body["message"]))
                items = [mark, *self.reply(body["message"], body["metadata"])]
        finally:
            self.in_flight[sender] -= 1
        events = self.tracker_events.setdefault(sender, [])
        events.append({"event": "user", "text": body["message"], "metadata": body["metadata"]})
        for item in items:
            data = {k: v for k, v in item.items() if k != "text"}
            events.append({"event": "bot", "text": item.get("text"), "data": data})
        if self.timeout_after_turn:
            self.timeout_after_turn = False
            raise httpx.ReadTimeout("Rasa took the message, the answer never came back")
        return httpx.Response(200, json=[{"recipient_id": sender, **i} for i in items])

    def _nlu(self, text: str) -> dict[str, Any]:
        name = self.intent(text)
        return {
            "intent": {"name": name, "confidence": 0.93},
            "intent_ranking": [{"name": name, "confidence": 0.93}, {"name": "greet", "confidence": 0.04}],
            "entities": [{"entity": "order_id", "value": "A-1001", "start": 3, "end": 9}],
        }

    def _tracker(self, sender: str) -> httpx.Response:
        text = self.last_text.get(sender, "")
        latest = {"text": text, **self._nlu(text)}
        events = self.tracker_events.get(sender, [])
        return httpx.Response(
            200, json={"sender_id": sender, "latest_message": latest, "slots": self.slots, "events": events}
        )
