"""Helpers for handoff tests: the desk, a hub with customers and agents (fake Rasa: tests/fakes/rasa.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents
from handoff.settings import HandoffSettings
from tests.support.in_process_hub import InProcessHub

__all__ = ["Desk"]


class Desk(InProcessHub):
    """A running hub (TestClient) with helpers for customers and agents."""

    @property
    def handoff_settings(self) -> HandoffSettings:
        """The desk's settings this hub runs with (handoff.plugin.mount keeps them on the app)."""
        settings: HandoffSettings = self.client.app.state.handoff_settings  # type: ignore[attr-defined]
        return settings

    def customer(
        self, text: str, *, source_id: str = "cust-1", language: str | None = None
    ) -> dict[str, Any]:
        """Post as the api customer ``source_id``; the receipt."""
        response = self.post(text, source_id=source_id, language=language)
        assert response.status_code == 202, response.text
        receipt: dict[str, Any] = response.json()
        return receipt

    def wait_status(self, conversation_id: int, status: str) -> dict[str, Any]:
        return self.wait_until(
            lambda: (c := self.conversation(conversation_id))["status"] == status and c,
            f"conversation {conversation_id} {status}",
        )

    def add_agent(
        self,
        email: str,
        *,
        name: str | None = None,
        languages: str = "es",
        skills: str = "",
        max_concurrent: int = 3,
        password: str = "s3cret-pass",
        role: str = "agent",
    ) -> int:
        async def create(session: AsyncSession) -> int:
            agent = await agents.create(
                session,
                email=email,
                name=name or email.split("@")[0].title(),
                password=password,
                languages=agents.parse_list(languages),
                skills=agents.parse_list(skills),
                max_concurrent=max_concurrent,
                role=role,
            )
            return agent.id

        return self.db(create)

    def login(self, email: str, password: str = "s3cret-pass", *, online: bool = True) -> dict[str, str]:
        response = self.client.post("/api/v1/agent/login", json={"email": email, "password": password})
        assert response.status_code == 200, response.text
        headers = {"Authorization": f"Bearer {response.json()['token']}"}
        if online:
            r = self.client.put("/api/v1/agent/me/status", json={"status": "online"}, headers=headers)
            assert r.status_code == 200, r.text
        return headers

    def hand_off(self, text: str = "quiero hablar con una persona", **kwargs: Any) -> int:
        """A customer whose message the (fake) bot hands off; returns the open conversation id."""
        conversation_id: int = self.customer(text, **kwargs)["conversation_id"]
        self.wait_status(conversation_id, "open")
        self.wait_idle(conversation_id)
        return conversation_id
