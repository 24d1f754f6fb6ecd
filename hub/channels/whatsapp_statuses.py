"""Delivery statuses of WhatsApp sends: sent, delivered, read and failed, in any order.

Meta reports them on the webhook by wamid. They land on the outbox row with that wamid and never go
backwards (read > delivered > sent); the message's ``status`` is the least advanced of its rows (a
long text is sent in several parts), ``failed`` if any failed. A status that arrives before the send
that produced its wamid is committed is kept in memory and applied when the sender records the wamid:
at most one status of each kind per wamid, for at most ``_EARLY_KEPT`` wamids (the oldest dropped
first) and ``_EARLY_MAX_AGE`` seconds, so a flood of statuses for unknown wamids costs bounded memory.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.channels.whatsapp_payloads import StatusReport
from hub.models import Message, OutboxEntry

__all__ = ["CHANNEL", "DeliveryStatuses", "advances", "fail_message", "update_message"]

log = logging.getLogger(__name__)

CHANNEL = "whatsapp"
_RANK = {"sent": 1, "delivered": 2, "read": 3}
_EARLY_KEPT = 1000  # wamids not known yet whose statuses are kept
_EARLY_MAX_AGE = 600.0  # seconds: a send commits its wamid well within this


def advances(current: str | None, new: str) -> bool:
    """Whether a delivery status ``new`` replaces ``current`` (never backwards)."""
    if new == "failed":
        return current not in ("read", "failed")
    if current == "failed":
        return False
    return _RANK[new] > _RANK.get(current or "", 0)


class _Parts(Protocol):
    state: str
    delivery: str | None


def _aggregate(rows: Sequence[_Parts]) -> str | None:
    """The message's delivery status from its parts; None while a part is not sent yet."""
    if any(r.state == "failed" or r.delivery == "failed" for r in rows):
        return "failed"
    if not rows or any(r.delivery is None for r in rows):
        return None
    return min((r.delivery or "sent" for r in rows), key=lambda d: _RANK[d])


async def fail_message(session: AsyncSession, message_id: int, error: dict[str, Any]) -> None:
    """Mark a message failed with the reason (a Graph error, or why it could not be sent)."""
    message = await session.get(Message, message_id)
    if message is not None:
        message.status = "failed"
        message.delivery_error = error


async def update_message(
    session: AsyncSession,
    message_id: int | None,
    wamid: str | None,
    *,
    error: dict[str, Any] | None = None,
) -> None:
    """The message's status from its rows (and its wamid, from the first part's send): two statements."""
    if message_id is None:
        return
    rows = (
        await session.execute(
            sa.select(OutboxEntry.state, OutboxEntry.delivery, OutboxEntry.error).where(
                OutboxEntry.message_id == message_id
            )
        )
    ).all()
    status = _aggregate(rows)
    values: dict[str, Any] = {}
    if wamid:
        values["channel_message_id"] = sa.func.coalesce(Message.channel_message_id, wamid)
    if status is not None:
        values["status"] = status
    if status == "failed":
        failed = [r.error for r in rows if r.error and "failed" in (r.state, r.delivery)]
        values["delivery_error"] = failed[0] if failed else error
    if values:
        await session.execute(
            sa.update(Message).where(Message.id == message_id).values(**values),
            execution_options={"synchronize_session": False},
        )


class DeliveryStatuses:
    """Apply webhook statuses to outbox rows and their messages; keep early ones until their wamid."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        # Statuses that arrived before the send that produced their wamid was committed.
        # wamid -> (when first seen, status -> report), oldest first.
        self._early: OrderedDict[str, tuple[float, dict[str, StatusReport]]] = OrderedDict()

    def _keep_early(self, report: StatusReport) -> None:
        now = time.monotonic()
        _seen, reports = self._early.setdefault(report.wamid, (now, {}))
        reports[report.status] = report  # a repeated status replaces the one kept
        while self._early and (
            len(self._early) > _EARLY_KEPT or next(iter(self._early.values()))[0] < now - _EARLY_MAX_AGE
        ):
            self._early.popitem(last=False)

    async def apply(self, report: StatusReport) -> bool:
        """Record a delivery status by wamid; False when the wamid is not one the hub sent."""
        async with self._sessions.begin() as session:
            entry = (
                await session.execute(
                    sa.select(OutboxEntry).where(
                        OutboxEntry.channel == CHANNEL, OutboxEntry.channel_message_id == report.wamid
                    )
                )
            ).scalar_one_or_none()
            if entry is None:
                # Meta can report a status before this process committed the wamid of the send.
                self._keep_early(report)
                log.info(
                    "status for an unknown wamid", extra={"wamid": report.wamid, "status": report.status}
                )
                return False
            if not advances(entry.delivery, report.status):
                return True
            entry.delivery = report.status
            if report.status == "failed":
                entry.error = report.error
            await update_message(session, entry.message_id, None, error=report.error)
        return True

    async def sent(self, wamid: str | None) -> None:
        """The sender committed ``wamid``: apply the statuses that arrived before it."""
        _seen, reports = self._early.pop(wamid or "", (0.0, {}))
        for report in reports.values():
            await self.apply(report)
