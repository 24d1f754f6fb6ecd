"""The one place errors become HTTP responses: ``{"error": {"code", "message"}}``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException

from hub.api.bad_input import install_bad_input_handlers
from hub.errors import (
    ChannelDisabled,
    ContactNotFound,
    ConversationForbidden,
    ConversationNotFound,
    CredentialsRequired,
    HubError,
    InvalidContactDetail,
    MalformedWebhook,
    MergeWithItself,
    TextTooLong,
    UnknownChannel,
    WebhookSignatureInvalid,
    WebhookSignatureMissing,
    WebhookVerificationFailed,
)

__all__ = ["error_response", "install_error_handlers", "status_of", "websocket_close"]

log = logging.getLogger(__name__)

_STATUS: dict[type[HubError], int] = {
    ConversationNotFound: 404,
    CredentialsRequired: 401,
    ConversationForbidden: 403,
    ContactNotFound: 404,
    InvalidContactDetail: 422,
    MergeWithItself: 422,
    TextTooLong: 413,
    UnknownChannel: 422,
    ChannelDisabled: 404,
    MalformedWebhook: 400,
    WebhookSignatureMissing: 401,
    WebhookSignatureInvalid: 403,
    WebhookVerificationFailed: 403,
}


# A websocket close reason is at most 123 bytes: what to send instead, in short.
_WS_REASONS: dict[str, str] = {
    "credentials_required": (
        "send ?token=<agent token from POST /api/v1/agent/login> or ?source_id=<customer's>"
    ),
    "not_authenticated": "log in first: POST /api/v1/agent/login (token missing or expired)",
    "conversation_forbidden": (
        "this source_id is not this conversation's customer; send yours or an agent token"
    ),
}


def status_of(exc: HubError) -> int:
    return _STATUS.get(type(exc), exc.http_status)


def websocket_close(exc: HubError) -> tuple[int, str]:
    """The close code (4000 + the HTTP status, e.g. 4401, 4403, 4404) and a reason that fits a close frame."""
    reason = _WS_REASONS.get(exc.code) or exc.message.split(". ")[0]
    return 4000 + status_of(exc), reason.encode()[:123].decode(errors="ignore")


def error_response(status_code: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"error": {"code": code, "message": message}})


_MESSAGE_EXAMPLE = '{"channel": "api", "source_id": "...", "client_message_id": "...", "text": "..."}'


def _describe(exc: RequestValidationError, path: str = "") -> tuple[str, str]:
    problems: list[str] = []
    for error in exc.errors():
        whole_body = tuple(error.get("loc", ())) == ("body",)
        kind = error.get("type")
        if kind == "json_invalid" or (whole_body and kind not in ("missing", "value_error")):
            example = (f" such as {_MESSAGE_EXAMPLE}" if path == "/api/v1/messages"
                       else " with the fields this endpoint documents (GET /docs)")
            return "malformed_json", f"The request body is not a valid JSON object. Send one{example}."
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        if kind == "missing":
            problems.append(f"{where} is required")
        elif whole_body:  # a rule across fields (e.g. exactly one of two): its own words
            problems.append(str(error.get("msg", "invalid body")).removeprefix("Value error, "))
        else:
            problems.append(f"{where}: {error.get('msg', 'invalid value')}")
    return "invalid_request", "Invalid request: " + "; ".join(problems) + ". Fix these fields and retry."


async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
    log.error("unhandled error", exc_info=exc)
    return error_response(
        500, "internal_error", "The hub failed unexpectedly; nothing was lost. Retry later."
    )


def install_error_handlers(app: FastAPI) -> None:
    install_bad_input_handlers(app, otherwise=_unexpected)

    @app.exception_handler(HubError)
    async def _hub_error(_request: Request, exc: HubError) -> JSONResponse:
        return error_response(status_of(exc), exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        code, message = _describe(exc, request.url.path)
        return error_response(422, code, message)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {
            404: "No such endpoint. See docs/architecture.md for the hub API.",
            405: "This endpoint does not accept that HTTP method.",
        }
        message = messages.get(exc.status_code, str(exc.detail))
        response = error_response(exc.status_code, f"http_{exc.status_code}", message)
        response.headers.update(exc.headers or {})  # 405: Allow (issue 15, finding 15)
        return response

    @app.exception_handler(sa_exc.TimeoutError)
    async def _busy(_request: Request, exc: sa_exc.TimeoutError) -> JSONResponse:
        log.warning("refused a request: no free database connection", extra={"error": str(exc)})
        return error_response(
            503,
            "hub_busy",
            "The hub is overloaded and did not store this; nothing else changed. Retry in a few "
            "seconds (WhatsApp redelivers by itself).",
        )

    app.add_exception_handler(Exception, _unexpected)
