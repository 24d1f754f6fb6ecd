"""Suggested contact links of a conversation: confirm (merge the two contacts) or dismiss."""

from __future__ import annotations

from fastapi import APIRouter

from handoff import contact_links
from handoff.api.deps import AgentDep
from handoff.contact_links import LinkDecision
from hub.api.deps import DatabaseDep

__all__ = ["router"]

router = APIRouter(prefix="/conversations", tags=["agent"])


@router.post("/{conversation_id}/links/{link_id}/confirm", response_model=LinkDecision)
async def confirm_link(
    conversation_id: int, link_id: int, agent: AgentDep, db: DatabaseDep
) -> LinkDecision:
    """The two contacts of this suggested link (``suggested_links`` in the context) are one person:
    they are merged, the older survives (``contact_id``); event ``contact_merged`` with ``link_id`` and
    my ``agent_id``. 403 ``conversation_not_allowed`` (handoff/permissions.py), 404 ``link_not_found``,
    409 ``link_already_decided``."""
    return await contact_links.confirm(
        db, agent=agent, conversation_id=conversation_id, link_id=link_id
    )


@router.post("/{conversation_id}/links/{link_id}/dismiss", response_model=LinkDecision)
async def dismiss_link(
    conversation_id: int, link_id: int, agent: AgentDep, db: DatabaseDep
) -> LinkDecision:
    """Not the same person: the link is dismissed (kept with my id) and not suggested again."""
    return await contact_links.dismiss(
        db, agent=agent, conversation_id=conversation_id, link_id=link_id
    )
