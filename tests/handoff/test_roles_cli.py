"""``python -m handoff add-agent --role supervisor`` and ``set-role``: who is a supervisor."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from handoff import agents
from handoff.__main__ import main
from hub.db import create_engine, session_factory


def _role(database_url: str, email: str) -> str | None:
    async def read() -> str | None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                agent = await agents.get_by_email(session, email=email)
                return agent.role if agent else None
        finally:
            await engine.dispose()

    return asyncio.run(read())


def test_supervisors_are_made_at_creation_or_later(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("AGENT_PASSWORD", "a long password")

    sara = ["--email", "sara@tiendasol.example", "--name", "Sara"]
    assert main(["add-agent", *sara, "--role", "supervisor"]) == 0
    assert main(["add-agent", "--email", "eva@tiendasol.example", "--name", "Eva"]) == 0
    assert "supervisor" in capsys.readouterr().out
    assert _role(sqlite_url, "sara@tiendasol.example") == "supervisor"
    assert _role(sqlite_url, "eva@tiendasol.example") == "agent"  # the default

    assert main(["set-role", "--email", "eva@tiendasol.example", "--role", "supervisor"]) == 0
    assert _role(sqlite_url, "eva@tiendasol.example") == "supervisor"
    assert main(["set-role", "--email", "nadie@tiendasol.example", "--role", "agent"]) == 1
    with pytest.raises(SystemExit):
        main(["set-role", "--email", "eva@tiendasol.example", "--role", "boss"])
    assert _role(sqlite_url, "eva@tiendasol.example") == "supervisor"
    assert main(["set-role", "--email", "eva@tiendasol.example", "--role", "admin"]) == 0
    assert _role(sqlite_url, "eva@tiendasol.example") == "admin"
