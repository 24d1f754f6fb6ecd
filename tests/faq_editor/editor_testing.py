"""Helpers for the FAQ editor tests: a running hub with a supervisor, an admin and a plain agent."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import agents
from tests.support.in_process_hub import InProcessHub

__all__ = ["Editing", "entry"]


def entry(**fields: Any) -> dict[str, Any]:
    """A new Spanish entry, distinct from everything in the small KB, with ``fields`` changed."""
    return {
        "id": "tarjeta-regalo",
        "lang": "es",
        "question": "¿Tenéis tarjetas regalo?",
        "answer": "Sí: de 10 a 200 €, en tienda y en la web. Se canjean al pagar.",
        "alt_questions": ["Quiero comprar un cheque regalo"],
        "category": "promos",
        "url": "https://tienda.example/regalo",
    } | fields


class Editing(InProcessHub):
    def supervisor(self) -> dict[str, str]:
        return self.reader_headers()

    def _login(self, email: str, role: str) -> dict[str, str]:
        async def log_in(session: AsyncSession) -> str:
            if await agents.get_by_email(session, email=email) is None:
                await agents.create(
                    session,
                    email=email,
                    name=email.split("@")[0].title(),
                    password="s3cret-pass",
                    languages=["es"],
                    role=role,
                )
            _agent, token = await agents.login(
                session, email=email, password="s3cret-pass", ttl=timedelta(hours=1)
            )
            return token

        return {"Authorization": f"Bearer {self.db(log_in)}"}

    def agent(self) -> dict[str, str]:
        return self._login("ana@example.com", "agent")

    def admin(self) -> dict[str, str]:
        return self._login("alba@example.com", "admin")

    def ok(self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        response = self.client.request(method, path, headers=headers or self.supervisor(), **kwargs)
        assert response.status_code < 300, response.text
        return response.json()
