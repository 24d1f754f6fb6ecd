"""Issue 18's "Done when", walked as customers, two agents and a supervisor would, on the real stack.

    python -m ops.desk_walk [--data-dir /tmp/desk-walk] [--screenshots docs/img]
    python -m ops.desk_walk --hub http://127.0.0.1:8680 --data-dir DIR --graph-port 8683   # a running stack

Without ``--hub`` it starts the fake Graph API (the only mock: Meta's servers) and the real stack (Rasa,
action server, hub on SQLite: ops/run.py ``bring_up``) with WhatsApp on, HANDOFF_ABANDON_AFTER=25,
waiting.answer_within 25 s, alerts after 20 s, and business hours on: Spanish open all day, English
closed (so an English customer meets a closed desk). With ``--hub`` the stack must run with that
environment (``desk_env``) and WHATSAPP_GRAPH_URL on ``--graph-port``, where the fake is started.

Customers use the widget in Chromium (desktop and 390x844) and WhatsApp (signed webhooks); Ana and Luis
(agents) and Sara (admin) use the console in Chromium at 1440 px and the agent API. Every point of "What
we saw" (1-9) is tried; the report (Markdown, docs/desk_walk.md keeps the last one) says what was done,
what people saw, and ✔/✘ per check; screenshots go to ``--screenshots`` as desk_walk_*.png.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import socket
import sys
import threading
import time
from pathlib import Path

import httpx
import uvicorn
import yaml
from playwright.async_api import async_playwright

from ops.desk_walk_customers import (
    check_waiting,
    clarify_and_late_order,
    media,
    one_voice,
    phone_widget,
    start_waiting,
)
from ops.desk_walk_people import Desk, Findings, Staff
from ops.desk_walk_staff import console_details, media_in_console, supervisor
from ops.run import bring_up
from ops.security_walk_harness import Walk, whatsapp_env
from ops.stack import ROOT, free_port
from tests.fakes.graph_api import FakeGraphAPI

SECRET, PHONE_ID, CHROMIUM = "walk-secret", "106540352242922", "/usr/bin/chromium"
ABANDON_AFTER = 25.0
TITLES = {
    1: "Waiting customers are dropped silently", 2: "Contradictory messages", 3: "No supervisor",
    4: "Agents type everything by hand", 5: "WhatsApp media", 6: "Console details", 7: "Clarify",
    8: "Late orders look fine", 9: "Widget on a phone",
}  # fmt: skip


def desk_env(data_dir: Path, graph_url: str) -> dict[str, str]:
    """The walk's settings, and its policy file (handoff/policy.yml with short waits and hours on)."""
    policy = yaml.safe_load((ROOT / "handoff" / "policy.yml").read_text())
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    policy["business_hours"].update(enabled=True, week={d: ["00:00-24:00"] for d in days}, holidays=[],
                                    languages={"en": {"week": {"monday": ["09:00-09:30"]}}})  # fmt: skip
    policy["waiting"] = {"answer_within": 25, "widget_gone_after": 30}
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "policy.yml").write_text(yaml.safe_dump(policy, allow_unicode=True, sort_keys=False))
    return {
        **whatsapp_env(graph_url, SECRET, PHONE_ID), "HANDOFF_POLICY_PATH": str(data_dir / "policy.yml"),
        "HANDOFF_ABANDON_AFTER": str(ABANDON_AFTER), "HANDOFF_SWEEP_INTERVAL": "3",
        "HANDOFF_WAIT_ALERT_AFTER": "20",
    }  # fmt: skip


def fake_graph(port: int) -> FakeGraphAPI:
    """The fake Graph API on a given port (a running stack's WHATSAPP_GRAPH_URL)."""
    graph = FakeGraphAPI(access_token="walk-token")
    if not port:
        return graph.start()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    graph.port = port
    server = uvicorn.Server(uvicorn.Config(graph.app, log_config=None, lifespan="off"))
    graph._server, graph._thread = server, threading.Thread(target=server.run, kwargs={"sockets": [sock]},
                                                            daemon=True)  # fmt: skip
    graph._thread.start()
    while not server.started:
        time.sleep(0.01)
    return graph


