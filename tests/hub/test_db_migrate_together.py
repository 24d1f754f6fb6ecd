"""Web processes and workers started together on an empty database all come up: one migrates.

Each process is a real ``python`` running ``hub.db.migrate``; they import first, then start the
upgrade at the same moment (a start file), as ``python -m hub`` and ``python -m hub.worker`` do.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import make_url

from hub.db import alembic_config

PROCESSES = 4

_CHILD = textwrap.dedent(
    """
    import asyncio, pathlib, sys, time
    from hub.db import create_engine, migrate

    url, go = sys.argv[1], pathlib.Path(sys.argv[2])
    print("ready", flush=True)
    while not go.exists():
        time.sleep(0.002)

    async def main() -> None:
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(main())
    """
)


def _conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture
def empty_postgres_url(postgres_database_url: str) -> Iterator[str]:
    """A database of its own, never migrated (the suite's shared one already is)."""
    name = f"hubtest_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(_conninfo(postgres_database_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield make_url(postgres_database_url).set(database=name).render_as_string(hide_password=False)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_together(url: str, tmp_path: Path) -> list[subprocess.CompletedProcess[str]]:
    go = tmp_path / "go"
    children = [
        subprocess.Popen(
            [sys.executable, "-c", _CHILD, url, str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(PROCESSES)
    ]
    try:
        for child in children:
            assert child.stdout is not None
            assert child.stdout.readline().strip() == "ready"
        go.touch()
        done: list[subprocess.CompletedProcess[str]] = []
        for child in children:
            out, err = child.communicate(timeout=120)
            done.append(subprocess.CompletedProcess(child.args, child.returncode, out, err))
        return done
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()


def _versions(url: str) -> list[Any]:
    if url.startswith("sqlite"):
        import sqlite3

        with sqlite3.connect(make_url(url).database or "") as conn:
            return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version")]
    with psycopg.connect(_conninfo(url)) as conn:
        return [row[0] for row in conn.execute("SELECT version_num FROM alembic_version").fetchall()]


@pytest.mark.parametrize("backend", ["postgres", "sqlite"])
def test_processes_started_together_on_an_empty_database_all_come_up(
    backend: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if backend == "postgres":
        url: str = request.getfixturevalue("empty_postgres_url")
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}"
    started = time.monotonic()
    results = _start_together(url, tmp_path)
    failed = [r.stderr[-2000:] for r in results if r.returncode != 0]
    assert failed == [], f"{len(failed)} of {PROCESSES} processes crashed migrating"
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert _versions(url) == [head]
    assert time.monotonic() - started < 120
