"""Download the files customers send on WhatsApp and keep them for agents (hub/media_store.py).

Meta's webhook carries a media id, not the file: ``GET /{media-id}`` answers a short-lived ``url`` with
the ``mime_type`` and ``file_size``, and ``GET url`` with the same bearer token is the file. The hub
does both after the webhook was answered (:meth:`WhatsAppMedia.start`, a task of this process), within
``WHATSAPP_MEDIA_TIMEOUT`` seconds, and keeps only files of ``WHATSAPP_MEDIA_TYPES`` up to
``WHATSAPP_MEDIA_MAX_BYTES``: a bigger file is abandoned at the limit, never read to its end. Any
failure (too large, a type not allowed, a Graph error or timeout) is recorded with its reason, and the
message stays as it was stored: nothing is lost, and the agent reads why there is no file. A download
cut off by a restart, or failed with a Graph error or timeout, is tried again when an agent opens the
file (:meth:`WhatsAppMedia.fetch`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub import media_store
from hub.channels.graph_client import GraphClient, GraphError, TooLarge
from hub.channels.whatsapp_settings import WhatsAppSettings
from hub.media_store import MediaProblem
from hub.models import MediaFile

__all__ = ["WhatsAppMedia", "megabytes"]

log = logging.getLogger(__name__)


def megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


class WhatsAppMedia:
    """Fetches one message's file at a time per message (a second ask joins the first download)."""

    def __init__(
        self,
        settings: WhatsAppSettings,
        sessions: async_sessionmaker[AsyncSession],
        client: GraphClient,
    ) -> None:
        self._settings = settings
        self._sessions = sessions
        self._client = client
        self._running: dict[int, asyncio.Task[MediaFile]] = {}

    def start(self, message_id: int, media: dict[str, Any]) -> None:
        """Download in the background (the webhook's 200 does not wait for it)."""
        self._task(message_id, media)

    async def fetch(self, message_id: int, media: dict[str, Any]) -> MediaFile:
        """Download now (or join the download under way) and return the stored row."""
        return await asyncio.shield(self._task(message_id, media))

    def _task(self, message_id: int, media: dict[str, Any]) -> asyncio.Task[MediaFile]:
        task = self._running.get(message_id)
        if task is None:
            task = asyncio.create_task(self._run(message_id, media), name=f"whatsapp-media-{message_id}")
            self._running[message_id] = task
            task.add_done_callback(lambda _: self._running.pop(message_id, None))
        return task

    async def _run(self, message_id: int, media: dict[str, Any]) -> MediaFile:
        try:
            async with asyncio.timeout(self._settings.media_timeout):
                result = await self._download(media)
        except TimeoutError:
            result = MediaProblem(
                "timeout",
                f"WhatsApp did not hand over the file within {self._settings.media_timeout:g} s",
                retryable=True,
            )
        if isinstance(result, MediaProblem):
            log.warning(
                "whatsapp media not kept",
                extra={
                    "message_id": message_id,
                    "media_id": media.get("id"),
                    "reason": result.code,
                    "why": result.message,
                },
            )
            return await media_store.refuse(self._sessions, message_id=message_id, problem=result)
        data, mime_type = result
        return await media_store.keep(self._sessions, message_id=message_id, data=data, mime_type=mime_type)

    def _too_large(self, size: int | None) -> MediaProblem:
        limit = self._settings.media_max_bytes
        said = f"The file is {megabytes(size)}" if size else "The file is bigger than that"
        return MediaProblem(
            "too_large",
            f"{said}; WHATSAPP_MEDIA_MAX_BYTES allows {megabytes(limit)}",
            detail={"size": size, "limit": limit},
        )

    async def _download(self, media: dict[str, Any]) -> tuple[bytes, str] | MediaProblem:
        media_id = media.get("id")
        if not isinstance(media_id, str) or not media_id:
            return MediaProblem("no_media_id", "WhatsApp sent no media id for this file")
        settings = self._settings
        try:
            info = await self._client.media_info(media_id, timeout=settings.media_timeout)
            mime_type = str(info.get("mime_type") or media.get("mime_type") or "")
            if not settings.media_type_allowed(mime_type):
                return MediaProblem(
                    "type_not_allowed",
                    f"Files of type {mime_type or 'unknown'} are not kept (WHATSAPP_MEDIA_TYPES)",
                    detail={"mime_type": mime_type},
                )
            declared = info.get("file_size")
            if isinstance(declared, int) and declared > settings.media_max_bytes:
                return self._too_large(declared)
            data, _ = await self._client.download(
                info["url"], max_bytes=settings.media_max_bytes, timeout=settings.media_timeout
            )
        except TooLarge as exc:
            return self._too_large(exc.declared)
        except GraphError as exc:
            return MediaProblem("graph_error", f"WhatsApp refused the file: {exc}", retryable=exc.retryable)
        return data, mime_type.split(";", 1)[0].strip().lower()

    async def close(self) -> None:
        tasks = list(self._running.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)  # an agent's ask fetches it again
        self._running.clear()
