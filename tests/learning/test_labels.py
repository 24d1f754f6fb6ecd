"""Agents label a customer's turn from the console: the FAQ that answers it (found with the FAQ search),
"no FAQ covers this" or "not a question"; any agent who may read the conversation, nobody else."""

from __future__ import annotations

from learning_testing import LearningHub


def _incoming(hub: LearningHub, conversation_id: int, text: str) -> int:
    return next(
        m["id"]
        for m in hub.messages(conversation_id)
        if m["message_type"] == "incoming" and m["text"] == text
    )


def test_an_agent_finds_the_faq_and_labels_a_handed_off_question(any_db_hub: LearningHub) -> None:
    hub = any_db_hub
    conversation_id = hub.say("¿cómo puedo pagar?")  # clarified
    hub.say("quiero hablar con una persona")
    hub.wait_status(conversation_id, "open")
    hub.add_agent("ana@x.example")
    ana = hub.login("ana@x.example")

    found = hub.client.get("/api/v1/learning/faq", params={"q": "metodos de pago"}, headers=ana)
    assert found.status_code == 200, found.text
    assert found.json()[0]["id"] == "pago-metodos"
    assert found.json()[0]["question"]

    message_id = _incoming(hub, conversation_id, "¿cómo puedo pagar?")
    url = f"/api/v1/learning/messages/{message_id}/label"
    put = hub.client.put(url, json={"label": "faq", "entry_id": "pago-metodos"}, headers=ana)
    assert put.status_code == 200, put.text
    body = put.json()
    assert (body["kind"], body["strength"], body["expected"]) == ("faq", "confirmed", "pago-metodos")
    assert (body["decision"], body["entry_id"], body["score"]) == ("clarify", "pago-metodos", 0.91)
    assert body["agent_id"] is not None and body["contact_id"] is None

    # Changing one's mind replaces the label; the list shows one per turn.
    again = hub.client.put(url, json={"label": "no_faq"}, headers=ana)
    assert again.status_code == 200 and again.json()["expected"] is None
    listed = hub.client.get(f"/api/v1/learning/conversations/{conversation_id}/labels", headers=ana)
    assert [(row["message_id"], row["kind"]) for row in listed.json()] == [(message_id, "no_faq")]
    assert hub.client.delete(url, headers=ana).status_code == 204
    assert hub.signals("no_faq") == []


def test_bad_labels_get_clear_errors(hub: LearningHub) -> None:
    conversation_id = hub.hand_off("quiero hablar con una persona")
    hub.add_agent("ana@x.example")
    ana = hub.login("ana@x.example")
    message_id = _incoming(hub, conversation_id, "quiero hablar con una persona")
    url = f"/api/v1/learning/messages/{message_id}/label"

    def code(response: object) -> tuple[int, str]:
        r = response  # type: ignore[assignment]
        return r.status_code, r.json()["error"]["code"]  # type: ignore[attr-defined]

    assert code(hub.client.put(url, json={"label": "faq"}, headers=ana)) == (422, "faq_required")
    unknown = hub.client.put(url, json={"label": "faq", "entry_id": "no-existe"}, headers=ana)
    assert code(unknown) == (422, "unknown_faq")
    assert hub.client.put(url, json={"label": "maybe"}, headers=ana).status_code == 422
    missing = hub.client.put("/api/v1/learning/messages/999999/label", json={"label": "no_faq"}, headers=ana)
    assert code(missing) == (404, "message_not_found")
    bot_reply = next(m["id"] for m in hub.messages(conversation_id) if m["message_type"] != "incoming")
    not_customer = hub.client.put(
        f"/api/v1/learning/messages/{bot_reply}/label", json={"label": "no_faq"}, headers=ana
    )
    assert code(not_customer) == (422, "not_a_customer_message")
    assert hub.client.put(url, json={"label": "not_question"}).status_code == 401
    assert hub.signals() == []


def test_only_agents_who_may_read_the_conversation_label_it(hub: LearningHub) -> None:
    conversation_id = hub.hand_off("quiero hablar con una persona")
    message_id = _incoming(hub, conversation_id, "quiero hablar con una persona")
    url = f"/api/v1/learning/messages/{message_id}/label"
    hub.add_agent("john@x.example", languages="en")  # the Spanish queue is not his
    john = hub.login("john@x.example")
    refused = hub.client.put(url, json={"label": "not_question"}, headers=john)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "conversation_not_allowed")
    listed = hub.client.get(f"/api/v1/learning/conversations/{conversation_id}/labels", headers=john)
    assert listed.status_code == 403
    hub.add_agent("sara@x.example", languages="en", role="supervisor")
    sara = hub.login("sara@x.example")
    assert hub.client.put(url, json={"label": "not_question"}, headers=sara).status_code == 200
    assert [(s.kind, s.strength) for s in hub.signals()] == [("not_question", "confirmed")]


def test_a_no_to_did_it_help_is_not_a_question_the_question_it_was_about_is(any_db_hub: LearningHub) -> None:
    """The customer said the answer did not help ("no", typed here; "👎 No" on a button): the console offers
    the label on the question the bot answered, never on the "no" (labelled as an FAQ example, the "no"
    would have become an alternative wording of that entry)."""
    hub = any_db_hub
    conversation_id = hub.say("¿cuánto tarda mi pedido?")
    hub.wait_until(lambda: hub.texts(conversation_id)[-1] == "¿Te ha servido?", "asked")
    hub.say("no")
    hub.wait_status(conversation_id, "open")
    hub.add_agent("ana@x.example")
    ana = hub.login("ana@x.example")
    question = _incoming(hub, conversation_id, "¿cuánto tarda mi pedido?")
    answer = _incoming(hub, conversation_id, "no")

    found = hub.client.get(f"/api/v1/learning/conversations/{conversation_id}/feedback", headers=ana)
    assert found.status_code == 200, found.text
    assert found.json() == {"not_helpful": [question], "answers": [answer]}

    body = {"label": "faq", "entry_id": "envio-plazo"}
    on_answer = hub.client.put(f"/api/v1/learning/messages/{answer}/label", json=body, headers=ana)
    assert on_answer.status_code == 422 and on_answer.json()["error"]["code"] == "feedback_answer"
    assert f"message {question}" in on_answer.json()["error"]["message"]
    on_question = hub.client.put(f"/api/v1/learning/messages/{question}/label", json=body, headers=ana)
    assert on_question.status_code == 200, on_question.text
    assert [row.message_id for row in hub.signals("faq")] == [question]
    nobody = hub.client.get(f"/api/v1/learning/conversations/{conversation_id}/feedback")
    assert nobody.status_code == 401
