"""The conversations behind the numbers: one row per conversation (the facts of kpis/facts.py with the
agent's name and readable times), for the CSV export and the reports page's drill-downs."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Agent, ConversationLabel
from hub.models import Conversation
from kpis.business import OpenClock
from kpis.facts import Filters, facts
from kpis.sql import for_reports

__all__ = ["CSV_COLUMNS", "DRILLS", "as_csv", "conversations"]

#: Drill-downs: name -> (what the page says, the condition on the facts).
DRILLS: dict[str, tuple[str, Any]] = {
    "csat_low": ("CSAT ≤ 2", lambda f: f.csat <= 2),
    "nps_detractors": ("NPS 0-6", lambda f: f.nps <= 6),
    "contained": ("resolved by the bot", lambda f: f.resolved_by == "bot"),
    "handed_off": ("handed to people", lambda f: f.reason.is_not(None)),
    "abandoned": ("left the queue", lambda f: f.abandoned == 1),
    "complaints": ("complaints", lambda f: f.complaint == 1),
    "complaints_open": ("complaints not resolved", lambda f: (f.complaint == 1) & f.resolved.is_(None)),
    "reopened": ("reopened", lambda f: f.reopened == 1),
}

#: One CSV row per conversation; times in UTC (ISO 8601), durations in seconds.
CSV_COLUMNS = (
    "conversation_id", "channel", "team", "agent_id", "agent", "created_at", "messages",
    "first_message_at", "frt_bot_s", "handoff_reason", "handoff_requested_at", "queue_wait_s",
    "first_agent_reply_at", "frt_human_s", "abandoned", "complaint", "resolved_at", "resolved_by",
    "resolution_s", "reopened", "csat", "csat_human", "nps", "kb_answered", "kb_clarified", "kb_handed_off",
    "feedback_helpful", "feedback_not_helpful", "labels",
)  # fmt: skip

_TIMES = {
    "created_at": "created", "first_message_at": "first_in", "handoff_requested_at": "requested",
    "first_agent_reply_at": "first_agent", "resolved_at": "resolved",
}  # fmt: skip
_SECONDS = {"frt_bot_s": "frt_bot", "queue_wait_s": "queue_wait", "frt_human_s": "frt_human",
            "resolution_s": "resolution"}  # fmt: skip
_SAME = ("conversation_id", "channel", "team", "agent_id", "messages", "abandoned", "complaint",
         "resolved_by", "reopened", "csat", "csat_human", "nps", "kb_answered", "kb_clarified",
         "kb_handed_off", "feedback_helpful", "feedback_not_helpful")  # fmt: skip


def _time(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(round(float(epoch), 3), UTC).isoformat().replace("+00:00", "Z")


def _row(raw: dict[str, Any], labels: dict[int, list[str]]) -> dict[str, Any]:
    row: dict[str, Any] = {
        name: int(raw[name]) if isinstance(raw[name], Decimal) else raw[name] for name in _SAME
    }
    row["handoff_reason"] = raw["reason"]
    row["agent"] = raw["agent"]
    row["labels"] = "|".join(sorted(labels.get(int(raw["conversation_id"]), []))) or None
    for name, fact in _TIMES.items():
        row[name] = _time(raw[fact])
    for name, fact in _SECONDS.items():
        row[name] = None if raw[fact] is None else round(float(raw[fact]), 3)
    return {name: row[name] for name in CSV_COLUMNS}


async def conversations(
    session: AsyncSession,
    filters: Filters,
    *,
    open_seconds: OpenClock,
    drill: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """The filtered conversations (oldest first), only those of ``drill`` (a key of DRILLS) if given."""
    f = facts(await for_reports(session), filters, open_seconds)
    query = (
        sa.select(f, Agent.name.label("agent"))
        .outerjoin(Agent, Agent.id == f.c.agent_id)
        .order_by(f.c.created, f.c.conversation_id)
    )
    if drill is not None:
        query = query.where(DRILLS[drill][1](f.c))
    if limit is not None:
        query = query.limit(limit)
    found = list((await session.execute(query)).mappings())
    labels = await _labels(session, filters) if found else {}
    return [_row(dict(raw), labels) for raw in found]


async def _labels(session: AsyncSession, filters: Filters) -> dict[int, list[str]]:
    """The agents' labels of the period's conversations (one query; "reembolso|vip" in the CSV)."""
    query = (
        sa.select(ConversationLabel.conversation_id, ConversationLabel.label)
        .join(Conversation, Conversation.id == ConversationLabel.conversation_id)
        .where(Conversation.created_at >= filters.start, Conversation.created_at < filters.end)
    )
    found: dict[int, list[str]] = {}
    for conversation_id, label in await session.execute(query):
        found.setdefault(int(conversation_id), []).append(str(label))
    return found


def as_csv(rows: Iterable[dict[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return out.getvalue()
