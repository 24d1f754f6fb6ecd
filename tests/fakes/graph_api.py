"""A fake WhatsApp Cloud (Graph) API on loopback: a real HTTP server (uvicorn, own thread).

``POST /{version}/{phone_number_id}/messages`` answers like Meta:
``{"messaging_product": "whatsapp", "contacts": [{"input", "wa_id"}], "messages": [{"id": "wamid..."}]}``
for messages and ``{"success": true}`` for read receipts; errors are
``{"error": {"message", "type", "code", "error_subcode", "fbtrace_id"}}``. Every request is
recorded; ``fail_next(status, times)`` makes the next calls fail (429, 500, 400, ...).

Media as Meta serves it: ``add_media(media_id, data, mime_type)`` makes ``GET /{version}/{media_id}``
answer ``{"messaging_product", "url", "mime_type", "sha256", "file_size", "id"}`` and ``GET url`` (bearer
token required) the bytes; an unknown id is Meta's 400 (#100). ``fail_media(media_id, status)`` makes
that file's lookup fail, ``media_delay`` holds every media answer that many seconds (a timeout),
``media_gets`` lists what was asked.

    graph = FakeGraphAPI(access_token="test-token").start()
    settings.whatsapp_graph_url = graph.base_url   # http://127.0.0.1:<port>/v21.0
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json
import mimetypes
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["FakeGraphAPI", "GraphRequest"]

_ERRORS: dict[int, dict[str, Any]] = {
    400: {"message": "(#131009) Parameter value is not valid", "type": "OAuthException", "code": 131009},
    401: {"message": "Error validating access token", "type": "OAuthException", "code": 190},
    429: {"message": "(#130429) Rate limit hit", "type": "OAuthException", "code": 130429},
    500: {"message": "An unknown error occurred", "type": "OAuthException", "code": 1},
    503: {"message": "Service temporarily unavailable", "type": "OAuthException", "code": 2},
}


@dataclass(frozen=True)
class GraphRequest:
    phone_number_id: str
    body: dict[str, Any]
    authorization: str | None
    answered: int  # HTTP status the fake answered

    @property
    def is_read(self) -> bool:
        return self.body.get("status") == "read"

    @property
    def type(self) -> str | None:
        return self.body.get("type")


class FakeGraphAPI:
    def __init__(self, *, access_token: str = "test-token", version: str = "v21.0") -> None:
        self.access_token = access_token
        self.version = version
        self._lock = threading.Lock()
        self._requests: list[GraphRequest] = []
        self._failures: deque[tuple[int, dict[str, Any]]] = deque()
        self._ids = itertools.count(1)
        self._server: uvicorn.Server | None = None
        # Called (in a worker thread) with (wamid, body) before a message is answered 200.
        self.before_answer: Callable[[str, dict[str, Any]], None] | None = None
        self._thread: threading.Thread | None = None
        self.port = 0
        self._media: dict[str, tuple[bytes, str]] = {}
        self._media_failures: dict[str, int] = {}
        self.media_delay = 0.0
        self.media_gets: list[str] = []  # "info:<id>" and "file:<id>", in order
        self.app = Starlette(routes=self.routes(self._messages))

    def routes(self, messages: Callable[[Request], Any]) -> list[Route]:
        return [
            Route("/{version}/{phone_number_id}/messages", messages, methods=["POST"]),
            Route("/media-files/{media_id}", self._media_file, methods=["GET"]),
            Route("/{version}/{media_id}", self._media_info, methods=["GET"]),
        ]

    # -- control ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/{self.version}"

    def start(self) -> FakeGraphAPI:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = uvicorn.Server(uvicorn.Config(self.app, log_config=None, lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake Graph API did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def reset(self) -> None:
        self.before_answer = None
        self.media_delay = 0.0
        with self._lock:
            self._requests.clear()
            self._failures.clear()
            self._media.clear()
            self._media_failures.clear()
            self.media_gets.clear()

    def add_media(self, media_id: str, data: bytes, mime_type: str) -> None:
        """Serve ``data`` as the customer's media ``media_id``."""
        with self._lock:
            self._media[media_id] = (data, mime_type)

    def fail_media(self, media_id: str, status: int) -> None:
        """Looking up ``media_id`` answers ``status`` with a Graph error body, until reset."""
        with self._lock:
            self._media_failures[media_id] = status

    def fail_next(self, status: int, times: int = 1, error: dict[str, Any] | None = None) -> None:
        """The next ``times`` calls answer ``status`` with a Graph error body."""
        body = error or _ERRORS.get(status, {"message": "error", "type": "OAuthException", "code": status})
        with self._lock:
            self._failures.extend([(status, body)] * times)

    # -- what the hub sent -----------------------------------------------------------------

    @property
    def requests(self) -> list[GraphRequest]:
        with self._lock:
            return list(self._requests)

    def reads(self) -> list[GraphRequest]:
        return [r for r in self.requests if r.is_read and r.answered == 200]

    def sent(self) -> list[GraphRequest]:
        """Messages accepted (200), in order."""
        return [r for r in self.requests if not r.is_read and r.answered == 200]

    def texts(self) -> list[str]:
        return [r.body["text"]["body"] for r in self.sent() if r.type == "text"]

    # -- media -----------------------------------------------------------------------------

    async def _media_info(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        with self._lock:
            self.media_gets.append(f"info:{media_id}")
            found = self._media.get(media_id)
            failure = self._media_failures.get(media_id)
        if self.media_delay:
            await asyncio.sleep(self.media_delay)
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return self._error(401, _ERRORS[401])
        if failure is not None:
            return self._error(failure, _ERRORS.get(failure, {"message": "error", "code": failure}))
        if found is None:
            return self._error(400, {**_ERRORS[400], "message": "(#100) Invalid media id", "code": 100})
        data, mime_type = found
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "url": f"http://127.0.0.1:{self.port}/media-files/{media_id}",
                "mime_type": mime_type,
                "sha256": hashlib.sha256(data).hexdigest(),
                "file_size": len(data),
                "id": media_id,
            }
        )

    async def _media_file(self, request: Request) -> Response:
        media_id = request.path_params["media_id"]
        with self._lock:
            self.media_gets.append(f"file:{media_id}")
            found = self._media.get(media_id)
        if request.headers.get("authorization") != f"Bearer {self.access_token}":
            return self._error(401, _ERRORS[401])
        if found is None:
            return self._error(404, {"message": "not found", "code": 404})
        return Response(found[0], media_type=found[1])

    # -- the endpoint ----------------------------------------------------------------------

    def _error(self, status: int, error: dict[str, Any]) -> JSONResponse:
        body = {"error": {"error_subcode": None, "fbtrace_id": f"Fake{next(self._ids)}", **error}}
        return JSONResponse(body, status_code=status)

    async def _messages(self, request: Request) -> JSONResponse:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = {"_raw": raw.decode(errors="replace")}
        authorization = request.headers.get("authorization")
        with self._lock:
            failure = self._failures.popleft() if self._failures else None
            if authorization != f"Bearer {self.access_token}":
                failure = (401, _ERRORS[401])
            elif not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
                failure = (
                    400,
                    {**_ERRORS[400], "message": "(#100) messaging_product is required", "code": 100},
                )
            status = failure[0] if failure else 200
            self._requests.append(
                GraphRequest(
                    request.path_params["phone_number_id"],
                    body if isinstance(body, dict) else {},
                    authorization,
                    status,
                )
            )
            wamid = f"wamid.FAKE{next(self._ids):06d}"
        if failure is not None:
            return self._error(*failure)
        if body.get("status") == "read":
            return JSONResponse({"success": True})
        if self.before_answer is not None:
            await asyncio.to_thread(self.before_answer, wamid, body)
        to = str(body.get("to", ""))
        return JSONResponse(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid}],
            }
        )


def main() -> None:
    """``python -m tests.fakes.graph_api [--port 8765]``: serve the fake and print what the hub sends."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--token", default="test-token", help="the access token the hub must send")
    parser.add_argument(
        "--media", action="append", default=[], metavar="ID=PATH",
        help="serve the file at PATH as the customer's media ID (repeatable); MIME type from its name",
    )
    args = parser.parse_args()
    fake = FakeGraphAPI(access_token=args.token)
    fake.port = args.port
    for spec in args.media:
        media_id, _, path = spec.partition("=")
        guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
        with open(path, "rb") as file:
            fake.add_media(media_id, file.read(), guessed)

    async def log_request(request: Request) -> JSONResponse:
        response = await fake._messages(request)
        print(json.dumps(fake.requests[-1].body, ensure_ascii=False), "->", response.status_code, flush=True)
        return response

    app = Starlette(routes=fake.routes(log_request))
    print(f"fake Graph API: WHATSAPP_GRAPH_URL=http://127.0.0.1:{args.port}/{fake.version}", flush=True)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
