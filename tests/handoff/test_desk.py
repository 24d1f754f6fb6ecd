"""An agent takes over: the bot pauses, the customer hears the queue and the agent, and back."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import WebSocketTestSession

from handoff.plugin import build_abandonment
from hub.crud import events
from hub.models import utcnow
from tests.fakes.rasa import FakeRasa
from tests.support.conversation_changes import resolved_hours_ago


def next_message(ws: WebSocketTestSession, *, limit: int = 20) -> dict[str, Any]:
    """The next {"type": "message"} frame (skipping receipts and typing)."""
    for _ in range(limit):
        frame = ws.receive_json()
        if frame["type"] == "message":
            message: dict[str, Any] = frame["message"]
            return message
    raise AssertionError("no message frame")


def kinds(desk: Desk, conversation_id: int) -> list[str]:
    async def run(session: AsyncSession) -> list[str]:
        return [e.kind for e in await events.list_for_conversation(session, conversation_id=conversation_id)]

    return desk.db(run)


def test_a_handoff_pauses_rasa_and_tells_the_customer_their_place_and_wait_in_spanish(
    desk: Desk, rasa: FakeRasa
) -> None:
    desk.add_agent("ana@x.example")
    desk.login("ana@x.example")  # one agent online
    desk.hand_off("quiero hablar con una persona", source_id="first")
    conversation_id = desk.hand_off("con una persona por favor", source_id="second")
    notice = desk.messages(conversation_id)[-1]
    assert notice["message_type"] == "activity"
    assert "Estás en la posición 2 de la cola" in notice["text"]
    assert "unos 10 minutos" in notice["text"]  # 2 x the default 300 s, one agent online
    desk.wait_until(lambda: (str(conversation_id), "pause") in rasa.events, "Rasa paused")


def test_the_position_message_is_in_english_for_english_customers_and_says_when_nobody_is_online(
    desk: Desk,
) -> None:
    conversation_id = desk.hand_off("I want to talk to a person please", source_id="john")
    text = desk.messages(conversation_id)[-1]["text"]
    assert "You are number 1 in the queue." in text
    assert "No agent is online right now" in text


def test_while_an_agent_owns_it_the_bot_is_silent_and_replies_reach_the_customer_socket(
    desk: Desk, rasa: FakeRasa
) -> None:
    desk.add_agent("ana@x.example", name="Ana")
    headers = desk.login("ana@x.example")
    with desk.client.websocket_connect("/api/v1/channels/api/ws?source_id=marta") as ws:
        assert ws.receive_json()["type"] == "subscribed"
        conversation_id = desk.hand_off(source_id="marta")
        claimed = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
        assert claimed.status_code == 200, claimed.text
        texts = [next_message(ws)["text"] for _ in range(2)]  # one handoff message, then the agent
        assert texts[0].startswith("Claro, te paso con una persona del equipo. Estás en la posición 1")
        assert "Ana se ha unido a la conversación y te atiende ahora." in texts

        to_bot_before = len(rasa.messages_to_bot(conversation_id))
        desk.customer("¿hola? ¿alguien?", source_id="marta")
        answer = desk.client.post(
            f"/api/v1/agent/conversations/{conversation_id}/messages",
            json={"text": "Hola Marta, soy Ana. ¿En qué te ayudo?"},
            headers=headers,
        )
        assert answer.status_code == 201, answer.text
        delivered = next_message(ws)
    assert (delivered["sender_type"], delivered["text"]) == (
        "agent",
        "Hola Marta, soy Ana. ¿En qué te ayudo?",
    )
    assert len(rasa.messages_to_bot(conversation_id)) == to_bot_before  # the bot never saw it


def test_an_agents_message_carries_the_agents_name_for_transcripts(desk: Desk) -> None:
    desk.add_agent("ana@x.example", name="Ana García")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/messages", json={"text": "Hola"}, headers=headers
    )
    names = {(m["sender_type"], m["sender_name"]) for m in desk.messages(conversation_id)}
    assert ("agent", "Ana García") in names  # the console shows "Ana García", not "Agente"
    assert all(name is None for sender, name in names if sender != "agent")


def test_a_private_note_is_never_delivered_to_the_customer(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    with desk.client.websocket_connect("/api/v1/channels/api/ws?source_id=marta") as ws:
        assert ws.receive_json()["type"] == "subscribed"
        note = desk.client.post(
            f"/api/v1/agent/conversations/{conversation_id}/notes",
            json={"text": "cliente enfadada, ofrecer reembolso"},
            headers=headers,
        )
        assert note.status_code == 201, note.text
        desk.client.post(
            f"/api/v1/agent/conversations/{conversation_id}/messages",
            json={"text": "Ya lo miro"},
            headers=headers,
        )
        seen = []
        while not seen or seen[-1] != "Ya lo miro":
            seen.append(next_message(ws)["text"])
        assert not any("reembolso" in text for text in seen)  # the note came before and was not sent
    assert all("reembolso" not in m["text"] for m in desk.messages(conversation_id))
    context = desk.client.get(
        f"/api/v1/agent/conversations/{conversation_id}/context", headers=headers
    ).json()
    [notes] = [c["notes"] for c in context["transcript"] if c["conversation_id"] == conversation_id]
    assert [(n["text"], n["private"]) for n in notes] == [("cliente enfadada, ofrecer reembolso", True)]


def test_transfer_to_another_agent_gives_them_the_conversation_with_a_note(desk: Desk) -> None:
    desk.add_agent("ana@x.example", name="Ana")
    luis_id = desk.add_agent("luis@x.example", name="Luis")
    ana = desk.login("ana@x.example")
    luis = desk.login("luis@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=ana)
    moved = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/transfer",
        json={"agent_id": luis_id, "note": "es de facturación"},
        headers=ana,
    )
    assert moved.status_code == 200, moved.text
    assert (moved.json()["agent_id"], moved.json()["state"]) == (luis_id, "assigned")
    assert desk.messages(conversation_id)[-1]["text"].startswith("Luis se ha unido")
    refused = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/messages", json={"text": "hola"}, headers=ana
    )
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "not_your_conversation")
    mine = desk.client.get("/api/v1/agent/queue", headers=luis).json()["mine"]
    assert [m["conversation_id"] for m in mine] == [conversation_id]
    assert "agent_transferred" in kinds(desk, conversation_id)


def test_resolve_closes_the_conversation_and_the_next_message_reopens_it_for_the_bot(
    desk: Desk, rasa: FakeRasa
) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    resolved = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/resolve", headers=headers)
    assert resolved.json()["status"] == "resolved"
    assert desk.client.get("/api/v1/agent/queue", headers=headers).json()["mine"] == []
    # Rasa's tracker, paused at the handoff, is resumed with the resolution: the bot may answer again.
    desk.wait_until(lambda: rasa.events[-1:] == [(str(conversation_id), "resume")], "Rasa resumed")
    again = desk.customer("otra cosa", source_id="marta")
    assert again["conversation_id"] == conversation_id  # within REOPEN_WINDOW_HOURS
    assert desk.wait_idle(conversation_id)[-1]["text"] == "echo: otra cosa"
    assert desk.conversation(conversation_id)["status"] == "pending"


def test_past_the_reopen_window_the_next_message_starts_a_new_conversation(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/resolve", headers=headers)
    desk.db(resolved_hours_ago(conversation_id, 73))
    again = desk.customer("otra cosa", source_id="marta")
    assert again["conversation_id"] != conversation_id
    assert desk.wait_idle(again["conversation_id"])[-1]["text"] == "echo: otra cosa"


def test_hand_back_resumes_rasa_and_the_next_customer_message_goes_to_the_bot(
    desk: Desk, rasa: FakeRasa
) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    desk.wait_until(lambda: (str(conversation_id), "pause") in rasa.events, "Rasa paused")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    back = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/hand-back", headers=headers)
    assert back.status_code == 200, back.text
    assert back.json()["status"] == "pending"
    assert rasa.events[-1] == (str(conversation_id), "resume")
    assert desk.messages(conversation_id)[-1]["text"].startswith("Te atiende de nuevo el asistente virtual")
    receipt = desk.customer("¿cuánto tarda el envío?", source_id="marta")
    assert receipt["conversation_id"] == conversation_id
    assert desk.wait_idle(conversation_id)[-1]["text"] == "echo: ¿cuánto tarda el envío?"


def test_the_context_has_the_whole_story_and_what_the_bot_understood(desk: Desk, rasa: FakeRasa) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    kb = {
        "decision": "clarify",
        "reason": "top 0.7",
        "candidates": [{"id": "envios", "score": 0.7, "question": "?"}],
    }
    first = desk.customer("hola, ¿hacéis envíos a Canarias?", source_id="marta")["conversation_id"]
    desk.wait_idle(first)
    rasa.reply = lambda text, _m: (
        [{"text": "¿Te refieres a esto?"}, {"custom": {"kb": kb}}]
        + (
            [{"custom": {"handoff": {"reason": "kb_no_answer", "detail": {"kb_reason": "no"}}}}]
            if "persona" in text
            else []
        )
    )
    desk.customer("Mi pedido A-1001 no ha llegado y lo necesito para el viernes.", source_id="marta")
    desk.wait_idle(first)
    desk.customer("quiero hablar con una persona, esto es un desastre", source_id="marta")
    desk.wait_status(first, "open")
    desk.wait_until(
        lambda: all(
            t["intent"]
            for t in desk.client.get(f"/api/v1/agent/conversations/{first}/context", headers=headers).json()[
                "turns"
            ]
        ),
        "NLU stored on every turn",
    )
    context = desk.client.get(f"/api/v1/agent/conversations/{first}/context", headers=headers).json()
    assert (context["channel"], context["language"]) == ("api", "es")
    assert context["handoff"]["reason"] == "kb_no_answer"
    assert context["slots"] == {"language": "es", "order_id": "A-1001"}
    turn = context["turns"][1]
    assert (turn["intent"], turn["confidence"]) == ("ask_shipping", 0.93)
    assert turn["intent_ranking"][0]["name"] == "ask_shipping"
    assert turn["entities"][0]["value"] == "A-1001"
    assert turn["kb"]["candidates"] == kb["candidates"]
    assert turn["bot_replies"] == ["¿Te refieres a esto?"]
    assert "pedido A-1001 no ha llegado" in context["summary"]
    assert context["sentiment"]["label"] == "negative"
    assert [c["conversation_id"] for c in context["transcript"]] == [first]


def test_the_context_includes_earlier_conversations_of_the_same_contact(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    old = desk.hand_off(source_id="marta")
    desk.client.post(f"/api/v1/agent/conversations/{old}/claim", headers=headers)
    desk.client.post(f"/api/v1/agent/conversations/{old}/resolve", headers=headers)
    desk.db(resolved_hours_ago(old, 73))
    new = desk.hand_off("otra vez, con una persona", source_id="marta")
    context = desk.client.get(f"/api/v1/agent/conversations/{new}/context", headers=headers).json()
    assert [c["conversation_id"] for c in context["transcript"]] == [old, new]
    assert context["transcript"][0]["messages"][0]["text"] == "quiero hablar con una persona"


def test_two_nlu_fallbacks_in_a_row_hand_off_from_the_hub(desk: Desk, rasa: FakeRasa) -> None:
    rasa.intent = lambda text: "nlu_fallback" if "xq" in text else "greet"
    conversation_id = desk.customer("hola", source_id="luis")["conversation_id"]
    desk.wait_idle(conversation_id)
    desk.customer("xq zzz", source_id="luis")
    desk.wait_idle(conversation_id)
    desk.wait_until(
        lambda: len([m for m in desk.messages(conversation_id) if m["text"].startswith("echo: xq")]) == 1, ""
    )
    assert desk.conversation(conversation_id)["status"] == "pending"
    desk.customer("xq xq", source_id="luis")
    handoff = desk.wait_status(conversation_id, "open")["handoff"]
    assert (handoff["reason"], handoff["detail"]) == ("nlu_fallback", {"in_a_row": 2})


def test_frustration_in_the_customer_text_hands_off_with_high_priority(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.customer("esto no funciona", source_id="pepa")["conversation_id"]
    desk.wait_idle(conversation_id)
    assert desk.conversation(conversation_id)["status"] == "pending"
    desk.customer("que no funciona!!", source_id="pepa")
    desk.wait_status(conversation_id, "open")
    [entry] = desk.client.get("/api/v1/agent/queue", headers=headers).json()["waiting"]
    assert (entry["reason"], entry["priority"]) == ("frustration", "high")


def test_a_customer_silent_while_waiting_abandons_the_handoff(any_db_desk: Desk) -> None:
    desk = any_db_desk
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="marta")
    sweep = build_abandonment(desk.services, desk.handoff_settings)
    assert desk.call(lambda: sweep.abandon_stale()) == 0  # just asked: not abandoned
    later = utcnow() + timedelta(seconds=desk.handoff_settings.handoff_abandon_after + 1)
    assert desk.call(lambda: sweep.abandon_stale(now=later)) == 0  # "¿Sigues ahí?" first
    unanswered = later + timedelta(seconds=desk.handoff_settings.policy().waiting.answer_within + 1)
    assert desk.call(lambda: sweep.abandon_stale(now=unanswered)) == 1
    assert desk.conversation(conversation_id)["status"] == "resolved"
    assert "handoff_abandoned" in kinds(desk, conversation_id)
    assert desk.client.get("/api/v1/agent/queue", headers=headers).json()["waiting"] == []


def test_the_estimated_wait_follows_recent_handling_times(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example")
    handled = desk.hand_off(source_id="quick")  # the default (300 s) before any history
    assert "unos 5 minutos" in desk.messages(handled)[-1]["text"]
    desk.client.post(f"/api/v1/agent/conversations/{handled}/claim", headers=headers)
    desk.client.post(f"/api/v1/agent/conversations/{handled}/resolve", headers=headers)
    waiting = desk.hand_off(source_id="next")  # handled in well under a minute
    assert "menos de un minuto" in desk.messages(waiting)[-1]["text"]


def test_rules_of_the_configured_policy_file_hand_off_big_orders_to_the_orders_team(
    desk_with: Callable[..., AbstractContextManager[Desk]], tmp_path: Path
) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(
        "rules:\n  - name: big_order\n    when: {amount_above: 300}\n"
        "    then: {hand_off: true, priority: high, skill: orders}\n"
    )
    with desk_with(handoff_policy_path=path) as desk:
        small = desk.customer("mi pedido de 40 € no llega", source_id="a")["conversation_id"]
        desk.wait_idle(small)
        assert desk.conversation(small)["status"] == "pending"
        big = desk.customer("mi pedido de 450 € no llega", source_id="b")["conversation_id"]
        handoff = desk.wait_status(big, "open")["handoff"]
        assert (handoff["reason"], handoff["detail"]["rules"]) == (
            "rule",
            [{"name": "big_order", "amount": 450.0}],
        )
        desk.add_agent("ana@x.example")
        desk.add_agent("orders@x.example", skills="orders")
        assert (
            desk.client.get("/api/v1/agent/queue", headers=desk.login("ana@x.example")).json()["waiting"]
            == []
        )
        waiting = desk.client.get("/api/v1/agent/queue", headers=desk.login("orders@x.example")).json()[
            "waiting"
        ]
        assert [(w["conversation_id"], w["priority"], w["skill"]) for w in waiting] == [
            (big, "high", "orders")
        ]


def test_a_transfer_to_both_an_agent_and_a_team_says_to_pick_one(desk: Desk) -> None:
    luis_id = desk.add_agent("luis@x.example", name="Luis")
    desk.add_agent("ana@x.example", name="Ana")
    ana = desk.login("ana@x.example")
    conversation_id = desk.hand_off(source_id="pilar")
    desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=ana)
    both = desk.client.post(
        f"/api/v1/agent/conversations/{conversation_id}/transfer",
        json={"agent_id": luis_id, "team": "billing"}, headers=ana,
    )
    assert both.status_code == 422
    message = both.json()["error"]["message"]
    assert "agent_id" in message and "team" in message and "one" in message
    assert "endpoint" not in message
