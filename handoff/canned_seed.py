"""The demo's shared canned replies (handoff/canned_demo.yml), put in a desk that has no shared reply yet.

``make run`` calls :func:`ensure_demo_replies` after the hub migrated; operators may run
``python -m handoff.canned_seed`` (DATABASE_URL / DATA_DIR) for the same starting set. A desk whose
supervisors already made or deleted shared replies is left alone.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import sqlalchemy as sa
import yaml
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.canned import CannedIn
from handoff.models import CannedReply
from hub.db import create_engine, migrate, session_factory
from hub.settings import Settings

__all__ = ["DEMO_FILE", "ensure_demo_replies", "seed"]

DEMO_FILE = Path(__file__).with_name("canned_demo.yml")


async def seed(session: AsyncSession, path: Path = DEMO_FILE) -> int:
    """Add the file's replies as shared ones unless some shared reply exists; how many were added."""
    any_shared = sa.select(CannedReply.id).where(CannedReply.owner_agent_id.is_(None)).limit(1)
    if await session.scalar(any_shared) is not None:
        return 0
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    replies = [CannedIn.model_validate({**entry, "scope": "shared"}) for entry in raw]
    for reply in replies:
        session.add(CannedReply(shortcut=reply.shortcut, title=reply.title, texts=reply.texts))
    return len(replies)


async def ensure_demo_replies(settings: Settings) -> int:
    engine = create_engine(settings.db_url)
    try:
        await migrate(engine)
        async with session_factory(engine).begin() as session:
            return await seed(session)
    finally:
        await engine.dispose()


if __name__ == "__main__":
    added = asyncio.run(ensure_demo_replies(Settings()))
    print(f"{added} shared canned replies added" if added else "the desk already has shared replies")
