"""Issue 17's "Done when", walked as customers, an agent and a support lead would, on a stack it starts.

    python -m ops.service_walk [--data-dir /tmp/service-walk] [--screenshots docs/img]

It starts the fake Graph API (tests/fakes/graph_api.py, the only mock: Meta's servers) and the real stack
(Rasa, action server, hub on SQLite: ops/run.py ``bring_up``) with WhatsApp on, every bot resolution
surveyed (``SURVEYS_BOT_CSAT_SHARE=1``) and a reopen window of 108 s (``REOPEN_WINDOW_HOURS=0.03``, so a
customer "coming back another day" starts a new conversation within the walk). Then:

- a widget customer, in Chromium (the demo shop page): a bot-only conversation closed by a goodbye, CSAT by
  a click, a comment, NPS by a click; later a conversation handed to agent Ana, resolved, rated 2;
- a WhatsApp customer (signed webhooks; the answers read from what the hub sent to the fake): the same,
  answering the CSAT list by its row, NPS by a typed number, then a handoff rated 1;
- the support lead: the reports API, the page in Chromium (cards, drill-down to the bad ratings, a
  screenshot), the CSV, the follow-ups, and a check that the page, the API and the CSV say the same.

It prints a Markdown report (docs/kpis.md keeps the last one). Ends the stack with SIGTERM when done.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import os
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import Page, async_playwright, expect

from ops.run import bring_up
from ops.security_walk_harness import (  # the operators' CLIs against DATA_DIR, signed webhooks
    Walk,
    whatsapp_env,
)
from ops.service_walk_customers import Lines, WhatsAppCustomer, agent_resolves, widget_say
from ops.stack import ROOT, free_port
from tests.fakes.graph_api import FakeGraphAPI

SECRET, PHONE_ID, WA_ID = "walk-secret", "106540352242922", "34600555777"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
REOPEN_S = 0.03 * 3600


async def widget_customer(page: Page, hub: str, out: Lines) -> None:
    await page.goto(f"{hub}/demo")
    await page.get_by_role("button", name="Abrir el chat").click()
    await widget_say(page, "hola", out)
    await widget_say(page, "cuanto tarda el envio?", out)
    await widget_say(page, "muchas gracias, adiós", out, until="valorarías")
    await page.get_by_role("button", name="5 · Excelente").click()
    await expect(page.locator(".mw-msg--out").last).to_contain_text("cuéntanos", timeout=30_000)
    out.add("widget", "(clicks) 5 · Excelente", await page.locator(".mw-msg--out").last.inner_text())
    await widget_say(page, "Muy rápido y claro", out, until="0 al 10")
    await page.get_by_role("button", name="9", exact=True).click()
    await expect(page.locator(".mw-msg--out").last).to_contain_text("Gracias", timeout=30_000)
    out.add("widget", "(clicks) 9", await page.locator(".mw-msg--out").last.inner_text())
    out.mark("widget bot-only done")


async def widget_comes_back(
    page: Page, hub: str, http: httpx.AsyncClient, out: Lines, ana: dict[str, str]
) -> None:
    await widget_say(page, "Quiero hablar con una persona, mi pedido llegó roto", out, until="")
    conversation = await _latest(http, ana, "widget")
    await agent_resolves(
        http, ana, conversation, "Hola, soy Ana. Te mando uno nuevo hoy mismo.", out, "widget"
    )
    await expect(page.get_by_role("button", name="2 · Mal")).to_be_visible(timeout=30_000)
    await page.get_by_role("button", name="2 · Mal").click()
    await widget_say(page, "Tardasteis mucho en contestar", out, until="")
    out.mark("widget handoff done")


async def _latest(http: httpx.AsyncClient, who: dict[str, str], channel: str) -> int:
    """The newest conversation of a channel waiting in the queue, as the agent's queue shows it."""
    for _ in range(60):
        queue = (await http.get("/api/v1/agent/queue", headers=who)).json()
        for entry in queue["waiting"]:
            if entry.get("channel") == channel:
                return int(entry["conversation_id"])
        await asyncio.sleep(1)
    raise RuntimeError(f"no {channel} conversation reached the queue")


