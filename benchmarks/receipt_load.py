"""Receipt latency under load: 100 messages/s for 60 s through the widget socket and the WhatsApp webhook.

    .venv/bin/python -m benchmarks.receipt_load [--rate 100] [--duration 60] [--runs 3] [--warmup 5]
        [--database-url postgresql://...] [--jobs redis://127.0.0.1:6379/13] [--real-rasa]
        [--worker-nice 10 [--worker-after-load]] [--web-processes 2] [--hub-watchdog]

Starts the real hub (``python -m hub``, its own process and data dir, SQLite unless
--database-url), a stub Rasa that answers at once (process), and the tests' fake Graph API on
loopback (a thread here, timing read receipts). Two load generator processes
(benchmarks/load_generator.py) then send on an open-loop schedule, half the rate each: widget
customers over socket.io and signed WhatsApp webhooks, each with ~5% resends of the same id.
Latency runs from each message's scheduled send time to its receipt. Before them, ``--warmup``
seconds of the same rate from 20 other customers per channel warm the hub up, unmeasured.
Afterwards the hub's database is read: every message stored exactly once, every one answered once.
Each second of the load records the CPU the hypervisor stole from this machine and the web
processes' CPU; the run table lists the seconds with a receipt over 50 ms with both.

The stub Rasa keeps NLU out of the measurement: this benchmarks the hub's receipt path. The hub runs
with BOT_HOLDING_AFTER=0 and BOT_HANDOFF_AFTER=0, so every message must end up answered by the bot
(otherwise a backlog older than 60 s would be handed to people as ``bot_unavailable``).
``--real-rasa`` puts the trained bot behind the hub instead (ops.run.bring_up); at 100 msg/s on 2
cores Rasa cannot keep up, so answers lag far behind, but receipts must not.
Prints the tables and writes them as a section of docs/benchmarks/receipt_load.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks.load_graph import TimedGraph
from benchmarks.load_report import RunResult, channel_result, median_table, run_table, write_section
from benchmarks.load_verify import read_stored, wait_drained
from ops.stack import ROOT, Service, Stack, free_port

__all__ = ["main"]

PYTHON = str(ROOT / ".venv" / "bin" / "python")
APP_SECRET = "bench-app-secret"
PHONE_ID = "106540352242922"
TOKEN = "bench-token"
OUT = ROOT / "docs" / "benchmarks" / "receipt_load.md"


@dataclass(frozen=True)
class Options:
    rate: float
    duration: float
    widget_share: float
    customers: int
    dup_share: float
    database_url: str | None
    jobs_url: str
    real_rasa: bool
    settle: float
    hub_profile: Path | None = None
    worker_nice: int | None = None  # a separate `python -m hub.worker` at this nice level
    worker_after_load: bool = False  # ... started once the load is over (bot work on other cores)
    hub_watchdog: bool = False  # the web process under benchmarks.hub_watchdog (logs/watchdog.log)
    warmup: float = 5.0  # seconds of unmeasured load first (other customers)
    web_processes: int = 1  # HUB_WEB_PROCESSES


@dataclass
class Hub:
    """The processes under test: the web process (receipts) and, when split off, the worker."""

    stack: Stack
    url: str
    pid: int
    worker: subprocess.Popen[bytes] | None = None
    late_worker_env: dict[str, str] | None = None  # --worker-after-load: started by drive()

    @property
    def pids(self) -> list[int]:
        return [self.pid] + ([self.worker.pid] if self.worker is not None else [])

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            try:
                self.worker.wait(15)
            except subprocess.TimeoutExpired:
                self.worker.kill()
                self.worker.wait()
        self.stack.stop()


def _cpu_ticks(pid: int) -> int:
    """utime + stime of the process's threads and of its child processes (HUB_WEB_PROCESSES > 1)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = [int(c) for c in children.read_text().split()] if children.exists() else []
    own = int(fields[11]) + int(fields[12])
    return own + sum(_cpu_ticks(kid) for kid in kids if Path(f"/proc/{kid}").exists())


def _machine_ticks() -> tuple[int, int, int]:
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return sum(values[:8]), values[3] + values[4], values[7]  # total, idle + iowait, steal


