"""What the customer is told while waiting for a person, in their language (es, en)."""

from __future__ import annotations

import math

__all__ = ["agent_joined", "queue_position"]


def _minutes(seconds: float) -> int:
    return max(2, math.ceil(seconds / 60))


def queue_position(language: str, *, position: int, wait_seconds: float | None) -> str:
    """ "You are number 2 in the queue; about 6 minutes" (no agent online: we'll answer when one is)."""
    if language == "en":
        where = f"You are number {position} in the queue."
        if wait_seconds is None:
            return f"{where} No agent is online right now; someone will answer as soon as they connect."
        if wait_seconds < 60:
            return f"{where} Estimated wait: less than a minute."
        return f"{where} Estimated wait: about {_minutes(wait_seconds)} minutes."
    where = f"Estás en la posición {position} de la cola."
    if wait_seconds is None:
        return f"{where} Ahora no hay agentes conectados; te atenderá alguien en cuanto se conecte."
    if wait_seconds < 60:
        return f"{where} Tiempo estimado de espera: menos de un minuto."
    return f"{where} Tiempo estimado de espera: unos {_minutes(wait_seconds)} minutos."


def agent_joined(language: str, *, agent_name: str) -> str:
    if language == "en":
        return f"{agent_name} has joined the conversation and will help you now."
    return f"{agent_name} se ha unido a la conversación y te atiende ahora."