async def lead(
    page: Page, hub: str, http: httpx.AsyncClient, sup: dict[str, str], shots: Path | None
) -> list[str]:
    day = datetime.now(UTC).date().isoformat()
    period = {"start": day, "end": day}
    found = (
        await http.get("/api/v1/reports/kpis", params={**period, "group_by": "channel"}, headers=sup)
    ).json()
    total = found["total"]
    rows = list(
        csv.DictReader(
            io.StringIO(
                (await http.get("/api/v1/reports/conversations.csv", params=period, headers=sup)).text
            )
        )
    )
    low = (await http.get("/api/v1/reports/conversations", params={**period, "drill": "csat_low"},
                          headers=sup)).json()  # fmt: skip
    follow = (await http.get("/api/v1/follow-ups", headers=sup)).json()
    report = [
        f"| {key} | {_shown(total.get(key))} |"
        for key in (
            "conversations",
            "messages",
            "containment",
            "handoff_rate",
            "frt_bot_median",
            "frt_human_median",
            "queue_wait_median",
            "resolution_median",
            "fcr",
            "csat_bot",
            "csat_human",
            "csat_responses",
            "nps",
            "nps_responses",
            "complaints_received",
            "kb_answered",
        )
    ]
    by_channel = {g["key"]: g for g in found["groups"]}
    report.append(
        "| per channel | "
        + "; ".join(
            f"{k}: {g['conversations']} conv., containment {g['containment']}, CSAT bot {g['csat_bot']}, "
            f"human {g['csat_human']}, NPS {g['nps']}"
            for k, g in sorted(by_channel.items())
        )
        + " |"
    )
    report.append(
        "| drill-down CSAT ≤ 2 | "
        + ", ".join(
            f"#{r['conversation_id']} {r['channel']} CSAT {r['csat']} by {r['resolved_by']}" for r in low
        )
        + " |"
    )
    report.append(
        "| follow-ups | "
        + ", ".join(
            f"{f['kind']} {f['score']} «{f['comment'] or ''}» #{f['conversation_id']}" for f in follow
        )
        + " |"
    )
    report.append("| CSV = API | " + _csv_matches(rows, total) + " |")
    report.append("| page = API | " + await _page_matches(page, hub, day, total, shots) + " |")
    return report


def _shown(value: Any) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def _csv_matches(rows: list[dict[str, str]], total: dict[str, Any]) -> str:
    """The KPIs recomputed by hand from the CSV's rows, against the API's."""

    def mean(values: list[int]) -> float | None:
        return sum(values) / len(values) if values else None

    bot = [int(r["csat"]) for r in rows if r["csat"] and r["handoff_reason"] == ""]
    human = [int(r["csat"]) for r in rows if r["csat"] and r["handoff_reason"] != ""]
    nps = [int(r["nps"]) for r in rows if r["nps"]]
    mine = {
        "conversations": len(rows),
        "containment": sum(r["resolved_by"] == "bot" for r in rows) / len(rows) if rows else None,
        "csat_bot": mean(bot), "csat_human": mean(human),
        "nps": 100 * (sum(n >= 9 for n in nps) - sum(n <= 6 for n in nps)) / len(nps) if nps else None,
    }  # fmt: skip
    wrong = [f"{k} CSV {v} API {total.get(k)}" for k, v in mine.items() if v != total.get(k)]
    return (
        "**NO**: " + "; ".join(wrong) if wrong else "yes: " + ", ".join(f"{k} {v}" for k, v in mine.items())
    )


