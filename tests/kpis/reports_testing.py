"""Helpers for the reports tests: a running hub with a supervisor and an agent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents
from tests.support.in_process_hub import InProcessHub

__all__ = ["Reports"]


class Reports(InProcessHub):
    """A running hub (TestClient) whose supervisor reads the reports."""

    def supervisor(self) -> dict[str, str]:
        return self.reader_headers()

    def agent(self) -> dict[str, str]:
        async def log_in(session: AsyncSession) -> str:
            await agents.create(session, email="ana@example.com", name="Ana", password="s3cret-pass",
                                languages=["es"])
            _agent, token = await agents.login(
                session, email="ana@example.com", password="s3cret-pass", ttl=timedelta(hours=1)
            )
            return token

        return {"Authorization": f"Bearer {self.db(log_in)}"}
