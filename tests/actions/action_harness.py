"""Run actions the way the action server does: a real Tracker, a CollectingDispatcher."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from knowledge_base.decision import Candidate, Decision
from knowledge_base.entry import Entry

ENTRIES = {
    ("envio-plazo", "es"): Entry(
        "envio-plazo", "es", "¿Cuánto tarda el envío?", "Entre 24 y 72 horas laborables.",
        url="https://tienda.example.com/envios",
    ),
    ("envio-plazo", "en"): Entry(
        "envio-plazo", "en", "How long does shipping take?", "24 to 72 working hours.",
        url="https://tienda.example.com/en/shipping",
    ),
    ("envio-coste", "es"): Entry("envio-coste", "es", "¿Cuánto cuesta el envío?", "4,95 €."),
    ("envio-canarias", "es"): Entry(
        "envio-canarias", "es", "¿Enviáis a Canarias?", "Sí, en 3-5 días."
    ),
    ("devolucion-plazo", "es"): Entry(
        "devolucion-plazo", "es", "¿Cuánto tiempo tengo para devolver?", "30 días."
    ),
}


def candidate(entry_id: str, score: float, lang: str = "es") -> Candidate:
    entry = ENTRIES[(entry_id, lang)]
    return Candidate(entry_id, entry.question, entry.answer, score, lang, entry.url)


class StubKB:
    """Stands in for ``KnowledgeBase``: returns the decision queued for the next question."""

    def __init__(self) -> None:
        self.decision: Decision | Exception = Decision("handoff", "nothing queued")
        self.asked: list[tuple[str, str]] = []
        self.reloads = 0

    def ask(self, text: str, lang: str = "es") -> Decision:
        self.asked.append((text, lang))
        if isinstance(self.decision, Exception):
            raise self.decision
        return self.decision

    def get(self, entry_id: str, lang: str | None = None) -> Entry | None:
        return ENTRIES.get((entry_id, lang or "es")) or ENTRIES.get((entry_id, "es"))

    def reload_if_changed(self) -> bool:
        self.reloads += 1
        return False



def tracker(
    text: str,
    intent: str,
    *,
    entities: list[dict[str, Any]] | None = None,
    language: str | None = None,
    slots: dict[str, Any] | None = None,
    confidence: float = 0.95,
    contact: dict[str, Any] | None = None,
    earlier: list[str] | None = None,
) -> Tracker:
    """The tracker of a conversation whose latest message is ``text`` classified as ``intent``;
    ``contact``: what the hub sends about the contact (metadata.contact); ``earlier``: the customer's
    messages before it."""
    metadata: dict[str, Any] = {"language": language} if language else {}
    if contact is not None:
        metadata["contact"] = contact
    latest = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": intent, "confidence": confidence}],
        "entities": entities or [],
        "metadata": metadata,
    }
    events = [{"event": "user", "text": said, "metadata": metadata} for said in earlier or []]
    events.append({"event": "user", "text": text, "parse_data": latest, "metadata": metadata})
    return Tracker(
        sender_id="test", slots={"language": "es", **(slots or {})}, latest_message=latest,
        events=events, paused=False, followup_action=None, active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, t: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(messages the customer/hub receives, events) of one action run."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, {}))
    return dispatcher.messages, [dict(e) for e in events]


def custom(messages: list[dict[str, Any]], key: str) -> dict[str, Any] | None:
    """The ``{key: ...}`` custom payload among the messages, if any."""
    found = [m["custom"][key] for m in messages if key in (m.get("custom") or {})]
    assert len(found) <= 1, f"{key} payload emitted {len(found)} times"
    return found[0] if found else None


def responses(messages: list[dict[str, Any]]) -> list[str]:
    return [m["response"] for m in messages if m.get("response")]