async def _page_matches(page: Page, hub: str, day: str, total: dict[str, Any], shots: Path | None) -> str:
    from ops.security_walk_harness import WALK  # the supervisor's e-mail and password (Walk.setup)

    await page.goto(f"{hub}/reports")
    await page.get_by_label("Correo electrónico").fill(f"sup-{WALK}@walk.example")
    await page.get_by_label("Contraseña").fill(f"pw-sup-{WALK}")
    await page.get_by_role("button", name="Entrar").click()
    await page.get_by_label("Desde").fill(day)
    await page.get_by_label("Hasta").fill(day)
    await page.get_by_role("button", name="Ver", exact=True).click()
    await expect(page.locator("body[data-loaded=yes]")).to_have_count(1)
    cards = {await c.get_attribute("data-kpi"): (await c.locator(".value").inner_text())
             for c in await page.locator("#cards .kpi").all()}  # fmt: skip
    await page.locator("button.kpi[data-kpi=csat_human]").click()
    await expect(page.locator("#drill")).to_be_visible()
    drill = await page.locator("#drill-title").inner_text()
    if shots:
        await page.set_viewport_size({"width": 1280, "height": 1400})
        await page.screenshot(path=str(shots / "service_walk_reports.png"), full_page=True)
    shown = ", ".join(f"{key} {cards.get(key)}" for key in ("conversations", "containment", "csat_bot",
                                                           "csat_human", "nps"))  # fmt: skip
    return f"cards: {shown}; drill-down «{drill}»; API containment {total.get('containment')}"


async def walk(hub: str, data_dir: Path, graph: FakeGraphAPI, shots: Path | None) -> str:
    out = Lines()
    tools = Walk(argparse.Namespace(hub=hub, data_dir=str(data_dir), whatsapp_secret=SECRET,
                                    phone_number_id=PHONE_ID, hub_pid=0))  # fmt: skip
    await tools.setup()  # agents 'ana' and supervisor 'sup', with the CLIs
    try:
        return await _walk(hub, tools, graph, shots, out)
    finally:
        await tools.http.aclose()
        print("\n".join(out.lines), file=sys.stderr)  # what happened, even if a step failed


async def _walk(hub: str, tools: Walk, graph: FakeGraphAPI, shots: Path | None, out: Lines) -> str:
    ana, sup = tools.auth("ana"), tools.auth("sup")
    wa = WhatsAppCustomer(tools, graph, WA_ID, out)
    async with async_playwright() as pw, httpx.AsyncClient(base_url=hub, timeout=60) as http:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        customer = await browser.new_page(locale="es-ES")
        await widget_customer(customer, hub, out)
        resolved_at = time.monotonic()
        await wa.bot_only()
        wa_resolved_at = time.monotonic()
        await asyncio.sleep(max(0.0, REOPEN_S + 5 - (time.monotonic() - resolved_at)))  # "the next day"
        await widget_comes_back(customer, hub, http, out, ana)
        await asyncio.sleep(max(0.0, REOPEN_S + 5 - (time.monotonic() - wa_resolved_at)))
        await wa.handed_off(http, ana, lambda: _latest(http, ana, "whatsapp"))
        await asyncio.sleep(3)
        report = await lead(await browser.new_page(locale="es-ES"), hub, http, sup, shots)
        if shots:
            await customer.screenshot(path=str(shots / "service_walk_widget.png"))
        await browser.close()
    return "\n".join(["## Transcript", "", *out.lines, "", "## What the support lead saw", "",
                      "| what | value |", "|---|---|", *report])  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="/tmp/service-walk")
    parser.add_argument("--screenshots", default="", help="folder for the PNGs (e.g. docs/img)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    for old in data_dir.glob("*"):  # a fresh desk; the FAQ index (kb/) is kept: it only depends on the FAQ
        if old.name != "kb":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    graph = FakeGraphAPI(access_token="walk-token").start()
    env = {**whatsapp_env(graph.base_url, SECRET, PHONE_ID), "SURVEYS_BOT_CSAT_SHARE": "1",
           "REOPEN_WINDOW_HOURS": "0.03"}  # fmt: skip
    hub, rasa, actions = free_port(), free_port(), free_port()
    stack, endpoints = bring_up(data_dir=data_dir, hub_port=hub, rasa_port=rasa, action_port=actions,
                                models_dir=ROOT / "var" / "models", extra_env=env)  # fmt: skip
    try:
        print(
            asyncio.run(
                walk(endpoints.hub, data_dir, graph, Path(args.screenshots) if args.screenshots else None)
            )
        )
    finally:
        stack.stop()
        graph.stop()


if __name__ == "__main__":
    main()
