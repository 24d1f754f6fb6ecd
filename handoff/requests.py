"""Handoff requests: the one owner of ``Handoff.state`` and its transitions.

waiting -> assigned (claim, auto-assign, transfer to an agent) -> waiting (transfer to a team)
-> ended (resolved | handed_back) or abandoned (from waiting); ``noted`` is a request made while people
already owned the conversation (it never moves).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Handoff
from hub.models import utcnow

__all__ = [
    "ACTIVE",
    "TRANSITIONS",
    "HandoffState",
    "InvalidHandoffTransition",
    "assign",
    "create",
    "end",
    "list_for_conversation",
    "requeue",
]


class HandoffState(StrEnum):
    WAITING = "waiting"
    ASSIGNED = "assigned"
    ENDED = "ended"
    ABANDONED = "abandoned"
    NOTED = "noted"


WAITING, ASSIGNED, ENDED, ABANDONED, NOTED = tuple(HandoffState)
#: States of a request that is still being handled (the conversation's current handoff).
ACTIVE = (WAITING, ASSIGNED)

TRANSITIONS: frozenset[tuple[HandoffState, HandoffState]] = frozenset(
    {
        (WAITING, ASSIGNED),
        (ASSIGNED, ASSIGNED),  # transferred to another agent
        (ASSIGNED, WAITING),  # transferred to a team's queue
        (ASSIGNED, ENDED),
        (WAITING, ABANDONED),
    }
)


class InvalidHandoffTransition(Exception):
    """A state change the handoff's current state does not allow."""


def _move(handoff: Handoff, to: HandoffState) -> None:
    if (HandoffState(handoff.state), to) not in TRANSITIONS:
        raise InvalidHandoffTransition(f"handoff {handoff.id} cannot go from {handoff.state} to {to}")
    handoff.state = to


async def create(
    session: AsyncSession,
    *,
    conversation_id: int,
    reason: str,
    detail: dict[str, Any] | None,
    message_id: int | None,
    priority: int = 1,
    language: str | None = None,
    skill: str | None = None,
    noted: bool = False,
) -> Handoff:
    handoff = Handoff(
        conversation_id=conversation_id,
        reason=reason,
        detail=detail,
        message_id=message_id,
        priority=priority,
        language=language,
        skill=skill,
        state=NOTED if noted else WAITING,
    )
    session.add(handoff)
    await session.flush()
    return handoff


def assign(handoff: Handoff, *, agent_id: int) -> None:
    """The handoff goes to this agent now (a transfer to a named agent)."""
    _move(handoff, ASSIGNED)
    handoff.agent_id = agent_id
    handoff.claimed_at = utcnow()


def requeue(handoff: Handoff, *, skill: str | None) -> None:
    """Back to the queue, for a team (skill) or anyone."""
    _move(handoff, WAITING)
    handoff.agent_id = None
    handoff.claimed_at = None
    handoff.skill = skill


def end(handoff: Handoff, reason: str) -> None:
    """resolved | handed_back -> ended; abandoned -> abandoned."""
    _move(handoff, ABANDONED if reason == "abandoned" else ENDED)
    handoff.ended_at = utcnow()
    handoff.ended_reason = reason


async def list_for_conversation(session: AsyncSession, *, conversation_id: int) -> list[Handoff]:
    query = sa.select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
    return list((await session.execute(query)).scalars())
