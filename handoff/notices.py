"""What the customer is told while waiting for a person, in their language (es, en)."""

from __future__ import annotations

import math
from datetime import datetime

__all__ = [
    "APOLOGY_REASONS",
    "agent_joined",
    "agents_online",
    "back_in_queue",
    "closed",
    "email_saved",
    "handed_back",
    "handed_to_people",
    "handed_while_closed",
    "opening_time",
    "queue_moved",
    "queue_position",
    "still_there",
    "still_waiting",
    "wait_ended",
]

_DAYS = {
    "es": ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_MONTHS = {
    "es": (
        "enero", "febrero", "marzo", "abril", "mayo", "junio",
        "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre",
    ),
    "en": (
        "January", "February", "March", "April", "May", "June",
        "July", "August", "September", "October", "November", "December",
    ),
}  # fmt: skip


def _minutes(seconds: float) -> int:
    return max(2, math.ceil(seconds / 60))


def _wait(language: str, wait_seconds: float | None) -> str:
    if language == "en":
        if wait_seconds is None:
            return "No agent is online right now; someone will answer as soon as they connect."
        if wait_seconds < 60:
            return "Estimated wait: less than a minute."
        return f"Estimated wait: about {_minutes(wait_seconds)} minutes."
    if wait_seconds is None:
        return "Ahora no hay agentes conectados; te atenderá alguien en cuanto se conecte."
    if wait_seconds < 60:
        return "Tiempo estimado de espera: menos de un minuto."
    return f"Tiempo estimado de espera: unos {_minutes(wait_seconds)} minutos."


def queue_position(language: str, *, position: int, wait_seconds: float | None) -> str:
    """ "You are number 2 in the queue; about 6 minutes" (no agent online: we'll answer when one is)."""
    if language == "en":
        return f"You are number {position} in the queue. {_wait(language, wait_seconds)}"
    return f"Estás en la posición {position} de la cola. {_wait(language, wait_seconds)}"


def queue_moved(language: str, *, position: int, wait_seconds: float | None) -> str:
    """Told again when the customer moved up in the queue ("you are next" at number 1)."""
    if language == "en":
        where = (
            "You're next in the queue."
            if position == 1
            else f"You've moved up: you are now number {position}."
        )
        return f"{where} {_wait(language, wait_seconds)}"
    if position == 1:
        where = "Ya te toca: eres la siguiente persona de la cola."
    else:
        where = f"Has avanzado en la cola: ahora estás en la posición {position}."
    return f"{where} {_wait(language, wait_seconds)}"


def opening_time(language: str, *, opening: datetime, now: datetime, place: str) -> str:
    """When the team is back, in the business's time zone: "mañana a las 9:00 (hora de Madrid)"."""
    local_now = now.astimezone(opening.tzinfo)
    days = (opening.date() - local_now.date()).days
    clock = f"{opening.hour}:{opening.minute:02d}"
    if language == "en":
        if days == 0:
            when = f"today at {clock}"
        elif days == 1:
            when = f"tomorrow at {clock}"
        else:
            day = _DAYS["en"][opening.weekday()]
            when = f"on {day} {opening.day} {_MONTHS['en'][opening.month - 1]} at {clock}"
        return f"{when} ({place} time)"
    if days == 0:
        when = f"hoy a las {clock}"
    elif days == 1:
        when = f"mañana a las {clock}"
    else:
        day = _DAYS["es"][opening.weekday()]
        when = f"el {day} {opening.day} de {_MONTHS['es'][opening.month - 1]} a las {clock}"
    return f"{when} (hora de {place})"


def closed(language: str, *, opening: str | None, holiday: str | None) -> str:
    """The team is closed: when it is back, and what the customer can do meanwhile."""
    if language == "en":
        why = (
            f"Today is a holiday ({holiday}) and our team is closed."
            if holiday
            else "Our team is closed now."
        )
        back = f" We open again {opening}." if opening else ""
        return (
            f"{why}{back} You can leave your message here and a person will read it as soon as we open, "
            "or write your email address and we'll contact you. Your conversation stays in the queue."
        )
    why = (
        f"Hoy es festivo ({holiday}) y nuestro equipo no está."
        if holiday
        else "Ahora nuestro equipo está cerrado."
    )
    back = f" Volvemos {opening}." if opening else ""
    return (
        f"{why}{back} Puedes dejarnos tu mensaje aquí y una persona lo leerá en cuanto abramos, "
        "o escribir tu email y te contactaremos. Tu conversación sigue en la cola."
    )


def email_saved(language: str, *, email: str) -> str:
    if language == "en":
        return f"Thanks, we've saved your email {email}; we'll contact you there if we can't answer you here."
    return f"Gracias, hemos guardado tu email {email}; te escribiremos allí si no podemos atenderte aquí."


def agent_joined(language: str, *, agent_name: str) -> str:
    if language == "en":
        return f"{agent_name} has joined the conversation and will help you now."
    return f"{agent_name} se ha unido a la conversación y te atiende ahora."


_HANDOFF_TEXT = {
    "es": "Te paso con una persona del equipo.",
    "en": "I'm passing you to a person from our team.",
}

_SORRY = {
    "es": "Siento mucho las molestias.",
    "en": "I'm really sorry about this.",
}

#: Reasons whose customer hears an apology first (at night too).
APOLOGY_REASONS = frozenset({"complaint", "frustration"})

#: The handoff's first sentence for reasons that need their own words (default: _HANDOFF_TEXT). No
#: "en breve"/"shortly": what follows (place and wait, nobody online, the opening time) is the truth.
_HANDOFF_TEXT_BY_REASON = {
    "explicit_request": {
        "es": "Claro, te paso con una persona del equipo.",
        "en": "Of course, I'm passing you to a person from our team.",
    },
    "complaint": {
        "es": "Siento mucho las molestias. Te paso con una persona del equipo para que lo resuelva contigo.",
        "en": (
            "I'm really sorry about this. I'm passing you to a person from our team to sort it out with you."
        ),
    },
    "kb_no_answer": {
        "es": "No tengo una respuesta segura para eso. Te paso con una persona del equipo.",
        "en": "I don't have a reliable answer for that. I'm passing you to a person from our team.",
    },
    "nlu_fallback": {
        "es": "Perdona, no te he entendido bien. Te paso con una persona del equipo.",
        "en": "Sorry, I didn't quite understand. I'm passing you to a person from our team.",
    },
    "bot_unavailable": {
        "es": "Nuestro asistente no puede responder ahora mismo, así que te paso con una persona del equipo.",
        "en": "Our assistant cannot answer right now, so I'm passing you to a person from our team.",
    },
    "bot_busy": {
        "es": (
            "Ahora mismo nos escribe mucha gente y nuestro asistente no llegaría a tiempo, así que te paso "
            "con una persona del equipo."
        ),
        "en": (
            "A lot of people are writing to us right now and our assistant would not answer you in time, "
            "so I'm passing you to a person from the team."
        ),
    },
}
_HANDOFF_TEXT_BY_REASON["frustration"] = _HANDOFF_TEXT_BY_REASON["complaint"]
# A photo, audio, video or document, with or without a caption (hub/channels/media_reply.py): a person
# looks at it. Not "I can only read text": told that after writing «así ha llegado la caja, el jarrón
# roto» with the photo, a customer hears the bot ignore their words (issue 18's point 5).
_HANDOFF_TEXT_BY_REASON["media"] = {
    "es": "¡Gracias, nos ha llegado! Yo no puedo abrir fotos ni archivos, así que lo revisará una persona "
    "del equipo.",
    "en": "Thanks, we've got it! I can't open photos or files, so a person from our team will look at it.",
}

_HAND_BACK_TEXT = {
    "es": "Te atiende de nuevo el asistente virtual. Si necesitas a una persona, pídelo cuando quieras.",
    "en": "The virtual assistant is with you again. If you need a person, just ask.",
}


def handed_to_people(language: str, *, reason: str) -> str:
    """The handoff's first sentence (the queue position and wait are added to it)."""
    texts = _HANDOFF_TEXT_BY_REASON.get(reason, _HANDOFF_TEXT)
    return texts.get(language, texts["es"])


def handed_while_closed(language: str, *, reason: str, closed_text: str) -> str:
    """The handoff while the desk is closed: the opening time says it all, after an apology when due."""
    if reason not in APOLOGY_REASONS:
        return closed_text
    return f"{_SORRY.get(language, _SORRY['es'])} {closed_text}"


def still_there(language: str) -> str:
    """Asked before a silent waiting customer's conversation is closed (handoff/abandonment.py)."""
    if language == "en":
        return (
            "Are you still there? You're still in the queue for a person from our team. "
            "Reply with anything to keep your place."
        )
    return (
        "¿Sigues ahí? Sigues en la cola para hablar con una persona del equipo. "
        "Responde cualquier cosa para mantener tu sitio."
    )


def still_waiting(language: str, *, position: int | None, wait_seconds: float | None) -> str:
    """The answer to "¿Sigues ahí?" was heard: the place kept (``position`` None: the desk is closed)."""
    if position is None:
        if language == "en":
            return "Thanks, you keep your place: a person will read your conversation as soon as we open."
        return "Gracias, mantienes tu sitio: una persona leerá tu conversación en cuanto abramos."
    where = queue_position(language, position=position, wait_seconds=wait_seconds)
    return f"{'Thanks, you keep your place.' if language == 'en' else 'Gracias, mantienes tu sitio.'} {where}"


def wait_ended(language: str) -> str:
    """No answer to "¿Sigues ahí?": the wait ends, and the customer is told so (never silently)."""
    if language == "en":
        return (
            "As we haven't heard from you, we're closing this conversation. "
            "If you still need help, just write to us again."
        )
    return (
        "Como no hemos tenido respuesta, cerramos esta conversación. "
        "Si todavía necesitas ayuda, escríbenos de nuevo cuando quieras."
    )


def agents_online(language: str, *, position: int, wait_seconds: float | None) -> str:
    """Someone of the team just connected: told once to each customer who heard nobody was there."""
    lead = (
        "Someone from our team is online now."
        if language == "en"
        else "Ya hay una persona del equipo conectada."
    )
    return f"{lead} {queue_position(language, position=position, wait_seconds=wait_seconds)}"


def handed_back(language: str) -> str:
    return _HAND_BACK_TEXT.get(language, _HAND_BACK_TEXT["es"])


def back_in_queue(language: str, *, agent_name: str, rest: str) -> str:
    """The agent who had joined left before answering (logged out, went offline): the customer is back in
    the queue; ``rest`` is the truth now (place and wait, or when the desk opens)."""
    if language == "en":
        return f"{agent_name} has had to leave; another person from our team will help you. {rest}"
    return f"{agent_name} ha tenido que salir; te atenderá otra persona del equipo. {rest}"
