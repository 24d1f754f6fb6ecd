"""The people of ops/desk_walk.py: the desk's staff (Ana, Luis, Sara) through the agent API and the
console in Chromium, widget visitors in Chromium, WhatsApp customers through signed webhooks. What each
point of issue 18 showed is kept in :class:`Findings` for the walk's report."""

from __future__ import annotations

import asyncio
import base64
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Browser, Page, ViewportSize, expect

from ops.security_walk_harness import Walk
from ops.service_walk_customers import _text_of
from tests.fakes.graph_api import FakeGraphAPI

__all__ = ["Desk", "Findings", "Phone", "Staff", "open_widget", "widget_texts"]

PASSWORD = "desk-walk-pass"
#: a 1x1 PNG: the customer's photo of the damaged box
PHOTO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


@dataclass
class Findings:
    """Per point of "What we saw": what was done and seen, screenshots, and whether it held."""

    shots: Path | None
    lines: dict[int, list[str]] = field(default_factory=dict)
    broken: dict[int, list[str]] = field(default_factory=dict)
    pictures: dict[int, list[str]] = field(default_factory=dict)

    def saw(self, point: int, text: str) -> None:
        self.lines.setdefault(point, []).append(" ".join(text.split()))
        print(f"  [{point}] {' '.join(text.split())}", file=sys.stderr, flush=True)

    def check(self, point: int, ok: bool, what: str) -> None:
        self.saw(point, f"{'✔' if ok else '✘'} {what}")
        if not ok:
            self.broken.setdefault(point, []).append(what)

    async def shot(self, point: int, page: Page, name: str, *, full: bool = False) -> None:
        if self.shots is None:
            return
        path = self.shots / f"desk_walk_{name}.png"
        await page.screenshot(path=str(path), full_page=full)
        self.pictures.setdefault(point, []).append(path.name)


