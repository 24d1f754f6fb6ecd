"""What the customer is told while waiting for a person, in their language (es, en)."""

from __future__ import annotations

import math

__all__ = ["agent_joined", "queue_position"]


def _minutes(seconds: float) -> int:
    return max(1, math.ceil(seconds / 60))


def queue_position(language: str, *, position: int, wait_seconds: float | None) -> str:
    """ "You are number 2 in the queue; about 6 minutes" (no agent online: we'll answer when one is)."""
    if language == "en":
        where = f"You are number {position} in the queue."
        if wait_seconds is None:
            return f"{where} No agent is online right now; someone will answer as soon as they connect."
        minutes = _minutes(wait_seconds)
        return f"{where} Estimated wait: about {minutes} minute{'s' if minutes != 1 else ''}."
    where = f"Estás en la posición {position} de la cola."
    if wait_seconds is None:
        return f"{where} Ahora no hay agentes conectados; te atenderá alguien en cuanto se conecte."
    minutes = _minutes(wait_seconds)
    return f"{where} Tiempo estimado de espera: unos {minutes} minuto{'s' if minutes != 1 else ''}."


def agent_joined(language: str, *, agent_name: str) -> str:
    if language == "en":
        return f"{agent_name} has joined the conversation and will help you now."
    return f"{agent_name} se ha unido a la conversación y te atiende ahora."
