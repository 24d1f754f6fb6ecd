"""The signals as labelled queries (the eval JSONL contract ``{"text", "expected", "lang"}``): the CLI
``python -m learning export`` (agents' labels only by default) and the supervisors' API."""

from __future__ import annotations

import json
from pathlib import Path

from learning_testing import LearningHub

from knowledge_base.labelled_queries import load_queries
from learning.__main__ import main


def _label(
    hub: LearningHub, headers: dict[str, str], conversation_id: int, text: str, body: dict[str, str]
) -> None:
    message_id = next(
        m["id"]
        for m in hub.messages(conversation_id)
        if m["message_type"] == "incoming" and text in m["text"]
    )
    response = hub.client.put(f"/api/v1/learning/messages/{message_id}/label", json=body, headers=headers)
    assert response.status_code == 200, response.text


def _signals(hub: LearningHub) -> dict[str, str]:
    """Agent labels on three turns, a customer's Sí and a clarify pick; a supervisor's headers."""
    first = hub.say("¿cómo puedo pagar?")
    hub.say("/request_human")
    hub.wait_status(first, "open")
    hub.add_agent("sara@x.example", role="supervisor")
    sara = hub.login("sara@x.example")
    _label(hub, sara, first, "¿cómo puedo pagar?", {"label": "faq", "entry_id": "pago-metodos"})
    _label(hub, sara, first, "Ninguna", {"label": "not_question"})
    second = hub.say("mi paquete llegó roto", source_id="cust-2")
    hub.say("persona por favor", source_id="cust-2")
    hub.wait_status(second, "open")
    _label(hub, sara, second, "mi paquete llegó roto", {"label": "no_faq"})
    third = hub.say("¿cuánto tarda mi pedido?", source_id="cust-3")
    hub.wait_until(lambda: hub.texts(third)[-1] == "¿Te ha servido?", "asked")
    hub.say("sí", source_id="cust-3")
    hub.say("¿cómo puedo pagar a plazos?", source_id="cust-3")
    hub.say('/choose_faq{"faq_id":"pago-aplazado"}', source_id="cust-3")
    hub.wait_until(lambda: hub.signals("clarify_pick"), "picked")
    return sara


def test_cli_exports_confirmed_labels_by_default_and_weaker_ones_when_asked(
    hub: LearningHub, tmp_path: Path, monkeypatch: object
) -> None:
    _signals(hub)
    monkeypatch.setenv("DATABASE_URL", str(hub.services.settings.db_url))  # type: ignore[attr-defined]
    out = tmp_path / "labelled.jsonl"
    assert main(["export", "--out", str(out)]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"text": "¿cómo puedo pagar?", "expected": "pago-metodos", "lang": "es"},
        {"text": "mi paquete llegó roto", "expected": None, "lang": "es"},
    ]
    assert len(load_queries(out, known_ids={"pago-metodos"})) == 2  # the KB's own reader takes it

    assert main(["export", "--out", str(out), "--weakest", "implicit"]) == 0
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(line["text"], line["expected"]) for line in lines} == {
        ("¿cómo puedo pagar?", "pago-metodos"),  # the agent's label, not the weaker "none fits"
        ("mi paquete llegó roto", None),
        ("¿cuánto tarda mi pedido?", "envio-plazo"),
        ("¿cómo puedo pagar a plazos?", "pago-aplazado"),
    }


def test_supervisors_export_and_list_through_the_api(hub: LearningHub) -> None:
    sara = _signals(hub)
    exported = hub.client.get("/api/v1/learning/export", headers=sara)
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith("application/x-ndjson")
    assert len(exported.text.splitlines()) == 2
    listed = hub.client.get("/api/v1/learning/signals", params={"strength": "explicit"}, headers=sara)
    assert [(s["kind"], s["expected"]) for s in listed.json()] == [("helpful", "envio-plazo")]
    hub.add_agent("ana@x.example")
    ana = hub.login("ana@x.example")
    refused = hub.client.get("/api/v1/learning/export", headers=ana)
    assert (refused.status_code, refused.json()["error"]["code"]) == (403, "supervisor_only")
