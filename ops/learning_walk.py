"""Issue 16's "Done when", walked as customers, an agent and a support lead would, on a stack it starts.

    python -m ops.learning_walk [--data-dir /tmp/learning-walk] [--screenshots docs/img]

It starts the fake Graph API (tests/fakes/graph_api.py, the only mock: Meta's servers) and the real stack
(Rasa, action server, hub on SQLite: ops/run.py ``bring_up``) with WhatsApp on, "¿Te ha servido?" after
every FAQ answer (``LEARNING_FEEDBACK_SHARE=1``) and a copy of the demo FAQ as ``KB_PATH`` (the walk
publishes into it; the repository's FAQ is never touched). Then:

1. a widget shopper (Chromium) and a WhatsApp customer say an FAQ answer did not help and get a person;
2. agent Ana, in the console (Chromium), labels the widget shopper's question with the right FAQ;
3. five customers (widget and WhatsApp) ask, five ways, whether they can bring their dog into a shop:
   no FAQ covers it; each reaches Ana (a menu's «Ninguna…», a 👎 or a handoff), who answers them;
4. the support lead opens «Sin respuesta» (/gaps): the five are one cluster at the top; «Crear entrada de
   FAQ», «Guardar y publicar» in the FAQ editor;
5. the next customer asking it gets the new entry's answer, from the same action server (live reload);
6. ``python -m learning learn`` takes Ana's labels: a run record, kept or rolled back, in the API;
7. an admin removes a learned example (the FAQ editor's «Quitar»): the bot's index drops it at once.

It prints a Markdown report (docs/learning_walk.md keeps the last one) and exits 1 if a check failed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from playwright.async_api import async_playwright

from faq_editor.checks import same_text
from knowledge_base.cli import format_run
from ops import learning_walk_people as people
from ops.learning_walk_people import SORRY, Checks, agent_replies, whatsapp_customer, widget_customer
from ops.run import bring_up
from ops.security_walk_harness import WALK, Walk, whatsapp_env
from ops.service_walk_customers import Lines
from ops.stack import ROOT, free_port
from tests.fakes.graph_api import FakeGraphAPI

SECRET, PHONE_ID = "walk-secret", "106540352242922"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
DEMO_FAQ = ROOT / "knowledge_base" / "data" / "demo"
DOG_REPLY = "Sí, los perros pueden entrar en nuestras tiendas físicas si van con correa. ¡Os esperamos!"
# five customers, five wordings (informal, as they write); none is an FAQ question
DOGS = [
    ("widget", "puedo ir a la tienda con mi perro"),
    ("whatsapp", "se puede entrar con perro en vuestras tiendas?"),
    ("widget", "dejan pasar mascotas a la tienda de madrid?"),
    ("whatsapp", "mi perrita puede entrar conmigo a comprar a la tienda?"),
    ("whatsapp", "admitis perros en las tiendas fisicas"),
]
NEXT_CUSTOMER = "hola! puedo llevar a mi perro cuando vaya a vuestra tienda?"


async def walk(hub: str, data_dir: Path, graph: FakeGraphAPI, shots: str | None) -> tuple[str, bool]:
    out = Lines()
    checks = Checks(out)
    tools = Walk(argparse.Namespace(hub=hub, data_dir=str(data_dir), whatsapp_secret=SECRET,
                                    phone_number_id=PHONE_ID, hub_pid=0))  # fmt: skip
    await tools.setup()  # agent 'ana' and supervisor 'sup', with the CLIs
    try:
        await _walk(hub, tools, graph, shots, out, checks)
    except Exception as exc:  # the transcript so far is the evidence
        checks.check(f"the walk ran to the end ({type(exc).__name__}: {exc})", False)
    finally:
        await tools.http.aclose()
    ok = all(held for _, held in checks.held)
    verdict = f"**{sum(h for _, h in checks.held)} of {len(checks.held)} checks held.**"
    return "\n".join(["## Transcript", "", *out.lines, "", verdict]), ok


async def _walk(hub: str, tools: Walk, graph: FakeGraphAPI, shots: str | None, out: Lines,
                checks: Checks) -> None:  # fmt: skip
    ana, sup = tools.auth("ana"), tools.auth("sup")
    await tools.http.put("/api/v1/agent/me/status", json={"status": "online"}, headers=ana)
    known: set[int] = set()
    async with async_playwright() as pw, httpx.AsyncClient(base_url=hub, timeout=120) as http:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        out.mark("1. «¿Te ha servido?» → 👎 → a person")
        page, said = await widget_customer(
            browser, hub, "me cobrasteis el envio y pensaba que era gratis", out
        )
        if not any("¿Te ha servido?" in s for s in said) and any("alguna de estas" in s for s in said):
            said = await people.widget_click(page, "¿Cuánto cuesta el envío?", out, until="¿Te ha servido?")
        checks.check(
            "widget: the FAQ answer asks «¿Te ha servido?»", any("¿Te ha servido?" in s for s in said)
        )
        after = await people.widget_not_helpful(page, out)
        checks.check("widget: 👎 gets an apology and a place in the queue (a person)",
                     any(SORRY in s for s in after) and any("cola" in s for s in after))  # fmt: skip
        widget_conv = await people.agent_claims(http, ana, known)
        said = await whatsapp_customer(tools, graph, "34600111001", "cuanto tarda en llegar un pedido a "
                                       "mallorca", out, pick="¿Enviáis a")  # fmt: skip
        checks.check("WhatsApp: 👎 (reply button) gets a person", any(SORRY in s for s in said))
        wa_conv = await people.agent_claims(http, ana, known)

        out.mark("2. Ana labels the questions in the console, then answers")
        console = await (await browser.new_context(locale="es-ES")).new_page()
        await console.set_viewport_size({"width": 1440, "height": 900})
        if widget_conv is not None:
            shown = await people.agent_labels(console, hub, widget_conv, "envio gratis", "envio-coste", out)
            checks.check("the console shows the label «envio-coste»", "envio-coste" in shown)
            if shots:
                await console.locator("#context").screenshot(path=f"{shots}/learning_walk_label.png")
            reply = "Hola, soy Ana: el envío es gratis desde 50 €; te devolvemos los 4,95 €."
            await people.agent_answers(http, ana, widget_conv, reply, out)
        if wa_conv is not None:
            await people.agent_labels(console, hub, wa_conv, "baleares", "envio-islas", out)
            reply = "Hola, soy Ana: a Mallorca son 3-5 días laborables desde que sale del almacén."
            await people.agent_answers(http, ana, wa_conv, reply, out)
        stored = (await http.get("/api/v1/learning/signals", params={"kind": "faq"}, headers=sup)).json()
        checks.check("the labels are stored as confirmed signals with the right FAQ",
                     {"envio-coste", "envio-islas"} <= {s["expected"] for s in stored
                                                        if s["strength"] == "confirmed"})  # fmt: skip

        out.mark("3. five customers ask what no FAQ answers")
        for n, (channel, text) in enumerate(DOGS):
            if channel == "widget":
                page, said = await widget_customer(browser, hub, text, out)
                none = page.get_by_role("button", name="Ninguna, hablar con una persona")
                if await none.count():
                    await people.widget_click(page, "Ninguna, hablar con una persona", out, until="cola")
                elif any("¿Te ha servido?" in s for s in said):
                    await people.widget_not_helpful(page, out)
            else:
                await whatsapp_customer(tools, graph, f"3460022200{n}", text, out)
            conv = await agent_replies(http, ana, known, DOG_REPLY, out)
            checks.check(f"customer {n + 1} ({channel}) reached a person", conv is not None)

        out.mark("4. the support lead: «Sin respuesta», a draft, published")
        lead = await (await browser.new_context(locale="es-ES")).new_page()
        seen = await people.lead_publishes(lead, hub, out, shots)
        dogs = [text for _, text in DOGS]
        wordings = [seen["question"], *seen["alternatives"].splitlines()]
        same = sorted(map(same_text, wordings)) == sorted(map(same_text, dogs))
        checks.check(f"the five questions are one card, at the top (×{seen['count']}), all in the draft",
                     seen["count"] == "5" and same)  # fmt: skip
        checks.check("the draft's answer is the agents' reply", seen["answer"] == DOG_REPLY)
        checks.check("published", "Publicado" in seen["saved"])

        out.mark("5. the next customer asking it")
        said = await whatsapp_customer(tools, graph, "34600333999", NEXT_CUSTOMER, out, feedback="👍")
        checks.check("the next customer gets the new entry's answer",
                     any("perros pueden entrar" in s for s in said))  # fmt: skip
        await browser.close()

    out.mark("6. python -m learning learn")
    run = _learn(tools)
    if "outcome" in run:
        shown = f"run {run['id']} ({run['outcome']}): " + format_run(run).replace("\n", " ")
    else:
        shown = f"failed: {run.get('error')}"
    out.add("operator", "python -m learning learn --json", shown)
    runs = (await tools.http.get("/api/v1/learning/runs", headers=sup)).json()
    checks.check("the run is recorded (GET /api/v1/learning/runs)", bool(runs))
    await _admin_removes(tools, out, checks)


async def _admin_removes(tools: Walk, out: Lines, checks: Checks) -> None:
    """An admin takes a learned example back (what «Quitar» in the FAQ editor's «Aprendido» does)."""
    out.mark("7. an admin removes a learned example")
    tools.cli("handoff", "add-agent", "--email", f"adm-{WALK}@walk.example", "--name", "Sara", "--languages",
              "es", "--role", "admin", password=f"pw-adm-{WALK}")  # fmt: skip
    tools.tokens["adm"] = await tools.login("adm")
    adm = tools.auth("adm")
    learned = (await tools.http.get("/api/v1/learning/examples", headers=adm)).json()
    if not learned:
        checks.check("a learned example to remove", False)
        return
    gone = await tools.http.delete(f"/api/v1/learning/examples/{learned[0]['id']}", headers=adm)
    state: dict[str, Any] = {}
    for _ in range(120):
        state = (await tools.http.get("/api/v1/learning/examples/removal", headers=adm)).json()
        if state.get("in_bot") == 0:
            break
        await asyncio.sleep(1)
    left = (await tools.http.get("/api/v1/learning/examples", headers=adm)).json()
    out.add("admin Sara", f"removes «{learned[0]['text']}» → {learned[0]['expected']} ({gone.status_code}, "
            f"{gone.json().get('takes_effect')})", f"removal {state}; learned examples {len(learned)} → "
            f"{len(left)}")  # fmt: skip
    checks.check("the removed example is out of the bot's index", state.get("in_bot") == 0
                 and len(left) == len(learned) - 1)  # fmt: skip


def _learn(tools: Walk) -> dict[str, Any]:
    env = {**os.environ, "DATA_DIR": str(tools.data_dir)}
    done = subprocess.run([sys.executable, "-m", "learning", "learn", "--json"], capture_output=True,
                          text=True, timeout=900, env=env)  # fmt: skip
    if done.returncode not in (0, 1):
        return {"error": done.stderr[-500:]}
    try:
        row: dict[str, Any] = json.loads(done.stdout)
    except json.JSONDecodeError:
        return {"error": done.stdout[-500:] or done.stderr[-500:]}
    return row


def _fresh(data_dir: Path) -> None:
    """A fresh desk and a fresh copy of the demo FAQ; its index is reused when the FAQ is unchanged."""
    data_dir.mkdir(parents=True, exist_ok=True)
    for old in data_dir.glob("*"):
        if old.name not in {"kb", "kb-pristine", "kb-editor-cache"}:
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    shutil.copytree(DEMO_FAQ, data_dir / "faq")
    if (data_dir / "kb-pristine").is_dir():  # the publish of the last walk changed kb/
        shutil.rmtree(data_dir / "kb", ignore_errors=True)
        shutil.copytree(data_dir / "kb-pristine", data_dir / "kb")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="/tmp/learning-walk")
    parser.add_argument("--screenshots", default="", help="folder for the PNGs (e.g. docs/img)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    _fresh(data_dir)
    graph = FakeGraphAPI(access_token="walk-token").start()
    env = {
        **whatsapp_env(graph.base_url, SECRET, PHONE_ID), "LEARNING_FEEDBACK_SHARE": "1",
        "KB_PATH": str(data_dir / "faq"),
    }  # fmt: skip
    os.environ.update(env)  # the CLIs the walk runs (learning learn) see the same FAQ
    hub, rasa, actions = free_port(), free_port(), free_port()
    stack, endpoints = bring_up(data_dir=data_dir, hub_port=hub, rasa_port=rasa, action_port=actions,
                                models_dir=ROOT / "var" / "models", extra_env=env)  # fmt: skip
    if not (data_dir / "kb-pristine").is_dir():
        shutil.copytree(data_dir / "kb", data_dir / "kb-pristine")
    try:
        report, ok = asyncio.run(walk(endpoints.hub, data_dir, graph, args.screenshots or None))
        print(report)
    finally:
        stack.stop()
        graph.stop()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
