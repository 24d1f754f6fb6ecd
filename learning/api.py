"""The learning API: FAQ search and labels for agents, signals and their export for supervisors.

- ``GET /api/v1/learning/faq?q=&lang=`` any agent: FAQ entries matching the words, best first.
- ``PUT /api/v1/learning/messages/{id}/label`` ``{"label": "faq"|"no_faq"|"not_question", "entry_id"?}``
  an agent who may read the conversation (handoff/permissions.py ``may_read``); ``DELETE`` takes it back.
- ``GET /api/v1/learning/conversations/{id}/labels`` the labels on a conversation's turns;
  ``.../feedback`` its answers to "¿Te ha servido?" (never labelled) and the questions that did not help.
- ``GET /api/v1/learning/signals`` and ``GET /api/v1/learning/export`` supervisors (JSONL, the eval
  contract ``{"text", "expected", "lang"}``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel

from handoff import permissions
from handoff.api.deps import AgentDep
from handoff.models import Agent
from hub.api.deps import SessionsDep
from hub.errors import ConversationNotAllowed
from learning import export, labels
from learning.errors import SupervisorsOnly
from learning.faq_search import FaqCatalog
from learning.models import Kind, Signal, Strength

__all__ = ["LabelIn", "SignalOut", "router"]

router = APIRouter(prefix="/api/v1/learning", tags=["learning"])

_ERRORS: dict[int | str, dict[str, Any]] = {401: {"description": "no or unknown token"}}


class LabelIn(BaseModel):
    label: Literal["faq", "no_faq", "not_question"]
    entry_id: str | None = None


class SignalOut(BaseModel):
    id: int
    kind: str
    strength: str
    conversation_id: int
    message_id: int
    contact_id: int | None
    agent_id: int | None
    created_at: datetime
    text: str
    language: str
    decision: str | None
    entry_id: str | None
    score: float | None
    kb: dict[str, Any] | None
    expected: str | None

    @classmethod
    def of(cls, row: Signal) -> SignalOut:
        return cls(
            id=row.id, kind=row.kind, strength=row.strength, conversation_id=row.conversation_id,
            message_id=row.message_id, contact_id=row.contact_id, agent_id=row.agent_id,
            created_at=row.created_at, text=row.text, language=row.language, decision=row.decision,
            entry_id=row.entry_id, score=row.score, kb=row.kb, expected=row.expected,
        )


def _catalog(request: Request) -> FaqCatalog:
    catalog: FaqCatalog = request.app.state.faq_catalog
    return catalog


CatalogDep = Annotated[FaqCatalog, Depends(_catalog)]


def _supervisor(agent: AgentDep) -> Agent:
    if not permissions.is_supervisor(agent):
        raise SupervisorsOnly()
    return agent


SupervisorDep = Annotated[Agent, Depends(_supervisor)]


@router.get("/faq", responses=_ERRORS)
async def search_faq(
    _: AgentDep,
    catalog: CatalogDep,
    q: Annotated[str, Query(max_length=200)] = "",
    lang: Annotated[str | None, Query(max_length=8)] = None,
    limit: Annotated[int, Query(ge=1, le=50)] = 8,
) -> list[dict[str, Any]]:
    """FAQ entries whose id, question, alternatives or category hold the words, best first."""
    return [hit.as_dict() for hit in catalog.search(q, lang=lang, limit=limit)]


@router.put("/messages/{message_id}/label", responses={
    **_ERRORS, 403: {"description": "conversation_not_allowed"}, 404: {"description": "message_not_found"},
    422: {"description": "faq_required, unknown_faq, not_a_customer_message, feedback_answer"},
})
async def put_label(
    agent: AgentDep, sessions: SessionsDep, catalog: CatalogDep, message_id: int, body: LabelIn
) -> SignalOut:
    """Label the customer's turn (again: replaces the label)."""
    async with sessions.begin() as session:
        row = await labels.label(
            session, agent=agent, message_id=message_id, kind=Kind(body.label), entry_id=body.entry_id,
            catalog=catalog,
        )
        await session.flush()
        return SignalOut.of(row)


@router.delete("/messages/{message_id}/label", status_code=204, responses=_ERRORS)
async def delete_label(agent: AgentDep, sessions: SessionsDep, message_id: int) -> Response:
    """Take the label back (204 also when there was none)."""
    async with sessions.begin() as session:
        await labels.unlabel(session, agent=agent, message_id=message_id)
    return Response(status_code=204)


@router.get("/conversations/{conversation_id}/labels", responses=_ERRORS)
async def conversation_labels(
    agent: AgentDep, sessions: SessionsDep, conversation_id: int
) -> list[SignalOut]:
    """The agents' labels on the conversation's customer turns."""
    async with sessions() as session:
        if not await permissions.may_read(session, agent=agent, conversation_id=conversation_id):
            raise ConversationNotAllowed(conversation_id)
        rows = await labels.labels_of(session, conversation_id=conversation_id)
    return [SignalOut.of(row) for row in rows]


class FeedbackOut(BaseModel):
    """The customer's answers to "¿Te ha servido?" in a conversation, for the console's label boxes."""

    #: the questions whose answer did not help: labelled like a handed-off turn
    not_helpful: list[int]
    #: the answers themselves ("👎 No", a typed "no"): not questions, never labelled
    answers: list[int]


@router.get("/conversations/{conversation_id}/feedback", responses=_ERRORS)
async def conversation_feedback(agent: AgentDep, sessions: SessionsDep, conversation_id: int) -> FeedbackOut:
    """Which customer turns answered "¿Te ha servido?", and which questions they said did not help."""
    async with sessions() as session:
        if not await permissions.may_read(session, agent=agent, conversation_id=conversation_id):
            raise ConversationNotAllowed(conversation_id)
        found = await labels.feedback_of(session, conversation_id=conversation_id)
    return FeedbackOut(
        not_helpful=sorted({query for query, helped in found.values() if not helped}), answers=sorted(found)
    )


@router.get("/signals", responses={**_ERRORS, 403: {"description": "supervisor_only"}})
async def list_signals(
    _: SupervisorDep,
    sessions: SessionsDep,
    kind: Annotated[Kind | None, Query()] = None,
    strength: Annotated[Strength | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> list[SignalOut]:
    """Every signal, newest first."""
    import sqlalchemy as sa

    query = sa.select(Signal).order_by(Signal.id.desc()).limit(limit)
    if kind is not None:
        query = query.where(Signal.kind == kind)
    if strength is not None:
        query = query.where(Signal.strength == strength)
    async with sessions() as session:
        rows = (await session.execute(query)).scalars().all()
    return [SignalOut.of(row) for row in rows]


@router.get("/export", responses={**_ERRORS, 403: {"description": "supervisor_only"}})
async def export_jsonl(
    _: SupervisorDep,
    sessions: SessionsDep,
    weakest: Annotated[Strength, Query(description="confirmed (default), explicit or implicit")] = (
        Strength.CONFIRMED
    ),
) -> Response:
    """Labelled queries as JSONL (``{"text", "expected", "lang"}`` a line), for the KB's eval/calibration."""
    async with sessions() as session:
        rows = await export.signals(session, weakest=weakest)
        body = export.to_jsonl(export.labelled_queries(rows))
    return Response(
        body,
        media_type="application/x-ndjson",
        headers={"Content-Disposition": 'attachment; filename="labelled_queries.jsonl"'},
    )
