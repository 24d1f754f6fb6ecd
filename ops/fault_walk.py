"""Issue 19's operator walk: `make run` on PostgreSQL, shoppers chatting in the widget, and each process of
the stack killed with ``kill -9`` in turn while they write.

    .venv/bin/python -m ops.fault_walk [--shoppers 4] [--handoff-after 30] [--out docs/benchmarks/faults.md]

It starts ``python -m ops.run`` (the command behind `make run`) with a private ``DATA_DIR`` and a database
it creates on the machine's PostgreSQL, opens the demo shop's widget in headless Chromium for each shopper
and greets. Then for the action server, Rasa and the hub in turn: ``kill -9`` of every process of that
service (the group of the process listening on its port: the action server's Sanic worker too), and at
once each shopper types two questions. The launcher starts the service again, as it would for an operator.
What each message became is read from the hub's database and Rasa's trackers (ops/fault_walk_verdict.py);
what the shoppers saw, from their widgets.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psycopg
from playwright.async_api import Browser, Page, async_playwright

from hub.turns.deadlines import holding_text
from ops.desk_walk_people import open_widget, widget_texts
from ops.fault_walk_verdict import Round, rasa_turns, read_round, table
from ops.stack import ROOT, free_port

__all__ = ["main"]

CHROMIUM = "/usr/bin/chromium"
QUESTIONS = [
    ("cuanto tarda el envio?", "como devuelvo algo"),
    ("que metodos de pago aceptais", "cuanto cuesta el envio"),
    ("puedo pagar con bizum", "hacen envios a canarias"),
    ("como cambio la talla", "cuanto tarda el reembolso"),
]
TARGETS = ("action-server", "rasa", "hub")
HOLDING = holding_text("es")[:30]


@dataclass
class Launcher:
    """`make run`'s launcher as a child process, its output echoed with a prefix."""

    env: dict[str, str]
    ports: dict[str, int]
    process: subprocess.Popen[str] | None = None
    lines: list[str] = field(default_factory=list)

    def start(self) -> None:
        argv = [sys.executable, "-m", "ops.run", "--hub-port", str(self.ports["hub"]),
                "--rasa-port", str(self.ports["rasa"]), "--action-port", str(self.ports["action-server"])]
        self.process = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)

    def read_until(self, marker: str, timeout_s: float) -> None:
        assert self.process is not None and self.process.stdout is not None
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                raise SystemExit(f"make run exited ({self.process.poll()}): {self.lines[-5:]}")
            self.lines.append(line.rstrip())
            print(f"  [make run] {line.rstrip()}", flush=True)
            if marker in line:
                return
        raise SystemExit(f"make run did not print {marker!r} in {timeout_s:.0f} s")

    def leader(self, service: str) -> int:
        """The pid of the process the launcher started for ``service`` (leader of the group that listens)."""
        out = subprocess.run(["ss", "-ltnpH", f"sport = :{self.ports[service]}"], capture_output=True,
                             text=True, check=True).stdout
        pid = int(out.split("pid=")[1].split(",")[0])
        return os.getpgid(pid)  # each service runs in its own session: the group id is the launcher's child

    def health_url(self, service: str) -> str:
        base = f"http://127.0.0.1:{self.ports[service]}"
        token = self.env["RASA_TOKEN"]
        paths = {"hub": "/healthz", "action-server": "/health", "rasa": f"/status?token={token}"}
        return base + paths[service]

    def stop(self) -> float:
        """SIGTERM, as an operator's Ctrl-C from a terminal; seconds until it exited."""
        if self.process is None:
            return 0.0
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
        return time.monotonic() - started


