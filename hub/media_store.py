"""Customer media kept for agents: one ``media_files`` row per media message, the file or why not.

A channel stores the message first (its ``context.media``: type, the channel's media id, MIME type,
caption, filename) and the file after downloading it: :func:`keep` (state ``stored``) or :func:`refuse`
(state ``failed`` with an error code and a sentence an agent reads). Until one of the two, the message has
no row: the download is under way (or was cut off by a restart; the channel fetches it again when an
agent asks, hub/api/routes/media.py). The message row itself is never rewritten here, so the bot turn
writing its context at the same time loses nothing.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.models import MediaFile

__all__ = [
    "FAILED",
    "FILE_TYPES",
    "STORED",
    "MediaProblem",
    "find",
    "keep",
    "refuse",
]

STORED = "stored"
FAILED = "failed"

#: Media types that carry a file the hub downloads (a sticker is a small WebP image).
FILE_TYPES = frozenset({"image", "audio", "video", "document", "sticker"})


@dataclass(frozen=True)
class MediaProblem:
    """Why a file was not kept. ``code``: too_large | type_not_allowed | graph_error | timeout |
    no_media_id; ``retryable``: asking the channel again may work (its error or timeout)."""

    code: str
    message: str
    retryable: bool = False
    #: what the console words the reason with: size and limit in bytes, mime_type
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {**self.detail, "code": self.code, "message": self.message, "retryable": self.retryable}


async def find(session: AsyncSession, *, message_id: int) -> MediaFile | None:
    query = sa.select(MediaFile).where(MediaFile.message_id == message_id)
    return (await session.execute(query)).scalar_one_or_none()


async def _put(
    sessions: async_sessionmaker[AsyncSession], message_id: int, values: dict[str, Any]
) -> MediaFile:
    """Insert the message's row, or update it (a retry after a failure; a concurrent download)."""
    try:
        async with sessions.begin() as session:
            row = await find(session, message_id=message_id)
            if row is None:
                row = MediaFile(message_id=message_id, **values)
                session.add(row)
            elif row.state != STORED:  # a stored file is never replaced by a later failure
                for key, value in values.items():
                    setattr(row, key, value)
            return row
    except IntegrityError:  # another process inserted it meanwhile: theirs stands
        async with sessions() as session:
            found = await find(session, message_id=message_id)
            assert found is not None
            return found


async def keep(
    sessions: async_sessionmaker[AsyncSession], *, message_id: int, data: bytes, mime_type: str
) -> MediaFile:
    """Store the downloaded file of a message."""
    values = {
        "state": STORED,
        "error": None,
        "mime_type": mime_type,
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "data": data,
    }
    return await _put(sessions, message_id, values)


async def refuse(
    sessions: async_sessionmaker[AsyncSession], *, message_id: int, problem: MediaProblem
) -> MediaFile:
    """Record why a message's file is not kept (it stays a message with its label and caption)."""
    return await _put(sessions, message_id, {"state": FAILED, "error": problem.as_dict(), "data": None})
