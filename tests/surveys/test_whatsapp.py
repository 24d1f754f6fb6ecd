"""CSAT and NPS on WhatsApp, through the local fake Graph API: a list of five rows, NPS typed (a list holds
ten rows), never outside the 24-hour customer-service window."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from surveys_testing import SurveyHub
from whatsapp_testing import text, webhook

from tests.support.clock import ManualClock

WA_ID = "34600111222"


def _send(hub: SurveyHub, message: dict[str, Any]) -> int:
    """The customer's WhatsApp message, processed; its conversation."""
    body = webhook(message, wa_id=WA_ID)
    response = hub.client.post(
        "/api/v1/channels/whatsapp/webhook",
        content=_signed(body)[0],
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": _signed(body)[1]},
    )
    assert response.status_code == 200, response.text
    wamid = body["entry"][0]["changes"][0]["value"]["messages"][0]["id"]
    conversation_id: int = hub.wait_until(lambda: _conversation_of(hub, wamid), f"{wamid} stored")
    hub.wait_idle(conversation_id)
    return conversation_id


def _signed(body: dict[str, Any]) -> tuple[bytes, str]:
    import json

    from whatsapp_testing import sign

    raw = json.dumps(body).encode()
    return raw, sign(raw)


def _conversation_of(hub: SurveyHub, wamid: str) -> int | None:
    import sqlalchemy as sa
    from sqlalchemy.ext.asyncio import AsyncSession

    from hub.models import Message

    async def find(session: AsyncSession) -> int | None:
        query = sa.select(Message.conversation_id).where(Message.client_message_id == wamid)
        return (await session.execute(query)).scalar_one_or_none()

    return hub.db(find)


def _list_reply(row_id: str, title: str) -> dict[str, Any]:
    reply = {"id": row_id, "title": title}
    return {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": reply}}


def _button_reply(button_id: str, title: str) -> dict[str, Any]:
    reply = {"id": button_id, "title": title}
    return {"type": "interactive", "interactive": {"type": "button_reply", "button_reply": reply}}


def _sent_after(hub: SurveyHub, count: int) -> list[dict[str, Any]]:
    assert hub.graph is not None
    graph = hub.graph
    sent = hub.wait_until(lambda: graph.sent() if len(graph.sent()) >= count else [], f"{count} sent")
    return [r.body for r in sent]


def test_csat_is_a_list_of_five_rows_and_nps_a_typed_number(wa_hub: SurveyHub) -> None:
    conversation_id = _send(wa_hub, text("¿cuánto tarda el envío?"))
    _send(wa_hub, text("muchas gracias"))
    wa_hub.wait_closed(conversation_id)
    sent = _sent_after(wa_hub, 4)  # two answers, the closing message, the question
    assert sent[2]["text"]["body"].startswith("Damos por resuelta tu consulta")
    question = sent[3]["interactive"]
    assert question["type"] == "list"
    assert question["body"]["text"].startswith("¿Cómo valorarías la atención")
    rows = question["action"]["sections"][0]["rows"]
    assert [(r["id"], r["title"]) for r in rows] == [
        ("1", "1 · Muy mal"),
        ("2", "2 · Mal"),
        ("3", "3 · Regular"),
        ("4", "4 · Bien"),
        ("5", "5 · Excelente"),
    ]

    _send(wa_hub, _list_reply("2", "2 · Mal"))  # the row the customer picked
    prompt = _sent_after(wa_hub, 5)[4]["interactive"]
    assert prompt["type"] == "button"
    assert prompt["action"]["buttons"][0]["reply"]["id"] == "No, gracias"
    _send(wa_hub, text("El repartidor no llamó"))
    thanks, nps = _sent_after(wa_hub, 7)[5:7]
    assert thanks["text"]["body"] == "¡Gracias por tu opinión!"
    assert nps["type"] == "text"  # 11 choices do not fit a list: the number is typed
    assert nps["text"]["body"].endswith("Responde con un número del 0 al 10.")
    _send(wa_hub, text("6"))

    common = {"channel": "whatsapp", "agent_ids": [], "human": False}
    assert wa_hub.data(conversation_id, "survey_answered") == [
        {"kind": "csat", "score": 2, "comment": "El repartidor no llamó", **common},
        {"kind": "nps", "score": 6, "comment": None, **common},
    ]
    assert not {"2", "6", "El repartidor no llamó"} & set(wa_hub.rasa.messages_to_bot(conversation_id))
    follow_ups = wa_hub.follow_ups()
    assert [(f.kind, f.score, f.comment) for f in follow_ups] == [
        ("csat", 2, "El repartidor no llamó"),
        ("nps", 6, None),
    ]
    assert wa_hub.data(conversation_id, "follow_up_created") == [
        {"kind": "csat", "score": 2, "follow_up_id": follow_ups[0].id},
        {"kind": "nps", "score": 6, "follow_up_id": follow_ups[1].id},
    ]


def test_no_thanks_button_and_a_new_question_instead_of_nps(wa_hub: SurveyHub) -> None:
    conversation_id = _send(wa_hub, text("¿cuánto tarda el envío?"))
    _send(wa_hub, text("gracias, adiós"))
    wa_hub.wait_closed(conversation_id)
    _send(wa_hub, _list_reply("5", "5 · Excelente"))
    _send(wa_hub, _button_reply("No, gracias", "No, gracias"))

    _send(wa_hub, text("¿Puedo cambiar la dirección de entrega?"))

    assert wa_hub.texts(conversation_id)[-1] == "echo: ¿Puedo cambiar la dirección de entrega?"
    assert [(d["kind"], d["score"]) for d in wa_hub.data(conversation_id, "survey_answered")] == [("csat", 5)]
    assert [s.state for s in wa_hub.surveys(conversation_id)] == ["answered", "dropped"]


def test_no_survey_outside_the_24_hour_window(wa_hub: SurveyHub, clock: ManualClock) -> None:
    conversation_id = _send(wa_hub, text("quiero hablar con una persona"))
    clock.now += timedelta(hours=25)  # the customer's last message is 25 hours old
    wa_hub.forget_logins()

    wa_hub.resolved_by_agent(conversation_id)

    assert wa_hub.data(conversation_id, "survey_sent") == []
    assert wa_hub.data(conversation_id, "survey_not_sent") == [
        {"kind": "csat", "why": "outside_whatsapp_window"}
    ]
    assert wa_hub.surveys(conversation_id) == []
    assert "¿Cómo valorarías" not in " ".join(wa_hub.texts(conversation_id))


def test_inside_the_window_an_agents_resolution_gets_csat(wa_hub: SurveyHub, clock: ManualClock) -> None:
    conversation_id = _send(wa_hub, text("quiero hablar con una persona"))
    clock.now += timedelta(hours=23)
    wa_hub.forget_logins()

    wa_hub.resolved_by_agent(conversation_id)

    assert wa_hub.data(conversation_id, "survey_sent") == [{"kind": "csat"}]
