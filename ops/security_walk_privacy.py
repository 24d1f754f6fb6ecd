"""Finding 9 replayed: who may export and erase a contact, whether an erasure leaves anything behind in
the hub or in Rasa's tracker store (also when it lands while the bot's turn is in flight, and for the
next customer), and whether the logs hold the phones and emails customers sent."""

from __future__ import annotations

import asyncio
import sqlite3
import time

from ops.security_walk_harness import SECRET_EMAIL, VICTIM_PHONE, WALK, Walk, answer

__all__ = ["finding_9"]


def tracker_rows(w: Walk, conversation_id: int) -> int:
    """Rows of a conversation in Rasa's SQL tracker store (make run: DATA_DIR/rasa_tracker.db)."""
    uri = f"file:{w.data_dir / 'rasa_tracker.db'}?mode=ro"
    with sqlite3.connect(uri, uri=True) as conn:
        row = conn.execute("SELECT count(*) FROM events WHERE sender_id = ?", (str(conversation_id),))
        return int(row.fetchone()[0])


async def customer_to_erase(w: Walk, wa_id: str, text: str, *, until: str) -> tuple[int, int]:
    """A WhatsApp customer who wrote ``text``, once the hub ``until`` (stored the bot's answer | asked
    Rasa and has no answer yet: the turn is in flight): (contact, conversation)."""
    await w.whatsapp_says(wa_id, text, "Borrar")
    query = "SELECT contact_id, id FROM conversations WHERE source_id = ? ORDER BY id DESC"
    contact, conv = w.db(query, wa_id)[0]
    done = {
        "answered": "SELECT count(*) FROM messages WHERE conversation_id = ? AND message_type = 'outgoing'",
        "asked": "SELECT count(*) FROM messages WHERE conversation_id = ? AND bot_asked_at IS NOT NULL "
        "AND bot_state = 'queued'",
    }[until]
    deadline = time.monotonic() + 60
    while w.count(done, conv) == 0 and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    return int(contact), int(conv)


async def tracker_texts(w: Walk, contact: int) -> list[str]:
    """The customer texts in the Rasa trackers of a contact's export (as a supervisor)."""
    export = (await w.http.get(f"/api/v1/agent/contacts/{contact}/export", headers=w.auth("sup"))).json()
    trackers = [t for t in export.get("rasa_trackers", {}).values() if isinstance(t, dict)]
    return [str(e.get("text")) for t in trackers for e in t.get("events", []) if e.get("event") == "user"]


async def finding_9(w: Walk) -> None:
    erased_text = f"Borrad mis datos, mi correo es borrar.{WALK}@example.com"
    contact, conv = await customer_to_erase(w, "34600999009", erased_text, until="answered")
    path = f"/api/v1/agent/contacts/{contact}"
    agent_export = await w.http.get(f"{path}/export", headers=w.auth("ana"))
    agent_erase = await w.http.delete(path, headers=w.auth("ana"))
    sup_export = await w.http.get(f"{path}/export", headers=w.auth("sup"))
    left = w.count("SELECT count(*) FROM contacts WHERE id = ?", contact)
    w.row(
        "9",
        f"agent (role agent): export and erase contact {contact}",
        f"{answer(agent_export)}, {answer(agent_erase)}; supervisor export {sup_export.status_code} "
        f"({len(sup_export.content)} bytes)",
        f"contact still there: {left == 1}",
        agent_export.status_code == agent_erase.status_code == 403
        and sup_export.status_code == 200
        and left == 1,
    )
    cases = (
        ("after the bot answered", "", "answered"),
        ("while the hub waits for Rasa's answer", "34600999019", "asked"),
    )
    for label, wa_id, until in cases:
        who, conversation = (
            (contact, conv) if not wa_id else await customer_to_erase(w, wa_id, erased_text, until=until)
        )
        erase = await w.http.delete(f"/api/v1/agent/contacts/{who}", headers=w.auth("sup"))
        again = await w.http.delete(f"/api/v1/agent/contacts/{who}", headers=w.auth("sup"))
        await asyncio.sleep(10)  # the turn ends, Rasa saves its tracker
        rows = w.count("SELECT count(*) FROM messages WHERE contact_id = ?", who)
        tracker = tracker_rows(w, conversation)
        w.row(
            "9",
            f"supervisor erases contact {who} {label}, then again",
            f"{erase.status_code}, again {answer(again)}",
            f"10 s later: hub messages {rows}, Rasa tracker rows of conversation {conversation}: {tracker}",
            erase.status_code == 200 and again.status_code == 404 and rows == tracker == 0,
        )
    newcomer, newcomer_conv = await customer_to_erase(
        w, "34600999029", "Hola, ¿qué horario tenéis?", until="answered"
    )
    inherited = [t for t in await tracker_texts(w, newcomer) if "Borrad mis datos" in t]
    w.row(
        "9",
        "then a new WhatsApp customer writes; a supervisor exports their contact",
        f"their conversation id {newcomer_conv}; erased texts in their Rasa tracker: {inherited}",
        f"contact {newcomer}",
        not inherited,
    )
    secrets = [VICTIM_PHONE, VICTIM_PHONE[2:], SECRET_EMAIL, f"borrar.{WALK}@example.com"]
    logs = sorted((w.data_dir / "logs").glob("*.log"))
    hits = {p.name: [s for s in secrets if s in p.read_text(errors="replace")] for p in logs}
    w.row(
        "9",
        f"grep DATA_DIR/logs/*.log for the phones/emails sent ({len(secrets)} strings)",
        "; ".join(f"{n}: {h or 'none'}" for n, h in hits.items()),
        "(logs)",
        not any(hits.values()),
    )
