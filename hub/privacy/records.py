"""Every row held about a person, found by following the database's own foreign keys.

Starting from some contacts or conversations, :func:`collect` takes every row of every table that
references them, then the rows that reference those, until nothing new turns up: identities,
conversations, messages, events (notes are ``note_added`` events), handoffs, outbox rows and whatever
table a later migration adds with a foreign key to one of them. The tables are read from the database
(reflection), not from the models, so the hub finds the handoff desk's tables without importing it.
:func:`delete` removes what was collected, children first.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

__all__ = ["Found", "collect", "delete", "jsonable"]

#: rows of each table, by primary key; tables reached but empty are left out
Found = dict[str, dict[Any, dict[str, Any]]]

#: ids per IN (...) list: far below SQLite's and PostgreSQL's bound-parameter limits
_CHUNK = 500


def _chunks(ids: Iterable[Any]) -> Iterator[list[Any]]:
    batch: list[Any] = []
    for value in ids:
        batch.append(value)
        if len(batch) == _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


#: the reflected schema per database: it changes only with migrations, which run before the hub serves
_SCHEMAS: dict[str, sa.MetaData] = {}


async def _tables(conn: AsyncConnection) -> sa.MetaData:
    key = conn.engine.url.render_as_string(hide_password=True)
    if key not in _SCHEMAS:
        metadata = sa.MetaData()
        await conn.run_sync(lambda sync: metadata.reflect(sync))
        _SCHEMAS[key] = metadata
    return _SCHEMAS[key]


def _key(table: sa.Table) -> sa.Column[Any]:
    [column] = list(table.primary_key.columns)  # every table of ours has one id column
    return column


async def collect(conn: AsyncConnection, roots: Mapping[str, Iterable[int]]) -> Found:
    """``roots``: table -> ids, e.g. ``{"contacts": [3]}`` or ``{"conversations": [12, 14]}``."""
    metadata = await _tables(conn)
    found: Found = {}
    for name, ids in roots.items():
        table = metadata.tables[name]
        for batch in _chunks(ids):
            rows = await conn.execute(sa.select(table).where(_key(table).in_(batch)))
            for row in rows.mappings():
                found.setdefault(name, {})[row[_key(table).name]] = dict(row)
    seen: dict[tuple[str, str], set[Any]] = {}  # (child table, fk column) -> parent ids already followed
    changed = True
    while changed:
        changed = False
        for table in metadata.sorted_tables:
            for fk in table.foreign_keys:
                parent = fk.column.table.name
                done = seen.setdefault((table.name, fk.parent.name), set())
                todo = [i for i in found.get(parent, {}) if i not in done]
                if not todo:
                    continue
                done.update(todo)
                for batch in _chunks(todo):
                    rows = await conn.execute(sa.select(table).where(fk.parent.in_(batch)))
                    for row in rows.mappings():
                        rows_of = found.setdefault(table.name, {})
                        key = row[_key(table).name]
                        if key not in rows_of:
                            rows_of[key] = dict(row)
                            changed = True
    return found


async def delete(conn: AsyncConnection, found: Found) -> dict[str, int]:
    """Delete the collected rows, children before parents; rows deleted per table."""
    metadata = await _tables(conn)
    counts: dict[str, int] = {}
    for table in reversed(metadata.sorted_tables):
        ids = list(found.get(table.name, {}))
        if not ids:
            continue
        for fk in table.foreign_keys:  # a row pointing at a sibling (a reply at its message) goes too
            if fk.column.table is table:
                for batch in _chunks(ids):
                    unlink = sa.update(table).where(_key(table).in_(batch)).values({fk.parent.name: None})
                    await conn.execute(unlink)
        for batch in _chunks(ids):
            await conn.execute(sa.delete(table).where(_key(table).in_(batch)))
        counts[table.name] = len(ids)
    return counts


def jsonable(value: Any) -> Any:
    """A row value as JSON: timestamps as ISO 8601, JSON columns as they are."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):  # a customer's photo or file (media_files.data): as base64
        try:
            return value.decode("utf-8")
        except UnicodeDecodeError:
            return {"base64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value
