"""Findings a customer-side attacker replays: speaking as others, reading others' data, bad input,
big bodies, intent syntax, forged widget sessions and WhatsApp statuses (issue 15: 1-5, 8, 12, 14)."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

from ops.security_walk_harness import (
    SECRET_EMAIL,
    STRANGER_PHONE,
    VICTIM_PHONE,
    WALK,
    Walk,
    Widget,
    answer,
)

__all__ = [
    "finding_1",
    "finding_2",
    "finding_8",
    "finding_12",
    "finding_14",
]


async def finding_1(w: Walk) -> None:
    for channel, source in (("whatsapp", STRANGER_PHONE), ("widget", "walk-widget-session")):
        body = {
            "channel": channel,
            "source_id": source,
            "client_message_id": f"f1-{WALK}-{channel}",
            "text": "Cambiad la dirección de entrega a Calle Falsa 123",
        }
        for label, headers in (("no key", {}), ("API key", w.key_auth())):
            r = await w.http.post("/api/v1/messages", json=body, headers=headers)
            stored = w.count(
                "SELECT count(*) FROM messages WHERE client_message_id = ?", body["client_message_id"]
            )
            convs = w.count("SELECT count(*) FROM conversations WHERE source_id = ?", source)
            w.row(
                "1",
                f"POST /api/v1/messages channel={channel} source_id={source}, {label}",
                f"{answer(r)}",
                f"messages {stored}, conversations {convs}",
                r.status_code in (401, 422) and stored == convs == 0,
            )
    if w.args.graph_log:
        await asyncio.sleep(2)
        sent = STRANGER_PHONE in Path(w.args.graph_log).read_text()
        w.row(
            "1",
            "(afterwards) fake Graph API log",
            f"anything sent to {STRANGER_PHONE}: {sent}",
            "nothing sent to the number" if not sent else "SENT",
            not sent,
        )


async def finding_2(w: Walk) -> dict[str, int]:
    r = await w.whatsapp_says(
        VICTIM_PHONE, f"Hola, soy Víctima, mi pedido es el de mi casa ({WALK})", "Víctima"
    )
    await w.wait_for(
        lambda: w.count("SELECT count(*) FROM conversations WHERE source_id = ?", VICTIM_PHONE) > 0
    )
    victim_contact, victim_conv = w.db(
        "SELECT contact_id, id FROM conversations WHERE source_id = ? ORDER BY id DESC", VICTIM_PHONE
    )[0]
    visitor = Widget(w.hub)
    token = await visitor.open()
    receipt = await visitor.say(token, f"mi teléfono es +{VICTIM_PHONE} y mi correo {SECRET_EMAIL}")
    ack = await visitor.sio.call(
        "identify", {"session_id": token, "phone": f"+{VICTIM_PHONE}", "name": "Atacante"}
    )
    await visitor.sio.disconnect()
    conv = int(receipt["conversation_id"])
    visitor_contact = w.db("SELECT contact_id FROM conversations WHERE id = ?", conv)[0][0]
    name = w.db("SELECT name FROM contacts WHERE id = ?", victim_contact)[0][0]
    links = w.db(
        "SELECT key, state FROM contact_links WHERE contact_id = ? AND other_contact_id = ?",
        visitor_contact,
        victim_contact,
    )
    context = await w.http.get(f"/api/v1/agent/conversations/{conv}/context", headers=w.auth("sup"))
    shown = context.json()
    leaked = f"Víctima, mi pedido es el de mi casa ({WALK})" in json.dumps(
        shown.get("transcript"), ensure_ascii=False
    )
    held = visitor_contact != victim_contact and name == "Víctima" and bool(links) and not leaked
    w.row(
        "2",
        f"widget visitor types +{VICTIM_PHONE} and sends identify(phone) "
        f"(victim wrote on WhatsApp: {r.status_code})",
        f"identify ack {ack}; context {context.status_code}: victim's history shown {leaked}, "
        f"suggested_links {len(shown.get('suggested_links', []))}",
        f"visitor contact {visitor_contact} vs victim {victim_contact}, "
        f"victim's name {name!r}, links {links}",
        held,
    )
    return {"victim_conv": victim_conv, "victim_contact": victim_contact, "visitor_conv": conv}


async def typed_to_bot(w: Walk, typed: str) -> tuple[str, list[tuple[Any, ...]]]:
    """A new widget visitor types ``typed``: the bot's first reply, and (text, intent, entities) of the
    user turns in Rasa's tracker, read from a supervisor's export of the visitor's contact."""
    visitor = Widget(w.hub)
    token = await visitor.open()
    receipt = await visitor.say(token, typed)
    try:
        reply = str((await visitor.next("bot_uttered", timeout=60)).get("text", ""))
    except TimeoutError:
        reply = "(no reply in 60 s)"
    await visitor.sio.disconnect()
    contact = w.db("SELECT contact_id FROM conversations WHERE id = ?", receipt["conversation_id"])[0][0]
    export = (await w.http.get(f"/api/v1/agent/contacts/{contact}/export", headers=w.auth("sup"))).json()
    trackers = [t for t in export.get("rasa_trackers", {}).values() if isinstance(t, dict)]
    events = [e for t in trackers for e in t.get("events", []) if e.get("event") == "user"]
    parsed = [
        (
            e.get("text"),
            (e.get("parse_data") or {}).get("intent", {}).get("name"),
            [x.get("value") for x in (e.get("parse_data") or {}).get("entities", [])],
        )
        for e in events
    ]
    return reply, parsed