async def walk(hub: str, data_dir: Path, graph: FakeGraphAPI, shots: Path | None) -> str:
    found = Findings(shots)
    tools = Walk(argparse.Namespace(hub=hub, data_dir=str(data_dir), whatsapp_secret=SECRET,
                                    phone_number_id=PHONE_ID, hub_pid=0))  # fmt: skip
    async with async_playwright() as pw, httpx.AsyncClient(base_url=hub, timeout=60) as http:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        staff = Staff(http, data_dir)
        await asyncio.to_thread(staff.create)
        for who in ("ana", "luis", "sara"):
            await staff.login(who)
            await staff.status(who, "offline")
        desk = Desk(hub, browser, staff, tools, graph, found)
        await _guard(found, 2, "one voice", one_voice(desk))
        await staff.status("luis", "online")
        waiting = await start_waiting(desk)
        checking = asyncio.create_task(
            _guard(found, 1, "waiting", check_waiting(desk, waiting, ABANDON_AFTER))
        )
        customer = await _guard(found, 7, "clarify and late order", clarify_and_late_order(desk))
        await desk.mark()
        await _guard(found, 5, "media", media(desk))
        ana, luis, sara = [await staff.console(browser, who) for who in ("ana", "luis", "sara")]
        await staff.status("sara", "online")
        media_conversation = await _guard(found, 5, "media in the console", media_in_console(desk, ana))
        if customer is not None:
            await _guard(found, 6, "console", console_details(desk, ana, luis, customer))
        if media_conversation is None:  # Ana holds another one for Sara to reassign
            media_conversation = await desk.new_in_queue("whatsapp")
            await staff.call("ana", "POST", f"/conversations/{media_conversation}/claim")
        await _guard(found, 3, "supervisor", supervisor(desk, sara, ana, media_conversation))
        await checking
        await _guard(found, 9, "phone", phone_widget(desk))
        await browser.close()
    await tools.http.aclose()
    return report(found)


async def _guard(found: Findings, point: int, name: str, step):  # type: ignore[no-untyped-def]
    """Run one step; a step that breaks is a finding (✘ with the error), and the walk goes on."""
    try:
        return await step
    except Exception as exc:
        found.check(
            point, False, f"step «{name}» broke: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
        )
        return None


def report(found: Findings) -> str:
    out = ["# Issue 18, walked (ops/desk_walk.py)", ""]
    for point, title in TITLES.items():
        verdict = "NOT FIXED" if found.broken.get(point) else "FIXED"
        out += [f"## {point}. {title}: {verdict}", ""]
        out += [f"- {line}" for line in found.lines.get(point, [])]
        out += [""] + [f"![{name}](img/{name})" for name in found.pictures.get(point, [])] + [""]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--data-dir", default="/tmp/desk-walk")
    parser.add_argument("--hub", default="", help="a running stack started with desk_env (see above)")
    parser.add_argument("--graph-port", type=int, default=0)
    parser.add_argument("--screenshots", default="", help="folder for the PNGs (e.g. docs/img)")
    args = parser.parse_args()
    data_dir = Path(args.data_dir).resolve()
    shots = Path(args.screenshots) if args.screenshots else None
    graph = fake_graph(args.graph_port)
    stack = None
    try:
        hub = args.hub.rstrip("/")
        if not hub:
            for old in data_dir.glob("*"):  # a fresh desk; the FAQ index (kb/) and models are kept
                if old.name not in ("kb", "models"):
                    shutil.rmtree(old) if old.is_dir() else old.unlink()
            stack, endpoints = bring_up(
                data_dir=data_dir,
                hub_port=free_port(),
                rasa_port=free_port(),
                action_port=free_port(),
                extra_env=desk_env(data_dir, graph.base_url),
            )
            hub = endpoints.hub
        print(asyncio.run(walk(hub, data_dir, graph, shots)))
    finally:
        if stack is not None:
            stack.stop()
        graph.stop()
        sys.stdout.flush()


if __name__ == "__main__":
    main()
