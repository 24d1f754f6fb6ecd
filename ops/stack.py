"""Process supervision for the three services: start, wait for health with progress, stop cleanly.

Used by `make run` (ops.run) and by the end-to-end tests, so both bring the stack up the same way.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import yaml

__all__ = [
    "ROOT", "Service", "ServiceFailed", "Stack", "free_port", "render_endpoints", "stack_services",
    "supervise",
]

ROOT = Path(__file__).resolve().parent.parent
Report = Callable[[str], None]


class ServiceFailed(RuntimeError):
    """A service exited or never became healthy; the message names it and its log file."""


@dataclass
class Service:
    name: str
    argv: Sequence[str]
    health_url: str
    timeout_s: float
    env: Mapping[str, str] = field(default_factory=dict)
    log_path: Path | None = None
    healthy: Callable[[httpx.Response], bool] = lambda r: r.status_code == 200
    process: subprocess.Popen[bytes] | None = None

    def start(self, log_dir: Path) -> None:
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{self.name}.log"
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            list(self.argv),
            cwd=ROOT,
            env={**os.environ, **self.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: Ctrl-C reaches us, we stop it in order
        )

    def is_healthy(self) -> bool:
        try:
            return self.healthy(httpx.get(self.health_url, timeout=2.0))
        except httpx.HTTPError:
            return False

    def log_tail(self, lines: int = 25) -> str:
        if self.log_path is None or not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self, grace_s: float = 10.0) -> None:
        """SIGTERM to its whole process group, SIGKILL after ``grace_s``: also the children of a leader that
        is already gone (the action server's Sanic workers outlive a ``kill -9`` of it and keep its port)."""
        if self.process is None:
            return
        group = self.process.pid  # start_new_session: the group id is the leader's pid
        if not _signal_group(group, signal.SIGTERM):
            return
        deadline = time.monotonic() + grace_s
        while time.monotonic() < deadline:
            self.process.poll()  # reap the leader, or it counts as a member
            if not _signal_group(group, 0):
                return
            time.sleep(0.05)
        _signal_group(group, signal.SIGKILL)
        self.process.wait()


def _signal_group(group: int, sig: int) -> bool:
    """Send ``sig`` to a process group; False when nobody is left in it."""
    try:
        os.killpg(group, sig)
    except ProcessLookupError:
        return False
    return True


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """SIGTERM and SIGINT ignored meanwhile (main thread only): a second signal, e.g. `timeout` forwarding
    the SIGTERM it got too, must not cut a stop short and leave processes running."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


@dataclass
class Stack:
    services: list[Service]
    log_dir: Path
    report: Report = print

    def start(self) -> None:
        """Start every service, then wait until all are healthy; on failure stop all and raise."""
        try:
            for service in self.services:
                service.start(self.log_dir)
                pid = service.process.pid if service.process else "?"
                self.report(f"  started {service.name:<14} pid {pid}")
            self._wait_healthy()
        except BaseException:
            self.stop()
            raise

    def _wait_healthy(self) -> None:
        started = time.monotonic()
        waiting = list(self.services)
        last_line = 0.0
        while waiting:
            for service in list(waiting):
                assert service.process is not None
                if service.process.poll() is not None:
                    raise ServiceFailed(
                        f"{service.name} exited with code {service.process.returncode}; "
                        f"log {service.log_path}:\n{service.log_tail()}"
                    )
                if service.is_healthy():
                    waiting.remove(service)
                    self.report(f"  ready   {service.name:<14} after {time.monotonic() - started:5.1f} s")
                elif time.monotonic() - started > service.timeout_s:
                    raise ServiceFailed(
                        f"{service.name} not healthy at {service.health_url} after "
                        f"{service.timeout_s:.0f} s; log {service.log_path}:\n{service.log_tail()}"
                    )
            if waiting and time.monotonic() - last_line >= 10:
                names = ", ".join(s.name for s in waiting)
                self.report(f"  waiting for {names} ({time.monotonic() - started:.0f} s)")
                last_line = time.monotonic()
            time.sleep(0.5)

    def stop(self) -> None:
        with _signals_held():
            for service in reversed(self.services):
                service.stop()

    def poll_exited(self) -> Service | None:
        """The first service that has exited on its own, if any."""
        for service in self.services:
            if service.process is not None and service.process.poll() is not None:
                return service
        return None


def supervise(
    start: Callable[[], Stack], report: Report, *, restarts: int = 5, window_s: float = 300.0
) -> None:
    """Start a stack (``start`` returns it running and healthy), then keep it until Ctrl-C or SIGTERM.

    A process that exits on its own (a crash, ``kill -9``) is started again at once, like a process
    supervisor would: the others go on (the hub retries Rasa and holds or hands off customers meanwhile).
    One that exits ``restarts`` times within ``window_s`` seconds is broken, not unlucky: then everything
    stops with exit code 1 and its log's tail. The stack is stopped in every case.
    """
    stack: Stack | None = None
    exits: dict[str, list[float]] = {}
    try:
        stack = start()
        while True:
            dead = stack.poll_exited()
            if dead is None:
                time.sleep(1)
                continue
            now = time.monotonic()
            recent = [t for t in exits.get(dead.name, []) if now - t < window_s] + [now]
            exits[dead.name] = recent
            code = dead.process.returncode if dead.process else "?"
            if len(recent) >= restarts:
                report(f"{dead.name} exited {len(recent)} times in {window_s:.0f} s (last code {code}); "
                       f"giving up. Log {dead.log_path}:\n{dead.log_tail()}")
                raise SystemExit(1)
            report(f"{dead.name} exited (code {code}); starting it again (log {dead.log_path})")
            dead.stop()  # what it left behind (child processes holding its port) goes first
            dead.start(stack.log_dir)
    except ServiceFailed as failure:
        raise SystemExit(f"could not start: {failure}") from None
    except KeyboardInterrupt:
        report("\nstopping...")
    finally:
        if stack is not None:
            stack.stop()
            report("stopped.")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def render_endpoints(*, data_dir: Path, action_url: str) -> Path:
    """endpoints.yml for this data dir: the committed file with the action URL and tracker DB set.

    Rasa 3.6 has no defaults in ${VAR} substitution, so the committed file keeps literal defaults and each
    stack gets its own copy: two stacks (make run, the e2e tests) never share a tracker store.
    """
    endpoints = yaml.safe_load((ROOT / "endpoints.yml").read_text())
    endpoints["action_endpoint"]["url"] = action_url
    endpoints["tracker_store"]["db"] = str(data_dir / "rasa_tracker.db")
    data_dir.mkdir(parents=True, exist_ok=True)
    path = data_dir / "endpoints.yml"
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def stack_services(
    *,
    model_path: Path,
    data_dir: Path,
    rasa_port: int = 5005,
    action_port: int = 5055,
    hub_port: int = 8000,
    extra_env: Mapping[str, str] | None = None,
) -> list[Service]:
    """The three services, wired to each other by URL, with runtime files under data_dir."""
    rasa_bin = ROOT / ".venv-rasa" / "bin" / "rasa"
    python = ROOT / ".venv" / "bin" / "python"
    # Rasa's HTTP API (trackers hold customer texts) answers only with this token; the hub
    # sends it. A stack without RASA_TOKEN set gets a fresh random one each start.
    token = (extra_env or {}).get("RASA_TOKEN") or os.environ.get("RASA_TOKEN") or (
        secrets.token_urlsafe(24))
    common = {
        "DATA_DIR": str(data_dir),
        "RASA_URL": f"http://127.0.0.1:{rasa_port}",
        "HUB_PORT": str(hub_port),
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
        "RASA_TOKEN": token,
    }
    endpoints = render_endpoints(data_dir=data_dir, action_url=f"http://127.0.0.1:{action_port}/webhook")
    rasa_env = {**common, "TF_CPP_MIN_LOG_LEVEL": "2", "SQLALCHEMY_SILENCE_UBER_WARNING": "1"}
    return [
        Service(
            name="action-server",
            argv=[str(python), "-m", "rasa_sdk", "--actions", "actions", "--port", str(action_port)],
            health_url=f"http://127.0.0.1:{action_port}/health",
            timeout_s=180,
            # rasa_sdk listens on 0.0.0.0 unless SANIC_HOST says otherwise: only Rasa calls it
            env={**common, "SANIC_HOST": "127.0.0.1"},
        ),
        Service(
            name="rasa",
            argv=[
                str(rasa_bin), "run", "--enable-api", "--model", str(model_path),
                "--port", str(rasa_port), "--interface", "127.0.0.1", "--auth-token", token,
                "--endpoints", str(endpoints), "--credentials", "credentials.yml",
            ],
            health_url=f"http://127.0.0.1:{rasa_port}/status?token={token}",
            timeout_s=300,
            env=rasa_env,
            healthy=lambda r: r.status_code == 200 and bool(r.json().get("model_file")),
        ),
        Service(
            name="hub",
            argv=[str(python), "-m", "hub"],
            health_url=f"http://127.0.0.1:{hub_port}/healthz",
            timeout_s=60,
            env=common,
        ),
    ]