def _healthy(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


@dataclass
class Shopper:
    page: Page
    seen: int = 0  # widget bubbles already read

    async def type(self, text: str) -> None:
        box = self.page.get_by_label("Escribe tu mensaje")
        await box.fill(text)
        await box.press("Enter")

    async def new_texts(self) -> list[str]:
        return await widget_texts(self.page, self.seen)


async def _greet(browser: Browser, hub: str) -> Shopper:
    shopper = Shopper(await open_widget(browser, hub))
    await shopper.type("hola")
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not await shopper.new_texts():
        await asyncio.sleep(0.25)
    await asyncio.sleep(2)
    shopper.seen = await shopper.page.locator(".mw-msg--out, .mw-msg--system").count()
    return shopper


async def _round(shoppers: list[Shopper], launcher: Launcher, target: str, database_url: str,
                 *, wait_s: float) -> Round:
    """One process killed, two questions from each shopper; wait for answers or people, then read the DB."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute("SELECT coalesce(max(id), 0) FROM messages").fetchone()
    after_id = int(row[0]) if row else 0
    pid = launcher.leader(target)
    members = _group(pid)
    os.killpg(pid, signal.SIGKILL)  # every process of it: the action server's Sanic worker too
    killed = time.monotonic()
    print(f"kill -9 {target} (pids {', '.join(map(str, members))})", flush=True)
    for shopper, (first, second) in zip(shoppers, QUESTIONS, strict=False):
        await shopper.type(first)
        await shopper.type(second)
    typed = time.monotonic()
    health = launcher.health_url(target)
    back_s: float | None = None
    seen_s: dict[int, float] = {}  # per shopper: when their screen last got a reply (not the holding one)
    counts = [0] * len(shoppers)
    expected = 2 * len(shoppers)
    while time.monotonic() - typed < wait_s:
        if back_s is None and pid != _leader_or_none(launcher, target) and _healthy(health):
            back_s = time.monotonic() - killed
        for i, shopper in enumerate(shoppers):
            texts = [t for t in await shopper.new_texts() if not t.startswith(HOLDING)]
            if len(texts) != counts[i]:
                counts[i], seen_s[i] = len(texts), time.monotonic() - typed
        outcomes = read_round(database_url, target=target, after_id=after_id, back_s=back_s, shown=[],
                              seen_s={}, holding=HOLDING).outcomes
        settled = len(outcomes) >= expected and all(o.seconds is not None for o in outcomes)
        if back_s is not None and settled and all(time.monotonic() - typed - seen_s.get(i, 0) > 3
                                                  for i in range(len(shoppers))):
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # late duplicates, if any, would come now
    shown = [await s.new_texts() for s in shoppers]
    for shopper in shoppers:
        shopper.seen = await shopper.page.locator(".mw-msg--out, .mw-msg--system").count()
    return read_round(database_url, target=target, after_id=after_id, back_s=back_s,
                      shown=shown, seen_s=seen_s, holding=HOLDING)


def _group(pgid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _leader_or_none(launcher: Launcher, target: str) -> int | None:
    try:
        return launcher.leader(target)
    except (IndexError, ValueError, subprocess.CalledProcessError, ProcessLookupError):
        return None


async def walk(
    launcher: Launcher, hub: str, database_url: str, shoppers_n: int, wait_s: float
) -> list[Round]:
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM)
        shoppers = [await _greet(browser, hub) for _ in range(shoppers_n)]
        print(f"{len(shoppers)} shoppers greeted", flush=True)
        rounds = []
        for target in TARGETS:
            rounds.append(await _round(shoppers, launcher, target, database_url, wait_s=wait_s))
            print(rounds[-1].line(), flush=True)
            for _ in range(240):  # the next kill only once everything is back
                if all(_healthy(launcher.health_url(t)) for t in TARGETS):
                    break
                await asyncio.sleep(0.5)
        await browser.close()
    rasa_turns(rounds, rasa=launcher.health_url("rasa").split("/status")[0], token=launcher.env["RASA_TOKEN"])
    return rounds


def _create_database(admin_url: str) -> str:
    name = f"mostrador_walk_{int(time.time())}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shoppers", type=int, default=4, choices=range(1, len(QUESTIONS) + 1))
    parser.add_argument("--handoff-after", type=float, default=30.0, help="BOT_HANDOFF_AFTER for the stack")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/test",
                        help="a database on the server where the walk creates its own")
    parser.add_argument("--out", type=Path, help="append the table to this Markdown file")
    args = parser.parse_args()

    database_url = _create_database(args.postgres)
    data_dir = Path(tempfile.mkdtemp(prefix="fault-walk-"))
    for model in (ROOT / "var" / "models").glob("*.tar.gz"):  # a model trained by `make run` before
        (data_dir / "models").mkdir(exist_ok=True)
        shutil.copy(model, data_dir / "models" / model.name)
    ports = {"hub": free_port(), "rasa": free_port(), "action-server": free_port()}
    env = {**os.environ, "DATA_DIR": str(data_dir), "DATABASE_URL": database_url,
           "BOT_HANDOFF_AFTER": str(args.handoff_after), "RASA_TOKEN": secrets.token_urlsafe(16)}
    launcher = Launcher(env=env, ports=ports)
    launcher.start()
    try:
        launcher.read_until("Ready in", timeout_s=900)
        hub = f"http://127.0.0.1:{ports['hub']}"
        rounds = asyncio.run(walk(launcher, hub, database_url, args.shoppers, wait_s=args.handoff_after + 15))
    finally:
        stop_s = launcher.stop()
    left = [name for name, port in ports.items() if _listening(port)]
    text = table(rounds, handoff_after=args.handoff_after, stop_s=stop_s, left=left, shoppers=args.shoppers)
    print(text)
    if args.out:
        with args.out.open("a") as out:
            out.write("\n" + text)


def _listening(port: int) -> bool:
    out = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
    return bool(out.strip())


if __name__ == "__main__":
    main()
