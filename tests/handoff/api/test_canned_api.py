"""Canned replies (issue 18): agents keep their own, supervisors the shared ones; inserted into a
conversation they come in its language with the customer's name, order number and the agent's name."""

from __future__ import annotations

from typing import Any

from handoff_testing import Desk

from tests.fakes.rasa import FakeRasa

URL = "/api/v1/agent/canned-replies"
GREETING = {
    "shortcut": "/Saludo",
    "title": "Saludo",
    "texts": {
        "es": "Hola {{nombre}}, soy {{agente}}. Miro tu pedido {{pedido}}.",
        "en": "Hi {{customer_name}}, I'm {{agent_name}}. Checking order {{order_number}}.",
    },
    "scope": "shared",
}


def team(desk: Desk) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """Headers of supervisor Sara, agents Ana and Eva."""
    desk.add_agent("sara@tiendasol.example", name="Sara", role="supervisor", languages="es,en")
    desk.add_agent("ana@tiendasol.example", name="Ana", languages="es,en")
    desk.add_agent("eva@tiendasol.example", name="Eva", languages="es,en")
    return (desk.login("sara@tiendasol.example"), desk.login("ana@tiendasol.example"),
            desk.login("eva@tiendasol.example"))  # fmt: skip


def create(desk: Desk, headers: dict[str, str], body: dict[str, Any]) -> Any:
    return desk.client.post(URL, json=body, headers=headers)


def claimed(desk: Desk, headers: dict[str, str], text: str, source_id: str, language: str = "es") -> int:
    conversation_id = desk.hand_off(text, source_id=source_id, language=language)
    claim = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    assert claim.status_code == 200, claim.text
    return conversation_id


def filled(desk: Desk, conversation_id: int, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    url = f"/api/v1/agent/conversations/{conversation_id}/canned-replies"
    response = desk.client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return {r["shortcut"]: r for r in response.json()}


def test_a_shared_reply_is_filled_in_the_conversations_language(desk: Desk, rasa: FakeRasa) -> None:
    sara, ana, _eva = team(desk)
    made = create(desk, sara, GREETING)
    assert made.status_code == 201, made.text
    assert (made.json()["shortcut"], made.json()["scope"]) == ("saludo", "shared")
    rasa.slots = {"order_number": "B-7"}
    es = claimed(desk, ana, "quiero hablar con una persona", "cust-es")
    en = claimed(desk, ana, "I want to talk to a person", "cust-en", language="en")

    spanish = filled(desk, es, ana)["saludo"]
    english = filled(desk, en, ana)["saludo"]

    # No name was ever given: the variable stays for Ana to fill, and the console is told which.
    assert spanish["text"] == "Hola {{nombre}}, soy Ana. Miro tu pedido B-7."
    assert (spanish["language"], spanish["missing"]) == ("es", ["nombre"])
    assert english["text"] == "Hi {{customer_name}}, I'm Ana. Checking order B-7."
    assert (english["language"], english["missing"]) == ("en", ["customer_name"])


def test_the_customers_name_and_an_order_the_customer_typed_are_filled(desk: Desk, rasa: FakeRasa) -> None:
    sara, ana, _eva = team(desk)
    assert create(desk, sara, GREETING).status_code == 201
    rasa.slots = {}  # the bot kept no order slot: the entity the customer's message had
    conversation_id = claimed(desk, ana, "quiero hablar con una persona del pedido A-2002", "cust-1")

    async def name_contact(session: Any) -> None:
        from hub.models import Contact, Conversation

        conversation = await session.get(Conversation, conversation_id)
        contact = await session.get(Contact, conversation.contact_id)
        contact.name = "Marta"
        await session.commit()

    desk.db(name_contact)
    reply = filled(desk, conversation_id, ana)["saludo"]
    assert reply["text"] == "Hola Marta, soy Ana. Miro tu pedido A-1001."  # the fake NLU's order_id entity
    assert reply["missing"] == []


def test_a_reply_only_in_spanish_is_offered_in_spanish_to_an_english_conversation(desk: Desk) -> None:
    _sara, ana, _eva = team(desk)
    thanks = {"shortcut": "gracias", "title": "Gracias", "texts": {"es": "¡Gracias!"}}
    assert create(desk, ana, thanks).status_code == 201
    conversation_id = claimed(desk, ana, "I want to talk to a person", "cust-en", language="en")
    reply = filled(desk, conversation_id, ana)["gracias"]
    assert (reply["language"], reply["text"], reply["scope"]) == ("es", "¡Gracias!", "personal")


def test_agents_keep_personal_replies_and_cannot_touch_shared_ones(desk: Desk) -> None:
    sara, ana, eva = team(desk)
    shared = create(desk, sara, GREETING).json()

    refused = create(desk, ana, {**GREETING, "shortcut": "otro"})
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "canned_shared_supervisors_only")
    edit = desk.client.put(f"{URL}/{shared['id']}", json={**GREETING, "title": "Mío"}, headers=ana)
    assert (edit.status_code, edit.json()["error"]["code"]) == (403, "canned_shared_supervisors_only")
    gone = desk.client.delete(f"{URL}/{shared['id']}", headers=ana)
    assert gone.status_code == 403

    signature = {"shortcut": "firma", "title": "Firma", "texts": {"es": "Un saludo, {{agente}}"}}
    mine = create(desk, ana, signature)
    assert mine.status_code == 201, mine.text
    listed = {r["shortcut"]: r for r in desk.client.get(URL, headers=ana).json()}
    assert (listed["saludo"]["editable"], listed["firma"]["editable"]) == (False, True)
    # Eva sees the shared reply, not Ana's personal one, and cannot reach it by id.
    assert [r["shortcut"] for r in desk.client.get(URL, headers=eva).json()] == ["saludo"]
    hidden = desk.client.put(f"{URL}/{mine.json()['id']}", json=signature, headers=eva)
    assert (hidden.status_code, hidden.json()["error"]["code"]) == (404, "canned_not_found")

    changed = desk.client.put(
        f"{URL}/{mine.json()['id']}", json={"shortcut": "firma", "title": "Firma", "texts": {"es": "Ana"}},
        headers=ana,
    )
    assert changed.status_code == 200 and changed.json()["texts"] == {"es": "Ana"}
    assert desk.client.delete(f"{URL}/{mine.json()['id']}", headers=ana).status_code == 204
    renamed = desk.client.put(f"{URL}/{shared['id']}", json={**GREETING, "title": "Hola"}, headers=sara)
    assert renamed.status_code == 200


