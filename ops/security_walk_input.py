"""Findings about what the hub is sent: 50 MB bodies, ids over 2^63, lone surrogates, NUL bytes, JSON
nested 100,000 deep, and a WhatsApp text longer than the limit (issue 15: 3, 4, 5)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from ops.security_walk_harness import MB, WALK, Walk, answer, big_body

__all__ = ["finding_3", "finding_4", "finding_5"]

INCOMING = "SELECT count(*) FROM messages WHERE message_type = 'incoming'"


async def finding_3(w: Walk) -> None:
    before = w.rss_mib()
    async with httpx.AsyncClient(base_url=w.hub, timeout=120) as fresh:

        async def post(path: str, chunked: bool, headers: dict[str, str]) -> str:
            content: Any = big_body(50 * MB) if chunked else b"a" * (50 * MB)
            try:
                r = await fresh.post(
                    path, content=content, headers={"Content-Type": "application/json", **headers}
                )
                return f"{answer(r)}"
            except httpx.HTTPError as exc:
                return f"connection closed ({type(exc).__name__})"

        count_before = w.count(INCOMING)
        msgs = await asyncio.gather(*(post("/api/v1/messages", True, w.key_auth()) for _ in range(4)))
        declared = await post("/api/v1/messages", False, w.key_auth())
        hook = await post("/api/v1/channels/whatsapp/webhook", False, {"X-Hub-Signature-256": "sha256=00"})
        hook_chunked = await post(
            "/api/v1/channels/whatsapp/webhook", True, {"X-Hub-Signature-256": "sha256=00"}
        )
    after = w.rss_mib()
    stored = w.count(INCOMING) - count_before
    w.row(
        "3",
        "4 concurrent 50 MB chunked bodies to /api/v1/messages (API key); one with Content-Length",
        f"{', '.join(msgs)}; declared: {declared}",
        f"customer messages +{stored}; hub RSS {before:.0f} -> {after:.0f} MiB",
        all(m.startswith("413") for m in msgs) and declared.startswith("413") and after - before < 100,
    )
    w.row(
        "3",
        "50 MB webhook (Content-Length, then chunked), bad signature",
        f"{hook}; chunked: {hook_chunked}",
        f"customer messages +{stored}; RSS after {w.rss_mib():.0f} MiB",
        hook.startswith("413") and hook_chunked.startswith("413"),
    )
    await asyncio.sleep(0)


async def finding_4(w: Walk, ids: dict[str, int]) -> None:
    huge = 2**64
    before = w.count(INCOMING)
    for sent, method, path, kwargs in (
        (
            f"GET /api/v1/conversations/{huge} (agent)",
            "GET",
            f"/api/v1/conversations/{huge}",
            {"headers": w.auth("sup")},
        ),
        (
            f"GET .../messages?after_id={huge}",
            "GET",
            f"/api/v1/conversations/{ids['visitor_conv']}/messages",
            {"headers": w.auth("sup"), "params": {"after_id": str(huge)}},
        ),
        (
            f"POST /api/v1/agent/conversations/{huge}/claim",
            "POST",
            f"/api/v1/agent/conversations/{huge}/claim",
            {"headers": w.auth("sup")},
        ),
        (
            "POST /api/v1/messages text with a lone surrogate \\ud800",
            "POST",
            "/api/v1/messages",
            {
                "headers": {**w.key_auth(), "Content-Type": "application/json"},
                "content": b'{"channel":"api","source_id":"walk-4",'
                b'"client_message_id":"f4a","text":"x\\ud800y"}',
            },
        ),
        (
            "POST /api/v1/messages text with a NUL byte",
            "POST",
            "/api/v1/messages",
            {
                "headers": w.key_auth(),
                "json": {
                    "channel": "api",
                    "source_id": "walk-4",
                    "client_message_id": "f4b",
                    "text": "a\x00b",
                },
            },
        ),
        (
            "POST /api/v1/messages source_id with a NUL byte",
            "POST",
            "/api/v1/messages",
            {
                "headers": w.key_auth(),
                "json": {
                    "channel": "api",
                    "source_id": "walk\x004",
                    "client_message_id": "f4c",
                    "text": "hola",
                },
            },
        ),
    ):
        r = await w.http.request(method, path, **kwargs)
        w.row(
            "4",
            sent,
            f"{answer(r)}; {await w.still_alive()}",
            f"messages +{w.count(INCOMING) - before}",
            400 <= r.status_code < 500,
        )
    surrogate = w.webhook_body(
        {
            "contacts": [{"profile": {"name": "S"}, "wa_id": "34600999004"}],
            "messages": [
                {
                    "from": "34600999004",
                    "id": f"wamid.S{WALK}",
                    "timestamp": "1",
                    "type": "text",
                    "text": {"body": "x\ud800y"},
                }
            ],
        }
    )
    deep = b"[" * 100_000 + b"]" * 100_000
    for sent, raw in (
        ("signed webhook, text with a lone surrogate", surrogate),
        ("signed webhook, JSON nested 100,000 deep", deep),
    ):
        r = await w.http.post("/api/v1/channels/whatsapp/webhook", content=raw, headers=w.signed(raw))
        rows = w.count("SELECT count(*) FROM messages WHERE channel_message_id = ?", f"wamid.S{WALK}")
        w.row(
            "4",
            sent,
            f"{answer(r, message=110)}; {await w.still_alive()}",
            f"messages with its wamid {rows}",
            400 <= r.status_code < 500 and rows == 0,
        )


async def finding_5(w: Walk) -> None:
    wa_id = "34600999005"
    r = await w.whatsapp_says(wa_id, "Muy largo. " + "x" * 4989)
    await w.wait_for(lambda: w.count("SELECT count(*) FROM conversations WHERE source_id = ?", wa_id) > 0, 20)
    found = w.db(
        "SELECT m.id, length(m.text), m.context, c.id FROM messages m JOIN conversations c "
        "ON c.id = m.conversation_id WHERE c.source_id = ? AND m.message_type = 'incoming' "
        "ORDER BY m.id DESC",
        wa_id,
    )
    if not found:
        w.row("5", "signed webhook, 5,000-character text", str(r.status_code), "nothing stored", False)
        return
    message_id, length, context, conv = found[0]
    listed = await w.http.get(f"/api/v1/conversations/{conv}/messages", headers=w.auth("sup"))
    visible = any(m["id"] == message_id for m in listed.json().get("messages", []))
    w.row(
        "5",
        "signed webhook, 5,000-character text",
        f"{r.status_code}; an agent lists it: {visible}",
        f"stored, {length} chars, context {context}",
        "truncated" in (context or "") and visible,
    )
