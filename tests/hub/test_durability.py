"""kill -9 while Rasa is thinking loses nothing: after a restart the message gets its answer once.

Runs the real ``python -m hub`` (SQLite in a temporary directory) against a small fake Rasa
HTTP server on loopback whose first webhook call hangs until the test lets it go.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub.turns.deadlines import holding_text
from tests.fakes.rasa import turn_mark

REPO = Path(__file__).resolve().parents[2]
REPLY = "Tu pedido A-1001 llega mañana."


class SlowFirstRasa:
    """Answers the REST webhook; the first call 'thinks' until ``release`` is set."""

    def __init__(self) -> None:
        self.webhook_calls: list[dict[str, Any]] = []
        self.first_call = threading.Event()
        self.release = threading.Event()
        rasa = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                return None

            def _json(self, status: int, body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                rasa.webhook_calls.append(body)
                if len(rasa.webhook_calls) == 1:
                    rasa.first_call.set()
                    rasa.release.wait(60)
                with contextlib.suppress(OSError):  # the hub that asked may be gone
                    mark = turn_mark(body.get("metadata") or {})  # the action server ran the turn
                    self._json(200, [mark, {"recipient_id": body["sender"], "text": REPLY}])

            def do_GET(self) -> None:
                if self.path.endswith("/tracker") or "/tracker?" in self.path:
                    last = rasa.webhook_calls[-1]["message"] if rasa.webhook_calls else ""
                    self._json(200, {"latest_message": {"text": last, "intent": {"name": "order_status"}}})
                else:
                    self._json(200, {"version": "3.6.21"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> SlowFirstRasa:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Any, what: str, deadline_s: float = 60.0) -> Any:
    """Poll until ``check()`` is truthy (a guard against hangs, not a timing assertion)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


class HubProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env = env
        self.log = log
        self.url = f"http://127.0.0.1:{env['HUB_PORT']}"
        self.proc: subprocess.Popen[bytes] | None = None
        self._api_key: str | None = None

    def api_headers(self) -> dict[str, str]:
        """An API key for posting, made once with the CLI on this hub's database (the key: last line)."""
        if self._api_key is None:
            command = [sys.executable, "-m", "hub.api_keys", "create", "--name", "durability"]
            done = subprocess.run(command, cwd=REPO, env=self.env, capture_output=True, text=True, check=True)
            self._api_key = done.stdout.strip().splitlines()[-1]
        return {"Authorization": f"Bearer {self._api_key}"}

    def start(self) -> None:
        with self.log.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hub"], cwd=REPO, env=self.env, stdout=log, stderr=log
            )
        wait_for(lambda: httpx.get(f"{self.url}/healthz").status_code == 200, "hub healthy")

    def kill9(self) -> None:
        assert self.proc is not None
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@pytest.fixture
def hub_process(tmp_path: Path) -> Iterator[tuple[HubProcess, SlowFirstRasa]]:
    with SlowFirstRasa() as rasa:
        env = {
            **os.environ,
            "DATA_DIR": str(tmp_path),
            "HUB_HOST": "127.0.0.1",
            "HUB_PORT": str(free_port()),
            "RASA_URL": rasa.url,
            "RASA_RETRY_BASE": "0.1",
            "RASA_RETRY_MAX": "0.5",
            "JOBS_URL": "memory://",
            "BROADCAST_URL": "memory://",
            "LOG_FORMAT": "text",
            "PYTHONPATH": str(REPO),
        }
        env.pop("DATABASE_URL", None)
        hub = HubProcess(env, tmp_path / "hub.log")
        try:
            yield hub, rasa
        finally:
            hub.stop()


def test_kill_9_while_rasa_thinks_loses_nothing(hub_process: tuple[HubProcess, SlowFirstRasa]) -> None:
    hub, rasa = hub_process
    hub.start()
    response = httpx.post(
        f"{hub.url}/api/v1/messages",
        json={
            "channel": "api",
            "source_id": "kill-9",
            "client_message_id": "k-1",
            "text": "dnd esta mi pedido",
        },
        headers=hub.api_headers(),
    )
    assert response.status_code == 202
    receipt = response.json()
    messages_url = f"{hub.url}/api/v1/conversations/{receipt['conversation_id']}/messages?source_id=kill-9"

    assert rasa.first_call.wait(60), "the hub never asked Rasa"
    hub.kill9()
    rasa.release.set()  # Rasa answers a hub that no longer exists
    assert (hub.log.parent / "hub.db").exists()

    hub.start()

    def replies() -> list[dict[str, Any]]:
        messages = httpx.get(messages_url).json()["messages"]
        return [m for m in messages if m["message_type"] == "outgoing"]

    wait_for(replies, "the answer after the restart", deadline_s=120.0)  # + the dead asker's lease (11 s)
    messages = httpx.get(messages_url).json()["messages"]
    # The restarted hub waits out the dead process's turn lease (hub/turns/ask.py, 11 s) before asking
    # again, so the customer may get one holding message meanwhile; nothing else is added.
    shown = [m for m in messages if m["message_type"] != "activity"]
    assert [(m["message_type"], m["text"], m["bot_state"]) for m in shown] == [
        ("incoming", "dnd esta mi pedido", "done"),
        ("outgoing", REPLY, None),
    ]
    assert [m["text"] for m in messages if m["message_type"] == "activity"] in ([], [holding_text("es")])
    assert messages[0]["id"] == receipt["id"]
    assert [c["message"] for c in rasa.webhook_calls] == ["dnd esta mi pedido"] * 2
    # Sending it again (a client retry) neither stores nor answers it a second time.
    again = httpx.post(
        f"{hub.url}/api/v1/messages",
        json={
            "channel": "api",
            "source_id": "kill-9",
            "client_message_id": "k-1",
            "text": "dnd esta mi pedido",
        },
        headers=hub.api_headers(),
    )
    assert again.status_code == 200 and again.json() == receipt
    assert len(httpx.get(messages_url).json()["messages"]) == len(messages)


def test_stopping_the_hub_while_rasa_is_unreachable_ends_it_and_keeps_the_message(
    hub_process: tuple[HubProcess, SlowFirstRasa],
) -> None:
    hub, _rasa = hub_process
    hub.env["RASA_URL"] = f"http://127.0.0.1:{free_port()}"  # nobody listens there
    hub.start()
    receipt = httpx.post(
        f"{hub.url}/api/v1/messages",
        json={"channel": "api", "source_id": "term", "client_message_id": "t-1", "text": "hola"},
        headers=hub.api_headers(),
    ).json()
    messages_url = f"{hub.url}/api/v1/conversations/{receipt['conversation_id']}/messages?source_id=term"
    wait_for(lambda: "retrying message" in hub.log.read_text(errors="replace"), "a retry")
    assert httpx.get(f"{hub.url}/healthz").json()["rasa"] == "down"
    assert [m["bot_state"] for m in httpx.get(messages_url).json()["messages"]] == ["queued"]
    assert hub.proc is not None
    hub.proc.terminate()
    assert hub.proc.wait(30) in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once stopped
    assert "hub stopped" in hub.log.read_text(errors="replace")
