"""Helpers for survey tests: a running hub (the desk's helpers) with the surveys' sweep, events and
follow-ups at hand."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from hub.models import Event
from surveys import texts
from surveys.models import FollowUp, Survey
from surveys.plugin import build_ending
from surveys.settings import SurveySettings
from tests.fakes.graph_api import FakeGraphAPI
from tests.fakes.rasa import FakeRasa

__all__ = ["SurveyHub", "handing_off_bot"]


def handing_off_bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The fake bot: hands off on "persona"/"person", echoes anything else."""
    if "persona" in text.lower() or "person" in text.lower():
        return [
            {"text": "Te paso con una persona."},
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]
    return [{"text": f"echo: {text}"}]


class SurveyHub(Desk):
    def __init__(
        self,
        client: TestClient,
        settings: SurveySettings,
        rasa: FakeRasa,
        *,
        graph: FakeGraphAPI | None = None,
    ) -> None:
        super().__init__(client)
        self.survey_settings = settings
        self.rasa = rasa
        self.graph = graph
        self.services.bus.published = []  # every bus event from now on

    def forget_logins(self) -> None:
        """After the clock moved past the reading supervisor's login (one hour): log in again when needed."""
        self._reader_token = None
        self._readers.clear()

    def sweep(self) -> None:
        """One run of the surveys' sweep (silence, late comments), as the worker's task does."""
        self.call(build_ending(self.services, self.survey_settings).sweep)

    def events(self, conversation_id: int, kind: str | None = None) -> list[dict[str, Any]]:
        """The conversation's stored events (``kind``: only those), as {"kind", "data"}."""

        async def read(session: AsyncSession) -> list[dict[str, Any]]:
            query = sa.select(Event.kind, Event.data).where(Event.conversation_id == conversation_id)
            if kind is not None:
                query = query.where(Event.kind == kind)
            rows = await session.execute(query.order_by(Event.id))
            return [{"kind": k, "data": d} for k, d in rows]

        return self.db(read)

    def data(self, conversation_id: int, kind: str) -> list[dict[str, Any]]:
        return [e["data"] for e in self.events(conversation_id, kind)]

    def surveys(self, conversation_id: int) -> list[Survey]:
        async def read(session: AsyncSession) -> list[Survey]:
            query = sa.select(Survey).where(Survey.conversation_id == conversation_id).order_by(Survey.id)
            return list((await session.execute(query)).scalars())

        return self.db(read)

    def follow_ups(self) -> list[FollowUp]:
        async def read(session: AsyncSession) -> list[FollowUp]:
            return list((await session.execute(sa.select(FollowUp).order_by(FollowUp.id))).scalars())

        return self.db(read)

    def texts(self, conversation_id: int) -> list[str]:
        return [m["text"] for m in self.wait_idle(conversation_id)]

    def say(self, text: str, *, source_id: str = "cust-1", language: str | None = None) -> int:
        """The api customer ``source_id`` writes; waits until the message is processed; the conversation."""
        conversation_id: int = self.customer(text, source_id=source_id, language=language)["conversation_id"]
        self.wait_idle(conversation_id)
        return conversation_id

    def resolved_by_agent(self, conversation_id: int, email: str = "ana@x.example") -> dict[str, str]:
        """An agent claims the (handed-off) conversation and resolves it; the agent's headers."""
        self.add_agent(email)
        headers = self.login(email)
        claimed = self.client.post(f"/api/v1/agent/conversations/{conversation_id}/claim", headers=headers)
        assert claimed.status_code == 200, claimed.text
        done = self.client.post(f"/api/v1/agent/conversations/{conversation_id}/resolve", headers=headers)
        assert done.status_code == 200, done.text
        return headers

    def wait_closed(self, conversation_id: int) -> list[str]:
        """Wait until the conversation is resolved and its closing message (with any survey question,
        stored in the same transaction) is there; the texts."""
        closings = {texts.closing(lang, after_goodbye=b) for lang in ("es", "en") for b in (True, False)}

        def closed() -> list[str]:
            if self.conversation(conversation_id)["status"] != "resolved":
                return []
            shown = self.texts(conversation_id)
            return shown if closings & set(shown) else []

        return self.wait_until(closed, f"conversation {conversation_id} closed")

    def bus_events(self, name: str) -> list[dict[str, Any]]:
        published = self.services.bus.published or []
        return [dict(e.data, conversation_id=e.conversation_id) for e in published if e.name == name]
