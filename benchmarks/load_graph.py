"""The fake Graph API of the tests (tests/fakes/graph_api.py), timing each read receipt's arrival.

The hub marks every stored WhatsApp message read (``{"status": "read", "message_id": wamid}``);
``read_at[wamid]`` lists the ``time.monotonic()`` instants those calls reached the fake, so the
benchmark measures webhook POST -> read receipt at Meta, and sees a receipt sent twice.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.fakes.graph_api import FakeGraphAPI

__all__ = ["TimedGraph"]


class TimedGraph(FakeGraphAPI):
    def __init__(self, *, access_token: str) -> None:
        super().__init__(access_token=access_token)
        self.read_at: dict[str, list[float]] = defaultdict(list)
        self.sent_to: Counter[str] = Counter()  # messages (bot replies) accepted, per wa_id
        self.app = Starlette(
            routes=[Route("/{version}/{phone_number_id}/messages", self._timed, methods=["POST"])]
        )

    async def _timed(self, request: Request) -> JSONResponse:
        raw = await request.body()  # Starlette keeps it: the fake's handler reads it again
        arrived = time.monotonic()
        response = await self._messages(request)
        try:
            body = json.loads(raw)
        except ValueError:
            return response
        if response.status_code == 200 and isinstance(body, dict):
            if body.get("status") == "read":
                self.read_at[str(body.get("message_id"))].append(arrived)
            else:
                self.sent_to[str(body.get("to"))] += 1
        return response
