"""A contact's personal data through the agent API: a supervisor exports all of it or erases all of it
(hub/privacy, handoff/api/routes/privacy.py); nothing of an erased contact stays in any table or in
Rasa's tracker store, an anonymous record does; agents get 403."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from tests.support.conversation_changes import resolved_hours_ago

EMAIL = "ana.privacidad@example.com"
ORDER = "pedido ZX-4711"


def _everything(desk: Desk) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table of the hub database."""

    async def dump(session: AsyncSession) -> dict[str, list[dict[str, Any]]]:
        conn = await session.connection()
        metadata = sa.MetaData()
        await conn.run_sync(lambda sync: metadata.reflect(sync))
        return {
            name: [dict(r) for r in (await conn.execute(sa.select(table))).mappings()]
            for name, table in metadata.tables.items()
        }

    return desk.db(dump)


def _tracker_store(path: Path, senders: list[str]) -> None:
    """Rasa's SQL tracker store as Rasa 3.6 creates it (table events, one row per tracker event)."""
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id VARCHAR(255) NOT NULL, "
                   "type_name VARCHAR(255) NOT NULL, timestamp FLOAT, intent_name VARCHAR(255), "
                   "action_name VARCHAR(255), data TEXT)")
        for sender in senders:
            db.execute("INSERT INTO events (sender_id, type_name, data) VALUES (?, 'user', ?)",
                       (sender, f'{{"text": "{ORDER} de {sender}"}}'))


