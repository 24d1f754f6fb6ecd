"""Migrations: applied at start, idempotent, and matching the models on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

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


async def test_upgrading_gives_known_whatsapp_contacts_their_phone(database_url: str) -> None:
    """0004: contacts get email/phone; a WhatsApp contact's wa_id becomes its phone."""
    from alembic import command

    from hub.db import alembic_config

    engine = create_engine(database_url)

    def at_0003(connection: sa.Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "0003")  # a new database
        command.downgrade(cfg, "0003")  # one already at head (the PostgreSQL test database)

    try:
        async with engine.begin() as conn:
            await conn.run_sync(at_0003)
            await conn.execute(
                sa.text("INSERT INTO contacts (id, name, created_at) VALUES (1, 'Ana', :t), (2, 'Bo', :t)"),
                {"t": datetime.now(UTC)},
            )
            await conn.execute(
                sa.text(
                    "INSERT INTO contact_identities (contact_id, channel, source_id, created_at) VALUES "
                    "(1, 'whatsapp', '34600111222', :now), (2, 'widget', 'session-1', :now)"
                ),
                {"now": datetime.now(UTC)},
            )
        await migrate(engine)
        async with engine.connect() as conn:
            rows = (await conn.execute(sa.text("SELECT id, phone, email FROM contacts ORDER BY id"))).all()
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "34600111222", None), (2, None, None)]
