"""Agents' contact API: one person's details, identities and conversations; merging two by hand."""

from __future__ import annotations

from handoff_testing import Desk


def signed_in(desk: Desk, role: str = "agent") -> dict[str, str]:
    desk.add_agent("eva@tiendasol.example", role=role)
    return desk.login("eva@tiendasol.example")


def test_contacts_need_a_signed_in_agent(any_db_desk: Desk) -> None:
    contact_id = any_db_desk.customer("hola")["contact_id"]

    response = any_db_desk.client.get(f"/api/v1/agent/contacts/{contact_id}")

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_a_supervisor_reads_a_contact_with_identities_and_conversations(any_db_desk: Desk) -> None:
    desk = any_db_desk
    headers = signed_in(desk, role="supervisor")  # the bot still owns it: agents may not (test_permissions)
    receipt = desk.customer("hola, soy ana@example.com", source_id="cli-ana")
    desk.wait_idle(receipt["conversation_id"])

    response = desk.client.get(f"/api/v1/agent/contacts/{receipt['contact_id']}", headers=headers)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["id"], body["email"], body["phone"]) == (receipt["contact_id"], "ana@example.com", None)
    assert [(i["channel"], i["source_id"]) for i in body["identities"]] == [("api", "cli-ana")]
    assert [c["id"] for c in body["conversations"]] == [receipt["conversation_id"]]
    assert body["merges"] == []


def test_an_unknown_contact_is_a_clear_404(any_db_desk: Desk) -> None:
    headers = signed_in(any_db_desk)

    response = any_db_desk.client.get("/api/v1/agent/contacts/999", headers=headers)

    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "contact_not_found"
    assert "999" in error["message"]


def test_an_agent_merges_two_contacts_and_the_older_keeps_everything(any_db_desk: Desk) -> None:
    desk = any_db_desk
    headers = signed_in(desk)
    older = desk.customer("hola", source_id="cli-1")
    desk.wait_idle(older["conversation_id"])
    handed_off = desk.hand_off("quiero hablar con una persona", source_id="cli-2")
    newer_contact = desk.conversation(handed_off)["contact_id"]

    response = desk.client.post(
        f"/api/v1/agent/contacts/{newer_contact}/merge",
        json={"other_contact_id": older["contact_id"]},
        headers=headers,
    )

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["id"] == older["contact_id"]
    assert sorted(i["source_id"] for i in body["identities"]) == ["cli-1", "cli-2"]
    assert [c["id"] for c in body["conversations"]] == [older["conversation_id"], handed_off]
    [merge] = body["merges"]
    assert (merge["key"], merge["merged_contact_id"]) == ("manual", newer_contact)
    assert merge["agent_id"] == desk.client.get("/api/v1/agent/me", headers=headers).json()["id"]
    gone = desk.client.get(f"/api/v1/agent/contacts/{newer_contact}", headers=headers)
    assert gone.status_code == 404
    # The waiting handoff moved with its conversation: the agent still finds and sees it whole.
    queue = desk.client.get("/api/v1/agent/queue", headers=headers).json()
    assert [e["conversation_id"] for e in queue["waiting"]] == [handed_off]
    context = desk.client.get(f"/api/v1/agent/conversations/{handed_off}/context", headers=headers).json()
    assert context["contact"]["id"] == older["contact_id"]
    assert [t["conversation_id"] for t in context["transcript"]] == [older["conversation_id"], handed_off]
    # The customer on cli-2 still writes into their own conversation.
    again = desk.customer("¿sigue ahí alguien?", source_id="cli-2")
    assert (again["conversation_id"], again["contact_id"]) == (handed_off, older["contact_id"])


def test_bad_merges_are_refused_with_what_to_do(any_db_desk: Desk) -> None:
    desk = any_db_desk
    headers = signed_in(desk, role="supervisor")
    contact_id = desk.customer("hola")["contact_id"]
    url = f"/api/v1/agent/contacts/{contact_id}/merge"

    itself = desk.client.post(url, json={"other_contact_id": contact_id}, headers=headers)
    unknown = desk.client.post(url, json={"other_contact_id": 999}, headers=headers)
    missing = desk.client.post(url, json={}, headers=headers)

    assert (itself.status_code, itself.json()["error"]["code"]) == (422, "merge_with_itself")
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "contact_not_found")
    assert "999" in unknown.json()["error"]["message"]
    assert (missing.status_code, missing.json()["error"]["code"]) == (422, "invalid_request")
    assert "other_contact_id" in missing.json()["error"]["message"]
    assert desk.client.get(f"/api/v1/agent/contacts/{contact_id}", headers=headers).status_code == 200
