"""`make run`: train if needed, build the FAQ index, start Rasa, actions and hub; Ctrl-C stops all."""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from handoff.canned_seed import ensure_demo_replies
from hub.api_keys.dev_key import dev_key_path, ensure_dev_key
from hub.settings import Settings
from ops.stack import ROOT, Report, Stack, stack_services, supervise
from ops.train import ensure_model

__all__ = ["Endpoints", "bring_up", "main"]


@dataclass(frozen=True)
class Endpoints:
    hub: str
    rasa: str
    actions: str
    api_key: str = ""  # the hub's local development API key (DATA_DIR/dev_api_key)


def dev_api_key(data_dir: Path, extra_env: Mapping[str, str] | None = None) -> str:
    """Create or reuse the development API key of the hub in ``data_dir`` (after it migrated)."""
    database_url = (extra_env or {}).get("DATABASE_URL") or os.environ.get("DATABASE_URL") or None
    return asyncio.run(ensure_dev_key(Settings(data_dir=data_dir, database_url=database_url)))


def demo_canned_replies(data_dir: Path, extra_env: Mapping[str, str] | None = None) -> None:
    """The demo's shared canned replies in a desk that has none (handoff/canned_demo.yml)."""
    database_url = (extra_env or {}).get("DATABASE_URL") or os.environ.get("DATABASE_URL") or None
    asyncio.run(ensure_demo_replies(Settings(data_dir=data_dir, database_url=database_url)))


def build_kb_index(env: dict[str, str]) -> None:
    """Make the FAQ index current now, so the action server starts warm: an unchanged KB loads
    the index on disk (a few seconds), a changed one is rebuilt (ops/kb_index.py). In its own
    process, so the launcher does not keep the embedding model in memory."""
    python = ROOT / ".venv" / "bin" / "python"
    result = subprocess.run([str(python), "-m", "ops.kb_index"], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit("knowledge base index build failed (see above); fix the entry files and retry")


def bring_up(
    *, data_dir: Path, hub_port: int, rasa_port: int, action_port: int,
    models_dir: Path | None = None, report: Report = print, extra_env: Mapping[str, str] | None = None,
) -> tuple[Stack, Endpoints]:
    """Train if needed, build the KB index, start the three services and wait until they answer.

    ``extra_env`` reaches every service and the index build on top of the environment (e.g. WHATSAPP_*
    hub settings, KB_PATH).
    """
    report("1/3 Rasa model")
    model = ensure_model(models_dir or data_dir / "models")
    report("2/3 knowledge base index")
    build_kb_index({**os.environ, "DATA_DIR": str(data_dir), **(extra_env or {})})
    report("3/3 services (Rasa needs about a minute to load)")
    services = stack_services(
        model_path=model, data_dir=data_dir,
        rasa_port=rasa_port, action_port=action_port, hub_port=hub_port, extra_env=extra_env,
    )
    stack = Stack(services, log_dir=data_dir / "logs", report=report)
    stack.start()
    endpoints = Endpoints(
        hub=f"http://127.0.0.1:{hub_port}",
        rasa=f"http://127.0.0.1:{rasa_port}",
        actions=f"http://127.0.0.1:{action_port}",
        api_key=dev_api_key(data_dir, extra_env),
    )
    demo_canned_replies(data_dir, extra_env)
    try:  # one parse so TensorFlow builds its graphs before the first customer arrives
        token = services[-1].env.get("RASA_TOKEN", "")
        httpx.post(f"{endpoints.rasa}/model/parse", params={"token": token},
                   json={"text": "hola"}, timeout=180)
    except httpx.HTTPError as exc:
        report(f"  warm-up parse failed ({exc}); the first answer may be slow")
    return stack, endpoints


def say(line: str) -> None:
    print(line, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hub-port", type=int, default=int(os.environ.get("HUB_PORT", "8000")))
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    args = parser.parse_args()

    data_dir = (ROOT / os.environ.get("DATA_DIR", "var")).resolve()
    started = time.monotonic()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))

    def start() -> Stack:
        stack, endpoints = bring_up(
            data_dir=data_dir, hub_port=args.hub_port, rasa_port=args.rasa_port,
            action_port=args.action_port, report=say,
        )
        say(f"\nReady in {time.monotonic() - started:.0f} s.")
        say(f"  hub API     {endpoints.hub}/docs")
        say("  chat        make chat   (in another terminal)")
        say(f"  API key     {dev_key_path(data_dir)} (Authorization: Bearer <key> on POST /api/v1/messages)")
        say(f"  logs        {data_dir / 'logs'}")
        say("Ctrl-C stops everything.")
        return stack

    supervise(start, say)


if __name__ == "__main__":
    main()
