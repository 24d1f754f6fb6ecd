"""Bad ratings become follow-ups supervisors list, open with their conversation, and mark done."""

from __future__ import annotations

from surveys_testing import SurveyHub


def _bad_csat(hub: SurveyHub, source_id: str, score: str, comment: str) -> int:
    conversation_id = hub.hand_off(source_id=source_id)
    hub.resolved_by_agent(conversation_id, email=f"agent-{source_id}@x.example")
    hub.say(score, source_id=source_id)
    hub.say(comment, source_id=source_id)
    return conversation_id


def test_a_supervisor_lists_bad_ratings_with_their_conversation_and_marks_them_done(hub: SurveyHub) -> None:
    bad = _bad_csat(hub, "marta", "1", "Me colgaron")
    _bad_csat(hub, "luis", "4", "Bien")  # a good rating: no follow-up
    hub.add_agent("sara@x.example", role="supervisor")
    sara = hub.login("sara@x.example", online=False)

    listed = hub.client.get("/api/v1/follow-ups", headers=sara)

    assert listed.status_code == 200, listed.text
    [item] = listed.json()
    found = (item["kind"], item["score"], item["comment"], item["conversation_id"])
    assert found == ("csat", 1, "Me colgaron", bad)
    conversation = hub.client.get(item["conversation_url"], headers=sara)
    assert conversation.status_code == 200
    assert conversation.json()["id"] == bad

    done = hub.client.post(f"/api/v1/follow-ups/{item['id']}/done", headers=sara)
    assert done.status_code == 200 and done.json()["done_at"] is not None
    assert hub.client.get("/api/v1/follow-ups", headers=sara).json() == []
    done_ones = hub.client.get("/api/v1/follow-ups?state=done", headers=sara).json()
    assert [i["id"] for i in done_ones] == [item["id"]]
    assert hub.data(bad, "follow_up_done") == [{"follow_up_id": item["id"]}]


def test_follow_ups_are_for_supervisors_only_and_bad_requests_get_4xx(hub: SurveyHub) -> None:
    hub.add_agent("pepe@x.example")
    pepe = hub.login("pepe@x.example", online=False)
    hub.add_agent("sara@x.example", role="supervisor")
    sara = hub.login("sara@x.example", online=False)

    assert hub.client.get("/api/v1/follow-ups").status_code == 401
    assert hub.client.get("/api/v1/follow-ups", headers={"Authorization": "Bearer nope"}).status_code == 401
    refused = hub.client.get("/api/v1/follow-ups", headers=pepe)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "supervisor_only")
    missing = hub.client.post("/api/v1/follow-ups/999/done", headers=sara)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "follow_up_not_found")
    assert hub.client.get("/api/v1/follow-ups?state=nope", headers=sara).status_code == 422
    assert hub.client.post("/api/v1/follow-ups/abc/done", headers=sara).status_code == 422


def test_erasing_the_contact_takes_their_surveys_and_follow_ups(hub: SurveyHub) -> None:
    bad = _bad_csat(hub, "marta", "1", "Me colgaron, soy marta@example.com")
    contact_id = hub.conversation(bad)["contact_id"]
    hub.add_agent("sara@x.example", role="supervisor")
    sara = hub.login("sara@x.example", online=False)
    exported = hub.client.get(f"/api/v1/agent/contacts/{contact_id}/export", headers=sara).json()
    assert [f["score"] for f in exported["tables"]["follow_ups"]] == [1]
    assert [s["kind"] for s in exported["tables"]["surveys"]] == ["csat", "nps"]

    erased = hub.client.delete(f"/api/v1/agent/contacts/{contact_id}", headers=sara)

    assert erased.status_code == 200, erased.text
    assert hub.follow_ups() == [] and hub.surveys(bad) == []
    assert hub.client.get("/api/v1/follow-ups?state=all", headers=sara).json() == []
