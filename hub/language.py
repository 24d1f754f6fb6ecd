"""Spanish/English detection per conversation, sticky: switch only on clear evidence.

Spanish is the default. Informal Spanish ("dnd esta mi pedido", "holaaa", "q tal") counts as
Spanish; a message with no recognisable words (gibberish, emoji, numbers) keeps the
conversation's language.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["LANGUAGES", "decide", "detect", "evidence"]

LANGUAGES = ("es", "en")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ES_WORDS = _words(
    """
    a al algo alguien aqui asi aun ayuda ayudame ayudar bien buen buena buenas bueno buenos
    cambiar cambio cancelar como compra comprar con consulta cual cuales cuando cuanto cuanta
    cuantos cuesta de del devolucion devolver dinero donde dnd el ella ellos en entonces envio
    enviar envian es esa ese esta estan estas este esto estoy factura gracias gustaria hablar
    hace hacer hay hola hoy humano informacion ir la las le llega llegado lo los mal mas me mi
    mis mucho muy nada necesito ni no nos nunca o otra otro para pedido pedidos pero persona
    poco por porque precio pregunta problema puedo puede pues q que quiero quisiera reembolso
    saber se sea si sigue sin sobre soy su sus tal tambien tarda te tengo tiene todavia todo
    todos tu un una uno usted vale ver vez y ya xq pq tmb tb ke k porfa porfavor favor oye
    buenas tardes noches dias agente operador queja tienda talla tallas gastos pago pagar
    """
)

_EN_WORDS = _words(
    """
    a about am an and any are at be because but can cancel could did do does dont for from
    get got has have hello help hey hi how i im is it its just know like me much my need no
    not of on or order orders payment please refund return shipping should so thank thanks
    that the there this to track want was we what when where which who why will with would
    you your yes yeah ok okay hours long time talk human agent person speak still arrived
    delivery cost price size exchange good morning evening afternoon bye
    """
)

# Words spelled the same in both languages carry no evidence.
_SHARED = frozenset({"a", "no", "me", "con", "once", "ok", "okay", "agent"}) & (_ES_WORDS | _EN_WORDS)

_ES_PREFIXES = ("hol", "grac", "buen", "pedid", "dond", "envi")
_SPANISH_MARKS = re.compile(r"[ñ¿¡áéíóú]", re.IGNORECASE)
_TOKEN = re.compile(r"[a-zñ']+")


def _normalise(word: str) -> str:
    """Strip accents and squeeze letters repeated 3+ times ("holaaa" -> "hola")."""
    word = "".join(c for c in unicodedata.normalize("NFD", word) if unicodedata.category(c) != "Mn")
    return re.sub(r"(.)\1{2,}", r"\1", word).replace("'", "")


def evidence(text: str) -> dict[str, int]:
    """Points per language: known words, plus Spanish punctuation and accents."""
    score = {"es": 0, "en": 0}
    lowered = text.lower()
    score["es"] += 2 * len(_SPANISH_MARKS.findall(lowered))
    for raw in _TOKEN.findall(lowered):
        word = _normalise(raw)
        if word in _SHARED:
            continue
        in_es = word in _ES_WORDS or (len(word) > 3 and word.startswith(_ES_PREFIXES))
        in_en = word in _EN_WORDS
        if in_es and not in_en:
            score["es"] += 1
        elif in_en and not in_es:
            score["en"] += 1
    return score


def detect(text: str) -> str | None:
    """The language the text is clearly in, or None when there is no evidence either way."""
    score = evidence(text)
    if score["es"] == score["en"]:
        return None
    return "es" if score["es"] > score["en"] else "en"


def decide(current: str | None, text: str, *, default: str = "es") -> str:
    """The conversation's language after ``text``.

    A new conversation (``current`` None) takes any evidence; an existing one switches only
    when the other language leads by at least two points (e.g. "where is my order", not "ok").
    """
    score = evidence(text)
    if current is None:
        found = detect(text)
        return found or default
    other = "en" if current == "es" else "es"
    if score[other] - score[current] >= 2:
        return other
    return current
