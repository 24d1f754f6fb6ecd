"""`make run`: train if needed, build the knowledge-base index, start Rasa, actions and hub; Ctrl-C stops all."""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from ops.stack import ROOT, ServiceFailed, Stack, stack_services
from ops.train import ensure_model

__all__ = ["build_kb_index", "warm_up", "main"]


def say(line: str) -> None:
    print(line, flush=True)


def build_kb_index(env: dict[str, str]) -> None:
    """Build the FAQ index now (fast when it is up to date) so the action server starts warm."""
    python = ROOT / ".venv" / "bin" / "python"
    result = subprocess.run([str(python), "-m", "knowledge_base", "build"], cwd=ROOT, env=env)
    if result.returncode != 0:
        raise SystemExit("knowledge base index build failed (see above); fix the entry files and retry")


def warm_up(rasa_url: str) -> None:
    """Parse one message so TensorFlow builds its graphs before the first customer arrives."""
    httpx.post(f"{rasa_url}/model/parse", json={"text": "hola"}, timeout=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--hub-port", type=int, default=int(os.environ.get("HUB_PORT", "8000")))
    parser.add_argument("--rasa-port", type=int, default=int(os.environ.get("RASA_PORT", "5005")))
    parser.add_argument("--action-port", type=int, default=int(os.environ.get("ACTION_PORT", "5055")))
    args = parser.parse_args()

    data_dir = (ROOT / os.environ.get("DATA_DIR", "var")).resolve()
    t0 = time.monotonic()
    say("1/3 Rasa model")
    model = ensure_model(data_dir / "models")
    say("2/3 knowledge base index")
    build_kb_index({**os.environ, "DATA_DIR": str(data_dir)})
    say("3/3 services (Rasa needs about a minute to load)")
    services = stack_services(
        model_path=model, data_dir=data_dir,
        rasa_port=args.rasa_port, action_port=args.action_port, hub_port=args.hub_port,
    )
    stack = Stack(services, log_dir=data_dir / "logs", report=say)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        stack.start()
        warm_up(f"http://127.0.0.1:{args.rasa_port}")
        hub = f"http://127.0.0.1:{args.hub_port}"
        say(f"\nReady in {time.monotonic() - t0:.0f} s.")
        say(f"  hub API     {hub}/docs")
        say("  chat        make chat   (in another terminal)")
        say(f"  logs        {data_dir / 'logs'}")
        say("Ctrl-C stops everything.")
        while (dead := stack.poll_exited()) is None:
            time.sleep(1)
        say(f"{dead.name} exited (code {dead.process.returncode if dead.process else '?'}); "
            f"log {dead.log_path}:\n{dead.log_tail()}")
        raise SystemExit(1)
    except ServiceFailed as failure:
        raise SystemExit(f"could not start: {failure}") from None
    except KeyboardInterrupt:
        say("\nstopping...")
    finally:
        stack.stop()
        say("stopped.")


if __name__ == "__main__":
    main()
