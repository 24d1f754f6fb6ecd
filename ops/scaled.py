"""A scaled stack in one command: N Rasa servers and N action servers, hub web processes and workers, all on
PostgreSQL and Redis (docs/scaling.md). ``make run`` stays one process of each on SQLite.

    .venv/bin/python -m ops.scaled --rasa 2 --workers 2 --web-processes 2 \\
        --database postgresql://postgres@127.0.0.1:5432/mostrador --redis redis://127.0.0.1:6379/0

The Rasa servers share one tracker store (PostgreSQL, database ``<name>_rasa``, created if missing) and one
lock store (Redis), as Rasa documents for several servers; each has its own action server. The hub gets
every Rasa URL (RASA_URL with commas, hub/rasa_servers.py) and keeps each conversation on one server.
SIGTERM or Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from ops.run import build_kb_index, say
from ops.stack import ROOT, Service, Stack, free_port, supervise
from ops.train import ensure_model

__all__ = ["ensure_database", "fresh_metrics_dir", "rasa_endpoints", "scaled_services"]


def fresh_metrics_dir(data_dir: Path) -> None:
    """An empty PROMETHEUS_MULTIPROC_DIR before the hub's processes start (they write into it at once:
    a missing one stops them): counts of an earlier run are not this one's."""
    metrics = data_dir / "prometheus"
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)


