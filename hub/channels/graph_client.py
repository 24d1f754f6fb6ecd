"""A thin async client for the Graph API calls the WhatsApp channel makes.

``POST {WHATSAPP_GRAPH_URL}/{phone_number_id}/messages`` sends a message, a template, or marks
an incoming message read (with the typing indicator). ``GET /{media-id}`` gives a customer's media
file's short-lived ``url`` (with ``mime_type``, ``file_size``), which is downloaded with the same
bearer token (:meth:`GraphClient.media_info`, :meth:`GraphClient.download`). Meta answers
``{"messaging_product": "whatsapp", "contacts": [...], "messages": [{"id": "wamid..."}]}`` or
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

__all__ = ["GraphClient", "GraphError", "TooLarge"]


class TooLarge(Exception):
    """A download went past its byte limit (it is abandoned there); ``declared``: the size the server
    announced, when it did."""

    def __init__(self, declared: int | None = None) -> None:
        super().__init__(declared)
        self.declared = declared


@dataclass
class GraphError(Exception):
    """A failed call. ``retryable``: 429, 5xx or no answer at all (network); else final."""

    status: int
    error: dict[str, Any]

    @property
    def retryable(self) -> bool:
        return self.status in (0, 429) or self.status >= 500

    def __str__(self) -> str:
        return f"Graph API {self.status or 'unreachable'}: {self.error.get('message', '')}"


class GraphClient:
    """Sends JSON bodies to ``/{phone_number_id}/messages`` with the access token."""

    def __init__(
        self,
        *,
        base_url: str,
        access_token: str,
        phone_number_id: str,
        timeout: float,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self._phone_number_id = phone_number_id
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=timeout,
            transport=transport,
        )

    async def send(self, payload: dict[str, Any]) -> str | None:
        """POST the payload; the sent message's wamid (None for a read receipt)."""
        try:
            response = await self._http.post(f"/{self._phone_number_id}/messages", json=payload)
        except httpx.HTTPError as exc:
            raise GraphError(0, {"message": f"{type(exc).__name__}: {exc}", "type": "network"}) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 400:
            error = body.get("error") if isinstance(body, dict) else None
            if not isinstance(error, dict):
                error = {"message": response.text[:500]}
            raise GraphError(response.status_code, error)
        if not isinstance(body, dict):
            return None
        messages = body.get("messages")
        if isinstance(messages, list) and messages and isinstance(messages[0], dict):
            wamid = messages[0].get("id")
            return str(wamid) if wamid else None
        return None

    @staticmethod
    def _error(response: httpx.Response) -> GraphError:
        try:
            body = response.json()
        except ValueError:
            body = None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            error = {"message": response.text[:500]}
        return GraphError(response.status_code, error)

    async def media_info(self, media_id: str, *, timeout: float) -> dict[str, Any]:
        """``GET /{media-id}``: ``{"url", "mime_type", "sha256", "file_size", "id"}``."""
        try:
            response = await self._http.get(f"/{media_id}", timeout=timeout)
        except httpx.HTTPError as exc:
            raise GraphError(0, {"message": f"{type(exc).__name__}: {exc}", "type": "network"}) from exc
        if response.status_code >= 400:
            raise self._error(response)
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict) or not isinstance(body.get("url"), str):
            raise GraphError(response.status_code, {"message": "no media url in the answer"})
        return body

    async def download(self, url: str, *, max_bytes: int, timeout: float) -> tuple[bytes, str | None]:
        """The file at ``url`` (with the bearer token) and its Content-Type; :class:`TooLarge` as soon
        as it passes ``max_bytes`` (nothing more is read)."""
        chunks: list[bytes] = []
        size = 0
        try:
            async with self._http.stream("GET", url, timeout=timeout) as response:
                if response.status_code >= 400:
                    await response.aread()
                    raise self._error(response)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > max_bytes:
                    raise TooLarge(int(declared))
                async for chunk in response.aiter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise TooLarge()
                    chunks.append(chunk)
                return b"".join(chunks), response.headers.get("content-type")
        except httpx.HTTPError as exc:
            raise GraphError(0, {"message": f"{type(exc).__name__}: {exc}", "type": "network"}) from exc

    async def aclose(self) -> None:
        await self._http.aclose()
