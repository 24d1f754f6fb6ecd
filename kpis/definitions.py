"""Every KPI of the service, defined once: the exact arithmetic over the per-conversation facts
(kpis/facts.py, which says how each fact comes from the events, messages and handoffs tables).

:func:`compute` runs one SQL statement: the facts of the filtered conversations, the sums and the
percentiles (nearest rank: the median is the ⌈n/2⌉-th smallest value, p90 the ⌈0.9·n⌉-th) per group
and for the whole period. docs/kpis.md lists the same definitions (tests/kpis/test_docs.py keeps them
equal).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Handoff
from kpis.business import OpenClock
from kpis.facts import Filters, facts
from kpis.sql import LocalDays, bucket, for_reports

__all__ = ["KPIS", "PERCENTILED", "Kpi", "compute"]

Raw = dict[str, Any]

#: Durations reported as median and p90 (seconds).
PERCENTILED = ("frt_bot", "frt_human", "queue_wait", "resolution")


def _share(part: str, whole: str) -> Callable[[Raw], float | None]:
    return lambda raw: raw[part] / raw[whole] if raw[whole] else None


def _avg(total: str, n: str) -> Callable[[Raw], float | None]:
    return lambda raw: raw[total] / raw[n] if raw[n] else None


def _nps(raw: Raw) -> float | None:
    n = raw["nps_n"]
    return 100.0 * (raw["nps_promoters"] - raw["nps_detractors"]) / n if n else None


def _kb(part: str) -> Callable[[Raw], float | None]:
    def share(raw: Raw) -> float | None:
        whole = raw["kb_answered"] + raw["kb_clarified"] + raw["kb_handed_off"]
        return raw[part] / whole if whole else None

    return share


@dataclass(frozen=True)
class Kpi:
    key: str
    title: str  # as the reports page shows it in Spanish
    title_en: str  # ... and in English
    unit: str  # count | share (0..1) | seconds | score
    doc: str  # the arithmetic over the facts
    value: Callable[[Raw], float | int | None]


def _raw(name: str) -> Callable[[Raw], Any]:
    return lambda raw: raw[name]


def _pct(metric: str, which: str) -> Callable[[Raw], Any]:
    return lambda raw: raw[f"{metric}_{which}"]


KPIS: tuple[Kpi, ...] = (
    Kpi("conversations", "Conversaciones", "Conversations", "count",
        "rows (conversations created in the period)", _raw("conversations")),
    Kpi("messages", "Mensajes", "Messages", "count",
        "sum of messages (incoming + outgoing)", _raw("messages")),
    Kpi("containment", "Resueltas por el bot", "Resolved by the bot", "share",
        "rows with resolved_by = 'bot' / conversations", _share("resolved_bot", "conversations")),
    Kpi("handoff_rate", "Pasadas a personas", "Handed to people", "share",
        "rows with a handoff / conversations", _share("handed_off", "conversations")),
    Kpi("frt_bot_median", "1.ª respuesta del bot (mediana)", "Bot first response (median)", "seconds",
        "median of frt_bot = first_bot - first_in", _pct("frt_bot", "median")),
    Kpi("frt_bot_p90", "1.ª respuesta del bot (p90)", "Bot first response (p90)", "seconds",
        "p90 of frt_bot", _pct("frt_bot", "p90")),
    Kpi("frt_human_median", "1.ª respuesta humana (mediana)", "Human first response (median)", "seconds",
        "median of frt_human = first_agent - requested, open seconds", _pct("frt_human", "median")),
    Kpi("frt_human_p90", "1.ª respuesta humana (p90)", "Human first response (p90)", "seconds",
        "p90 of frt_human", _pct("frt_human", "p90")),
    Kpi("queue_wait_median", "Espera en cola (mediana)", "Queue wait (median)", "seconds",
        "median of queue_wait = claimed - requested, open seconds (claimed handoffs)",
        _pct("queue_wait", "median")),
    Kpi("queue_wait_p90", "Espera en cola (p90)", "Queue wait (p90)", "seconds",
        "p90 of queue_wait", _pct("queue_wait", "p90")),
    Kpi("resolution_median", "Tiempo de resolución (mediana)", "Resolution time (median)", "seconds",
        "median of resolution = resolved - created (resolved rows)", _pct("resolution", "median")),
    Kpi("resolution_p90", "Tiempo de resolución (p90)", "Resolution time (p90)", "seconds",
        "p90 of resolution", _pct("resolution", "p90")),
    Kpi("abandonment", "Abandonos en cola", "Abandoned in queue", "share",
        "rows with abandoned / rows with a handoff", _share("abandoned", "handed_off")),
    Kpi("fcr", "Resueltas al primer contacto", "First-contact resolution", "share",
        "resolved rows with reopened = 0 / resolved rows", _share("fcr", "resolved")),
    Kpi("complaints_received", "Quejas recibidas", "Complaints received", "count",
        "rows with complaint", _raw("complaints")),
    Kpi("complaints_resolved", "Quejas resueltas", "Complaints resolved", "count",
        "rows with complaint and resolved", _raw("complaints_resolved")),
    Kpi("complaints_open", "Quejas sin resolver", "Complaints open", "count",
        "rows with complaint and no resolved", lambda raw: raw["complaints"] - raw["complaints_resolved"]),
    Kpi("csat_bot", "CSAT solo bot (media)", "CSAT bot only (average)", "score",
        "average csat of rows with csat_human = 0",
        _avg("csat_bot_sum", "csat_bot_n")),
    Kpi("csat_bot_good", "CSAT solo bot: % 4-5", "CSAT bot only: % 4-5", "share",
        "rows with csat_human = 0 and csat >= 4 / rows with csat_human = 0 and a csat",
        _share("csat_bot_good", "csat_bot_n")),
    Kpi("csat_human", "CSAT con persona (media)", "CSAT with a person (average)", "score",
        "average csat of rows with csat_human = 1",
        _avg("csat_human_sum", "csat_human_n")),
    Kpi("csat_human_good", "CSAT con persona: % 4-5", "CSAT with a person: % 4-5", "share",
        "rows with csat_human = 1 and csat >= 4 / rows with csat_human = 1 and a csat",
        _share("csat_human_good", "csat_human_n")),
    Kpi("csat_responses", "Respuestas CSAT", "CSAT answers", "count", "rows with a csat", _raw("csat_n")),
    Kpi("csat_response_rate", "Tasa de respuesta CSAT", "CSAT response rate", "share",
        "rows with a csat / rows with csat_sent > 0", _share("csat_n", "csat_asked")),
    Kpi("nps", "NPS", "NPS", "score",
        "100 × (rows with nps >= 9 - rows with nps <= 6) / rows with an nps", _nps),
    Kpi("nps_responses", "Respuestas NPS", "NPS answers", "count", "rows with an nps", _raw("nps_n")),
    Kpi("kb_answered", "Base de conocimiento: respondidas", "Knowledge base: answered", "share",
        "sum kb_answered / sum (kb_answered + kb_clarified + kb_handed_off)", _kb("kb_answered")),
    Kpi("kb_clarified", "Base de conocimiento: aclaración", "Knowledge base: clarified", "share",
        "sum kb_clarified / the same sum", _kb("kb_clarified")),
    Kpi("kb_handed_off", "Base de conocimiento: sin respuesta", "Knowledge base: no answer", "share",
        "sum kb_handed_off / the same sum", _kb("kb_handed_off")),
    Kpi("kb_not_helpful", "Respuestas que no sirvieron", "Answers that did not help", "share",
        "sum feedback_not_helpful / sum (feedback_helpful + feedback_not_helpful)",
        _share("feedback_not_helpful", "feedback_answers")),
    Kpi("feedback_answers", "Respuestas a «¿Te ha servido?»", "Answers to 'Did this help?'", "count",
        "sum (feedback_helpful + feedback_not_helpful)", _raw("feedback_answers")),
)  # fmt: skip


def _sums(f: Any) -> dict[str, Any]:
    """The SQL aggregates the KPIs are made of (name -> expression over the ranked facts)."""

    def count(condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    def total(column: Any, condition: Any) -> Any:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, column), else_=0)), 0)

    bot, human = f.csat_human == 0, f.csat_human == 1
    return {
        "conversations": sa.func.count(),
        "messages": sa.func.coalesce(sa.func.sum(f.messages), 0),
        "resolved": count(f.resolved.is_not(None)),
        "resolved_bot": count(f.resolved_by == "bot"),
        "handed_off": count(f.reason.is_not(None)),
        "abandoned": count(f.abandoned == 1),
        "fcr": count(f.resolved.is_not(None) & (f.reopened == 0)),
        "complaints": count(f.complaint == 1),
        "complaints_resolved": count((f.complaint == 1) & f.resolved.is_not(None)),
        "csat_n": count(f.csat.is_not(None)),
        "csat_asked": count(f.csat_sent > 0),
        "csat_bot_n": count(bot & f.csat.is_not(None)),
        "csat_bot_sum": total(f.csat, bot & f.csat.is_not(None)),
        "csat_bot_good": count(bot & (f.csat >= 4)),
        "csat_human_n": count(human & f.csat.is_not(None)),
        "csat_human_sum": total(f.csat, human & f.csat.is_not(None)),
        "csat_human_good": count(human & (f.csat >= 4)),
        "nps_n": count(f.nps.is_not(None)),
        "nps_promoters": count(f.nps >= 9),
        "nps_detractors": count(f.nps <= 6),
        "kb_answered": sa.func.coalesce(sa.func.sum(f.kb_answered), 0),
        "kb_clarified": sa.func.coalesce(sa.func.sum(f.kb_clarified), 0),
        "kb_handed_off": sa.func.coalesce(sa.func.sum(f.kb_handed_off), 0),
        "feedback_not_helpful": sa.func.coalesce(sa.func.sum(f.feedback_not_helpful), 0),
        "feedback_answers": sa.func.coalesce(sa.func.sum(f.feedback_helpful + f.feedback_not_helpful), 0),
    }


def _select(rows: Any, key: Any, reasons: list[str], suffix: str, *, postgres: bool, total: Any) -> Any:
    """The aggregates of ``rows`` (the facts with their bucket, and on SQLite their ranks)."""
    r = rows.c
    columns = [key.label("bucket"), total.label("is_total")]
    columns += [expr.label(name) for name, expr in _sums(r).items()]
    for i, reason in enumerate(reasons):
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((r.reason == reason, 1), else_=0)), 0).label(
            f"reason_{i}"
        ))
    for metric in PERCENTILED:
        value = r[metric]
        if postgres:  # percentile_disc is the nearest rank (NULLs left out)
            columns.append(sa.func.percentile_disc(0.5).within_group(value).label(f"{metric}_median"))
            columns.append(sa.func.percentile_disc(0.9).within_group(value).label(f"{metric}_p90"))
            continue
        rank, n = r[f"{metric}_rn{suffix}"], r[f"{metric}_n{suffix}"]
        columns.append(sa.func.max(sa.case((rank == (n + 1) // 2, value))).label(f"{metric}_median"))
        columns.append(sa.func.max(sa.case((rank == (9 * n + 9) // 10, value))).label(f"{metric}_p90"))
    return sa.select(*columns)


def _number(value: Any) -> Any:
    """PostgreSQL's sums are Decimals: ints and floats for JSON."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _kpis(row: Raw, reasons: list[str]) -> dict[str, Any]:
    raw = {name: _number(value) for name, value in row.items()}
    out: dict[str, Any] = {kpi.key: kpi.value(raw) for kpi in KPIS}
    counts = {reason: int(raw[f"reason_{i}"]) for i, reason in enumerate(reasons) if raw[f"reason_{i}"]}
    out["handoffs_by_reason"] = counts
    n = raw["conversations"]
    out["handoff_rate_by_reason"] = {reason: c / n for reason, c in counts.items()} if n else {}
    return out


