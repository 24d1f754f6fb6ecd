"""Answer capacity: the hub against Rasa alone, side by side in one run, on the scaled stack (issue 19).

    .venv/bin/python -m benchmarks.capacity [--rasa 1|2] [--workers 2] [--web-processes 1]
        [--rates 4,8,12,16,20] [--step 30] [--drain-cap 120] [--out docs/benchmarks/capacity.md]

Starts ops/scaled.py's stack (N Rasa servers on one PostgreSQL tracker store and a Redis lock store, one
action server each, the hub's web process(es) and workers) on a PostgreSQL database it creates and drops
(``capacity_bench`` and Rasa's ``capacity_bench_rasa``) and Redis database 12 (tests/hub/test_main.py
flushes 14). For each rate, two open-loop steps one after the other (benchmarks/capacity_load.py):
Rasa's REST webhook alone, then the hub's POST /api/v1/messages, the same mix of texts. Each step's CPU
(utime + stime of every process in each service's process group, /proc) is divided by the answered
messages. Capacity per path = the highest rate with answer p95 < 2 s and >= 99% answered.

Receipts at 300 msg/s (the other target of issue 19) are benchmarks.receipt_load's job, e.g.
    .venv/bin/python -m benchmarks.receipt_load --rate 300 --duration 30 --web-processes 2 --worker-nice 10 \\
        --jobs redis://127.0.0.1:6379/13 --database-url postgresql://postgres@127.0.0.1:5432/receipt_load
(raise --web-processes until receipt p99 <= 50 ms; the number of processes is in its section heading).
Prints the table and writes a section of docs/benchmarks/capacity.md (other sections are kept).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import secrets
import signal
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import psycopg
from psycopg import sql

from benchmarks.capacity_load import CpuMeter, hub_step, idle_cpu, plan, rasa_step
from benchmarks.capacity_report import StepResult, summary, table
from benchmarks.load_generator import TEXTS
from benchmarks.load_report import write_section
from ops.run import build_kb_index, dev_api_key
from ops.scaled import ensure_database, fresh_metrics_dir, scaled_services
from ops.stack import ROOT, Stack, free_port
from ops.train import ensure_model

__all__ = ["main"]

OUT = ROOT / "docs" / "benchmarks" / "capacity.md"
PREAMBLE = """# Answer capacity: the hub against Rasa alone (issue 19)

`python -m benchmarks.capacity` (see its docstring). For each rate, two open-loop steps side by side in
one run on the same stack: Rasa's REST webhook alone, then through the hub (POST /api/v1/messages).
Latency runs from each message's *scheduled* time to its answer (Rasa: the HTTP reply; hub: the first bot
reply stored for it). Capacity = the highest rate with answer p95 < 2 s and >= 99% answered. Targets:
hub / Rasa alone >= 0.95, hub CPU <= 8 ms per answered message. ✗ marks a step outside the capacity.
CPU ms/msg = the part's CPU during the step until drained / answered messages (the hub row's Rasa CPU
includes the turns the hub asked for); PG+Redis are the machine's shared servers (other people's tests use
them too: an upper bound). Machine busy = both cores (100%); in brackets the part of it no process measured
here used: other people's work on the shared machine during the step.
"""


def _drop(database: str, names: list[str]) -> None:
    admin = urlsplit(database)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as db:
        for name in names:
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


def _flush(redis_url: str) -> None:
    """Empty the run's own Redis database (jobs, broadcast, Rasa's locks)."""
    import redis

    with redis.Redis.from_url(redis_url) as client:
        client.flushdb()


def _warm(hub_url: str, api_key: str, rasa_urls: list[str], token: str) -> None:
    """Every text once per Rasa server and through the hub, one at a time, unmeasured: TensorFlow graphs,
    the action servers' embedding model and the hub's connection pools are ready before the first step."""
    with httpx.Client(timeout=180) as http:
        for i, base in enumerate(rasa_urls):
            for text in TEXTS:
                http.post(
                    f"{base}/webhooks/rest/webhook",
                    params={"token": token},
                    json={"sender": f"warm-{i}-{uuid.uuid4().hex[:6]}", "message": text},
                )
        headers = {"Authorization": f"Bearer {api_key}"}
        for text in TEXTS:
            http.post(
                f"{hub_url}/api/v1/messages",
                headers=headers,
                json={
                    "channel": "api",
                    "source_id": f"warm-{uuid.uuid4().hex[:6]}",
                    "client_message_id": uuid.uuid4().hex,
                    "text": text,
                },
            ).raise_for_status()


def _command() -> str:
    """This run's arguments, the --note text left out (it follows as its own line)."""
    argv, shown = sys.argv[1:], []
    for i, arg in enumerate(argv):
        if i > 0 and argv[i - 1] == "--note":
            shown.append('"..."')
        else:
            shown.append(arg)
    return " ".join(shown)


def _machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    return f"{platform.machine()} {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}"