def _watch(t0: float, duration: float, hub_pid: int) -> list[tuple[float, float]]:
    """Sleep through the load; per second, the share of the machine's CPU time the hypervisor gave
    to other guests (steal: a stolen core stalls every process on it, the hub included) and the
    web process's CPU use (100 = one core)."""
    seconds: list[tuple[float, float]] = []
    tick = os.sysconf("SC_CLK_TCK")
    total_before, _, stolen_before = _machine_ticks()
    hub_before = _cpu_ticks(hub_pid)
    for second in range(1, int(duration) + 1):
        time.sleep(max(0.0, t0 + second - time.monotonic()))
        (total, _, stolen), hub = _machine_ticks(), _cpu_ticks(hub_pid)
        steal = 100 * (stolen - stolen_before) / max(1, total - total_before)
        seconds.append((steal, 100 * (hub - hub_before) / tick))
        total_before, stolen_before, hub_before = total, stolen, hub
    time.sleep(max(0.0, t0 + duration - time.monotonic()))
    return seconds


def hub_env(opts: Options, data_dir: Path, graph_url: str) -> dict[str, str]:
    env = {
        "DATA_DIR": str(data_dir), "JOBS_URL": opts.jobs_url, "LOG_LEVEL": "INFO",
        "WHATSAPP_ENABLED": "true", "WHATSAPP_ACCESS_TOKEN": TOKEN, "WHATSAPP_APP_SECRET": APP_SECRET,
        "WHATSAPP_VERIFY_TOKEN": "bench-verify", "WHATSAPP_PHONE_NUMBER_ID": PHONE_ID,
        "WHATSAPP_GRAPH_URL": graph_url, "PYTHONUNBUFFERED": "1",
        # Every message must get the (stub) bot's answer: no holding message, no bot_unavailable handoff
        # when an overloaded hub makes a message wait for the bot longer than BOT_HANDOFF_AFTER.
        "BOT_HOLDING_AFTER": "0", "BOT_HANDOFF_AFTER": "0",
    }
    if opts.database_url:
        env["DATABASE_URL"] = opts.database_url
    env["HUB_WEB_PROCESSES"] = str(opts.web_processes)
    if opts.worker_nice is not None:
        env["HUB_RUN_WORKER"] = "false"
        env["BROADCAST_URL"] = opts.jobs_url
    return env


