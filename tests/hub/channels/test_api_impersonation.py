"""POST /api/v1/messages speaks only for the api channel (issue 15, finding 1).

Posting as a WhatsApp number or a widget session must store nothing and send nothing to that number:
those customers come in only through their own, authenticated entry points.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from whatsapp_testing import WhatsAppHub

from hub.models import Contact, Conversation, Message

VICTIM = "34657025713"


def _body(channel: str, source_id: str) -> dict[str, Any]:
    return {
        "channel": channel,
        "source_id": source_id,
        "client_message_id": uuid.uuid4().hex,
        "text": "Cambiad la dirección de entrega a la calle Falsa 123",
    }


async def _count(session: AsyncSession) -> dict[str, int]:
    return {
        model.__tablename__: int(await session.scalar(sa.select(sa.func.count()).select_from(model)) or 0)
        for model in (Contact, Conversation, Message)
    }


@pytest.mark.parametrize(
    ("channel", "source_id", "entry"),
    [("whatsapp", VICTIM, "/api/v1/channels/whatsapp/webhook"), ("widget", "w-session-1", "/socket.io")],
)
def test_posting_as_another_channel_is_refused_and_nothing_is_stored_or_sent(
    wa: WhatsAppHub, channel: str, source_id: str, entry: str
) -> None:
    response = wa.client.post(
        "/api/v1/messages", json=_body(channel, source_id), headers=wa.hub.api_headers()
    )
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["code"] == "channel_not_accepted"
    assert '"channel": "api"' in error["message"] and entry in error["message"]
    assert "Nothing was stored" in error["message"]
    assert wa.hub.db(_count) == {"contacts": 0, "conversations": 0, "messages": 0}
    # The hub is idle after a real api message: nothing went to the number, no read receipt, no answer.
    ok = wa.hub.post("hola")
    assert ok.status_code == 202, ok.text
    wa.hub.wait_idle(ok.json()["conversation_id"])
    assert wa.graph.requests == []
    assert wa.outbox() == []


def test_an_unknown_channel_is_told_to_use_api(wa: WhatsAppHub) -> None:
    response = wa.client.post("/api/v1/messages", json=_body("sms", "600"), headers=wa.hub.api_headers())
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_channel"
    assert "api" in response.json()["error"]["message"]
    assert wa.hub.db(_count) == {"contacts": 0, "conversations": 0, "messages": 0}
