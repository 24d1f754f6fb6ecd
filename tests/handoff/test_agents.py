"""Agents log in with email + password and get a bearer token; a CLI creates them."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from handoff_testing import Desk

from handoff import __main__ as cli
from handoff import agents
from hub.db import create_engine, session_factory


def test_login_returns_a_token_that_opens_the_agent_api(desk: Desk) -> None:
    desk.add_agent("ana@tiendasol.example", name="Ana", languages="es,en", skills="orders")
    response = desk.client.post(
        "/api/v1/agent/login", json={"email": "ANA@tiendasol.example", "password": "s3cret-pass"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer"
    headers = {"Authorization": f"Bearer {body['token']}"}
    me = desk.client.get("/api/v1/agent/me", headers=headers).json()
    assert (me["name"], me["languages"], me["skills"], me["status"]) == (
        "Ana",
        ["es", "en"],
        ["orders"],
        "offline",
    )
    away = desk.client.put("/api/v1/agent/me/status", json={"status": "away"}, headers=headers).json()
    assert away["status"] == "away"


def test_a_wrong_password_or_unknown_email_is_refused_the_same_way(desk: Desk) -> None:
    desk.add_agent("ana@tiendasol.example")
    wrong = desk.client.post(
        "/api/v1/agent/login", json={"email": "ana@tiendasol.example", "password": "nope"}
    )
    unknown = desk.client.post("/api/v1/agent/login", json={"email": "bob@x.example", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["error"]["code"] == unknown.json()["error"]["code"] == "invalid_credentials"


def test_the_agent_api_needs_a_valid_token(desk: Desk) -> None:
    assert desk.client.get("/api/v1/agent/queue").json()["error"]["code"] == "not_authenticated"
    bad = desk.client.get("/api/v1/agent/me", headers={"Authorization": "Bearer forged"})
    assert bad.status_code == 401


def test_logout_ends_the_session(desk: Desk) -> None:
    desk.add_agent("ana@tiendasol.example")
    headers = desk.login("ana@tiendasol.example")
    assert desk.client.post("/api/v1/agent/logout", headers=headers).status_code == 204
    assert desk.client.get("/api/v1/agent/me", headers=headers).status_code == 401


def test_the_cli_creates_an_agent_who_can_log_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("AGENT_PASSWORD", "una-clave-larga")
    argv = ["add-agent", "--email", "luis@tiendasol.example", "--name", "Luis", "--languages", "es,en"]
    assert cli.main([*argv, "--skills", "billing"]) == 0
    assert "created" in capsys.readouterr().out
    assert cli.main(argv) == 1  # the same email twice
    assert "already exists" in capsys.readouterr().err

    async def check() -> tuple[list[str], list[str], bool]:
        engine = create_engine(url)
        try:
            async with session_factory(engine).begin() as session:
                agent = await agents.get_by_email(session, email="luis@tiendasol.example")
                assert agent is not None
                await agents.login(
                    session, email=agent.email, password="una-clave-larga", ttl=timedelta(hours=1)
                )
                return agent.languages, agent.skills, agent.password_hash.startswith("scrypt$")
        finally:
            await engine.dispose()

    assert asyncio.run(check()) == (["es", "en"], ["billing"], True)
