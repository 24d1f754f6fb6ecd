"""A contact's personal data for supervisors: export it (GDPR art. 15) or erase it (art. 17).

The work is the hub's (hub/privacy); this adds who may ask: a supervisor (handoff/permissions.py),
anyone else gets 403 ``supervisor_only``. Operators have ``python -m hub.privacy``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from handoff import permissions
from handoff.api.deps import AgentDep
from hub.api.deps import HttpDep, SessionsDep, SettingsDep
from hub.privacy import erase_contact, export_contact

__all__ = ["ErasureOut", "router"]

router = APIRouter(prefix="/contacts", tags=["agent"])


class ErasureOut(BaseModel):
    erasure_id: int
    contact_id: int
    conversation_ids: list[int] = Field(description="The contact's conversations that were erased")
    counts: dict[str, int] = Field(description="Rows deleted per table, and rasa_tracker_events")
    requested_by: str = Field(description="'agent <id>' (this API), 'cli' or 'retention'")
    created_at: datetime


@router.get("/{contact_id}/export")
async def export(
    contact_id: int, agent: AgentDep, sessions: SessionsDep, http: HttpDep, settings: SettingsDep
) -> JSONResponse:
    """Everything held about the contact, as one JSON file (supervisors only): the contact, its
    identities, conversations, messages, events and notes, handoffs and the Rasa tracker of each
    conversation. Texts are not masked: it is the customer's own data."""
    permissions.require_supervisor(agent)
    document: dict[str, Any] = await export_contact(
        sessions=sessions, http=http, settings=settings, contact_id=contact_id
    )
    disposition = f'attachment; filename="contact-{contact_id}.json"'
    return JSONResponse(document, headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


@router.delete("/{contact_id}", response_model=ErasureOut)
async def erase(contact_id: int, agent: AgentDep, sessions: SessionsDep, settings: SettingsDep) -> ErasureOut:
    """Erase the contact and everything about it, Rasa's trackers included (supervisors only). What
    stays is an anonymous record (ids, counts, who, when). Again: 404 ``contact_erased``."""
    permissions.require_supervisor(agent)
    erasure = await erase_contact(
        sessions=sessions, settings=settings, contact_id=contact_id, requested_by=f"agent {agent.id}"
    )
    return ErasureOut(
        erasure_id=erasure.id,
        contact_id=contact_id,
        conversation_ids=list(erasure.conversation_ids),
        counts=dict(erasure.counts),
        requested_by=erasure.requested_by,
        created_at=erasure.created_at,
    )