def rasa_endpoints(*, data_dir: Path, index: int, action_url: str, database: str, redis: str) -> Path:
    """endpoints.yml of Rasa server ``index``: its action server, the shared tracker and lock stores."""
    db, cache = urlsplit(database), urlsplit(redis)
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = action_url
    endpoints["tracker_store"] = {
        "type": "SQL",
        "dialect": "postgresql",
        "url": db.hostname or "127.0.0.1",
        "port": db.port or 5432,
        "db": f"{db.path.lstrip('/') or 'mostrador'}_rasa",
        "login_db": db.path.lstrip("/") or "postgres",  # Rasa creates the tracker database from here
        "username": db.username or "postgres",
        "password": db.password or "",
    }
    endpoints["lock_store"] = {
        "type": "redis",
        "url": cache.hostname or "127.0.0.1",
        "port": cache.port or 6379,
        "db": int(cache.path.lstrip("/") or 0),
        "key_prefix": "mostrador",
    }
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / f"endpoints-{index}.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def ensure_database(database: str) -> None:
    """Create the hub's PostgreSQL database if it does not exist yet (Rasa creates its own)."""
    import psycopg
    from psycopg import sql

    url = urlsplit(database)
    name = url.path.lstrip("/") or "mostrador"
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def scaled_services(
    *,
    model_path: Path,
    data_dir: Path,
    rasa: int,
    workers: int,
    web_processes: int,
    database: str,
    redis: str,
    hub_port: int,
) -> list[Service]:
    """Action servers, then Rasa servers, then workers and the hub, wired by URL."""
    rasa_bin = ROOT / ".venv-rasa" / "bin" / "rasa"
    python = str(ROOT / ".venv" / "bin" / "python")
    token = os.environ.get("RASA_TOKEN") or secrets.token_urlsafe(24)
    ports = [(free_port(), free_port()) for _ in range(rasa)]
    db = urlsplit(database)
    hub_db = database.replace("postgresql://", "postgresql+asyncpg://", 1)
    tracker_db = db._replace(path=f"{db.path or '/mostrador'}_rasa").geturl()
    common = {
        "DATA_DIR": str(data_dir),
        "PYTHONUNBUFFERED": "1",
        "RASA_TOKEN": token,
        "RASA_URL": ",".join(f"http://127.0.0.1:{rasa_port}" for rasa_port, _ in ports),
        "DATABASE_URL": hub_db,
        "JOBS_URL": redis,
        "BROADCAST_URL": redis,
        "RASA_TRACKER_STORE_URL": tracker_db.replace("postgresql://", "postgresql+psycopg://", 1),
    }
    services: list[Service] = []
    for i, (rasa_port, action_port) in enumerate(ports):
        services.append(
            Service(
                name=f"action-server-{i}",
                argv=[python, "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
                health_url=f"http://127.0.0.1:{action_port}/health",
                timeout_s=180,
                env={**common, "SANIC_HOST": "127.0.0.1"},
            )
        )
        endpoints = rasa_endpoints(
            data_dir=data_dir,
            index=i,
            action_url=f"http://127.0.0.1:{action_port}/webhook",
            database=database,
            redis=redis,
        )
        services.append(
            Service(
                name=f"rasa-{i}",
                argv=[
                    str(rasa_bin),
                    "run",
                    "--enable-api",
                    "--model",
                    str(model_path),
                    "--port",
                    str(rasa_port),
                    "--interface",
                    "127.0.0.1",
                    "--auth-token",
                    token,
                    "--endpoints",
                    str(endpoints),
                    "--credentials",
                    "credentials.yml",
                ],
                health_url=f"http://127.0.0.1:{rasa_port}/status?token={token}",
                timeout_s=400,
                env={**common, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"},
                healthy=lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
            )
        )
    # The hub's processes count into one directory: /metrics of any of them sums all (prometheus-client's
    # multiprocess mode, docs/kpis.md); Rasa and the action servers stay out of it.
    metrics = {"PROMETHEUS_MULTIPROC_DIR": str(data_dir / "prometheus")}
    hub_env = {
        **common,
        **metrics,
        "HUB_PORT": str(hub_port),
        "HUB_RUN_WORKER": "false",
        "HUB_WEB_PROCESSES": str(web_processes),
    }
    services.append(
        Service(
            name="hub",
            argv=[python, "-m", "hub"],
            health_url=f"http://127.0.0.1:{hub_port}/healthz",
            timeout_s=120,
            env=hub_env,
        )
    )
    for i in range(workers):  # a worker answers no HTTP: healthy once the hub (which migrated) is
        services.append(
            Service(
                name=f"worker-{i}",
                argv=["nice", "-n", "10", python, "-m", "hub.worker"],
                health_url=f"http://127.0.0.1:{hub_port}/healthz",
                timeout_s=120,
                env={**common, **metrics},
            )
        )
    return services


def main() -> None:
    raw = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=raw)
    parser.add_argument("--rasa", type=int, default=2, help="Rasa servers (each with its action server)")
    parser.add_argument("--workers", type=int, default=2, help="python -m hub.worker processes")
    parser.add_argument("--web-processes", type=int, default=2, help="HUB_WEB_PROCESSES of the hub")
    parser.add_argument(
        "--database",
        default=os.environ.get("SCALED_DATABASE", "postgresql://postgres@127.0.0.1:5432/mostrador"),
        help="PostgreSQL URL",
    )
    parser.add_argument("--redis", default=os.environ.get("SCALED_REDIS", "redis://127.0.0.1:6379/0"))
    parser.add_argument("--hub-port", type=int, default=int(os.environ.get("HUB_PORT", "8000")))
    args = parser.parse_args()
    if min(args.rasa, args.workers, args.web_processes) < 1:
        raise SystemExit("--rasa, --workers and --web-processes must be at least 1")
    if not args.database.startswith("postgresql://"):
        raise SystemExit("--database must be a postgresql:// URL (several processes share it)")
    data_dir = (ROOT / os.environ.get("DATA_DIR", "var/scaled")).resolve()
    ensure_database(args.database)
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    say("1/3 Rasa model")
    model = ensure_model(ROOT / "var" / "models")
    say("2/3 knowledge base index")
    build_kb_index({**os.environ, "DATA_DIR": str(data_dir)})
    say(f"3/3 {args.rasa} Rasa + action servers, hub x{args.web_processes}, {args.workers} workers")

    def start() -> Stack:
        fresh_metrics_dir(data_dir)
        stack = Stack(
            scaled_services(
                model_path=model,
                data_dir=data_dir,
                rasa=args.rasa,
                workers=args.workers,
                web_processes=args.web_processes,
                database=args.database,
                redis=args.redis,
                hub_port=args.hub_port,
            ),
            log_dir=data_dir / "logs",
            report=say,
        )
        stack.start()
        say(
            f"\nReady in {time.monotonic() - started:.0f} s: hub http://127.0.0.1:{args.hub_port}; "
            f"logs {data_dir / 'logs'}. Ctrl-C stops everything."
        )
        return stack

    supervise(start, say)


if __name__ == "__main__":
    main()
