"""``python -m hub.api_keys``: create prints the key once, list never shows it, revoke stops it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from hub import api_keys
from hub.api_keys.__main__ import main
from hub.db import create_engine, session_factory


def _authenticates(database_url: str, key: str, scope: str) -> str:
    async def check() -> str:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine)() as session:
                await api_keys.authenticate(session, key, scope=scope)
            return "ok"
        except api_keys.ApiKeyInvalid:
            return "invalid"
        except api_keys.ApiKeyScopeMissing:
            return "scope missing"
        finally:
            await engine.dispose()

    return asyncio.run(check())


def test_create_list_revoke(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", database_url)

    assert main(["create", "--name", "shop integration", "--scope", "messages:write"]) == 0
    created = capsys.readouterr().out
    key = created.strip().splitlines()[-1]
    assert key.startswith("mk_") and created.count(key) == 1
    assert "shown only this once" in created and "scopes: messages:write" in created
    assert _authenticates(database_url, key, "messages:write") == "ok"
    assert _authenticates(database_url, key, "conversations:read") == "scope missing"

    assert main(["create", "--name", "reader", "--scope", "conversations:read"]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert key not in listed and key[10:20] not in listed
    assert "shop integration" in listed and "reader" in listed and key[:10] in listed
    assert listed.count("active") == 2

    assert main(["revoke", "1"]) == 0
    assert "Revoked API key 1 'shop integration'" in capsys.readouterr().out
    assert _authenticates(database_url, key, "messages:write") == "invalid"
    assert main(["list"]) == 0
    listed = capsys.readouterr().out
    assert listed.count("active") == 1 and "revoked" in listed

    assert main(["revoke", "99"]) == 2
    assert "No API key has id 99" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["create", "--name", "x", "--scope", "admin"])  # argparse: not a scope


def test_the_dev_key_is_made_once_private_and_replaced_when_revoked(
    database_url: str, tmp_path: Path
) -> None:
    from hub.api_keys.dev_key import dev_key_path, ensure_dev_key
    from hub.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=database_url)
    first = asyncio.run(ensure_dev_key(settings))
    path = dev_key_path(tmp_path)
    assert path.read_text().strip() == first
    assert path.stat().st_mode & 0o777 == 0o600
    assert asyncio.run(ensure_dev_key(settings)) == first  # reused
    assert _authenticates(database_url, first, "messages:write") == "ok"

    async def revoke_all() -> None:
        engine = create_engine(database_url)
        try:
            async with session_factory(engine).begin() as session:
                for row in await api_keys.list_keys(session):
                    await api_keys.revoke(session, key_id=row.id)
        finally:
            await engine.dispose()

    asyncio.run(revoke_all())
    second = asyncio.run(ensure_dev_key(settings))
    assert second != first and path.read_text().strip() == second
    assert _authenticates(database_url, second, "messages:write") == "ok"
