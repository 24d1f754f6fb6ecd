"""The change log: record a published change, list them, and work out what reverting one means.

Reverting change C is a new change that puts back C's ``before``: the version C wrote (its ``after``) is
removed, and the ``before`` version, if there was one, is written again. Nothing is ever deleted from the
log, so a revert can itself be reverted.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from faq_editor.editor import Change, to_fields
from faq_editor.entry_writer import EntryFields
from faq_editor.models import CREATE, DELETE, UPDATE, FaqChange
from handoff.models import Agent
from knowledge_base import Entry

__all__ = ["kind_of", "list_changes", "record", "revert_of"]


def kind_of(change: Change) -> str:
    if change.put is None:
        return DELETE
    return CREATE if change.remove is None else UPDATE


def record(
    session: AsyncSession,
    *,
    change: Change,
    before: Entry | None,
    agent: Agent,
    source: str = "editor",
    reverts_id: int | None = None,
) -> FaqChange:
    after = change.put.as_dict() if change.put is not None else None
    where = change.put or (to_fields(before) if before is not None else None)
    assert where is not None
    row = FaqChange(
        entry_id=where.id,
        lang=where.lang,
        kind=kind_of(change),
        source=source,
        before=to_fields(before).as_dict() if before is not None else None,
        after=after,
        agent_id=agent.id,
        author=agent.name[:120],
        reverts_id=reverts_id,
    )
    session.add(row)
    return row


async def list_changes(
    session: AsyncSession, *, entry_id: str | None = None, limit: int = 100, before_id: int | None = None
) -> Sequence[FaqChange]:
    """Newest first; ``before_id`` pages back."""
    query = sa.select(FaqChange).order_by(FaqChange.id.desc()).limit(limit)
    if entry_id is not None:
        query = query.where(FaqChange.entry_id == entry_id)
    if before_id is not None:
        query = query.where(FaqChange.id < before_id)
    return (await session.scalars(query)).all()


def _same(entry: Entry | None, fields: dict[str, Any] | None) -> bool:
    if entry is None or fields is None:
        return entry is None and fields is None
    mine = to_fields(entry).as_dict()
    return all(mine[k] == fields.get(k) for k in mine if k != "updated")


def revert_of(row: FaqChange, versions: dict[tuple[str, str], Entry], today: str) -> Change | None:
    """The change that restores ``row.before`` given the current ``versions`` (None: nothing to do)."""
    before, after = row.before, row.after
    after_key = (str(after["id"]), str(after["lang"])) if after else None
    before_key = (str(before["id"]), str(before["lang"])) if before else None
    after_now = versions.get(after_key) if after_key else None
    before_now = versions.get(before_key) if before_key else None
    if before_key is None:
        return Change(after_key, None) if after_now is not None else None
    if after_key == before_key or after_now is None:
        if _same(before_now, before):
            return None
        remove = before_key if before_now is not None else None
    else:
        remove = after_key
    restored = EntryFields.from_dict({**before, "updated": today}) if before else None
    assert restored is not None
    return Change(remove, restored)
