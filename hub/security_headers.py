"""Security headers on every HTTP response (issue 15, finding 10).

The agent console and the demo page must not be framed (clickjacking: a page that frames the
console could trick a logged-in agent into clicking), must not run script from anywhere but the
hub, and no response may be content-sniffed into something executable. Pure ASGI, so it adds
nothing to the websocket paths and costs one header merge per response.

CSP for HTML pages: scripts, fonts, images and connections from the hub's own origin only (the
widget's socket.io and the console's websocket are same-origin; images, audio and video also from
``blob:``, the customers' files the console fetched with the agent's token); styles may be inline (the demo
page has a style block; style injection cannot run script); ``frame-ancestors 'none'``.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["HTML_CSP", "SecurityHeaders"]

HTML_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; "
    "object-src 'none'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_ALWAYS = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in _ALWAYS if k not in present]
                html = any(name.lower() == b"content-type" and value.startswith(b"text/html")
                           for name, value in headers)
                if html and b"content-security-policy" not in present:
                    headers.append((b"content-security-policy", HTML_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
