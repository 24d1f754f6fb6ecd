"""The periodic job that marks handoffs abandoned when the waiting customer went silent."""

from __future__ import annotations

import asyncio
import logging

from handoff import desk
from hub.services import Services

__all__ = ["run"]

log = logging.getLogger(__name__)


async def run(services: Services) -> None:
    """Every HANDOFF_SWEEP_INTERVAL seconds, abandon stale handoffs (until cancelled)."""
    while True:
        await asyncio.sleep(services.settings.handoff_sweep_interval)
        try:
            await desk.abandon_stale(services)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("abandonment sweep failed; retrying at the next interval")
