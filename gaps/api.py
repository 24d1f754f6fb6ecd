"""The gap report's API for supervisors and admins (``/api/v1/gaps``); other agents get 403
``supervisor_only`` (handoff/permissions.py).

- ``GET  /api/v1/gaps?lang=&include_handled=&limit=``      the clusters and the topics they make, most open
                                                            questions first.
- ``GET  /api/v1/gaps/clusters/{message_id}``              the cluster holding that question.
- ``GET  /api/v1/gaps/clusters/{message_id}/draft?sub_groups=ID&sub_groups=ID``  its draft FAQ entry (the
  editor opens it); with ``sub_groups``: drafted from those clusters (a topic's ticked sub-groups) instead.
- ``POST /api/v1/gaps/clusters/{message_id}/handled``      its questions (or the body's ``sub_groups``' ones)
  are covered by a published entry.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.concurrency import run_in_threadpool

from faq_editor.models import FaqChange
from gaps import report
from gaps.collect import unanswered
from gaps.embedding import Vectors
from gaps.errors import ChangeMismatch, EmbedderUnavailable, GapNotFound
from gaps.models import Handled
from gaps.schemas import ClusterOut, DraftOut, HandledIn, MarkedOut, ReportOut
from gaps.settings import GapSettings
from handoff import permissions
from handoff.api.deps import AgentDep
from handoff.models import Agent
from hub.api.deps import SessionsDep
from hub.clock import utcnow
from knowledge_base import ModelChecksumError

__all__ = ["router"]

router = APIRouter(
    prefix="/api/v1/gaps",
    tags=["knowledge gaps"],
    responses={
        401: {"description": "not_authenticated"},
        403: {"description": "supervisor_only"},
        503: {"description": "embedder_unavailable: the KB's embedding model could not be opened"},
    },
)


def _supervisor(agent: AgentDep) -> Agent:
    permissions.require_supervisor(agent)
    return agent


SupervisorDep = Annotated[Agent, Depends(_supervisor)]
Sessions = async_sessionmaker[AsyncSession]


def _vectors(request: Request) -> Vectors:
    vectors: Vectors = request.app.state.gap_vectors
    return vectors


async def _topics(sessions: Sessions, request: Request) -> list[report.Topic]:
    """Read the questions, close the transaction, then embed and cluster (seconds the first time)."""
    settings = GapSettings()  # read per request: microseconds, and tests can set it
    since = utcnow() - timedelta(days=settings.gaps_days)
    async with sessions() as session:
        questions = await unanswered(session, since=since, limit=settings.gaps_max_questions)
    try:
        return await run_in_threadpool(
            report.build_topics,
            questions,
            _vectors(request),
            settings.gaps_distance,
            settings.gaps_topic_distance,
        )
    except (ModelChecksumError, OSError, ImportError) as exc:  # a missing or altered model file
        raise EmbedderUnavailable(str(exc)) from exc


async def _clusters(sessions: Sessions, request: Request) -> list[report.Cluster]:
    return report.clusters_of(await _topics(sessions, request))


def _holding(clusters: list[report.Cluster], message_id: int) -> report.Cluster:
    for cluster in clusters:
        if any(q.message_id == message_id for q in cluster.questions):
            return cluster
    raise GapNotFound(message_id)


async def _cluster(sessions: Sessions, request: Request, message_id: int) -> report.Cluster:
    return _holding(await _clusters(sessions, request), message_id)


async def _chosen(
    sessions: Sessions, request: Request, message_id: int, sub_groups: list[int] | None
) -> tuple[report.Cluster, list[report.Cluster]]:
    """The cluster in the path, and the ticked sub-groups' clusters (each found by any of its questions)."""
    clusters = await _clusters(sessions, request)
    cluster = _holding(clusters, message_id)
    chosen: list[report.Cluster] = []
    for sub in sub_groups or []:
        found = _holding(clusters, sub)
        if found not in chosen:
            chosen.append(found)
    return cluster, chosen


@router.get("", response_model=ReportOut, summary="Unanswered questions grouped by meaning, by volume")
async def gap_report(
    request: Request,
    sessions: SessionsDep,
    _agent: SupervisorDep,
    lang: Annotated[str | None, Query(min_length=2, max_length=8)] = None,
    include_handled: bool = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ReportOut:
    topics = await _topics(sessions, request)
    clusters = report.clusters_of(topics)
    now = utcnow()
    shown = [c for c in clusters if (lang is None or c.lang == lang) and (include_handled or c.open)]
    cards = [t for t in topics if (lang is None or t.lang == lang) and (include_handled or t.whole.open)]
    return ReportOut(
        generated_at=now,
        days=GapSettings().gaps_days,
        questions=sum(len(c.questions) for c in clusters if lang is None or c.lang == lang),
        open_questions=sum(
            q.handled is None for c in clusters if lang is None or c.lang == lang for q in c.questions
        ),
        clusters=[report.view(c, now) for c in shown[:limit]],
        topics=[report.topic_view(t, now) for t in cards[:limit]],
    )


_NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "gap_not_found"}}


@router.get("/clusters/{message_id}", response_model=ClusterOut, responses=_NOT_FOUND)
async def gap_cluster(
    message_id: int, request: Request, sessions: SessionsDep, _agent: SupervisorDep
) -> ClusterOut:
    cluster = await _cluster(sessions, request, message_id)
    return report.view(cluster, utcnow())


@router.get(
    "/clusters/{message_id}/draft", response_model=DraftOut, responses=_NOT_FOUND,
    summary="The FAQ entry the cluster suggests, to edit and publish in the FAQ editor (/faq?gap=ID)",
)  # fmt: skip
async def gap_draft(
    message_id: int,
    request: Request,
    sessions: SessionsDep,
    _agent: SupervisorDep,
    sub_groups: Annotated[list[int] | None, Query(max_length=200)] = None,
) -> DraftOut:
    cluster, chosen = await _chosen(sessions, request, message_id, sub_groups)
    return report.draft_of(cluster, chosen)


@router.post(
    "/clusters/{message_id}/handled", response_model=MarkedOut,
    responses={**_NOT_FOUND, 422: {"description": "faq_change_mismatch"}},
    summary="Mark the cluster's questions as covered by a published FAQ entry",
)  # fmt: skip
async def gap_handled(
    message_id: int, body: HandledIn, request: Request, sessions: SessionsDep, agent: SupervisorDep
) -> MarkedOut:
    if body.change_id is not None:
        async with sessions() as session:
            change = await session.get(FaqChange, body.change_id)
        if change is None or change.entry_id != body.entry_id or change.lang != body.lang:
            raise ChangeMismatch(body.change_id)
    cluster, chosen = await _chosen(sessions, request, message_id, body.sub_groups)
    marked = 0
    async with sessions() as session:
        for q in (q for c in chosen or [cluster] for q in c.questions):
            if q.handled is None:
                await session.merge(
                    Handled(
                        message_id=q.message_id,
                        entry_id=body.entry_id,
                        lang=body.lang,
                        change_id=body.change_id,
                        agent_id=agent.id,
                    )
                )
                marked += 1
        await session.commit()
    return MarkedOut(cluster=cluster.id, marked=marked)
