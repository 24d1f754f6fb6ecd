"""What `make run` exposes: Rasa and the action server on loopback, Rasa's API behind a token."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.stack import Service, stack_services


def _services(tmp_path: Path, **env: str) -> dict[str, Service]:
    services = stack_services(model_path=tmp_path / "model.tar.gz", data_dir=tmp_path, extra_env=env or None)
    return {s.name: s for s in services}


def test_rasa_api_needs_the_token_the_hub_sends(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RASA_TOKEN", raising=False)
    services = _services(tmp_path)
    rasa, hub = services["rasa"], services["hub"]
    argv = rasa.argv
    token = argv[argv.index("--auth-token") + 1]
    assert len(token) >= 24
    assert argv[argv.index("--interface") + 1] == "127.0.0.1"
    assert hub.env["RASA_TOKEN"] == token
    assert rasa.health_url.endswith(f"?token={token}")
    # every start gets its own token unless the operator sets one
    again = _services(tmp_path)["rasa"].argv
    assert again[again.index("--auth-token") + 1] != token
    chosen = _services(tmp_path, RASA_TOKEN="s3cret-from-the-operator")["hub"]
    assert chosen.env["RASA_TOKEN"] == "s3cret-from-the-operator"


def test_the_action_server_listens_on_loopback_only(tmp_path: Path) -> None:
    actions = _services(tmp_path)["action-server"]
    assert actions.env["SANIC_HOST"] == "127.0.0.1"


def test_a_process_that_dies_is_started_again_and_one_that_keeps_dying_stops_the_stack(
    tmp_path: Path,
) -> None:
    # kill -9 of one process of `make run` must not take the others down (issue 19): it comes back.
    import sys

    from ops.stack import Stack, supervise

    flaky = Service(
        name="flaky",
        argv=[sys.executable, "-c", "import time; time.sleep(0.3)"],
        health_url="http://127.0.0.1:9/",
        timeout_s=5,
    )
    steady = Service(
        name="steady",
        argv=[sys.executable, "-c", "import time; time.sleep(60)"],
        health_url="http://127.0.0.1:9/",
        timeout_s=5,
    )
    lines: list[str] = []
    stack = Stack([flaky, steady], log_dir=tmp_path, report=lines.append)

    def start() -> Stack:
        for service in stack.services:
            service.start(tmp_path)
        return stack

    with pytest.raises(SystemExit) as stopped:
        supervise(start, lines.append, restarts=3, window_s=60)
    assert stopped.value.code == 1
    assert sum("flaky exited (code 0); starting it again" in line for line in lines) == 2
    assert any("flaky exited 3 times" in line for line in lines)
    assert not any(line.startswith("steady exited") for line in lines)  # never restarted, stopped at the end
    assert steady.process is not None and steady.process.poll() is not None


_LAUNCHER = """
import signal, sys
from pathlib import Path
from ops.stack import Service, Stack, supervise

slow = ("import signal, time; signal.signal(signal.SIGTERM, lambda *a: (time.sleep(0.5), exit(0)));"
        " time.sleep(60)")
services = [Service(name=f"slow-{i}", argv=[sys.executable, "-c", slow], health_url="http://127.0.0.1:9/",
                    timeout_s=5) for i in range(3)]
stack = Stack(services, log_dir=Path(sys.argv[1]), report=print)

def start():
    for service in services:
        service.start(Path(sys.argv[1]))
    print("pids", *[s.process.pid for s in services], flush=True)
    return stack

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
supervise(start, print)
"""


def test_a_second_sigterm_during_the_stop_leaves_no_process_running(tmp_path: Path) -> None:
    # `pkill -f` of a launcher run under `timeout` sends SIGTERM twice; the second used to cut the
    # stop short and leave Rasa servers and the hub running.
    import os
    import signal
    import subprocess
    import sys
    import time

    launcher = subprocess.Popen(
        [sys.executable, "-c", _LAUNCHER, str(tmp_path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert launcher.stdout is not None
    pids = [int(p) for p in launcher.stdout.readline().split()[1:]]
    assert len(pids) == 3
    time.sleep(1.5)  # supervising
    launcher.send_signal(signal.SIGTERM)
    time.sleep(0.2)  # it is stopping the first slow process
    launcher.send_signal(signal.SIGTERM)
    launcher.wait(30)

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 5
    while any(alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [p for p in pids if alive(p)]


_SERVER = """
import socket, subprocess, sys, time
port = int(sys.argv[1])
if len(sys.argv) > 2:  # the worker: holds the port, like the action server's Sanic worker
    s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port)); s.listen(); time.sleep(120)
subprocess.Popen([sys.executable, __file__, str(port), "worker"])
time.sleep(120)
"""


def test_a_killed_leaders_children_go_before_it_starts_again(tmp_path: Path) -> None:
    # kill -9 of the action server left its Sanic worker holding port 5055: every restart failed with
    # "Address already in use" and the stack gave up.
    import os
    import signal
    import socket
    import sys
    import time

    from ops.stack import Stack, free_port, supervise

    script = tmp_path / "server.py"
    script.write_text(_SERVER)
    port = free_port()
    server = Service(
        name="server",
        argv=[sys.executable, str(script), str(port)],
        health_url="http://127.0.0.1:9/",
        timeout_s=5,
    )
    lines: list[str] = []
    stack = Stack([server], log_dir=tmp_path, report=lines.append)

    def port_taken() -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    def start() -> Stack:
        server.start(tmp_path)
        deadline = time.monotonic() + 10
        while not port_taken() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.process is not None
        os.kill(server.process.pid, signal.SIGKILL)  # the leader only: its worker keeps the port
        return stack

    def stop_soon(*_: object) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGALRM, stop_soon)
    signal.alarm(4)
    try:
        supervise(start, lines.append)
    finally:
        signal.signal(signal.SIGALRM, previous)
    assert any("server exited (code -9); starting it again" in line for line in lines)
    assert not [line for line in lines if "exited (code 1)" in line or "giving up" in line]
    assert not port_taken()  # stopped at the end, workers included
