"""Follow-ups for supervisors: ``GET /api/v1/follow-ups`` and ``POST /api/v1/follow-ups/{id}/done``.

A supervisor's token (``Authorization: Bearer``, from POST /api/v1/agent/login) is checked through the
hub's ``AgentDirectory`` seam (hub/seams.py ``is_supervisor``); the conversation behind an item is read
with ``GET /api/v1/conversations/{conversation_id}`` (and ``/messages``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel

from hub.api.deps import AgentsDep, OptionalTokenDep, SessionsDep
from surveys import follow_ups
from surveys.errors import FollowUpNotFound, NotAuthenticated, SupervisorsOnly
from surveys.models import FollowUp

__all__ = ["FollowUpOut", "router"]

router = APIRouter(prefix="/api/v1/follow-ups", tags=["follow-ups"])


class FollowUpOut(BaseModel):
    id: int
    kind: str
    score: int
    comment: str | None
    conversation_id: int
    contact_id: int
    conversation_url: str
    created_at: datetime
    done_at: datetime | None

    @classmethod
    def of(cls, item: FollowUp) -> FollowUpOut:
        return cls(
            id=item.id,
            kind=item.kind,
            score=item.score,
            comment=item.comment,
            conversation_id=item.conversation_id,
            contact_id=item.contact_id,
            conversation_url=f"/api/v1/conversations/{item.conversation_id}",
            created_at=item.created_at,
            done_at=item.done_at,
        )


async def _supervisor(sessions: SessionsDep, agents: AgentsDep, token: OptionalTokenDep) -> None:
    if token is None:
        raise NotAuthenticated()
    async with sessions() as session:
        if not await agents.is_agent(session, token=token):
            raise NotAuthenticated()
        if not await agents.is_supervisor(session, token=token):
            raise SupervisorsOnly()


SupervisorDep = Annotated[None, Depends(_supervisor)]
_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "no or unknown token"},
    403: {"description": "not a supervisor"},
}


@router.get("", responses=_ERRORS)
async def list_follow_ups(
    _: SupervisorDep,
    sessions: SessionsDep,
    state: Annotated[Literal["open", "done", "all"], Query()] = "open",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[FollowUpOut]:
    """Bad ratings (CSAT 1-2, NPS 0-6) to follow up, newest first."""
    done = {"open": False, "done": True, "all": None}[state]
    async with sessions() as session:
        items = await follow_ups.list_items(session, done=done, limit=limit)
    return [FollowUpOut.of(item) for item in items]


@router.post("/{follow_up_id}/done", responses={**_ERRORS, 404: {"description": "no such follow-up"}})
async def follow_up_done(_: SupervisorDep, sessions: SessionsDep, follow_up_id: int) -> FollowUpOut:
    """Mark a follow-up as dealt with (event ``follow_up_done``); again is harmless."""
    async with sessions.begin() as session:
        item = await follow_ups.mark_done(session, follow_up_id=follow_up_id)
        if item is None:
            raise FollowUpNotFound(follow_up_id)
        return FollowUpOut.of(item)
