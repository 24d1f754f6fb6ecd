"""Findings about the staff's side and the ports: logins, Rasa and the action server, personal data,
pages' headers, agent sockets, permissions and the API contract (issue 15: 6, 7, 9, 10, 11, 13, 15)."""

from __future__ import annotations

import asyncio
import json
import re
import subprocess

import httpx
import websockets

from ops.security_walk_harness import (
    WALK,
    Walk,
    answer,
)

__all__ = [
    "finding_6",
    "finding_7",
    "finding_10",
    "finding_11",
    "finding_13",
    "finding_15",
    "server_errors",
]


async def finding_6(w: Walk) -> None:
    statuses = []
    for _ in range(6):
        statuses.append(
            (
                await w.http.post(
                    "/api/v1/agent/login", json={"email": f"locked-{WALK}@walk.example", "password": "wrong"}
                )
            ).status_code
        )
    right = await w.http.post(
        "/api/v1/agent/login", json={"email": f"locked-{WALK}@walk.example", "password": f"pw-locked-{WALK}"}
    )
    tokens = w.count(
        "SELECT count(*) FROM agent_tokens t JOIN agents a ON a.id = t.agent_id WHERE a.email = ?",
        f"locked-{WALK}@walk.example",
    )
    w.row(
        "6",
        "6 wrong passwords, then the right one",
        f"{statuses}; right one: {answer(right)}",
        f"login tokens issued {tokens}",
        statuses[-1] == 429 and right.status_code == 429 and tokens == 0,
    )


async def finding_7(w: Walk) -> None:
    async with httpx.AsyncClient(timeout=10) as plain:
        tracker = await plain.get(f"{w.args.rasa}/conversations/1/tracker")
        status = await plain.get(f"{w.args.rasa}/status")
    w.row(
        "7",
        "Rasa GET /conversations/1/tracker and /status without the token",
        f"{tracker.status_code}, {status.status_code}",
        "(read only)",
        tracker.status_code in (401, 403) and status.status_code in (401, 403),
    )
    listening = subprocess.run(["ss", "-ltnH"], capture_output=True, text=True).stdout.split("\n")
    ports = {w.args.rasa.rsplit(":", 1)[1]: "Rasa", str(w.args.action_port): "action server"}
    found = [
        f"{name} {line.split()[3]}"
        for line in listening
        for port, name in ports.items()
        if line.split() and line.split()[3].endswith(f":{port}")
    ]
    w.row(
        "7",
        "`ss -ltn`: where Rasa and the action server listen",
        "; ".join(found) or "not found",
        "(read only)",
        bool(found) and all(" 127.0.0.1:" in f" {f.split()[-1]}" for f in found),
    )


def server_errors(w: Walk) -> None:
    """Every line hub.log got during the walk: no 5xx answer, no ERROR."""
    lines = (w.data_dir / "logs" / "hub.log").read_text(errors="replace")[w.log_offset :].splitlines()
    fives = [ln for ln in lines if re.search(r'HTTP/1\.1\\?" 5\d\d', ln)]
    errors = [
        json.loads(ln).get("msg", "") if ln.startswith("{") else ln[:80]
        for ln in lines
        if '"level": "ERROR"' in ln or '"level": "CRITICAL"' in ln
    ]
    w.row(
        "all",
        f"hub.log during the walk ({len(lines)} lines)",
        f"5xx answers {len(fives)}; ERROR lines {len(errors)}: {sorted(set(errors))}",
        "-",
        not fives and not errors,
    )


async def finding_10(w: Walk) -> None:
    wanted = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")
    for page in ("/agent", "/demo"):
        r = await w.http.get(page)
        present = {h: r.headers.get(h, "MISSING")[:40] for h in wanted}
        w.row(
            "10",
            f"GET {page}",
            f"{r.status_code}; " + "; ".join(f"{h}: {v}" for h, v in present.items()),
            "(read only)",
            "MISSING" not in present.values(),
        )


