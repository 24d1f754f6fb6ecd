"""Logins resist guessing: lockout after wrong passwords, admins reset and disable accounts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from handoff import __main__ as cli
from handoff import agents
from handoff.models import Agent
from hub.models import utcnow

LOGIN = "/api/v1/agent/login"


def _try(desk: Desk, password: str) -> tuple[int, str]:
    r = desk.client.post(LOGIN, json={"email": "ana@x.example", "password": password})
    return r.status_code, r.json().get("error", {}).get("code", "ok")


def test_five_wrong_passwords_lock_the_login_even_for_the_right_one(desk: Desk) -> None:
    desk.add_agent("ana@x.example")
    assert [_try(desk, "wrong-guess") for _ in range(5)] == [(401, "invalid_credentials")] * 5
    status, code = _try(desk, "s3cret-pass")
    assert (status, code) == (429, "login_locked")
    message = desk.client.post(LOGIN, json={"email": "ana@x.example", "password": "x"}).json()
    assert "15 more minute" in message["error"]["message"]

    async def lock_expired(session: AsyncSession) -> None:
        await session.execute(sa.update(Agent).values(locked_until=utcnow() - timedelta(seconds=1)))
        await session.commit()

    desk.db(lock_expired)
    assert _try(desk, "s3cret-pass") == (200, "ok")
    # the count starts again after a successful login
    assert [_try(desk, "wrong-guess") for _ in range(4)] == [(401, "invalid_credentials")] * 4
    assert _try(desk, "s3cret-pass") == (200, "ok")


def test_wrong_passwords_for_an_unknown_email_reveal_nothing(desk: Desk) -> None:
    for _ in range(7):
        r = desk.client.post(LOGIN, json={"email": "nadie@x.example", "password": "guess"})
        assert (r.status_code, r.json()["error"]["code"]) == (401, "invalid_credentials")


def test_an_admin_resets_a_password_and_disables_an_account(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk.add_agent("ana@x.example")
    headers = desk.login("ana@x.example", online=False)
    for _ in range(5):
        _try(desk, "wrong-guess")
    monkeypatch.setenv("DATABASE_URL", desk.client.app.state.services.settings.db_url)  # type: ignore[attr-defined]
    monkeypatch.setenv("AGENT_PASSWORD", "otra-clave-larga")
    assert cli.main(["reset-password", "--email", "ana@x.example"]) == 0
    assert desk.client.get("/api/v1/agent/me", headers=headers).status_code == 401  # sessions end
    assert _try(desk, "s3cret-pass") == (401, "invalid_credentials")
    assert _try(desk, "otra-clave-larga") == (200, "ok")  # and the lock is gone

    fresh = desk.client.post(LOGIN, json={"email": "ana@x.example", "password": "otra-clave-larga"})
    token = {"Authorization": f"Bearer {fresh.json()['token']}"}
    assert cli.main(["disable-agent", "--email", "ana@x.example"]) == 0
    assert desk.client.get("/api/v1/agent/me", headers=token).status_code == 401
    assert _try(desk, "otra-clave-larga") == (403, "agent_disabled")
    assert _try(desk, "wrong-guess") == (401, "invalid_credentials")  # no hint for guessers
    assert cli.main(["enable-agent", "--email", "ana@x.example"]) == 0
    assert _try(desk, "otra-clave-larga") == (200, "ok")
    assert cli.main(["disable-agent", "--email", "nadie@x.example"]) == 1


def test_a_hash_with_weaker_parameters_is_upgraded_at_login(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("handoff.passwords._N", 2**8)
    desk.add_agent("ana@x.example")
    monkeypatch.setattr("handoff.passwords._N", 2**9)
    assert _try(desk, "s3cret-pass") == (200, "ok")

    async def stored(session: AsyncSession) -> str | None:
        agent = await agents.get_by_email(session, email="ana@x.example")
        return agent.password_hash if agent else None

    assert (desk.db(stored) or "").startswith("scrypt$512$8$1$")
    assert _try(desk, "s3cret-pass") == (200, "ok")
