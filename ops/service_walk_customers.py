"""The customers and the agent of ops/service_walk.py: a widget visitor in Chromium, a WhatsApp customer
through signed webhooks (answers read from what the hub sent to the fake Graph API), agent Ana through the
agent API. Every line said and every answer is kept for the walk's transcript."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
from playwright.async_api import Page

from ops.security_walk_harness import Walk
from tests.fakes.graph_api import FakeGraphAPI

__all__ = ["Lines", "WhatsAppCustomer", "agent_resolves", "widget_say"]


class Lines:
    """The transcript: one Markdown line per message, with the seconds since the walk began."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.lines: list[str] = []

    def add(self, who: str, said: str, answers: str | list[str]) -> None:
        got = answers if isinstance(answers, list) else [answers]
        shown = " ⏎ ".join(" ".join(a.split()) for a in got if a.strip()) or "(nothing)"
        self.lines.append(f"- `{time.monotonic() - self.started:5.0f} s` **{who}**: {said} → {shown}")

    def mark(self, text: str) -> None:
        self.lines.append(f"- `{time.monotonic() - self.started:5.0f} s` — {text}")


async def widget_say(
    page: Page, text: str, out: Lines, *, until: str | None = None, quiet: float = 2.5
) -> list[str]:
    """Type ``text`` in the widget; wait for the answers (one containing ``until``) and a quiet spell."""
    answers = page.locator(".mw-msg--out, .mw-msg--system")  # answers and notices (handoff, closing)
    before = await answers.count()
    box = page.get_by_label("Escribe tu mensaje")
    await box.fill(text)
    await box.press("Enter")
    deadline = time.monotonic() + 90
    seen, still_since = before, time.monotonic()
    while time.monotonic() < deadline:
        now = await answers.count()
        if now != seen:
            seen, still_since = now, time.monotonic()
        texts = [await answers.nth(i).inner_text() for i in range(before, now)]
        done = now > before and (not until or any(until in t for t in texts))
        if done and time.monotonic() - still_since >= quiet:
            out.add("widget", text, texts)
            return texts
        await asyncio.sleep(0.25)
    texts = [await answers.nth(i).inner_text() for i in range(before, await answers.count())]
    out.add("widget", text, [*texts, "**(timed out waiting)**"])
    return texts


async def agent_resolves(http: httpx.AsyncClient, agent: dict[str, str], conversation: int, text: str,
                         out: Lines, channel: str) -> None:  # fmt: skip
    """Ana claims the conversation, reads its context, answers and resolves it, through the agent API."""
    base = f"/api/v1/agent/conversations/{conversation}"
    claimed = await http.post(f"{base}/claim", headers=agent)
    context = await http.get(f"{base}/context", headers=agent)
    said = await http.post(f"{base}/messages", json={"text": text}, headers=agent)
    await asyncio.sleep(2)
    resolved = await http.post(f"{base}/resolve", headers=agent)
    summary = context.json().get("summary") if context.status_code == 200 else None
    out.add(f"agent Ana ({channel} #{conversation})", f"claim {claimed.status_code}, reply «{text}» "
            f"{said.status_code}, resolve {resolved.status_code}", f"summary: {summary!r}")  # fmt: skip


def _text_of(body: dict[str, Any]) -> str:
    if body.get("type") == "text":
        return str(body["text"]["body"])
    if body.get("type") == "interactive":
        inner = body["interactive"]
        options = [b["reply"]["title"] for b in inner.get("action", {}).get("buttons", [])]
        for section in inner.get("action", {}).get("sections", []):
            options += [row["title"] for row in section.get("rows", [])]
        return f"{inner.get('body', {}).get('text', '')} [{inner['type']}: {' | '.join(options)}]"
    return f"[{body.get('type')}]"


class WhatsAppCustomer:
    def __init__(self, tools: Walk, graph: FakeGraphAPI, wa_id: str, out: Lines) -> None:
        self.tools, self.graph, self.wa_id, self.out = tools, graph, wa_id, out

    def _mine(self) -> list[dict[str, Any]]:
        return [r.body for r in self.graph.sent() if r.body.get("to") == self.wa_id]

    async def _answers(self, before: int, until: str | None, quiet: float = 2.5) -> list[dict[str, Any]]:
        deadline = time.monotonic() + 90
        seen, still_since = before, time.monotonic()
        while time.monotonic() < deadline:
            bodies = self._mine()
            if len(bodies) != seen:
                seen, still_since = len(bodies), time.monotonic()
            new = bodies[before:]
            done = bool(new) and (not until or any(until in _text_of(b) for b in new))
            if done and time.monotonic() - still_since >= quiet:
                return new
            await asyncio.sleep(0.25)
        return self._mine()[before:]

    async def says(self, text: str, *, until: str | None = None) -> list[dict[str, Any]]:
        before = len(self._mine())
        await self.tools.whatsapp_says(self.wa_id, text, name="Marta")
        new = await self._answers(before, until)
        self.out.add("WhatsApp", text, [_text_of(b) for b in new])
        return new

    async def picks(self, title_start: str, *, until: str | None = None) -> list[dict[str, Any]]:
        """Answer the last list or buttons with the option whose title starts with ``title_start``."""
        last = next(b for b in reversed(self._mine()) if b.get("type") == "interactive")
        action = last["interactive"]["action"]
        rows = [row for s in action.get("sections", []) for row in s.get("rows", [])]
        rows += [b["reply"] for b in action.get("buttons", [])]
        row = next(r for r in rows if r["title"].startswith(title_start))
        kind = "list_reply" if action.get("sections") else "button_reply"
        raw = self.tools.webhook_body({
            "contacts": [{"profile": {"name": "Marta"}, "wa_id": self.wa_id}],
            "messages": [{"from": self.wa_id, "id": f"wamid.WALK{uuid.uuid4().hex[:16]}",
                          "timestamp": str(int(time.time())), "type": "interactive",
                          "interactive": {"type": kind, kind: {"id": row["id"], "title": row["title"]}}}],
        })  # fmt: skip
        before = len(self._mine())
        await self.tools.http.post(
            "/api/v1/channels/whatsapp/webhook", content=raw, headers=self.tools.signed(raw)
        )
        new = await self._answers(before, until)
        self.out.add("WhatsApp", f"(picks) {row['title']}", [_text_of(b) for b in new])
        return new

    async def bot_only(self) -> None:
        await self.says("hola")
        await self.says("cuanto cuesta el envio a canarias")
        await self.says("vale gracias!", until="1 (muy mal)")
        await self.picks("4")
        await self.says("todo bien, rapido", until="0 al 10")
        await self.says("6")
        self.out.mark("WhatsApp bot-only done")

    async def handed_off(self, http: httpx.AsyncClient, agent: dict[str, str],
                         queued: Callable[[], Awaitable[int]]) -> None:  # fmt: skip
        await self.says("quiero hablar con un agente, me cobrasteis dos veces")
        conversation = await queued()
        before = len(self._mine())
        reply = "Hola Marta, soy Ana: te devolvemos el cobro doble hoy."
        await agent_resolves(http, agent, conversation, reply, self.out, "whatsapp")
        new = await self._answers(before, "1 (muy mal)")
        self.out.add("WhatsApp", "(reads)", [_text_of(b) for b in new])
        await self.picks("1")
        await self.says("no me lo solucionasteis a la primera")
        self.out.mark("WhatsApp handoff done")
