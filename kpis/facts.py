"""One row per conversation: the facts every KPI, the CSV export and the drill-downs are made of.

A conversation belongs to the period in which it was created (``conversations.created_at``), and
everything that happened in it, before or after the period's end, is counted with it (a cohort), so
each number on the reports page is a sum or a percentile over these rows and can be traced to them.

Per conversation (``None`` when it did not happen); times are seconds since 1970 (UTC):

- ``messages``: its incoming and outgoing messages (activity lines are not messages); ``first_in``: its
  first incoming message; ``first_bot`` / ``first_agent``: its first outgoing message by the bot / by an
  agent.
- ``kb_answered`` / ``kb_clarified`` / ``kb_handed_off``: its incoming messages whose stored bot context
  says the knowledge base answered / asked to clarify / had no answer (``context.kb.decision``).
- the first handoff (``handoffs``, lowest id): ``reason``, ``team`` (its skill, '' for none),
  ``agent_id`` (who had it last), ``requested``, ``claimed``; ``complaint``: any handoff of the
  conversation with reason ``complaint``.
- events: ``resolved``/``resolved_by``: the first ``resolved`` event and its ``data.by``; ``reopened``:
  any ``reopened`` event; ``abandoned``: any ``handoff_abandoned`` event; ``csat``/``nps``: the score of
  the latest ``survey_answered`` of that kind, ``csat_human`` its ``data.human`` (else: had a handoff);
  ``csat_sent``/``nps_sent``: ``survey_sent`` events of that kind.
- durations: ``frt_bot = first_bot - first_in``; ``frt_human = first_agent - requested`` and
  ``queue_wait = claimed - requested`` in open seconds of the desk (kpis/business.py);
  ``resolution = resolved - created``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlalchemy.sql import Subquery

from handoff.models import Handoff
from hub.models import Conversation, Event, Message
from kpis.business import OpenClock
from kpis.sql import Dialect, epoch, kb_decision

__all__ = ["COLUMNS", "Filters", "facts"]

#: Room for a million messages of each knowledge-base decision in one conversation (see ``kb_code``).
KB_SLOT = 2**20

#: The facts' columns, in the CSV's order (after ``conversation_id``).
COLUMNS = (
    "conversation_id", "channel", "team", "agent_id", "created", "messages", "first_in", "first_bot",
    "frt_bot", "reason", "requested", "claimed", "queue_wait", "first_agent", "frt_human", "abandoned",
    "complaint", "resolved", "resolved_by", "resolution", "reopened", "kb_answered", "kb_clarified",
    "kb_handed_off", "csat", "csat_human", "nps", "csat_sent", "nps_sent",
)  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """Conversations created in [start, end), optionally of one channel and one team."""

    start: datetime
    end: datetime
    channel: str | None = None
    team: str | None = None
    zone: str = "UTC"  # the days and weeks of the groups (REPORTS_TIMEZONE)


def _flag(condition: Any) -> Any:
    return sa.func.max(sa.case((condition, 1), else_=0))


def _count(condition: Any) -> Any:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def facts(dialect: Dialect, filters: Filters, open_seconds: OpenClock) -> Subquery:
    """The per-conversation facts of the filtered conversations, as a subquery (columns: COLUMNS)."""
    C = Conversation
    cohort = sa.select(C.id).where(C.created_at >= filters.start, C.created_at < filters.end)
    if filters.channel:
        cohort = cohort.where(C.channel == filters.channel)
    first_id = cohort.with_only_columns(sa.func.min(C.id)).scalar_subquery()
    last_id = cohort.with_only_columns(sa.func.max(C.id)).scalar_subquery()

    def of_cohort(column: Any) -> Any:
        """Rows of the period's conversations: those between its first and last id (computed once; the
        rows of other conversations in between are dropped by the final join), and of its channel."""
        within = column.between(first_id, last_id)
        return within & column.in_(cohort) if filters.channel else within

    M = Message
    incoming = M.message_type == "incoming"
    # The knowledge base's decisions of a conversation's incoming messages, counted in one sum (the
    # decision is read once per message: reading it three times was most of a month's query time):
    # answered + clarified * SLOT + handed off * SLOT**2.
    decision = kb_decision(dialect, M.context)
    kb_code = sa.case({"answer": 1, "clarify": KB_SLOT, "handoff": KB_SLOT**2}, value=decision, else_=0)
    outgoing = M.message_type == "outgoing"

    def first(condition: Any) -> Any:
        """The earliest ``created_at`` of the messages that meet ``condition``, in epoch seconds."""
        return epoch(dialect, sa.func.min(sa.case((condition, M.created_at))))

    msgs = (
        sa.select(
            M.conversation_id.label("cid"),
            _count(M.message_type.in_(("incoming", "outgoing"))).label("messages"),
            first(incoming).label("first_in"),
            first(outgoing & (M.sender_type == "bot")).label("first_bot"),
            first(outgoing & (M.sender_type == "agent")).label("first_agent"),
            sa.cast(sa.func.sum(sa.case((incoming, kb_code), else_=0)), sa.BigInteger).label("kb"),
        )
        .where(of_cohort(M.conversation_id))
        .group_by(M.conversation_id)
        .subquery("msgs")
    )

    E = Event
    kind = E.data["kind"].as_string()
    helpful = E.data["helpful"].as_boolean()  # "¿Te ha servido?" (learning/feedback.py)
    evs = (
        sa.select(
            E.conversation_id.label("cid"),
            sa.func.min(sa.case((E.kind == "resolved", E.id))).label("resolved_eid"),
            _flag(E.kind == "reopened").label("reopened"),
            _flag(E.kind == "handoff_abandoned").label("abandoned"),
            sa.func.max(sa.case(((E.kind == "survey_answered") & (kind == "csat"), E.id))).label("csat_eid"),
            sa.func.max(sa.case(((E.kind == "survey_answered") & (kind == "nps"), E.id))).label("nps_eid"),
            _count((E.kind == "survey_sent") & (kind == "csat")).label("csat_sent"),
            _count((E.kind == "survey_sent") & (kind == "nps")).label("nps_sent"),
            _count((E.kind == "feedback_answered") & (helpful == sa.true())).label("helpful"),
            _count((E.kind == "feedback_answered") & (helpful == sa.false())).label("not_helpful"),
        )
        .where(
            E.kind.in_(("resolved", "reopened", "handoff_abandoned", "survey_answered", "survey_sent",
                        "feedback_answered")),
            of_cohort(E.conversation_id),
        )
        .group_by(E.conversation_id)
        .subquery("evs")
    )

    firsts = (
        sa.select(
            Handoff.conversation_id.label("cid"),
            sa.func.min(Handoff.id).label("hid"),
            _flag(Handoff.reason == "complaint").label("complaint"),
        )
        .where(of_cohort(Handoff.conversation_id))
        .group_by(Handoff.conversation_id)
        .subquery("firsts")
    )
    H = aliased(Handoff, name="h")

    def of_kind(name: str, kind: str) -> Any:
        """Events of one kind only: joined by id, they are found without reading the others."""
        return aliased(Event, sa.select(Event).where(Event.kind == kind).subquery(name), name=name)

    R, S, N = of_kind("r", "resolved"), of_kind("s", "survey_answered"), of_kind("n", "survey_answered")

    created = epoch(dialect, C.created_at)
    requested = epoch(dialect, H.requested_at)
    claimed = epoch(dialect, H.claimed_at)
    clock = open_seconds.fresh()
    open_requested = clock.until("open_requested", requested)
    open_claimed = clock.until("open_claimed", claimed)
    open_agent = clock.until("open_agent", msgs.c.first_agent)
    resolved = epoch(dialect, R.created_at)
    team = sa.func.coalesce(H.skill, "")
    human = sa.cast(S.data["human"].as_boolean(), sa.Integer)
    had_handoff = sa.case((H.id.is_not(None), 1), else_=0)
    query = (
        sa.select(
            C.id.label("conversation_id"),
            C.channel.label("channel"),
            team.label("team"),
            H.agent_id.label("agent_id"),
            created.label("created"),
            C.created_at.label("created_at"),
            sa.func.coalesce(msgs.c.messages, 0).label("messages"),
            msgs.c.first_in,
            msgs.c.first_bot,
            sa.case((msgs.c.first_bot >= msgs.c.first_in, msgs.c.first_bot - msgs.c.first_in)).label(
                "frt_bot"
            ),
            H.reason.label("reason"),
            requested.label("requested"),
            claimed.label("claimed"),
            (open_claimed - open_requested).label("queue_wait"),
            msgs.c.first_agent,
            sa.case((msgs.c.first_agent >= requested, open_agent - open_requested)).label("frt_human"),
            sa.func.coalesce(evs.c.abandoned, 0).label("abandoned"),
            sa.func.coalesce(firsts.c.complaint, 0).label("complaint"),
            resolved.label("resolved"),
            R.data["by"].as_string().label("resolved_by"),
            (resolved - created).label("resolution"),
            sa.func.coalesce(evs.c.reopened, 0).label("reopened"),
            sa.func.coalesce(msgs.c.kb % KB_SLOT, 0).label("kb_answered"),
            sa.func.coalesce(msgs.c.kb // KB_SLOT % KB_SLOT, 0).label("kb_clarified"),
            sa.func.coalesce(msgs.c.kb // KB_SLOT**2, 0).label("kb_handed_off"),
            S.data["score"].as_integer().label("csat"),
            sa.case((S.id.is_(None), None), else_=sa.func.coalesce(human, had_handoff)).label("csat_human"),
            N.data["score"].as_integer().label("nps"),
            sa.func.coalesce(evs.c.csat_sent, 0).label("csat_sent"),
            sa.func.coalesce(evs.c.nps_sent, 0).label("nps_sent"),
            sa.func.coalesce(evs.c.helpful, 0).label("feedback_helpful"),
            sa.func.coalesce(evs.c.not_helpful, 0).label("feedback_not_helpful"),
        )
        .select_from(C)
        .outerjoin(msgs, msgs.c.cid == C.id)
        .outerjoin(evs, evs.c.cid == C.id)
        .outerjoin(firsts, firsts.c.cid == C.id)
        .outerjoin(H, H.id == firsts.c.hid)
        .outerjoin(R, R.id == evs.c.resolved_eid)
        .outerjoin(S, S.id == evs.c.csat_eid)
        .outerjoin(N, N.id == evs.c.nps_eid)
        .where(C.created_at >= filters.start, C.created_at < filters.end)
    )
    for day, on in clock.joins:  # business hours: the day rows of the three instants
        query = query.join(day, on, isouter=True)
    if filters.channel:
        query = query.where(C.channel == filters.channel)
    if filters.team is not None:
        query = query.where(team == filters.team)
    return query.subquery("facts")
