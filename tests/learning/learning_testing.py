"""Helpers for the learning tests: a fake bot whose answers carry the KB's decision (the action server's
``{"kb": ...}`` payload) and a running hub with the signals at hand."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from surveys_testing import SurveyHub

from learning.models import FeedbackAsk, Signal

__all__ = ["LearningHub", "kb_bot"]


def _kb(decision: str, reason: str, *candidates: tuple[str, float]) -> dict[str, Any]:
    return {
        "custom": {
            "kb": {
                "decision": decision,
                "reason": reason,
                "candidates": [{"id": i, "score": s, "question": i} for i, s in candidates],
            }
        }
    }


def kb_bot(text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    """The fake bot, like the action server:

    - "tarda" / "how long": answered (envio-plazo), barely ahead of envio-coste: not clearly confident;
    - "devolver" / "return": answered (devolucion-plazo) far ahead: confident;
    - "pagar": a clarify between pago-metodos and pago-aplazado (buttons and "Ninguna" -> /request_human);
    - ``/choose_faq{"faq_id": X}``: X, chosen by the customer;
    - "persona" / "person" / ``/request_human``: a handoff (explicit_request);
    - anything else: an echo.
    """
    lowered = text.lower()
    if lowered.startswith("/choose_faq"):
        chosen = json.loads(text[len("/choose_faq") :])["faq_id"]
        return [
            {"text": f"answer: {chosen}"},
            _kb("answer", "chosen by the customer among the options", (chosen, 1.0)),
        ]
    if "persona" in lowered or "person" in lowered or lowered == "/request_human":
        return [
            {"text": "Te paso con una persona."},
            {"custom": {"handoff": {"reason": "explicit_request", "detail": {"intent": "human_handoff"}}}},
        ]
    if "tarda" in lowered or "how long" in lowered:
        return [
            {"text": "answer: envio-plazo"},
            _kb("answer", "confident", ("envio-plazo", 0.93), ("envio-coste", 0.92)),
        ]
    if "devolver" in lowered or "return" in lowered:
        return [
            {"text": "answer: devolucion-plazo"},
            _kb("answer", "confident", ("devolucion-plazo", 0.97), ("devolucion-coste", 0.85)),
        ]
    if "pagar" in lowered:
        return [
            {
                "text": "¿Te refieres a...?",
                "buttons": [
                    {"title": "Métodos de pago", "payload": '/choose_faq{"faq_id":"pago-metodos"}'},
                    {"title": "Pago aplazado", "payload": '/choose_faq{"faq_id":"pago-aplazado"}'},
                    {"title": "Ninguna, hablar con una persona", "payload": "/request_human"},
                ],
            },
            _kb("clarify", "close call", ("pago-metodos", 0.91), ("pago-aplazado", 0.905)),
        ]
    return [{"text": f"echo: {text}"}]


class LearningHub(SurveyHub):
    def signals(self, kind: str | None = None) -> list[Signal]:
        async def read(session: AsyncSession) -> list[Signal]:
            query = sa.select(Signal).order_by(Signal.id)
            if kind is not None:
                query = query.where(Signal.kind == kind)
            return list((await session.execute(query)).scalars())

        return self.db(read)

    def asks(self) -> list[FeedbackAsk]:
        async def read(session: AsyncSession) -> list[FeedbackAsk]:
            return list((await session.execute(sa.select(FeedbackAsk).order_by(FeedbackAsk.id))).scalars())

        return self.db(read)