def run(args: argparse.Namespace, rows: list[StepResult]) -> None:
    """Start the stack, measure every rate into ``rows`` (kept if interrupted), stop, drop the databases."""
    data_dir = ROOT / "var" / "capacity"
    run_id = f"cap{uuid.uuid4().hex[:6]}"
    token = secrets.token_urlsafe(24)
    os.environ["RASA_TOKEN"] = token  # scaled_services gives it to Rasa and the hub
    hub_db = args.database  # postgresql:// runs the hub on asyncpg (hub/db_postgres.py)
    hub_port = free_port()
    hub_url = f"http://127.0.0.1:{hub_port}"
    print("Rasa model, knowledge base index", flush=True)
    model = ensure_model(ROOT / "var" / "models")
    build_kb_index({**os.environ, "DATA_DIR": str(data_dir)})
    name = urlsplit(args.database).path.lstrip("/")
    _drop(args.database, [name, f"{name}_rasa"])  # a fresh database, also after an interrupted run
    _flush(args.redis)
    ensure_database(args.database)
    fresh_metrics_dir(data_dir)  # a fresh clone has none: the workers stopped at start
    services = scaled_services(
        model_path=model,
        data_dir=data_dir,
        rasa=args.rasa,
        workers=args.workers,
        web_processes=args.web_processes,
        database=args.database,
        redis=args.redis,
        hub_port=hub_port,
    )
    stack = Stack(services, log_dir=data_dir / f"logs-{run_id}", report=lambda line: print(line, flush=True))
    try:
        stack.start()
        api_key = dev_api_key(data_dir, {"DATABASE_URL": hub_db})
        rasa_urls = services[0].env["RASA_URL"].split(",")
        groups: dict[str, list[int]] = {"web": [], "workers": [], "rasa": [], "actions": []}
        for service in services:  # action-server-0, rasa-0, hub (the web process(es)), worker-0 ...
            part = {"action": "actions", "hub": "web", "worker": "workers"}.get(service.name.split("-")[0])
            groups[part or "rasa"].append(service.process.pid if service.process else -1)
        meter = CpuMeter(groups)
        print(f"warming up ({len(rasa_urls)} Rasa server(s), hub {hub_url})", flush=True)
        _warm(hub_url, api_key, rasa_urls, token)
        time.sleep(3)
        idle = asyncio.run(idle_cpu(meter, args.idle))
        print("idle CPU ms per s: " + ", ".join(f"{k} {1000 * v:.0f}" for k, v in idle.items()), flush=True)
        for rate in args.rates:
            for path in ("rasa", "hub"):
                p = plan(f"{run_id}-{path}-{rate:g}", rate, args.step)
                if path == "rasa":
                    row = asyncio.run(rasa_step(p, rasa_urls=rasa_urls, token=token, meter=meter))
                else:
                    row = asyncio.run(
                        hub_step(
                            p,
                            hub_url=hub_url,
                            api_key=api_key,
                            database=args.database,
                            meter=meter,
                            drain_cap=args.drain_cap,
                        )
                    )
                row.idle = idle
                rows.append(row)
                print(table([row]).splitlines()[-1], flush=True)
                time.sleep(args.pause)
    finally:
        stack.stop()
        _drop(args.database, [name, f"{name}_rasa"])
        _flush(args.redis)
        print(f"stopped; dropped {name} and {name}_rasa; logs {stack.log_dir}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--rasa", type=int, default=1, help="Rasa servers (each with its action server)")
    parser.add_argument("--workers", type=int, default=2, help="hub.worker processes")
    parser.add_argument("--web-processes", type=int, default=1, help="HUB_WEB_PROCESSES")
    parser.add_argument("--rates", default="4,8,12,16,20", help="messages per second, comma-separated")
    parser.add_argument("--step", type=float, default=30.0, help="seconds of load per rate and path")
    parser.add_argument(
        "--drain-cap", type=float, default=120.0, help="longest wait for the hub to drain (s)"
    )
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of no load measured first")
    parser.add_argument("--pause", type=float, default=3.0, help="seconds of quiet between steps")
    parser.add_argument(
        "--database",
        default="postgresql://postgres@127.0.0.1:5432/capacity_bench",
        help="created for the run and dropped afterwards (with its _rasa tracker database)",
    )
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/12")
    parser.add_argument("--note", default="", help="a sentence for the doc (e.g. who else used the machine)")
    parser.add_argument("--out", type=Path, default=OUT, help="doc to write ('-' prints only)")
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rates.split(",") if r.strip()]
    if min(args.rasa, args.workers, args.web_processes) < 1 or not args.rates:
        parser.error("--rasa, --workers, --web-processes must be >= 1 and --rates not empty")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # the stack is stopped, the database dropped
    started = datetime.now(UTC)
    load = os.getloadavg()
    rows: list[StepResult] = []
    interrupted = ""
    try:
        run(args, rows)
    except (KeyboardInterrupt, SystemExit) as stop:
        if not rows:
            raise
        interrupted = f"Interrupted ({type(stop).__name__}) after {len(rows)} steps: the table is partial."
    heading = (
        f"{args.rasa} Rasa server(s), hub {args.web_processes} web process(es) + {args.workers} "
        f"worker(s), {args.step:g} s per step"
    )
    body = "\n".join(
        [
            f"Measured {started:%Y-%m-%d %H:%M} UTC on {_machine()}; load average before the run "
            f"{load[0]:.1f}; command: `python -m benchmarks.capacity {_command()}`.",
            *([args.note] if args.note else []),
            *([interrupted] if interrupted else []),
            "",
            table(rows),
            "",
            *summary(rows),
            "",
        ]
    )
    print(body)
    if str(args.out) != "-":
        write_section(args.out, heading, body, PREAMBLE)
        print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
