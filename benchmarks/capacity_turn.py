"""The hub's own cost of one customer message, without Rasa and without the machine's noise in the way.

    .venv/bin/python -m benchmarks.capacity_turn [--database postgres|sqlite] [--customers 40] [--runs 3]

The product's app (mostrador.wiring.create_app: hub, desk, surveys, KPIs) runs in process (Starlette's
TestClient, in-memory jobs and broadcast) on its own database, with a stub Rasa behind an
``httpx.MockTransport`` that answers at once, as the trained bot does: the action server's turn mark with
the NLU (actions/language.py), then an FAQ answer with its ``kb`` payload (actions/knowledge.py); its
tracker serves the latest message's NLU. Each run sends one steady-state message per customer (each
customer already had two turns) through ``POST /api/v1/messages`` and waits until every one is
answered. Per message, it prints:

- SQL statements, transactions (commits) and sessions (pool checkouts: each costs a reset on return) on the
  hub's database (SQLAlchemy engine and pool events);
- calls to Rasa (webhook, tracker reads);
- CPU of the app's event loop thread (web + worker work of the hub, intake to answer, /proc), which is
  what the capacity benchmark's "hub CPU ms/msg" measures spread over processes, without HTTP parsing,
  Redis and a real socket. A context switch or a neighbour's load inflates it less than wall time.

Medians of ``--runs`` runs. Used to cut the hub's CPU per answered message (issue 19; the table in
docs/benchmarks/capacity.md).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import Pool
from starlette.testclient import TestClient

from hub import api_keys
from hub.settings import Settings
from mostrador.wiring import create_app

__all__ = ["main"]

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
QUEUED = sa.text("SELECT count(*) FROM messages WHERE bot_state = 'queued'")


#: What the action server attaches to an FAQ answer (actions/knowledge.py): the common turn.
KB_ANSWER = {
    "decision": "answer",
    "reason": "top score above the answer threshold",
    "candidates": [{"id": "envio-coste", "score": 0.91}, {"id": "envio-plazo", "score": 0.84}],
}


class StubRasa:
    """Answers every turn at once, as an FAQ answer: the action server's mark with the NLU, the answer
    and its ``kb`` payload."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.last: dict[str, str] = {}

    def nlu(self, text: str) -> dict[str, Any]:
        intent = {"name": "ask_faq", "confidence": 0.93}
        return {"intent": intent, "intent_ranking": [intent], "entities": []}

    async def handle(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/webhooks/rest/webhook":
            self.calls["webhook"] += 1
            body = json.loads(request.content)
            self.last[body["sender"]] = body["message"]
            mark = {"message_id": body["metadata"].get("message_id"), **self.nlu(body["message"])}
            return httpx.Response(200, json=[
                {"recipient_id": body["sender"], "custom": {"turn": mark}},
                {"recipient_id": body["sender"], "text": f"Sobre «{body['message']}»: ..."},
                {"recipient_id": body["sender"], "custom": {"kb": KB_ANSWER}},
            ])
        if path.endswith("/tracker/events"):
            self.calls["tracker events"] += 1
            return httpx.Response(200, json={})
        if path.endswith("/tracker"):
            self.calls["tracker reads"] += 1
            sender = path.split("/")[2]
            text = self.last.get(sender, "")
            latest = {"text": text, **self.nlu(text)}
            return httpx.Response(200, json={"sender_id": sender, "latest_message": latest})
        return httpx.Response(200, text="Hello from Rasa: 3.6.21")


@dataclass
class Counts:
    statements: int = 0
    commits: int = 0
    checkouts: int = 0
    on: bool = False
    texts: Counter[str] = field(default_factory=Counter)


def _short(statement: str) -> str:
    """A statement on one line: its start and its end (the table and the WHERE clause)."""
    text = " ".join(statement.split())
    return text if len(text) <= 150 else f"{text[:60]} … {text[-85:]}"


def _thread_cpu_s(tid: int) -> float:
    fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _database(kind: str, tmp: Path, driver: str = "psycopg") -> tuple[str, str | None]:
    if kind == "sqlite":
        from tests.support.in_process_hub import hub_settings  # a migrated template (fast start)

        url = f"sqlite+aiosqlite:///{tmp}/hub.db"
        hub_settings(url, tmp)
        return url, None
    name = f"capacity_turn_{uuid.uuid4().hex[:8]}"
    with sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    return PG_ADMIN.rsplit("/", 1)[0].replace("+psycopg", f"+{driver}") + f"/{name}", name


def _drop(name: str) -> None:
    with sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT").connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def run(
    kind: str, customers: int, runs: int, texts: Counter[str] | None = None, driver: str = "psycopg"
) -> list[dict[str, float]]:
    tmp = Path(tempfile.mkdtemp(prefix="rel-capacity-turn-"))
    url, pg_name = _database(kind, tmp, driver)
    state = Counts()
    main_thread = threading.get_native_id()  # polls the database; the app runs in the portal's thread
    poll = sa.create_engine(url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg"))

    @event.listens_for(Engine, "before_cursor_execute")
    def _statement(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if state.on and conn.engine is not poll:
            state.statements += 1
            state.texts[_short(statement)] += 1

    @event.listens_for(Pool, "checkout")
    def _checkout(_dbapi: Any, record: Any, _proxy: Any) -> None:
        if state.on and threading.get_native_id() != main_thread:  # not the poll's
            state.checkouts += 1

    @event.listens_for(Engine, "commit")
    def _commit(conn: Any) -> None:
        if state.on and conn.engine is not poll:
            state.commits += 1

    rasa = StubRasa()
    settings = Settings(
        data_dir=tmp, database_url=url, rasa_url="http://rasa.bench:5005", jobs_url="memory://",
        broadcast_url="memory://", bot_holding_after=0.0, bot_handoff_after=0.0,
    )
    results: list[dict[str, float]] = []
    try:
        with TestClient(create_app(settings, rasa_transport=httpx.MockTransport(rasa.handle))) as client:
            portal = client.portal
            assert portal is not None
            services = client.app.state.services  # type: ignore[attr-defined]

            async def make_key() -> str:
                async with services.sessions.begin() as session:
                    _row, key = await api_keys.create(session, name="bench", scopes=api_keys.SCOPES)
                return key

            async def loop_tid() -> int:
                return threading.get_native_id()

            headers = {"Authorization": f"Bearer {portal.call(make_key)}"}
            tid = portal.call(loop_tid)
            people = [f"bench-{uuid.uuid4().hex[:6]}-{i}" for i in range(customers)]

            def send_round(text: str) -> None:
                for person in people:
                    body = {"channel": "api", "source_id": person, "client_message_id": uuid.uuid4().hex,
                            "text": text, "language": "es"}
                    response = client.post("/api/v1/messages", json=body, headers=headers)
                    assert response.status_code in (200, 202), response.text
                while True:
                    with poll.connect() as conn:
                        left = conn.execute(QUEUED).scalar()
                        if not left:
                            return
                    time.sleep(0.02)

            send_round("hola")
            send_round("cuanto tarda el envio")
            for i in range(runs):
                rasa.calls.clear()
                state.statements = state.commits = state.checkouts = 0
                state.on = True
                cpu0 = _thread_cpu_s(tid)
                send_round(f"y cuanto cuesta el envio {i}")
                cpu = _thread_cpu_s(tid) - cpu0
                state.on = False
                results.append({
                    "cpu_ms": 1000 * cpu / customers,
                    "statements": state.statements / customers,
                    "commits": state.commits / customers,
                    "sessions": state.checkouts / customers,
                    **{f"rasa {k}": v / customers for k, v in rasa.calls.items()},
                })
        if texts is not None:
            texts.update(state.texts)
    finally:
        event.remove(Engine, "before_cursor_execute", _statement)
        event.remove(Engine, "commit", _commit)
        event.remove(Pool, "checkout", _checkout)
        poll.dispose()
        if pg_name:
            _drop(pg_name)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--customers", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--driver", choices=["psycopg", "asyncpg"], default="asyncpg", help="PostgreSQL's")
    parser.add_argument("--statements", action="store_true", help="also list the SQL statements per message")
    args = parser.parse_args()
    texts: Counter[str] = Counter()
    results = run(args.database, args.customers, args.runs, texts, args.driver)
    keys = sorted({k for r in results for k in r})
    print(f"{args.database} ({args.driver}), {args.customers} customers, {args.runs} runs, load average "
          f"{os.getloadavg()[0]:.1f}: per customer message, median (runs)")
    for key in keys:
        values = [r.get(key, 0.0) for r in results]
        print(f"  {key:16} {statistics.median(values):7.2f}  ({', '.join(f'{v:.2f}' for v in values)})")
    if args.statements:
        print("SQL statements per message (all runs):")
        for text, count in texts.most_common():
            print(f"  {count / (args.customers * args.runs):5.2f}  {text}")


if __name__ == "__main__":
    main()
