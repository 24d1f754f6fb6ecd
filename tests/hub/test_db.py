"""Migrations: applied at start, idempotent, and matching the models on both backends."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hub.db import create_engine, migrate
from hub.models import Base


async def test_migrations_create_the_schema_and_match_the_models(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        await migrate(engine)
        await migrate(engine)  # a second start is a no-op

        def inspect(connection: sa.Connection) -> tuple[set[str], list[object]]:
            tables = set(sa.inspect(connection).get_table_names())
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return tables, compare_metadata(context, Base.metadata)

        async with engine.connect() as conn:
            tables, drift = await conn.run_sync(inspect)
    finally:
        await engine.dispose()
    assert {"contacts", "contact_identities", "conversations", "messages", "events", "handoffs"} <= tables
    assert drift == []


def test_the_default_database_is_sqlite_in_the_data_dir(tmp_path: object) -> None:
    from hub.settings import Settings

    settings = Settings(data_dir=tmp_path, database_url=None)
    assert settings.db_url == f"sqlite+aiosqlite:///{tmp_path}/hub.db"