def start_worker(opts: Options, env: dict[str, str], log_dir: Path) -> subprocess.Popen[bytes]:
    """``nice -n N python -m hub.worker`` with the hub's settings; returns once it consumes jobs."""
    log_path = log_dir / "worker.log"
    argv = ["nice", "-n", str(opts.worker_nice), PYTHON, "-m", "hub.worker"]
    with log_path.open("ab") as log:
        worker = subprocess.Popen(
            argv, cwd=ROOT, env={**os.environ, **env}, stdout=log, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + 60
    while b"worker started" not in log_path.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            worker.kill()
            raise SystemExit(f"hub.worker did not start: see {log_path}")
        time.sleep(0.2)
    print(f"  started worker         pid {worker.pid} (nice {opts.worker_nice})", flush=True)
    return worker


def start_stack(opts: Options, data_dir: Path, graph_url: str) -> Hub:
    """The hub behind a stub (or the real) Rasa, and its worker process if split off."""
    hub = _start_web(opts, data_dir, graph_url)
    if opts.worker_nice is not None:
        try:
            env = {**hub_env(opts, data_dir, graph_url), "RASA_URL": _rasa_url(hub.stack)}
            if opts.worker_after_load:
                hub.late_worker_env = env
                return hub
            hub.worker = start_worker(opts, env, data_dir / "logs")
        except BaseException:
            hub.stop()
            raise
    return hub


def _rasa_url(stack: Stack) -> str:
    for service in stack.services:
        if service.name in ("stub-rasa", "rasa"):
            return service.health_url.rsplit("/", 1)[0]
    raise SystemExit("no Rasa service in the stack")


def _start_web(opts: Options, data_dir: Path, graph_url: str) -> Hub:
    env = hub_env(opts, data_dir, graph_url)
    hub_port = free_port()
    if opts.real_rasa:
        from ops.run import bring_up

        os.environ.update(env)  # bring_up's services inherit the environment
        stack, endpoints = bring_up(
            data_dir=data_dir, hub_port=hub_port, rasa_port=free_port(), action_port=free_port(),
            models_dir=ROOT / "var" / "models",
        )
        hub = next(s for s in stack.services if s.name == "hub")
        assert hub.process is not None
        return Hub(stack, endpoints.hub, hub.process.pid)
    rasa_port = free_port()
    rasa = Service(
        name="stub-rasa", argv=[PYTHON, "-m", "benchmarks.load_stub_rasa", "--port", str(rasa_port)],
        health_url=f"http://127.0.0.1:{rasa_port}/status", timeout_s=30,
    )
    module = ["hub"]
    if opts.hub_profile:
        module = ["benchmarks.hub_profiled", str(opts.hub_profile)]
    elif opts.hub_watchdog:
        module = ["benchmarks.hub_watchdog", str(data_dir / "logs" / "watchdog.log")]
    hub = Service(
        name="hub", argv=[PYTHON, "-m", *module], health_url=f"http://127.0.0.1:{hub_port}/healthz",
        timeout_s=60, env={**env, "HUB_PORT": str(hub_port), "RASA_URL": f"http://127.0.0.1:{rasa_port}"},
    )
    stack = Stack([rasa, hub], log_dir=data_dir / "logs")
    stack.start()
    assert hub.process is not None
    return Hub(stack, f"http://127.0.0.1:{hub_port}", hub.process.pid)


@dataclass(frozen=True)
class Load:
    """What one pair of generators sends: the measured load, or the warm-up before it."""

    run_id: str
    duration: float
    customers: int
    settle: float


def _generator(opts: Options, load: Load, channel: str, hub_url: str, out: Path) -> subprocess.Popen[str]:
    share = opts.widget_share if channel == "widget" else 1 - opts.widget_share
    argv = [
        PYTHON, "-m", "benchmarks.load_generator", "--channel", channel, "--hub", hub_url,
        "--rate", str(opts.rate * share), "--duration", str(load.duration),
        "--customers", str(load.customers), "--dup-share", str(opts.dup_share), "--run-id", load.run_id,
        "--settle", str(load.settle), "--app-secret", APP_SECRET, "--phone-id", PHONE_ID, "--out", str(out),
    ]
    log = (out.parent / f"generator-{out.stem}.log").open("w")
    return subprocess.Popen(
        argv, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
    )


def _start(opts: Options, load: Load, hub: Hub, work: Path, suffix: str = "") -> tuple[dict[str, Any], float]:
    """Both generators connected and told to start at the same t0; returns them and t0."""
    shares = (("widget", opts.widget_share), ("whatsapp", 1 - opts.widget_share))
    channels = [c for c, share in shares if share]
    procs = {c: _generator(opts, load, c, hub.url, work / f"{c}{suffix}.json") for c in channels}
    for channel, proc in procs.items():
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            proc.wait(10)
            raise SystemExit(f"{channel} generator failed: see {work}/generator-{channel}{suffix}.log")
    t0 = time.monotonic() + 0.5
    for proc in procs.values():
        assert proc.stdin is not None
        proc.stdin.write(f"go {t0}\n")
        proc.stdin.flush()
    return procs, t0


def warm_up(opts: Options, hub: Hub, run_id: str, work: Path) -> None:
    """Before the measured load: the same rate for ``opts.warmup`` s from 20 other customers per
    channel, not counted. A hub just started opens its database connections, compiles its
    statements and imports what its first requests need then: its first second took 600 ms per
    receipt. The measured load still starts with its 2 x 200 customers' first messages."""
    if opts.warmup <= 0:
        return
    procs, _ = _start(opts, Load(f"{run_id}w", opts.warmup, 20, 2.0), hub, work, "-warmup")
    for channel, proc in procs.items():
        if proc.wait(opts.warmup + 60) != 0:
            raise SystemExit(f"{channel} warm-up generator exited {proc.returncode}: see {work}")


def drive(
    opts: Options, hub: Hub, run_id: str, work: Path
) -> tuple[dict[str, Any], dict[str, float], list[tuple[float, float]]]:
    """Run both generators from the same t0; their results, the CPU figures of the window and the
    steal and web CPU of each second."""
    warm_up(opts, hub, run_id, work)
    procs, t0 = _start(opts, Load(run_id, opts.duration, opts.customers, opts.settle), hub, work)
    time.sleep(max(0.0, t0 - time.monotonic()))
    ticks0, (total0, idle0, stolen0) = [_cpu_ticks(pid) for pid in hub.pids], _machine_ticks()
    seconds = _watch(t0, opts.duration, hub.pid)
    ticks1, (total1, idle1, stolen1) = [_cpu_ticks(pid) for pid in hub.pids], _machine_ticks()
    tick = os.sysconf("SC_CLK_TCK")
    pct = [100 * (b - a) / tick / opts.duration for a, b in zip(ticks0, ticks1, strict=True)]
    cpu = {
        "hub_cpu_pct": pct[0],
        "worker_cpu_pct": pct[1] if len(pct) > 1 else 0.0,
        "machine_busy_pct": 100 * (1 - (idle1 - idle0) / max(1, total1 - total0)),
        "steal_pct": 100 * (stolen1 - stolen0) / max(1, total1 - total0),
        "hub_ticks_t0": ticks0[0],
        "worker_ticks_t0": ticks0[1] if len(ticks0) > 1 else 0,
    }
    if hub.late_worker_env is not None:  # the load is over: the bot work starts now
        hub.worker = start_worker(opts, hub.late_worker_env, work / "data" / "logs")
    results = {}
    for channel, proc in procs.items():
        if proc.wait(opts.duration + opts.settle + 120) != 0:
            raise SystemExit(f"{channel} generator exited {proc.returncode}: see {work}")
        results[channel] = json.loads((work / f"{channel}.json").read_text())
    return results, cpu, seconds


def one_run(opts: Options, label: str, index: int) -> RunResult:
    run_id = f"lb{uuid.uuid4().hex[:6]}{index}"
    with tempfile.TemporaryDirectory(prefix="receipt-load-") as tmp:
        work = Path(tmp)
        graph = TimedGraph(access_token=TOKEN)
        graph.start()
        hub = start_stack(opts, work / "data", graph.base_url)
        try:
            print(f"run {index + 1}: {label}, hub pid {hub.pid}, {opts.rate:g} msg/s for {opts.duration:g} s",
                  flush=True)
            generated, cpu, seconds = drive(opts, hub, run_id, work)
            url = opts.database_url or f"sqlite+aiosqlite:///{(work / 'data' / 'hub.db').as_posix()}"
            prefixes = {"widget": run_id, "whatsapp": f"wamid.{run_id}"}
            left = asyncio.run(wait_drained(url, prefixes, timeout=opts.settle))
            tick = os.sysconf("SC_CLK_TCK")
            hub_cpu_s = (_cpu_ticks(hub.pid) - cpu["hub_ticks_t0"]) / tick
            worker_cpu_s = (_cpu_ticks(hub.worker.pid) - cpu["worker_ticks_t0"]) / tick if hub.worker else 0.0
            channels = []
            for channel, result in generated.items():
                stored = asyncio.run(read_stored(url, channel, prefixes[channel]))
                reads = graph.read_at if channel == "whatsapp" else None
                channels.append(channel_result(result, stored, reads))
        finally:
            hub.stop()
            graph.stop()
            logs = ROOT / "var" / "receipt_load" / run_id
            shutil.copytree(work / "data" / "logs", logs, dirs_exist_ok=True)
            for generator_file in [*work.glob("generator-*.log"), *work.glob("*.json")]:
                shutil.copy(generator_file, logs)
            print(f"logs of the run: {logs}", flush=True)
    messages = sum(c.sent for c in channels)
    return RunResult(
        label, channels, cpu["hub_cpu_pct"], cpu["machine_busy_pct"], os.getloadavg(), left,
        hub_cpu_ms_per_message=1000 * hub_cpu_s / max(1, messages),
        worker_cpu_pct=cpu["worker_cpu_pct"] if hub.worker else None,
        worker_cpu_ms_per_message=1000 * worker_cpu_s / max(1, messages),
        steal_pct=cpu["steal_pct"],
        by_second=seconds,
    )


def _label(opts: Options) -> str:
    db = "PostgreSQL" if opts.database_url and opts.database_url.startswith("postgres") else "SQLite"
    jobs = "Redis jobs" if opts.jobs_url.startswith("redis") else "in-process jobs"
    if opts.worker_nice is not None:
        jobs += f", separate worker (nice {opts.worker_nice})"
    if opts.worker_after_load:
        jobs += " started after the load"
    if opts.web_processes > 1:
        jobs += f", {opts.web_processes} web processes"
    return f"{opts.rate:g} msg/s, {db}, {jobs}, {'real Rasa' if opts.real_rasa else 'stub Rasa'}"


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return f"{platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


PREAMBLE = """# Receipt latency under load (widget socket + WhatsApp webhook)

`python -m benchmarks.receipt_load` (see its docstring; `make bench` runs it). Target (issue #4): p99 <= 50 ms
inbound -> receipt at 100 messages/s for 60 s, zero messages lost or duplicated. Latency is measured from each
message's *scheduled* send time (open loop, no coordinated omission), in milliseconds.
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rate", type=float, default=100.0, help="new messages per second, both channels")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of load")
    parser.add_argument("--widget-share", type=float, default=0.5, help="share of the rate on the widget")
    parser.add_argument("--customers", type=int, default=200, help="customers per channel")
    parser.add_argument("--dup-share", type=float, default=0.05, help="share of messages sent twice")
    parser.add_argument("--runs", type=int, default=1, help="repeat; medians across runs are reported")
    parser.add_argument("--database-url", help="hub database (default: a fresh SQLite file per run)")
    parser.add_argument("--jobs", default="memory://", help="JOBS_URL of the hub, e.g. redis://127.0.0.1:6379/13")
    parser.add_argument("--worker-nice", type=int, metavar="N",
                        help="bot work in a separate `nice -n N python -m hub.worker` (HUB_RUN_WORKER=false; "
                             "needs --jobs redis://, also used as BROADCAST_URL)")
    parser.add_argument("--worker-after-load", action="store_true",
                        help="with --worker-nice: start the worker once the load is over, so the web process "
                             "has the machine to itself (bot work on other cores, as in a deployment at this "
                             "rate); answers are still checked")
    parser.add_argument("--real-rasa", action="store_true", help="the trained bot instead of the stub")
    parser.add_argument("--settle", type=float, default=90.0, help="seconds to wait for answers afterwards")
    parser.add_argument("--hub-profile", type=Path, help="run the hub under cProfile, stats to this file")
    parser.add_argument("--hub-watchdog", action="store_true",
                        help="log the web process's event-loop stalls and their stacks (logs/watchdog.log)")
    parser.add_argument("--warmup", type=float, default=5.0,
                        help="seconds of load from other customers first, not measured (0: a cold hub)")
    parser.add_argument("--web-processes", type=int, default=1,
                        help="HUB_WEB_PROCESSES of the hub (above 1 needs --worker-nice)")
    parser.add_argument("--out", type=Path, default=OUT, help="doc to write ('-' prints only)")
    args = parser.parse_args()
    if args.worker_nice is not None and not args.jobs.startswith("redis"):
        parser.error("--worker-nice needs --jobs redis://host:6379/N (the worker is another process)")
    if args.worker_after_load and args.worker_nice is None:
        parser.error("--worker-after-load needs --worker-nice N")
    if args.worker_nice is not None and args.real_rasa:
        parser.error("--worker-nice runs with the stub Rasa only")
    opts = Options(args.rate, args.duration, args.widget_share, args.customers, args.dup_share,
                   args.database_url, args.jobs, args.real_rasa, args.settle, args.hub_profile,
                   args.worker_nice, args.worker_after_load, args.hub_watchdog, args.warmup,
                   args.web_processes)
    label = _label(opts)
    runs = []
    for index in range(args.runs):
        runs.append(one_run(opts, label, index))
        print(run_table(runs[-1]) + "\n", flush=True)
    body = [
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {_machine()}; {args.runs} run(s) of "
        f"{args.rate:g} msg/s for {args.duration:g} s (after {args.warmup:g} s unmeasured), "
        f"{args.widget_share:.0%} widget, {args.customers} "
        f"customers per channel, {args.dup_share:.0%} resent; command: `python -m benchmarks.receipt_load "
        + " ".join(sys.argv[1:]) + "`.",
        "", "Across runs (counts summed, latencies the median of the runs' percentiles):", "",
        median_table(runs), "",
    ]
    for index, run in enumerate(runs):
        body += [f"Run {index + 1}:", "", run_table(run), ""]
    text = "\n".join(body)
    print(text)
    if str(args.out) != "-":
        write_section(args.out, label, text, PREAMBLE)
        print(f"wrote {args.out}")
    failures = sum(c.lost + c.dup_stored + c.dup_answers for r in runs for c in r.channels)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
