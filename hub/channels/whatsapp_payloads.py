"""Parse WhatsApp Cloud API webhook bodies (Meta's documented shape) into plain values.

``entry[] -> changes[] -> value`` with ``metadata.phone_number_id``, ``contacts[]``
(``wa_id`` + ``profile.name``), ``messages[]`` and ``statuses[]``. Parsing never raises on
odd content: unknown message types come back as ``kind == "unknown"`` for the caller to log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Any

__all__ = [
    "MEDIA_TYPES",
    "Inbound",
    "StatusReport",
    "Webhook",
    "parse_webhook",
]

# Stored with their media id for agents and answered politely; never sent to the bot.
MEDIA_TYPES = ("image", "audio", "video", "document", "sticker", "location", "reaction")

_LABELS = {
    "image": "imagen",
    "audio": "audio",
    "video": "vídeo",
    "document": "documento",
    "sticker": "sticker",
    "location": "ubicación",
    "reaction": "reacción",
}


@dataclass(frozen=True)
class Inbound:
    """One customer message. ``kind``: text | choice | media | unknown."""

    wamid: str
    wa_id: str
    kind: str
    type: str
    text: str = ""  # what is stored and shown (a choice's title; a media label + caption)
    bot_text: str | None = None  # what the bot reads instead of ``text`` (a choice's id/payload)
    media: dict[str, Any] | None = None  # {"type", "id"?, "mime_type"?, "caption"?, ...}
    phone_number_id: str | None = None


@dataclass(frozen=True)
class StatusReport:
    """A delivery status of a message the hub sent: sent | delivered | read | failed."""

    wamid: str
    status: str
    recipient_id: str | None = None
    error: dict[str, Any] | None = None
    phone_number_id: str | None = None  # the business number it was sent from (metadata)


@dataclass
class Webhook:
    messages: list[Inbound] = field(default_factory=list)
    statuses: list[StatusReport] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # wa_id -> profile name


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _media(message: dict[str, Any], kind: str) -> tuple[str, dict[str, Any]]:
    body = _obj(message.get(kind))
    media: dict[str, Any] = {"type": kind}
    for key in ("id", "mime_type", "sha256", "caption", "filename", "emoji", "message_id"):
        if body.get(key) is not None:
            media[key] = body[key]
    if kind == "location":
        for key in ("latitude", "longitude", "name", "address", "url"):
            if body.get(key) is not None:
                media[key] = body[key]
    label = f"[{_LABELS[kind]}]"
    detail = body.get("caption") or body.get("filename") or body.get("emoji") or body.get("name")
    return (f"{label} {detail}" if detail else label), media


def _message(raw: dict[str, Any], phone_number_id: str | None) -> Inbound | None:
    wamid, wa_id, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not isinstance(wamid, str) or not isinstance(wa_id, str) or not wamid or not wa_id:
        return None
    kind = kind if isinstance(kind, str) else "unknown"
    make = partial(Inbound, wamid=wamid, wa_id=wa_id, type=kind, phone_number_id=phone_number_id)
    if kind == "text":
        body = _obj(raw.get("text")).get("body")
        if isinstance(body, str) and body.strip():
            return make(kind="text", text=body)
    elif kind == "interactive":
        interactive = _obj(raw.get("interactive"))
        reply = _obj(interactive.get(str(interactive.get("type"))))
        title, choice = reply.get("title"), reply.get("id")
        if interactive.get("type") in ("button_reply", "list_reply") and (title or choice):
            shown = str(title or choice)
            return make(kind="choice", text=shown, bot_text=str(choice or title))
    elif kind == "button":  # a template's quick-reply button
        button = _obj(raw.get("button"))
        title, payload = button.get("text"), button.get("payload")
        if title or payload:
            return make(kind="choice", text=str(title or payload), bot_text=str(payload or title))
    elif kind in MEDIA_TYPES:
        text, media = _media(raw, kind)
        return make(kind="media", text=text, media=media)
    return make(kind="unknown", text="", media={"type": kind})


def _status(raw: dict[str, Any], phone_number_id: str | None) -> StatusReport | None:
    wamid, status = raw.get("id"), raw.get("status")
    if not isinstance(wamid, str) or status not in ("sent", "delivered", "read", "failed"):
        return None
    errors = _dicts(raw.get("errors"))
    error = None
    if status == "failed":
        first = errors[0] if errors else {}
        error = {
            "code": first.get("code"),
            "message": first.get("message") or first.get("title") or "delivery failed",
            "title": first.get("title"),
            "details": _obj(first.get("error_data")).get("details"),
        }
    recipient = raw.get("recipient_id")
    return StatusReport(wamid, str(status), str(recipient) if recipient else None, error, phone_number_id)


def parse_webhook(body: dict[str, Any]) -> Webhook:
    """Every message, status and contact name in the body, in order."""
    webhook = Webhook()
    for entry in _dicts(body.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = _obj(change.get("value"))
            phone_number_id = _obj(value.get("metadata")).get("phone_number_id")
            phone = str(phone_number_id) if phone_number_id else None
            for contact in _dicts(value.get("contacts")):
                name = _obj(contact.get("profile")).get("name")
                if isinstance(contact.get("wa_id"), str) and isinstance(name, str) and name.strip():
                    webhook.names[contact["wa_id"]] = name.strip()[:200]
            for raw in _dicts(value.get("messages")):
                message = _message(raw, phone)
                if message is not None:
                    webhook.messages.append(message)
            for raw in _dicts(value.get("statuses")):
                status = _status(raw, phone)
                if status is not None:
                    webhook.statuses.append(status)
    return webhook