class Staff:
    """The desk's three people, made with the operators' CLI, then logged in through the API."""

    PEOPLE = (("ana", "Ana García", "agent"), ("luis", "Luis Pérez", "agent"), ("sara", "Sara Ruiz", "admin"))

    def __init__(self, http: httpx.AsyncClient, data_dir: Path) -> None:
        self.http, self.data_dir = http, data_dir
        self.tokens: dict[str, str] = {}
        self.ids: dict[str, int] = {}

    @staticmethod
    def email(who: str) -> str:
        return f"{who}@tiendasol.example"

    def create(self) -> None:
        env = {**os.environ, "DATA_DIR": str(self.data_dir), "AGENT_PASSWORD": PASSWORD}
        for who, name, role in self.PEOPLE:
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "handoff",
                    "add-agent",
                    "--email",
                    self.email(who),
                    "--name",
                    name,
                    "--languages",
                    "es,en",
                    "--role",
                    role,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=180,
                check=False,
            )  # fmt: skip  (a second walk on the same DATA_DIR finds them there)

    async def login(self, who: str) -> None:
        body = {"email": self.email(who), "password": PASSWORD}
        got = (await self.http.post("/api/v1/agent/login", json=body)).json()
        self.tokens[who], self.ids[who] = got["token"], int(got["agent"]["id"])

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}

    async def status(self, who: str, status: str) -> None:
        await self.http.put("/api/v1/agent/me/status", json={"status": status}, headers=self.auth(who))

    async def call(self, who: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.http.request(method, f"/api/v1/agent{path}", headers=self.auth(who), **kwargs)

    async def waiting(self, who: str, channel: str, after: set[int]) -> int:
        """The newest conversation of ``channel`` in the queue that is not in ``after``."""
        for _ in range(90):
            queue = (await self.call(who, "GET", "/queue")).json()
            for entry in queue["waiting"]:
                if entry["channel"] == channel and entry["conversation_id"] not in after:
                    return int(entry["conversation_id"])
            await asyncio.sleep(1)
        raise RuntimeError(f"no new {channel} conversation reached the queue")

    async def console(self, browser: Browser, who: str, width: int = 1440) -> Page:
        context = await browser.new_context(viewport={"width": width, "height": 900}, locale="es-ES")
        page = await context.new_page()
        hub = str(self.http.base_url).rstrip("/")
        await page.goto(f"{hub}/agent")
        await page.get_by_label("Correo electrónico").fill(self.email(who))
        await page.get_by_label("Contraseña").fill(PASSWORD)
        await page.get_by_role("button", name="Entrar").click()
        await expect(page.get_by_role("heading", name="Cola")).to_be_visible(timeout=30_000)
        return page


async def open_widget(browser: Browser, hub: str, *, phone: bool = False, locale: str = "es-ES") -> Page:
    size: ViewportSize = {"width": 390, "height": 844} if phone else {"width": 1280, "height": 860}
    context = await browser.new_context(viewport=size, locale=locale, is_mobile=phone, has_touch=phone)
    page = await context.new_page()
    await page.goto(f"{hub}/demo")
    await page.locator("#mostrador-widget button[aria-label^='Abrir'], #mostrador-widget button"
                       "[aria-label^='Open']").first.click()  # fmt: skip
    return page


async def widget_texts(page: Page, before: int = 0) -> list[str]:
    answers = page.locator(".mw-msg--out, .mw-msg--system")
    return [
        " ".join((await answers.nth(i).inner_text()).split()) for i in range(before, await answers.count())
    ]


class Phone:
    """A WhatsApp customer (signed webhooks); what the hub sent them is read from the fake Graph API."""

    def __init__(self, tools: Walk, graph: FakeGraphAPI, wa_id: str, name: str) -> None:
        self.tools, self.graph, self.wa_id, self.name = tools, graph, wa_id, name

    def received(self) -> list[dict[str, Any]]:
        return [r.body for r in self.graph.sent() if r.body.get("to") == self.wa_id]

    def texts(self, since: int = 0) -> list[str]:
        return [_text_of(b) for b in self.received()[since:]]

    async def _send(self, message: dict[str, Any], quiet: float = 3.0) -> list[str]:
        before = len(self.received())
        raw = self.tools.webhook_body({
            "contacts": [{"profile": {"name": self.name}, "wa_id": self.wa_id}],
            "messages": [{"from": self.wa_id, "id": f"wamid.DESK{uuid.uuid4().hex[:16]}",
                          "timestamp": str(int(time.time())), **message}],
        })  # fmt: skip
        await self.tools.http.post("/api/v1/channels/whatsapp/webhook", content=raw,
                                   headers=self.tools.signed(raw))  # fmt: skip
        deadline, seen, still = time.monotonic() + 60, before, time.monotonic()
        while time.monotonic() < deadline:
            now = len(self.received())
            if now != seen:
                seen, still = now, time.monotonic()
            if now > before and time.monotonic() - still >= quiet:
                break
            await asyncio.sleep(0.25)
        return self.texts(before)

    async def says(self, text: str) -> list[str]:
        return await self._send({"type": "text", "text": {"body": text}})

    async def sends_photo(self, media_id: str, caption: str, photo: bytes = PHOTO) -> list[str]:
        self.graph.add_media(media_id, photo, "image/png")
        return await self._send(
            {
                "type": "image",
                "image": {"id": media_id, "mime_type": "image/png"}
                | ({"caption": caption} if caption else {}),
            }
        )


@dataclass
class Desk:
    """Everything a point needs: the hub, the browser, the staff, the fake Graph API, the findings."""

    hub: str
    browser: Browser
    staff: Staff
    tools: Walk
    graph: FakeGraphAPI
    found: Findings
    seen: set[int] = field(default_factory=set)  # conversations already picked up by a point

    async def mark(self) -> None:
        """Every conversation in the queue now is not the one a point waits for next."""
        queue = (await self.staff.call("sara", "GET", "/queue")).json()
        self.seen |= {int(e["conversation_id"]) for e in queue["waiting"]}

    async def new_in_queue(self, channel: str) -> int:
        conversation = await self.staff.waiting("sara", channel, self.seen)
        self.seen.add(conversation)
        return conversation
