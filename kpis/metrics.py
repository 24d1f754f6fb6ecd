"""``GET /metrics``: the core's Prometheus instruments (hub/metrics.py) and the queue length.

A scrape reads what the process counted in memory (or, with ``PROMETHEUS_MULTIPROC_DIR``, what all the
host's hub processes counted: prometheus-client's multiprocess mode) plus one query: how many handoffs
wait in the queue now. Nothing is added to the message path.
"""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator
from typing import Annotated

import sqlalchemy as sa
from fastapi import APIRouter, Header
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from handoff import requests
from handoff.models import Handoff
from hub.api.deps import SessionsDep
from hub.errors import HubError
from kpis.settings import KpiSettings

__all__ = ["router"]

router = APIRouter(tags=["operations"])


class MetricsTokenRequired(HubError):
    code = "metrics_token_required"
    http_status = 401

    def __init__(self) -> None:
        super().__init__("Send 'Authorization: Bearer <METRICS_TOKEN>' to read /metrics.")


def _check(authorization: str | None) -> None:
    """Nothing to check without METRICS_TOKEN; with it, the bearer token must match (constant time)."""
    token = KpiSettings().metrics_token  # read per scrape: a few microseconds, and tests can set it
    if token is None:
        return
    scheme, _, given = (authorization or "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        raise MetricsTokenRequired()


class _Queue(Collector):
    def __init__(self, waiting: int) -> None:
        self.waiting = waiting

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "mostrador_queue_length", "Handoffs waiting for a person now", value=self.waiting
        )


def _registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@router.get("/metrics", include_in_schema=False)
async def metrics(
    sessions: SessionsDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """Prometheus text format; with METRICS_TOKEN set, only for 'Authorization: Bearer <token>'."""
    _check(authorization)
    async with sessions() as session:
        waiting = await session.scalar(
            sa.select(sa.func.count()).select_from(Handoff).where(Handoff.state == requests.WAITING)
        )
    queue = CollectorRegistry(auto_describe=False)
    queue.register(_Queue(int(waiting or 0)))
    body = generate_latest(_registry()) + generate_latest(queue)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
