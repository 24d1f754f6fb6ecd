"""While Rasa's action server is down, Rasa still answers: its policies go on without the custom actions
and often say the fallback ("Perdona, no te he entendido"). Such a turn is no answer: the action server
did not mark it (actions/language.py), so the hub undoes and retries it like an empty turn, holds the
customer, and hands them to a person if the outage lasts. The fallback is never shown.

The hub talks real HTTP to a fake Rasa on loopback (``RasaServer.actions_down``). Retries every 0.1 s.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hub_testing import HubClient, RasaServer, running

from handoff.models import Handoff
from hub.models import Event, Message
from hub.settings import Settings
from hub.turns.deadlines import holding_text
from tests.fakes.rasa import FALLBACK_TEXT


def rows(hub: HubClient, model: Any, *where: Any) -> list[Any]:
    async def run(session: Any) -> list[Any]:
        return list((await session.execute(sa.select(model).where(*where).order_by(model.id))).scalars())

    result: list[Any] = hub.db(run)
    return result


def test_the_fallback_said_while_the_actions_are_down_is_retried_and_the_customer_gets_the_real_answer(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.actions_down = True
    with running(outage_settings) as hub:
        receipt = hub.post("¿cuánto tarda el envío?").json()
        conversation_id = receipt["conversation_id"]
        hub.wait_for_replies(conversation_id, 1)  # the holding message: still no answer
        hub.wait_until(lambda: len(rasa_server.webhook_calls) >= 3, "three tries")
        rasa_server.actions_down = False
        hub.wait_for_replies(conversation_id, 2)
        messages = hub.wait_idle(conversation_id)
        assert [(m["message_type"], m["text"]) for m in messages] == [
            ("incoming", "¿cuánto tarda el envío?"),
            ("activity", holding_text("es")),
            ("outgoing", "echo: ¿cuánto tarda el envío?"),
        ]
        assert messages[0]["bot_state"] == "done"
        [message] = rows(hub, Message, Message.id == receipt["id"])
        tries = len(rasa_server.webhook_calls)
        assert message.bot_attempts == tries - 1
        replied = rows(hub, Event, Event.conversation_id == conversation_id, Event.kind == "bot_replied")
        assert [e.data["replies"] for e in replied] == [1]
        assert rows(hub, Handoff) == []
    # Each unmarked turn was undone in Rasa's tracker: the message is one user turn there.
    assert rasa_server.tracker_events == [(str(conversation_id), {"event": "rewind"})] * (tries - 1)


def test_an_action_server_outage_that_lasts_hands_the_customer_to_a_person_without_the_fallback(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.actions_down = True
    with running(outage_settings, bot_handoff_after=1.0) as hub:
        receipt = hub.post("¿cómo devuelvo algo?").json()
        conversation_id = receipt["conversation_id"]
        [handoff] = hub.wait_until(lambda: rows(hub, Handoff), "the handoff")
        assert (handoff.reason, handoff.message_id) == ("bot_unavailable", receipt["id"])
        assert handoff.detail["waited_seconds"] < 3.0 and handoff.detail["attempts"] >= 2
        messages = hub.wait_idle(conversation_id)
        assert messages[0]["bot_state"] == "skipped"
        assert FALLBACK_TEXT not in [m["text"] for m in messages]
        assert rows(hub, Event, Event.kind == "bot_replied") == []


FALLBACK = [{"text": FALLBACK_TEXT, "custom": {"fallback": True}}]  # utter_default, as domain.yml says it


def test_rasa_falling_back_on_a_retried_turn_is_retried_again(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    """After a turn whose actions failed was undone, Rasa often falls back instead of running them, even
    with the action server back: that is no answer either."""
    rasa_server.actions_down = True
    later = iter([FALLBACK])
    rasa_server.reply = lambda text: next(later, [{"text": f"echo: {text}"}])
    with running(outage_settings) as hub:
        receipt = hub.post("¿cuánto cuesta el envío?").json()
        conversation_id = receipt["conversation_id"]
        hub.wait_until(lambda: len(rasa_server.webhook_calls) >= 1, "a first try")
        rasa_server.actions_down = False
        def answers() -> list[dict[str, Any]]:
            return [m for m in hub.messages(conversation_id) if m["message_type"] == "outgoing"]

        messages = hub.wait_until(answers, "the answer")
        assert [m["text"] for m in messages] == ["echo: ¿cuánto cuesta el envío?"]
        assert FALLBACK_TEXT not in [m["text"] for m in hub.wait_idle(conversation_id)]


def test_rasa_falling_back_on_a_first_try_is_its_answer(
    outage_settings: Settings, rasa_server: RasaServer
) -> None:
    rasa_server.reply = lambda _text: FALLBACK
    with running(outage_settings) as hub:
        receipt = hub.post("xyzzy").json()
        messages = hub.wait_idle(receipt["conversation_id"])
        assert [(m["message_type"], m["text"]) for m in messages] == [
            ("incoming", "xyzzy"), ("outgoing", FALLBACK_TEXT)
        ]
    assert len(rasa_server.webhook_calls) == 1
