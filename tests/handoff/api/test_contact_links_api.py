"""Agents decide on suggested links: a customer gave an email/phone another contact has (issue 15,
finding 2). Nothing is merged until an agent who may merge the conversation's contact confirms (the
assigned agent or a supervisor: handoff/permissions.py)."""

from __future__ import annotations

from typing import Any

from handoff_testing import Desk

EMAIL = "ana@example.com"


def suggested(desk: Desk) -> tuple[dict[str, Any], int, dict[str, str]]:
    """Ana wrote her email on one api session; someone on another session gives it and asks for a
    person; agent Eva claims that conversation. (Ana's receipt, the conversation, Eva's headers.)"""
    desk.add_agent("eva@tiendasol.example")
    headers = desk.login("eva@tiendasol.example")
    ana = desk.customer(f"hola, soy {EMAIL}", source_id="cli-ana")
    desk.wait_idle(ana["conversation_id"])
    conversation_id = desk.hand_off(f"soy {EMAIL}, quiero hablar con una persona", source_id="cli-other")
    claim = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
    assert claim.status_code == 200, claim.text
    return ana, conversation_id, headers


def context(desk: Desk, conversation_id: int, headers: dict[str, str]) -> dict[str, Any]:
    response = desk.client.get(f"/api/v1/agent/conversations/{conversation_id}/context", headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def decide(desk: Desk, conversation_id: int, link_id: int, action: str, headers: dict[str, str]) -> Any:
    url = f"/api/v1/agent/conversations/{conversation_id}/links/{link_id}/{action}"
    return desk.client.post(url, headers=headers)


def test_the_agent_sees_the_suggestion_and_confirming_merges_the_two(any_db_desk: Desk) -> None:
    desk = any_db_desk
    ana, conversation_id, headers = suggested(desk)
    before = context(desk, conversation_id, headers)
    [link] = before["suggested_links"]
    assert (link["key"], link["value"], link["state"]) == ("email", EMAIL, "open")
    assert link["other_verified"] is False  # Ana only typed it too
    assert (link["contact"]["id"], link["contact"]["channels"]) == (ana["contact_id"], ["api"])
    assert [t["conversation_id"] for t in before["transcript"]] == [conversation_id]  # not Ana's history

    response = decide(desk, conversation_id, link["id"], "confirm", headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["contact_id"], body["link"]["state"]) == (ana["contact_id"], "confirmed")
    after = context(desk, conversation_id, headers)
    assert after["contact"]["id"] == ana["contact_id"]
    assert [t["conversation_id"] for t in after["transcript"]] == [ana["conversation_id"], conversation_id]
    assert after["suggested_links"] == []
    [merge] = desk.client.get(f"/api/v1/agent/contacts/{ana['contact_id']}", headers=headers).json()["merges"]
    me = desk.client.get("/api/v1/agent/me", headers=headers).json()["id"]
    assert (merge["key"], merge["link_id"], merge["agent_id"]) == ("email", link["id"], me)
    again = decide(desk, conversation_id, link["id"], "confirm", headers)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "link_already_decided")


def test_dismissing_keeps_them_apart_and_the_suggestion_does_not_come_back(any_db_desk: Desk) -> None:
    desk = any_db_desk
    ana, conversation_id, headers = suggested(desk)
    [link] = context(desk, conversation_id, headers)["suggested_links"]

    response = decide(desk, conversation_id, link["id"], "dismiss", headers)
    desk.customer(f"de verdad, soy {EMAIL}", source_id="cli-other")

    assert response.status_code == 200, response.text
    assert response.json()["link"]["state"] == "dismissed"
    after = context(desk, conversation_id, headers)
    assert after["suggested_links"] == []
    assert after["contact"]["id"] != ana["contact_id"]
    assert [t["conversation_id"] for t in after["transcript"]] == [conversation_id]


def test_others_cannot_decide_and_each_gets_a_clear_error(any_db_desk: Desk) -> None:
    desk = any_db_desk
    _ana, conversation_id, headers = suggested(desk)
    [link] = context(desk, conversation_id, headers)["suggested_links"]
    desk.add_agent("luis@tiendasol.example")
    luis = desk.login("luis@tiendasol.example")

    anonymous = desk.client.post(f"/api/v1/agent/conversations/{conversation_id}/links/{link['id']}/confirm")
    colleague = decide(desk, conversation_id, link["id"], "confirm", luis)
    unknown_link = decide(desk, conversation_id, 999, "dismiss", headers)
    unknown_conversation = decide(desk, 999, link["id"], "confirm", headers)

    assert (anonymous.status_code, anonymous.json()["error"]["code"]) == (401, "not_authenticated")
    assert (colleague.status_code, colleague.json()["error"]["code"]) == (403, "conversation_not_allowed")
    assert (unknown_link.status_code, unknown_link.json()["error"]["code"]) == (404, "link_not_found")
    assert "999" in unknown_link.json()["error"]["message"]
    assert unknown_conversation.status_code == 404
    assert context(desk, conversation_id, headers)["suggested_links"] == [link]  # nothing decided


def test_a_supervisor_decides_on_a_conversation_assigned_to_someone_else(any_db_desk: Desk) -> None:
    desk = any_db_desk
    ana, conversation_id, headers = suggested(desk)
    [link] = context(desk, conversation_id, headers)["suggested_links"]
    desk.add_agent("sara@tiendasol.example", role="supervisor")
    sara = desk.login("sara@tiendasol.example", online=False)

    confirmed = decide(desk, conversation_id, link["id"], "confirm", sara)

    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["contact_id"] == ana["contact_id"]  # merged: the older contact survives
    assert context(desk, conversation_id, headers)["suggested_links"] == []
