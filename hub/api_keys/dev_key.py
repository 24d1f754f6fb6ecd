"""The local development key of ``make run``/``make chat``: DATA_DIR/dev_api_key (mode 0600).

Made through :func:`hub.api_keys.create` like any other key, reused while it is live in the database,
and replaced when it is missing, unknown (a new database) or revoked.
"""

from __future__ import annotations

import os
from pathlib import Path

from hub import api_keys
from hub.db import create_engine, migrate, session_factory
from hub.settings import Settings

__all__ = ["DEV_KEY_FILE", "dev_key_path", "ensure_dev_key", "read_dev_key"]

DEV_KEY_FILE = "dev_api_key"
DEV_KEY_NAME = "local development (make run / make chat)"


def dev_key_path(data_dir: Path) -> Path:
    return data_dir / DEV_KEY_FILE


def read_dev_key(data_dir: Path) -> str | None:
    path = dev_key_path(data_dir)
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        return None
    return key or None


def _write(path: Path, key: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key + "\n")
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


async def ensure_dev_key(settings: Settings) -> str:
    """The live development key of this DATA_DIR's hub, created (and written) if needed."""
    path = dev_key_path(settings.data_dir)
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        current = read_dev_key(settings.data_dir)
        if current:
            async with sessions() as session:
                if await api_keys.find(session, current) is not None:
                    return current
        async with sessions.begin() as session:
            _row, key = await api_keys.create(session, name=DEV_KEY_NAME)
        _write(path, key)
        return key
    finally:
        await engine.dispose()
