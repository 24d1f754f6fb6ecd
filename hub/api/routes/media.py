"""A customer's file for agents: ``GET /api/v1/messages/{message_id}/media`` (photo, audio, video...).

Only agents who may read the conversation get it (hub.readers, the agent's bearer token): the file is
served from the database (hub/media_store.py) with its MIME type, ``nosniff`` and a sandboxing CSP, so a
file is never run as a page of the hub; documents come as downloads. A file not kept answers 404
``media_not_kept`` with the reason (``error.reason``: too_large, type_not_allowed, graph_error, timeout)
for the console to show; one whose download was cut off by a restart, or failed with a Graph error or
timeout, is downloaded again first.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from fastapi.responses import JSONResponse, Response

from hub import media_store, readers
from hub.api.deps import AgentsDep, ChannelsDep, OptionalTokenDep, SessionsDep
from hub.channels.whatsapp import WhatsAppChannel
from hub.crud import messages as messages_crud
from hub.errors import NoMediaFile, NotAuthenticated
from hub.models import MediaFile

__all__ = ["router"]

router = APIRouter(prefix="/messages", tags=["media"])

#: Shown in the browser (thumbnails, players); anything else is downloaded.
_INLINE = ("image/", "audio/", "video/")

_NOT_KEPT = {
    "es": "No tenemos el archivo",
    "en": "The file was not kept",
}


def _filename(message_id: int, media: dict[str, Any], mime_type: str) -> str:
    given = media.get("filename")
    if isinstance(given, str) and given.strip():
        name = "".join(c for c in given.strip() if c.isprintable() and c not in '"\\/')[:120]
        if name:
            return name
    extension = mime_type.split("/", 1)[-1].split("+", 1)[0].split(".")[-1][:8] or "bin"
    return f"{media.get('type', 'media')}-{message_id}.{extension}"


def _file(row: MediaFile, message_id: int, media: dict[str, Any]) -> Response:
    mime_type = row.mime_type or "application/octet-stream"
    disposition = "inline" if mime_type.startswith(_INLINE) else "attachment"
    name = _filename(message_id, media, mime_type)
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(
        content=row.data or b"",
        media_type=mime_type,
        headers={
            "Content-Disposition": f'{disposition}; filename="{ascii_name}"',
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, max-age=3600",
        },
    )


@router.get(
    "/{message_id}/media",
    response_class=Response,
    description=(
        "The file a customer sent with this message, for an agent who may read the conversation "
        "(Authorization: Bearer <agent token>). 404 no_media_file: the message carries no file; "
        "404 media_not_kept: the file was not kept, error.reason says why."
    ),
)
async def get_media(
    message_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    sessions: SessionsDep,
    agents: AgentsDep,
    channels: ChannelsDep,
    token: OptionalTokenDep,
) -> Response:
    if not token:
        raise NotAuthenticated()
    async with sessions() as session:
        if not await agents.is_agent(session, token=token):
            raise NotAuthenticated()
        message = await messages_crud.get(session, message_id=message_id)
        if message is None:
            raise NoMediaFile(message_id)
        await readers.authorize(
            session, agents, conversation_id=message.conversation_id, token=token, source_id=None
        )
        media = (message.context or {}).get("media")
        if not isinstance(media, dict) or media.get("type") not in media_store.FILE_TYPES:
            raise NoMediaFile(message_id)
        row = await media_store.find(session, message_id=message_id)
    again = row is None or (row.state == media_store.FAILED and (row.error or {}).get("retryable"))
    channel = channels.get(message.channel)
    if again and isinstance(channel, WhatsAppChannel):
        row = await channel.media.fetch(message_id, media)
    if row is not None and row.state == media_store.STORED:
        return _file(row, message_id, media)
    reason = (row.error if row is not None else None) or {
        "code": "channel_off",
        "message": "The file was never downloaded and its channel is off now",
        "retryable": False,
    }
    return JSONResponse(
        status_code=404,
        content={
            "error": {
                "code": "media_not_kept",
                "message": f"{_NOT_KEPT['es']} / {_NOT_KEPT['en']}: {reason.get('message', '')}",
                "reason": reason,
            }
        },
    )
