"""Request body limits per route, enforced before anything parses the body (issue 15, finding 3).

A pure ASGI middleware: a declared ``Content-Length`` over the route's limit is refused at once,
without reading the body; otherwise the bytes are counted as they stream in and reading stops at
the first byte over. Either way the answer is 413 ``body_too_large`` in the error shape of
hub/api/errors.py and the route never runs, so nothing is stored. An unknown field does not get
around it: the limit is on the bytes, whatever they hold.

Limits (bytes, first matching path prefix wins): customer messages and the agent API 64 KB
(MAX_TEXT_CHARS of text is at most 4 bytes a character), the WhatsApp webhook 1 MB (Meta's
payloads are a few KB; the limit applies before the signature check, so an unsigned 50 MB body
is never read whole). ``/socket.io`` is left to engine.io's own ``max_http_buffer_size``.
"""

from __future__ import annotations

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["DEFAULT_LIMIT", "LIMITS", "BodyLimit"]

KB = 1024
DEFAULT_LIMIT = 64 * KB
#: (path prefix, limit in bytes or None for no limit here), the first match wins.
LIMITS: tuple[tuple[str, int | None], ...] = (
    ("/api/v1/channels/whatsapp/webhook", 1024 * KB),
    ("/api/v1/messages", 64 * KB),
    ("/api/v1/agent", 64 * KB),
    ("/socket.io", None),
)


class _TooLarge(Exception):
    pass


def limit_for(path: str, limits: tuple[tuple[str, int | None], ...] = LIMITS) -> int | None:
    for prefix, limit in limits:
        if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
            return limit
    return DEFAULT_LIMIT


def _declared_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    message = (
        f"The request body is larger than this endpoint accepts ({limit // KB} KB). Nothing was stored; "
        "send a smaller body (split a long text into several messages)."
    )
    response = JSONResponse(
        status_code=413, content={"error": {"code": "body_too_large", "message": message}}
    )
    await response(scope, receive, send)


class BodyLimit:
    """Answer 413 to a request whose body is over its route's limit, before the route reads it."""

    def __init__(self, app: ASGIApp, limits: tuple[tuple[str, int | None], ...] = LIMITS) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        limit = limit_for(scope.get("path", ""), self.limits) if scope["type"] == "http" else None
        if limit is None:
            await self.app(scope, receive, send)
            return
        declared = _declared_length(scope)
        if declared is not None and declared > limit:
            await _refuse(scope, receive, send, limit)
            return
        received = 0
        exceeded = started = False

        async def counted_receive() -> Message:
            nonlocal received, exceeded
            if exceeded:
                raise _TooLarge
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if exceeded:
                return  # whatever the app made of the interrupted read, the answer is the 413
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not exceeded:
                raise
        if exceeded and not started:
            await _refuse(scope, receive, send, limit)