def test_a_shortcut_the_agent_already_sees_is_refused(desk: Desk) -> None:
    sara, ana, eva = team(desk)
    assert create(desk, sara, GREETING).status_code == 201
    clash = create(desk, ana, {**GREETING, "scope": "personal"})
    assert (clash.status_code, clash.json()["error"]["code"]) == (409, "canned_shortcut_taken")
    personal = {"shortcut": "firma", "title": "Firma", "texts": {"es": "Ana"}}
    assert create(desk, ana, personal).status_code == 201
    assert create(desk, eva, personal).status_code == 201  # Eva's own list: no clash with Ana's


def test_bad_replies_are_refused_with_what_to_fix(desk: Desk) -> None:
    _sara, ana, _eva = team(desk)
    cases = [
        {"shortcut": "con espacio", "title": "x", "texts": {"es": "x"}},
        {"shortcut": "x", "title": "  ", "texts": {"es": "x"}},
        {"shortcut": "x", "title": "x", "texts": {}},
        {"shortcut": "x", "title": "x", "texts": {"fr": "bonjour"}},
        {"shortcut": "x", "title": "x", "texts": {"es": "Hola {{cliente}}"}},
        {"shortcut": "x", "title": "x", "texts": {"es": "x" * 2001}},
        {"shortcut": "x" * 40, "title": "x", "texts": {"es": "x"}},
        {"shortcut": "x", "title": "x", "texts": {"es": "x"}, "scope": "team"},
    ]
    for body in cases:
        response = create(desk, ana, body)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["error"]["code"] == "invalid_request"
    assert "{{nombre}}" in create(desk, ana, cases[4]).json()["error"]["message"]  # says which exist
    assert desk.client.get(URL, headers=ana).json() == []  # nothing stored
    assert desk.client.get(URL).status_code == 401


def test_filling_needs_a_conversation_the_agent_may_act_on(desk: Desk) -> None:
    _sara, ana, eva = team(desk)
    conversation_id = claimed(desk, ana, "quiero hablar con una persona", "cust-1")
    response = desk.client.get(f"/api/v1/agent/conversations/{conversation_id}/canned-replies", headers=eva)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "conversation_not_allowed")
    missing = desk.client.get("/api/v1/agent/conversations/999/canned-replies", headers=ana)
    assert missing.status_code == 404