def _tracker_senders(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return [row[0] for row in db.execute("SELECT sender_id FROM events ORDER BY id")]


def _customer_with_everything(desk: Desk) -> dict[str, Any]:
    """Ana: an email and an order in her texts, a handed-off conversation an agent answered, noted and
    resolved, then a new conversation with the bot."""
    text = f"soy {EMAIL}, quiero hablar con una persona sobre mi {ORDER}"
    first = desk.hand_off(text, source_id="cli-ana-7")
    desk.add_agent("eva@tiendasol.example")
    eva = desk.login("eva@tiendasol.example")
    base = f"/api/v1/agent/conversations/{first}"
    for path, body in (("claim", {}), ("messages", {"text": "Lo miro ahora"}),
                       ("notes", {"text": f"nota sobre {ORDER}"}), ("resolve", {})):
        response = desk.client.post(f"{base}/{path}", json=body, headers=eva)
        assert response.status_code in (200, 201), response.text
    desk.db(resolved_hours_ago(first, 73))  # past REOPEN_WINDOW_HOURS: her next message starts anew
    again = desk.customer("gracias, otra pregunta", source_id="cli-ana-7")
    desk.wait_idle(again["conversation_id"])
    assert again["conversation_id"] != first
    conversation_ids = [first, again["conversation_id"]]
    return {"contact_id": again["contact_id"], "conversation_ids": conversation_ids, "eva": eva}


def _supervisor(desk: Desk) -> dict[str, str]:
    desk.add_agent("sara@tiendasol.example", role="supervisor")
    return desk.login("sara@tiendasol.example", online=False)


def test_a_supervisor_exports_everything_held_about_a_contact(desk: Desk) -> None:
    ana = _customer_with_everything(desk)
    sara = _supervisor(desk)

    response = desk.client.get(f"/api/v1/agent/contacts/{ana['contact_id']}/export", headers=sara)

    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    body = response.json()
    assert body["contact"]["email"] == EMAIL  # her own data: not masked
    tables = body["tables"]
    assert [i["source_id"] for i in tables["contact_identities"]] == ["cli-ana-7"]
    assert [c["id"] for c in tables["conversations"]] == ana["conversation_ids"]
    texts = [m["text"] for m in tables["messages"]]
    assert f"soy {EMAIL}, quiero hablar con una persona sobre mi {ORDER}" in texts
    assert {"Lo miro ahora", "gracias, otra pregunta"} <= set(texts)
    assert {"conversation_created", "note_added", "agent_assigned"} <= {e["kind"] for e in tables["events"]}
    assert [n["data"]["text"] for n in body["notes"]] == [f"nota sobre {ORDER}"]
    assert [h["reason"] for h in tables["handoffs"]] == ["explicit_request"]
    assert set(body["rasa_trackers"]) == {str(i) for i in ana["conversation_ids"]}
    for conversation_id in ana["conversation_ids"]:
        assert body["rasa_trackers"][str(conversation_id)]["sender_id"] == str(conversation_id)


def test_erasure_leaves_nothing_of_the_contact_in_any_table_nor_in_rasa(desk: Desk, tmp_path: Path) -> None:
    ana = _customer_with_everything(desk)
    other = desk.customer("hola, soy otro cliente", source_id="cli-otro")
    desk.wait_idle(other["conversation_id"])
    store = tmp_path / "rasa_tracker.db"  # DATA_DIR/rasa_tracker.db, as make run configures Rasa
    _tracker_store(store, [*map(str, ana["conversation_ids"]), str(other["conversation_id"])])
    sara = _supervisor(desk)

    response = desk.client.delete(f"/api/v1/agent/contacts/{ana['contact_id']}", headers=sara)

    assert response.status_code == 200, response.text
    receipt = response.json()
    assert receipt["conversation_ids"] == ana["conversation_ids"]
    assert receipt["counts"]["contacts"] == 1 and receipt["counts"]["handoffs"] == 1
    assert receipt["counts"]["rasa_tracker_events"] == 2
    assert receipt["requested_by"].startswith("agent ")
    rows = _everything(desk)
    everything = repr({name: found for name, found in rows.items() if name != "erasures"})
    for trace in (EMAIL, ORDER, "cli-ana-7", "nota sobre", "Lo miro ahora"):
        assert trace not in everything
    for name, found in rows.items():
        if name == "erasures":
            continue
        for row in found:
            assert row.get("contact_id") != ana["contact_id"], (name, row)
            assert row.get("conversation_id") not in ana["conversation_ids"], (name, row)
    assert ana["contact_id"] not in [c["id"] for c in rows["contacts"]]
    [audit] = rows["erasures"]
    assert (audit["contact_id"], audit["reason"]) == (ana["contact_id"], "request")
    assert EMAIL not in repr(audit) and ORDER not in repr(audit)
    assert _tracker_senders(store) == [str(other["conversation_id"])]
    # The other customer keeps everything.
    assert desk.messages(other["conversation_id"])[0]["text"] == "hola, soy otro cliente"


def test_a_second_erasure_and_a_late_export_say_the_contact_was_erased(desk: Desk) -> None:
    receipt = desk.customer("hola", source_id="cli-dos-veces")
    desk.wait_idle(receipt["conversation_id"])
    sara = _supervisor(desk)
    url = f"/api/v1/agent/contacts/{receipt['contact_id']}"
    assert desk.client.delete(url, headers=sara).status_code == 200

    again = desk.client.delete(url, headers=sara)
    export = desk.client.get(f"{url}/export", headers=sara)

    for response in (again, export):
        assert response.status_code == 404, response.text
        error = response.json()["error"]
        assert error["code"] == "contact_erased" and "erasure" in error["message"]
    assert len(_everything(desk)["erasures"]) == 1
    unknown = desk.client.delete("/api/v1/agent/contacts/999", headers=sara)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "contact_not_found")


def test_agents_who_are_not_supervisors_may_neither_export_nor_erase(desk: Desk) -> None:
    ana = _customer_with_everything(desk)
    url = f"/api/v1/agent/contacts/{ana['contact_id']}"

    export = desk.client.get(f"{url}/export", headers=ana["eva"])
    erase = desk.client.delete(url, headers=ana["eva"])
    anonymous = desk.client.delete(url)

    for response in (export, erase):
        assert response.status_code == 403, response.text
        assert response.json()["error"]["code"] == "supervisor_only"
    assert anonymous.status_code == 401
    assert any(c["id"] == ana["contact_id"] for c in _everything(desk)["contacts"])