async def compute(
    session: AsyncSession, filters: Filters, *, group_by: str, open_seconds: OpenClock
) -> dict[str, Any]:
    """{"total": {kpi: value}, "groups": [{"key": ..., kpi: value}]} for the filtered conversations."""
    dialect = await for_reports(session)
    reasons = sorted(
        str(r) for r in await session.scalars(sa.select(Handoff.reason).distinct()) if r is not None
    )
    f = facts(dialect, filters, open_seconds)
    key = bucket(
        dialect, group_by, created_at=f.c.created_at, channel=f.c.channel, team=f.c.team, agent=f.c.agent_id,
        days=LocalDays(filters.zone, filters.start, filters.end),
    )  # fmt: skip
    columns: list[Any] = [f, sa.func.coalesce(key, "").label("bucket")]
    if not dialect.postgres:  # SQLite has no percentile aggregate: the nearest rank by row_number
        for metric in PERCENTILED:
            value = f.c[metric]
            order = (value.is_(None), value)
            columns += [
                sa.func.row_number().over(partition_by=key, order_by=order).label(f"{metric}_rn"),
                sa.func.count(value).over(partition_by=key).label(f"{metric}_n"),
                sa.func.row_number().over(order_by=order).label(f"{metric}_rnt"),
                sa.func.count(value).over().label(f"{metric}_nt"),
            ]
    if dialect.postgres:  # the groups and the total in one pass
        rows: Any = sa.select(*columns).subquery("ranked")
        b = rows.c.bucket
        query = _select(rows, b, reasons, "", postgres=True, total=sa.func.grouping(b)).group_by(
            sa.func.grouping_sets(sa.tuple_(b), sa.text("()"))
        )
    else:
        rows = sa.select(*columns).cte("ranked")
        groups = _select(rows, rows.c.bucket, reasons, "", postgres=False, total=sa.literal(0))
        total = _select(rows, sa.literal(None, sa.String), reasons, "t", postgres=False, total=sa.literal(1))
        query = sa.union_all(total, groups.group_by(rows.c.bucket))
    found = (await session.execute(query)).mappings().all()
    result: dict[str, Any] = {"total": None, "groups": []}
    for row in found:
        values = _kpis(dict(row), reasons)
        if row["is_total"]:
            result["total"] = values
        else:
            result["groups"].append({"key": row["bucket"], **values})
    result["groups"].sort(key=lambda g: str(g["key"]))
    return result
