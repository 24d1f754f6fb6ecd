"""A bot turn that shows the customer nothing is no answer (Rasa answers 200 ``[]`` while its action
server is down): retried like Rasa being down, held, then answered, or handed to a person in time.

The hub talks real HTTP to a fake Rasa on loopback (``RasaServer``). Retries go every 0.1 s.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
import sqlalchemy as sa
from hub_testing import HubClient, RasaServer, running

from handoff.models import Handoff
from hub.models import Event, Message
from hub.settings import Settings
from hub.turns.deadlines import holding_text


def rows(hub: HubClient, model: Any, *where: Any) -> list[Any]:
    async def run(session: Any) -> list[Any]:
        return list((await session.execute(sa.select(model).where(*where).order_by(model.id))).scalars())

    result: list[Any] = hub.db(run)
    return result


def silent_for(calls: int) -> Any:
    """Rasa's answer: nothing for the first ``calls`` webhook calls (action server down), then an echo."""
    seen: list[str] = []

    def reply(text: str) -> list[dict[str, Any]]:
        seen.append(text)
        return [] if len(seen) <= calls else [{"text": f"echo: {text}"}]

    return reply


def test_an_empty_turn_is_retried_and_the_customer_gets_the_answer_once_the_actions_are_back(
    outage_settings: Settings, rasa_server: RasaServer, caplog: pytest.LogCaptureFixture
) -> None:
    rasa_server.reply = silent_for(4)
    with caplog.at_level(logging.WARNING, logger="hub.turns"), running(outage_settings) as hub:
        receipt = hub.post("¿cuánto tarda el envío?").json()
        conversation_id = receipt["conversation_id"]
        hub.wait_for_replies(conversation_id, 2)
        messages = hub.wait_idle(conversation_id)
        assert [(m["message_type"], m["text"]) for m in messages] == [
            ("incoming", "¿cuánto tarda el envío?"),
            ("activity", holding_text("es")),
            ("outgoing", "echo: ¿cuánto tarda el envío?"),
        ]
        assert messages[0]["bot_state"] == "done"
        [message] = rows(hub, Message, Message.id == receipt["id"])
        assert message.bot_attempts == 4
        # Only the real answer counted: one bot_replied, with its one reply.
        replied = rows(hub, Event, Event.conversation_id == conversation_id, Event.kind == "bot_replied")
        assert [e.data["replies"] for e in replied] == [1]
        assert rows(hub, Handoff) == []
    assert len(rasa_server.webhook_calls) == 5
    # Each empty turn was undone in Rasa's tracker before the retry: the message is one user turn there.
    assert rasa_server.tracker_events == [(str(conversation_id), {"event": "rewind"})] * 4
    empty = [r for r in caplog.records if r.getMessage().startswith("bot turn without a reply")]
    assert len(empty) == 4 and {getattr(r, "message_id", None) for r in empty} == {receipt["id"]}


def test_a_bot_that_keeps_answering_nothing_hands_the_customer_to_a_person_within_the_deadline(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.reply = lambda _text: []
    with running(outage_settings, bot_handoff_after=1.0) as hub:
        receipt = hub.post("¿dónde está mi pedido 12345?").json()
        conversation_id = receipt["conversation_id"]
        [handoff] = hub.wait_until(lambda: rows(hub, Handoff), "the handoff")
        assert (handoff.reason, handoff.message_id) == ("bot_unavailable", receipt["id"])
        assert 1.0 <= handoff.detail["waited_seconds"] < 3.0 and handoff.detail["attempts"] >= 2
        messages = hub.wait_idle(conversation_id)
        assert messages[0]["bot_state"] == "skipped"
        assert [m["message_type"] for m in messages] == ["incoming", "activity", "activity"]
        assert messages[-1]["text"].startswith("Nuestro asistente no puede responder ahora mismo")
        assert hub.conversation(conversation_id)["status"] == "open"
        assert rows(hub, Event, Event.kind == "bot_replied") == []


def test_a_handoff_payload_without_text_is_an_answer_and_is_not_retried(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.reply = lambda _text: [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]
    with running(outage_settings, bot_handoff_after=30.0) as hub:
        receipt = hub.post("quiero hablar con una persona").json()
        [handoff] = hub.wait_until(lambda: rows(hub, Handoff), "the handoff")
        assert handoff.reason == "explicit_request"
        assert hub.wait_idle(receipt["conversation_id"])[0]["bot_state"] == "done"
    assert len(rasa_server.webhook_calls) == 1
    assert ("rewind" not in {event.get("event") for _sender, event in rasa_server.tracker_events})
