"""What the customer reads and taps (Spanish first, English too)."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["NO", "YES", "answer_of", "buttons", "question", "sorry", "strip_accents", "thanks"]

YES, NO = "/feedback_yes", "/feedback_no"

_QUESTION = {"es": "¿Te ha servido?", "en": "Did this help?"}
_BUTTONS = {"es": ("👍 Sí", "👎 No"), "en": ("👍 Yes", "👎 No")}
_THANKS = {"es": "¡Genial, gracias por decírnoslo! 😊", "en": "Great, thanks for letting us know! 😊"}
_SORRY = {
    "es": "Vaya, siento que no te haya servido. Te paso con una persona del equipo.",
    "en": "Sorry it didn't help. I'm passing you to a person from our team.",
}

#: Typed answers (accents, case and punctuation ignored): anything else is a new message for the bot.
_TYPED_YES = {
    "si", "sí", "yes", "y", "vale", "ok", "si gracias", "yes thanks", "me ha servido", "👍", "sirvio"
}
_TYPED_NO = {"no", "n", "nope", "no me ha servido", "no sirve", "no me sirve", "didn't help", "no help", "👎"}


def _pick(table: dict[str, str], language: str) -> str:
    return table.get(language, table["es"])


def question(language: str) -> str:
    return _pick(_QUESTION, language)


def buttons(language: str) -> list[dict[str, str]]:
    yes, no = _BUTTONS.get(language, _BUTTONS["es"])
    return [{"title": yes, "payload": YES}, {"title": no, "payload": NO}]


def thanks(language: str) -> str:
    return _pick(_THANKS, language)


def sorry(language: str) -> str:
    return _pick(_SORRY, language)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))


def _plain(text: str) -> str:
    words = re.sub(r"[^\w\s'👍👎]", " ", strip_accents(text.lower()))
    return " ".join(words.split())


def answer_of(text: str) -> bool | None:
    """True (it helped), False (it did not), None: not an answer to "¿Te ha servido?" (a new question)."""
    stripped = text.strip()
    if stripped == YES:
        return True
    if stripped == NO:
        return False
    plain = _plain(stripped)
    if plain in {_plain(t) for t in _TYPED_YES}:
        return True
    if plain in {_plain(t) for t in _TYPED_NO}:
        return False
    return None