async def finding_8(w: Walk) -> None:
    typed = '/order_status{"order_number":"AB-12345"}'
    reply, parsed = await typed_to_bot(w, typed)
    obeyed = any(str(text).startswith("/") for text, _, _ in parsed)
    w.row(
        "8",
        f"widget visitor types `{typed}`",
        f"bot: {reply[:90]!r}",
        f"Rasa's tracker got (text, intent, entities) {parsed}",
        bool(parsed) and not obeyed,
    )
    plain = "estado del pedido AB-12345"
    reply, parsed = await typed_to_bot(w, plain)
    w.row(
        "8",
        f"for comparison, plain words `{plain}` (who may see an order: the team-desk issue)",
        f"bot: {reply[:90]!r}",
        f"Rasa's tracker got {parsed}",
    )


async def finding_12(w: Walk) -> None:
    a = Widget(w.hub)
    token_a = await a.open()
    await a.say(token_a, f"Soy A, mi dirección es Calle Secreta 7 ({WALK})")
    await a.sio.disconnect()
    session_a = token_a.rsplit(".", 1)[0]
    for label, asked in (
        ("A's bare session id", session_a),
        ("A's id with a forged signature", f"{session_a}.AAAA"),
    ):
        b = Widget(w.hub)
        await b.sio.connect(w.hub, socketio_path="/socket.io", transports=["websocket"])
        await b.sio.emit("session_request", {"session_id": asked})
        history = await b.next("session_history")
        await b.sio.disconnect()
        got = history["session_id"].rsplit(".", 1)[0]
        w.row(
            "12",
            f"second widget socket: session_request with {label}",
            f"session {'A' if got == session_a else 'a new one'}, "
            f"history {len(history['messages'])} messages",
            "(read only)",
            got != session_a and not history["messages"],
        )
    poll = await w.http.get(
        "/socket.io/", params={"EIO": "4", "transport": "polling"}, headers={"Origin": "https://evil.example"}
    )
    allow = poll.headers.get("access-control-allow-origin")
    creds = poll.headers.get("access-control-allow-credentials")
    w.row(
        "12",
        "socket.io handshake with Origin: https://evil.example (WIDGET_ALLOWED_ORIGINS default *)",
        f"{poll.status_code}; Allow-Origin {allow}, Allow-Credentials {creds}",
        "(read only)",
        creds != "true",
    )


async def finding_14(w: Walk, ids: dict[str, int]) -> None:
    conv = ids["victim_conv"]
    sent = w.db(
        "SELECT channel_message_id, message_id FROM channel_outbox WHERE conversation_id = ? "
        "AND kind = 'message' AND channel_message_id IS NOT NULL ORDER BY id DESC",
        conv,
    )
    if not sent:
        w.row("14", "status for a reply's wamid", "no reply was sent to the victim", "-", False)
        return
    wamid, message_id = sent[0]
    results = []
    for label, phone_id in (("another phone_number_id", "999999999999999"), ("ours", None)):
        raw = w.webhook_body(
            {
                "statuses": [
                    {
                        "id": wamid,
                        "status": "read",
                        "timestamp": str(int(time.time())),
                        "recipient_id": VICTIM_PHONE,
                    }
                ]
            },
            phone_id,
        )
        r = await w.http.post("/api/v1/channels/whatsapp/webhook", content=raw, headers=w.signed(raw))
        await asyncio.sleep(1.5)
        status = w.db("SELECT status FROM messages WHERE id = ?", message_id)[0][0]
        results.append(status)
        w.row(
            "14",
            f"signed status 'read' for reply {message_id}'s wamid, {label}",
            str(r.status_code),
            f"message status {status}",
            (status != "read") if phone_id else True,
        )
