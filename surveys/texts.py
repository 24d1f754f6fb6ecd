"""What the customer reads: the closing message and the survey questions, in Spanish and English."""

from __future__ import annotations

from typing import Any

__all__ = ["Button", "buttons_for", "closing", "comment_prompt", "csat_question", "nps_question", "thanks"]

Button = dict[str, Any]

_TEXTS: dict[str, dict[str, str]] = {
    "es": {
        "closing": "Damos por resuelta tu consulta. Si necesitas algo más, escríbenos cuando quieras.",
        "closing_short": "Damos por resuelta tu consulta.",
        "csat": "¿Cómo valorarías la atención que has recibido? Elige de 1 (muy mal) a 5 (excelente).",
        "comment": "¡Gracias! Si quieres, cuéntanos en un mensaje qué podríamos mejorar (es opcional).",
        "no_comment": "No, gracias",
        "nps": "Del 0 al 10, ¿qué probabilidad hay de que nos recomiendes a un amigo o colega?",
        "nps_typed": " Responde con un número del 0 al 10.",
        "thanks": "¡Gracias por tu opinión!",
    },
    "en": {
        "closing": "We are marking your question as resolved. If you need anything else, just write to us.",
        "closing_short": "We are marking your question as resolved.",
        "csat": "How would you rate the help you received? Choose from 1 (very poor) to 5 (excellent).",
        "comment": "Thank you! If you like, tell us in one message what we could do better (optional).",
        "no_comment": "No, thanks",
        "nps": "From 0 to 10, how likely are you to recommend us to a friend or colleague?",
        "nps_typed": " Reply with a number from 0 to 10.",
        "thanks": "Thank you for your feedback!",
    },
}
CSAT_WORDS = {
    "es": ("Muy mal", "Mal", "Regular", "Bien", "Excelente"),
    "en": ("Very poor", "Poor", "OK", "Good", "Excellent"),
}
FACES = ("😞", "🙁", "😐", "🙂", "😄")


def _words(language: str) -> dict[str, str]:
    return _TEXTS.get(language, _TEXTS["es"])


def closing(language: str, *, after_goodbye: bool = False) -> str:
    """What resolving says; after the customer's goodbye the bot has just said goodbye too (Rasa's
    ``utter_goodbye``: "… escríbenos cuando quieras"), so only the first sentence."""
    return _words(language)["closing_short" if after_goodbye else "closing"]


def csat_question(language: str) -> str:
    return _words(language)["csat"]


def nps_question(language: str, *, typed: bool) -> str:
    words = _words(language)
    return words["nps"] + (words["nps_typed"] if typed else "")


def comment_prompt(language: str) -> str:
    return _words(language)["comment"]


def no_comment(language: str) -> str:
    return _words(language)["no_comment"]


def thanks(language: str) -> str:
    return _words(language)["thanks"]


def buttons_for(kind: str, language: str, *, style: str = "numbers") -> list[Button]:
    """The answer buttons: the payload is the score itself, so a click and a typed number are one answer.

    CSAT: five (WhatsApp shows them as a list of five rows: hub/channels/whatsapp_format.py); NPS:
    eleven, for the widget only (a WhatsApp list holds ten rows: there the number is typed)."""
    if kind == "csat":
        words = CSAT_WORDS.get(language, CSAT_WORDS["es"])
        if style == "faces":
            return [{"title": f"{FACES[i]} {i + 1}", "payload": str(i + 1)} for i in range(5)]
        return [{"title": f"{i + 1} · {words[i]}", "payload": str(i + 1)} for i in range(5)]
    return [{"title": str(score), "payload": str(score)} for score in range(11)]


def comment_buttons(language: str) -> list[Button]:
    text = no_comment(language)
    return [{"title": text, "payload": text}]
