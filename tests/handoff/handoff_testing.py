"""Test doubles and helpers for handoff tests: a fake Rasa that records tracker events, a desk client."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from handoff import agents
from hub.services import Services

__all__ = ["Desk", "FakeRasa"]

T = TypeVar("T")


class FakeRasa:
    """Rasa's REST webhook, tracker and tracker-events API over httpx.MockTransport.

    ``reply(text, metadata)`` answers (default: echo); ``intent(text)`` is the tracker's intent of
    the latest message (default ``ask_shipping``); ``events`` records pause/resume per sender.
    """

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.events: list[tuple[str, str]] = []
        self.last_text: dict[str, str] = {}
        self.reply: Callable[[str, dict[str, Any]], list[dict[str, Any]]] = lambda text, _m: [
            {"text": f"echo: {text}"}
        ]
        self.intent: Callable[[str], str] = lambda _text: "ask_shipping"
        self.slots: dict[str, Any] = {"language": "es", "order_id": "A-1001"}

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/webhooks/rest/webhook":
            body = json.loads(request.content)
            self.calls.append(body)
            self.last_text[body["sender"]] = body["message"]
            items = self.reply(body["message"], body["metadata"])
            return httpx.Response(200, json=[{"recipient_id": body["sender"], **i} for i in items])
        if path.endswith("/tracker/events"):
            sender = path.split("/")[2]
            self.events.append((sender, json.loads(request.content)["event"]))
            return httpx.Response(200, json={"sender_id": sender})
        if path.endswith("/tracker"):
            sender = path.split("/")[2]
            text = self.last_text.get(sender, "")
            name = self.intent(text)
            latest = {
                "text": text,
                "intent": {"name": name, "confidence": 0.91},
                "intent_ranking": [{"name": name, "confidence": 0.91}, {"name": "greet", "confidence": 0.05}],
                "entities": [{"entity": "order_id", "value": "A-1001", "start": 0, "end": 6}],
            }
            return httpx.Response(
                200, json={"sender_id": sender, "latest_message": latest, "slots": self.slots}
            )
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")

    def messages_to_bot(self, conversation_id: int) -> list[str]:
        return [c["message"] for c in self.calls if c["sender"] == str(conversation_id)]


class Desk:
    """A running hub (TestClient) with helpers for customers and agents."""

    def __init__(self, client: TestClient) -> None:
        self.client = client

    @property
    def services(self) -> Services:
        services: Services = self.client.app.state.services  # type: ignore[attr-defined]
        return services

    def db(self, fn: Callable[[AsyncSession], Awaitable[T]]) -> T:
        async def run() -> T:
            async with self.services.sessions.begin() as session:
                return await fn(session)

        portal = self.client.portal
        assert portal is not None
        return portal.call(run)

    def call(self, fn: Callable[[], Awaitable[T]]) -> T:
        portal = self.client.portal
        assert portal is not None
        return portal.call(fn)

    def customer(
        self, text: str, *, source_id: str = "cust-1", language: str | None = None
    ) -> dict[str, Any]:
        body = {
            "channel": "api",
            "source_id": source_id,
            "client_message_id": uuid.uuid4().hex,
            "text": text,
            "language": language,
        }
        response = self.client.post("/api/v1/messages", json=body)
        assert response.status_code == 202, response.text
        receipt: dict[str, Any] = response.json()
        return receipt

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        response = self.client.get(f"/api/v1/conversations/{conversation_id}/messages")
        assert response.status_code == 200, response.text
        messages: list[dict[str, Any]] = response.json()["messages"]
        return messages

    def conversation(self, conversation_id: int) -> dict[str, Any]:
        body: dict[str, Any] = self.client.get(f"/api/v1/conversations/{conversation_id}").json()
        return body

    def wait_until(self, check: Callable[[], T], what: str, deadline_s: float = 20.0) -> T:
        """Poll until truthy (a guard against hangs, not a timing)."""
        end = time.monotonic() + deadline_s
        while True:
            value = check()
            if value:
                return value
            if time.monotonic() > end:
                raise AssertionError(f"never happened: {what}")
            time.sleep(0.01)

    def wait_status(self, conversation_id: int, status: str) -> dict[str, Any]:
        return self.wait_until(
            lambda: (c := self.conversation(conversation_id))["status"] == status and c,
            f"conversation {conversation_id} {status}",
        )

    def wait_idle(self, conversation_id: int) -> list[dict[str, Any]]:
        def idle() -> list[dict[str, Any]]:
            messages = self.messages(conversation_id)
            return messages if all(m["bot_state"] != "queued" for m in messages) else []

        return self.wait_until(idle, f"conversation {conversation_id} processed")

    def add_agent(
        self,
        email: str,
        *,
        name: str | None = None,
        languages: str = "es",
        skills: str = "",
        max_concurrent: int = 3,
        password: str = "s3cret-pass",
    ) -> int:
        async def create(session: AsyncSession) -> int:
            agent = await agents.create(
                session,
                email=email,
                name=name or email.split("@")[0].title(),
                password=password,
                languages=agents.parse_list(languages),
                skills=agents.parse_list(skills),
                max_concurrent=max_concurrent,
            )
            return agent.id

        return self.db(create)

    def login(self, email: str, password: str = "s3cret-pass", *, online: bool = True) -> dict[str, str]:
        response = self.client.post("/api/v1/agent/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        if online:
            r = self.client.put("/api/v1/agent/me/status", json={"status": "online"}, headers=headers)
            assert r.status_code == 200, r.text
        return headers

    def hand_off(self, text: str = "quiero hablar con una persona", **kwargs: Any) -> int:
        """A customer whose message the (fake) bot hands off; returns the open conversation id."""
        conversation_id: int = self.customer(text, **kwargs)["conversation_id"]
        self.wait_status(conversation_id, "open")
        self.wait_idle(conversation_id)
        return conversation_id
