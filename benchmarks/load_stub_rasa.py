"""A stub Rasa server for the receipt benchmark: answers every turn at once, NLU without a model.

    .venv/bin/python -m benchmarks.load_stub_rasa --port 5005

Serves what the hub calls: ``POST /webhooks/rest/webhook`` (the action server's turn mark with a fixed
NLU, as actions/language.py sends it, and one text reply echoing the message),
``GET /conversations/{id}/tracker`` (no latest message; the hub reads it only for a turn without NLU),
``GET /`` and ``GET /status`` (health). It lets the benchmark load the hub's receipt path at
100 messages per second without measuring Rasa (which needs ~200 ms of CPU per turn here).
"""

from __future__ import annotations

import argparse
import json

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

__all__ = ["app"]


_INTENT = {"name": "ask_faq", "confidence": 0.93}
_NLU = {"intent": _INTENT, "intent_ranking": [_INTENT], "entities": []}


async def webhook(request: Request) -> Response:
    body = json.loads(await request.body())
    sender = body.get("sender")
    # As the action server marks a turn (actions/language.py): the message id and Rasa's NLU of it.
    mark = {"turn": {"message_id": (body.get("metadata") or {}).get("message_id"), **_NLU}}
    reply = [
        {"recipient_id": sender, "custom": mark},
        {"recipient_id": sender, "text": f"Recibido: {body.get('message', '')}"},
    ]
    return JSONResponse(reply)


async def tracker(request: Request) -> Response:
    return JSONResponse({"sender_id": request.path_params["sender"], "latest_message": {}})


async def status(_request: Request) -> Response:
    return JSONResponse({"model_file": "stub", "num_active_training_jobs": 0})


async def root(_request: Request) -> Response:
    return PlainTextResponse("Hello from the stub Rasa")


app = Starlette(
    routes=[
        Route("/webhooks/rest/webhook", webhook, methods=["POST"]),
        Route("/conversations/{sender}/tracker", tracker),
        Route("/status", status),
        Route("/", root),
    ]
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--port", type=int, default=5005)
    args = parser.parse_args()
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
