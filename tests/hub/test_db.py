"""Migrations: applied at start, idempotent, and matching the models on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
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
    """0004: contacts get email/phone; a WhatsApp contact's wa_id becomes its phone. 0009: that phone is
    verified (WhatsApp proves it), and so are the identities; nothing else is."""
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
            query = "SELECT id, phone, email, phone_verified, email_verified FROM contacts ORDER BY id"
            rows = (await conn.execute(sa.text(query))).all()
            identities = (await conn.execute(sa.text("SELECT verified FROM contact_identities"))).scalars()
            verified = [bool(v) for v in identities]
    finally:
        await engine.dispose()
    assert [tuple(r) for r in rows] == [(1, "34600111222", None, True, False), (2, None, None, False, False)]
    assert verified == [True, True]


async def test_a_reading_session_never_holds_up_a_writer(database_url: str) -> None:
    """A customer's message is stored while a reader (e.g. a bot turn) is mid-transaction."""
    from hub.db import session_factory
    from hub.models import Contact

    engine = create_engine(database_url)
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        async with sessions() as reader:
            assert await reader.scalar(sa.select(sa.func.count(Contact.id))) == 0
            async with sessions.begin() as writer:  # SQLite before: "database is locked" after 30 s
                writer.add(Contact(name="Ana"))
            async with sessions() as fresh:
                names = list(await fresh.scalars(sa.select(Contact.name)))
    finally:
        await engine.dispose()
    assert names == ["Ana"]


async def test_on_sqlite_requests_write_before_background_work(tmp_path: object) -> None:
    """Writers queue in the hub; a request's write (a receipt) overtakes the bot's queued ones."""
    import asyncio

    from hub.db import background_writes, session_factory
    from hub.models import Contact

    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path}/hub.db")
    try:
        await migrate(engine)
        sessions = session_factory(engine)
        release = asyncio.Event()

        async def write(name: str, hold: asyncio.Event | None = None) -> None:
            async with sessions.begin() as session:
                session.add(Contact(name=name))
                await session.flush()
                if hold is not None:
                    await hold.wait()

        first = asyncio.create_task(write("holding the lock", release))
        await asyncio.sleep(0.05)
        with background_writes():
            bot = [asyncio.create_task(write(f"bot {i}")) for i in range(2)]
        customer = asyncio.create_task(write("customer"))
        for _ in range(5):
            await asyncio.sleep(0)  # every writer is queued
        release.set()
        await asyncio.gather(first, *bot, customer)
        async with sessions() as session:
            names = list(await session.scalars(sa.select(Contact.name).order_by(Contact.id)))
    finally:
        await engine.dispose()
    assert names == ["holding the lock", "customer", "bot 0", "bot 1"]


async def test_a_failed_statement_does_not_carry_the_customers_text(database_url: str) -> None:
    # database errors are logged: the statement's parameters (customer text) must not be in them
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)"))
        with pytest.raises(sa.exc.DBAPIError) as failure:
            async with engine.begin() as conn:
                for _ in range(2):  # the second insert violates the primary key
                    await conn.execute(sa.text("INSERT INTO t (id, body) VALUES (1, :body)"),
                                       {"body": "mi dni es 12345678Z"})
        assert "12345678Z" not in str(failure.value)
        assert "hidden due to hide_parameters" in str(failure.value)
    finally:
        await engine.dispose()
