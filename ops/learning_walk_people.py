"""The people of ops/learning_walk.py: customers in Chromium (the demo shop's widget) and on WhatsApp (signed
webhooks through the fake Graph API), agent Ana in the console and the support lead on the gap report and
the FAQ editor, both in Chromium. Every step adds to the transcript (``Lines``) and to the checks."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

import httpx
from playwright.async_api import Browser, Page, expect

from ops.security_walk_harness import WALK, Walk
from ops.service_walk_customers import Lines, WhatsAppCustomer, _text_of, widget_say
from tests.fakes.graph_api import FakeGraphAPI

__all__ = [
    "Checks",
    "agent_answers",
    "agent_claims",
    "agent_labels",
    "agent_replies",
    "lead_publishes",
    "whatsapp_customer",
    "widget_click",
    "widget_customer",
    "widget_not_helpful",
]

NONE_OPTION = "Ninguna"  # "Ninguna, hablar con una persona": the last option of every clarify
SORRY = "Vaya, siento que no te haya servido"


@dataclass
class Checks:
    """What the walk verified: one ✔/✘ line each, in the transcript too."""

    out: Lines
    held: list[tuple[str, bool]] = field(default_factory=list)

    def check(self, what: str, ok: bool) -> bool:
        self.held.append((what, ok))
        self.out.lines.append(f"- {'✔' if ok else '✘'} {what}")
        return ok


async def widget_customer(browser: Browser, hub: str, text: str, out: Lines) -> tuple[Page, list[str]]:
    """A new shopper on the demo page asks ``text`` once (their own browser context: a new visitor)."""
    page = await (await browser.new_context(locale="es-ES")).new_page()
    await page.goto(f"{hub}/demo")
    await page.get_by_role("button", name="Abrir el chat").click()
    return page, await widget_say(page, text, out)


async def widget_click(page: Page, name: str, out: Lines, *, until: str = "") -> list[str]:
    """Tap a suggested reply (a clarify's option); the answers that follow, once quiet."""
    answers = page.locator(".mw-msg--out, .mw-msg--system")
    before = await answers.count()
    await page.get_by_role("button", name=name).click()
    await expect(answers.nth(before)).to_be_visible(timeout=60_000)
    if until:
        await expect(answers.filter(has_text=until).last).to_be_visible(timeout=60_000)
    await asyncio.sleep(2.5)
    texts = [await answers.nth(i).inner_text() for i in range(before, await answers.count())]
    out.add("widget", f"(taps) {name}", texts)
    return texts


async def widget_not_helpful(page: Page, out: Lines) -> list[str]:
    await expect(page.get_by_role("button", name="👎 No")).to_be_visible(timeout=30_000)
    await page.get_by_role("button", name="👎 No").click()
    answers = page.locator(".mw-msg--out, .mw-msg--system")
    await expect(answers.filter(has_text=SORRY)).to_be_visible(timeout=30_000)
    await asyncio.sleep(2.5)
    texts = [await answers.nth(i).inner_text() for i in range(await answers.count())]
    shown = texts[next(i for i, t in enumerate(texts) if SORRY in t) :]
    out.add("widget", "(clicks) 👎 No", shown)
    return shown


async def whatsapp_customer(
    tools: Walk,
    graph: FakeGraphAPI,
    wa_id: str,
    text: str,
    out: Lines,
    *,
    pick: str = NONE_OPTION,
    feedback: str = "👎",
) -> list[str]:
    """A WhatsApp customer asks ``text``; from a menu they pick the option starting with ``pick``; a
    '¿Te ha servido?' they answer with ``feedback``. Everything the customer read, in order."""
    customer = WhatsAppCustomer(tools, graph, wa_id, out)
    said = [_text_of(b) for b in await customer.says(text)]
    if any(NONE_OPTION in s for s in said):
        said += [_text_of(b) for b in await customer.picks(pick)]
    if any("¿Te ha servido?" in s for s in said):
        said += [_text_of(b) for b in await customer.picks(feedback)]
    return said


async def _queued(http: httpx.AsyncClient, who: dict[str, str], known: set[int]) -> int | None:
    for _ in range(60):
        queue = (await http.get("/api/v1/agent/queue", headers=who)).json()
        for entry in queue["waiting"]:
            if int(entry["conversation_id"]) not in known:
                return int(entry["conversation_id"])
        await asyncio.sleep(1)
    return None


async def agent_claims(http: httpx.AsyncClient, ana: dict[str, str], known: set[int]) -> int | None:
    """Ana takes the newest conversation in the queue."""
    conversation = await _queued(http, ana, known)
    if conversation is not None:
        known.add(conversation)
        await http.post(f"/api/v1/agent/conversations/{conversation}/claim", headers=ana)
    return conversation


async def agent_answers(
    http: httpx.AsyncClient, ana: dict[str, str], conversation: int, reply: str, out: Lines
) -> None:
    """Ana answers the customer and resolves the conversation."""
    base = f"/api/v1/agent/conversations/{conversation}"
    said = await http.post(f"{base}/messages", json={"text": reply}, headers=ana)
    await asyncio.sleep(1.5)
    resolved = await http.post(f"{base}/resolve", headers=ana)
    did = f"«{reply}» {said.status_code}, resolve {resolved.status_code}"
    out.add(f"agent Ana (#{conversation})", did, "")


async def agent_replies(
    http: httpx.AsyncClient, ana: dict[str, str], known: set[int], reply: str, out: Lines
) -> int | None:
    """Ana takes the newest conversation in the queue, answers the customer and resolves it."""
    conversation = await agent_claims(http, ana, known)
    if conversation is None:
        out.mark("nothing new reached the queue")
        return None
    await agent_answers(http, ana, conversation, reply, out)
    return conversation


async def agent_labels(page: Page, hub: str, conversation: int, search: str, entry_id: str,
                       out: Lines) -> str:  # fmt: skip
    """In the console, Ana opens the conversation and marks the customer's turn as answered by
    ``entry_id``."""
    if not await page.get_by_role("heading", name="Cola").is_visible():
        await page.goto(f"{hub}/agent")
        await page.get_by_label("Correo electrónico").fill(f"ana-{WALK}@walk.example")
        await page.get_by_label("Contraseña").fill(f"pw-ana-{WALK}")
        await page.get_by_role("button", name="Entrar").click()
        await expect(page.get_by_role("heading", name="Cola")).to_be_visible(timeout=30_000)
    await page.goto(f"{hub}/agent#conversation={conversation}")
    await page.reload()
    turn = page.locator("#context .ctx-turns .learn:not([hidden])").first
    await expect(turn).to_be_visible(timeout=30_000)
    await turn.get_by_role("button", name="Responde la FAQ…").click()
    await turn.get_by_label("Buscar en las FAQ").press_sequentially(search)
    pick = turn.locator(f".learn-pick[data-entry-id='{entry_id}']")
    await expect(pick).to_be_visible(timeout=15_000)
    await pick.click()
    label = turn.locator(".learn-label")
    await expect(label).to_contain_text(entry_id, timeout=15_000)
    shown = " ".join((await label.inner_text()).split())
    out.add(f"agent Ana, console (#{conversation})", f"«Responde la FAQ…» «{search}» → {entry_id}", shown)
    return shown


async def lead_publishes(page: Page, hub: str, out: Lines, shots: str | None) -> dict[str, str]:
    """The support lead's Monday: /gaps, the biggest cluster, its draft in the FAQ editor, published.
    Returns what the pages showed."""
    await page.goto(f"{hub}/gaps")
    await page.get_by_label("Correo electrónico").fill(f"sup-{WALK}@walk.example")
    await page.get_by_label("Contraseña").fill(f"pw-sup-{WALK}")
    await page.get_by_role("button", name="Entrar").click()
    await expect(page.locator(".cluster").first).to_be_visible(timeout=60_000)
    first = page.locator(".cluster").first
    seen = {
        "summary": await page.locator("#summary").inner_text(),
        "count": await first.locator(".count").inner_text(),
        "representative": await first.locator(".rep").inner_text(),
        "first_cluster": " ".join((await first.inner_text()).split())[:400],
    }
    out.add("lead, /gaps", "opens «Sin respuesta»", f"{seen['summary']}; first: ×{seen['count']} "
            f"«{seen['representative']}»")  # fmt: skip
    if shots:
        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.screenshot(path=f"{shots}/learning_walk_gaps.png", full_page=True)
    await first.get_by_role("link", name="Crear entrada de FAQ").click()
    await expect(page.locator("#f-question")).not_to_have_value("", timeout=60_000)
    seen["question"] = await page.locator("#f-question").input_value()
    seen["answer"] = await page.locator("#f-answer").input_value()
    seen["alternatives"] = await page.locator("#f-alts").input_value()
    await page.locator("#f-category").fill("tiendas")
    seen["entry_id"] = await page.locator("#f-id").input_value()
    await page.get_by_role("button", name="Guardar y publicar").click()
    saved = page.locator("#saved")
    await expect(saved).to_contain_text("Publicado", timeout=600_000)
    with contextlib.suppress(AssertionError):  # then the report's questions are marked as handled
        await expect(saved).to_contain_text("quedan marcadas", timeout=30_000)
    seen["saved"] = await saved.inner_text()
    if shots:
        await page.screenshot(path=f"{shots}/learning_walk_published.png", full_page=True)
    did = f"«Crear entrada de FAQ», category tiendas, «Guardar y publicar» ({seen['entry_id']})"
    out.add("lead, /faq", did, seen["saved"])
    await page.goto(f"{hub}/gaps")
    await expect(page.locator("#summary")).to_contain_text("días", timeout=60_000)  # not «Agrupando…»
    seen["after"] = await page.locator("#summary").inner_text()
    out.add("lead, /gaps", "opens «Sin respuesta» again", seen["after"])
    return seen
