"""Helpers for WhatsApp channel tests: Meta-shaped webhook bodies, signatures, a running hub."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import sqlalchemy as sa
from hub_testing import HubClient
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.models import Contact, Message, OutboxEntry
from hub.settings import Settings
from mostrador.wiring import create_app
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa

__all__ = [
    "APP_SECRET",
    "PHONE_NUMBER_ID",
    "TOKEN",
    "VERIFY_TOKEN",
    "WhatsAppHub",
    "agent_reply",
    "run_whatsapp_hub",
    "sign",
    "status_webhook",
    "text",
    "webhook",
    "whatsapp_settings",
]

APP_SECRET = "test-app-secret"
VERIFY_TOKEN = "test-verify-token"
TOKEN = "test-token"
PHONE_NUMBER_ID = "106540352242922"
WEBHOOK = "/api/v1/channels/whatsapp/webhook"

_ids = itertools.count(1)


def sign(body: bytes, secret: str = APP_SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _envelope(value: dict[str, Any]) -> dict[str, Any]:
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "34910000000", "phone_number_id": PHONE_NUMBER_ID},
        **value,
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"field": "messages", "value": value}]}],
    }


def webhook(
    message: dict[str, Any], *, wa_id: str = "34600111222", name: str = "Ana", wamid: str | None = None
) -> dict[str, Any]:
    """A webhook with one message from ``wa_id``; ``message`` holds ``type`` and its object."""
    body = {"from": wa_id, "id": wamid or f"wamid.IN{next(_ids):06d}", "timestamp": "1732350000", **message}
    return _envelope({"contacts": [{"profile": {"name": name}, "wa_id": wa_id}], "messages": [body]})


def text(body: str) -> dict[str, Any]:
    return {"type": "text", "text": {"body": body}}


def status_webhook(wamid: str, status: str, *, error: dict[str, Any] | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {
        "id": wamid,
        "status": status,
        "timestamp": "1732350100",
        "recipient_id": "34600111222",
    }
    if error is not None:
        report["errors"] = [error]
    return _envelope({"statuses": [report]})


class WhatsAppHub:
    """A running hub with the WhatsApp channel pointed at the fake Graph API."""

    def __init__(self, hub: HubClient, graph: FakeGraphAPI, rasa: FakeRasa) -> None:
        self.hub = hub
        self.graph = graph
        self.rasa = rasa

    @property
    def client(self) -> TestClient:
        return self.hub.client

    def post(self, body: dict[str, Any] | bytes, *, signature: str | None = "auto") -> httpx.Response:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "auto":
            signature = sign(raw)
        if signature is not None:
            headers["X-Hub-Signature-256"] = signature
        return self.client.post(WEBHOOK, content=raw, headers=headers)

    def send(self, message: dict[str, Any], **kwargs: Any) -> str:
        """Post one signed message webhook; its wamid."""
        body = webhook(message, **kwargs)
        response = self.post(body)
        assert response.status_code == 200, response.text
        wamid: str = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
        return wamid

    def incoming(self, wamid: str) -> Message | None:
        async def find(session: AsyncSession) -> Message | None:
            query = sa.select(Message).where(
                Message.channel == "whatsapp", Message.client_message_id == wamid
            )
            return (await session.execute(query)).scalar_one_or_none()

        return self.hub.db(find)

    def rows(self, model: Any) -> list[Any]:
        async def every(session: AsyncSession) -> list[Any]:
            return list((await session.execute(sa.select(model).order_by(model.id))).scalars())

        return self.hub.db(every)

    def messages(self) -> list[Message]:
        return self.rows(Message)

    def contacts(self) -> list[Contact]:
        return self.rows(Contact)

    def outbox(self) -> list[OutboxEntry]:
        return self.rows(OutboxEntry)

    def message(self, message_id: int) -> Message:
        async def get(session: AsyncSession) -> Message | None:
            return await session.get(Message, message_id)

        found = self.hub.db(get)
        assert found is not None
        return found

    def wait_sent(self, count: int) -> list[Any]:
        return self.hub.wait_until(
            lambda: self.graph.sent() if len(self.graph.sent()) >= count else [], f"{count} sent"
        )

    def wait_idle(self, wamid: str) -> list[dict[str, Any]]:
        message = self.hub.wait_until(lambda: self.incoming(wamid), f"{wamid} stored")
        return self.hub.wait_idle(message.conversation_id)

    def wait_outbox_settled(self, messages: int = 0) -> list[OutboxEntry]:
        """Every outbox row sent or failed for good, with at least ``messages`` message rows."""

        def settled() -> list[OutboxEntry]:
            rows = self.outbox()
            enough = len([r for r in rows if r.kind == "message"]) >= messages
            return rows if rows and enough and all(r.state != "pending" for r in rows) else []

        return self.hub.wait_until(settled, "outbox settled")


def whatsapp_settings(settings: Settings, graph: FakeGraphAPI, **overrides: Any) -> Settings:
    """The hub's settings with the WhatsApp channel on, talking to the fake Graph API; ``overrides`` by
    their variable names in lower case (``whatsapp_template_name=...``)."""
    values: dict[str, Any] = {
        "enabled": True,
        "access_token": TOKEN,
        "app_secret": APP_SECRET,
        "verify_token": VERIFY_TOKEN,
        "phone_number_id": PHONE_NUMBER_ID,
        "graph_url": graph.base_url,
        "retry_base": 0.0,
        "retry_max": 0.0,
        "poll_interval": 0.05,
        **{name.removeprefix("whatsapp_"): value for name, value in overrides.items()},
    }
    return settings.model_copy(update={"whatsapp": WhatsAppSettings(**values)})


@contextmanager
def run_whatsapp_hub(
    settings: Settings, rasa: FakeRasa, graph: FakeGraphAPI, **overrides: Any
) -> Iterator[WhatsAppHub]:
    app = create_app(
        whatsapp_settings(settings, graph, **overrides), rasa_transport=httpx.MockTransport(rasa.handle)
    )
    with TestClient(app) as client:
        yield WhatsAppHub(HubClient(client), graph, rasa)


def agent_reply(wa: WhatsAppHub, conversation_id: int, body: str) -> int:
    """Store and deliver an agent's message in the conversation (as the agent console will)."""
    from hub.crud import messages as messages_crud
    from hub.models import Conversation

    services = wa.hub.services

    async def run() -> int:
        async with services.sessions.begin() as session:
            conversation = await session.get(Conversation, conversation_id)
            assert conversation is not None
            message = await messages_crud.add_outgoing(
                session,
                conversation=conversation,
                text=body,
                buttons=None,
                sender_type="agent",
                in_reply_to_id=None,
            )
        await services.delivery.deliver(conversation=conversation, messages=[message])
        return message.id

    portal = wa.client.portal
    assert portal is not None
    return portal.call(run)