async def finding_11(w: Walk) -> None:
    token = await w.login("ana")
    url = f"{w.hub.replace('http', 'ws', 1)}/api/v1/agent/ws?token={token}"
    async with websockets.connect(url) as ws:
        await asyncio.wait_for(ws.recv(), 10)
        out = await w.http.post("/api/v1/agent/logout", headers={"Authorization": f"Bearer {token}"})
        try:
            while True:
                await asyncio.wait_for(ws.recv(), 10)
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
        except TimeoutError:
            code = None
    w.row(
        "11",
        "agent socket open, then POST /logout with its token",
        f"logout {out.status_code}; socket closed with {code}",
        "(token ended)",
        code == 4401,
    )


async def finding_13(w: Walk, ids: dict[str, int]) -> None:
    conv = ids["victim_conv"]  # with the bot, in nobody's queue
    context = await w.http.get(f"/api/v1/agent/conversations/{conv}/context", headers=w.auth("ana"))
    notes_before = w.count(
        "SELECT count(*) FROM events WHERE kind = 'note_added' AND conversation_id = ?", conv
    )
    note = await w.http.post(
        f"/api/v1/agent/conversations/{conv}/notes", json={"text": "nota ajena"}, headers=w.auth("ana")
    )
    notes = w.count("SELECT count(*) FROM events WHERE kind = 'note_added' AND conversation_id = ?", conv)
    w.row(
        "13",
        f"agent (es) reads context of / adds a note to conversation {conv}, not theirs",
        f"{answer(context)}, {answer(note)}",
        f"notes {notes_before} -> {notes}",
        context.status_code == note.status_code == 403 and notes == notes_before,
    )
    wa_id = "34600999013"
    await w.whatsapp_says(wa_id, "Hello, I want to talk to a human agent please", "English")
    waiting = await w.wait_for(
        lambda: (
            w.count(
                "SELECT count(*) FROM handoffs h JOIN conversations c ON c.id = h.conversation_id "
                "WHERE c.source_id = ? AND h.state = 'waiting'",
                wa_id,
            )
            > 0
        ),
        60,
    )
    conv_en, language = w.db(
        "SELECT id, language FROM conversations WHERE source_id = ? ORDER BY id DESC", wa_id
    )[0]
    claim = await w.http.post(f"/api/v1/agent/conversations/{conv_en}/claim", headers=w.auth("ana"))
    assigned = w.db("SELECT agent_id, state FROM handoffs WHERE conversation_id = ?", conv_en)
    w.row(
        "13",
        f"agent (es only) claims by id conversation {conv_en} (language {language}, waiting: {waiting})",
        f"{answer(claim)}",
        f"handoff (agent_id, state) {assigned}",
        claim.status_code == 403 and all(a != w.agent_ids["ana"] for a, _ in assigned),
    )
    ids["english_conv"] = conv_en


async def finding_15(w: Walk, ids: dict[str, int]) -> None:
    r = await w.http.post("/healthz")
    w.row(
        "15",
        "POST /healthz",
        f"{r.status_code}, Allow: {r.headers.get('allow')}",
        "-",
        r.status_code == 405 and bool(r.headers.get("allow")),
    )
    async with websockets.connect(f"{w.hub.replace('http', 'ws', 1)}/api/v1/agent/ws") as ws:
        try:
            await asyncio.wait_for(ws.recv(), 10)
            code: int | None = None
        except websockets.ConnectionClosed as closed:
            code = closed.rcvd.code if closed.rcvd else None
    w.row("15", "/api/v1/agent/ws without a token", f"closed with {code}", "-", code == 4401)
    conv = ids.get("english_conv", ids["victim_conv"])
    body = {"agent_id": w.agent_ids["ana"], "team": "billing"}
    r = await w.http.post(f"/api/v1/agent/conversations/{conv}/transfer", json=body, headers=w.auth("sup"))
    w.row(
        "15",
        "transfer with both agent_id and team (supervisor)",
        answer(r, message=160),
        "-",
        r.status_code == 422 and "agent_id" in r.text,
    )
