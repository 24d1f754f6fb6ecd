"""Alembic environment: uses the hub's models; the URL comes from the caller or hub Settings."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy.engine import Connection

import faq_editor.models  # noqa: F401  (faq_changes joins Base.metadata)
import gaps.models  # noqa: F401  (knowledge_gaps_handled joins Base.metadata)
import handoff.models  # noqa: F401  (agents tables join Base.metadata)
import learning.models  # noqa: F401  (learning_signals, learning_feedback_asks join Base.metadata)
import surveys.models  # noqa: F401  (surveys, follow_ups join Base.metadata)
from hub.db import create_engine
from hub.models import Base
from hub.settings import Settings

target_metadata = Base.metadata
config = context.config


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or Settings().db_url


async def _run_async() -> None:
    engine = create_engine(_url())
    async with engine.begin() as conn:
        await conn.run_sync(_run)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
    else:
        asyncio.run(_run_async())
