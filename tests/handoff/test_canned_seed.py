"""The demo's shared canned replies: valid, bilingual, and put only in a desk that has no shared reply."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from handoff.canned_seed import ensure_demo_replies
from handoff.models import CannedReply
from hub.db import create_engine, session_factory
from hub.settings import Settings


async def test_the_demo_replies_go_into_an_empty_desk_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite+aiosqlite:///{tmp_path / 'hub.db'}")
    added = await ensure_demo_replies(settings)
    assert added >= 4
    engine = create_engine(settings.db_url)
    try:
        async with session_factory(engine).begin() as session:
            replies = list(await session.scalars(sa.select(CannedReply)))
            assert all(r.owner_agent_id is None and set(r.texts) == {"es", "en"} for r in replies)
            assert "saludo" in {r.shortcut for r in replies}
            await session.delete(replies[0])  # a supervisor deletes one: the next start keeps it deleted
    finally:
        await engine.dispose()
    assert await ensure_demo_replies(settings) == 0
