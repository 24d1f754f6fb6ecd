"""Input the database cannot take becomes a 4xx, never a 500 (issue 15, finding 4).

The schemas reject what they can name (:func:`hub.valid_text.check_text`: lone surrogates, NUL);
these handlers are the net for the rest: an id beyond the column's range (SQLite: 2^63, PostgreSQL:
2^31) in a path, a query or a body, or text the driver cannot encode (:func:`hub.db_errors.bad_value`:
psycopg and asyncpg report them differently). The transaction that hit it
rolled back, so nothing is stored; the response is a handled one, so the keep-alive connection stays usable.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import exc as sa_exc

from hub import db_errors

__all__ = ["INVALID_VALUE", "install_bad_input_handlers"]

log = logging.getLogger(__name__)

INVALID_VALUE = (
    "A value in this request cannot be stored or looked up: ids are whole numbers up to 2147483647, "
    "and text must be valid Unicode without NUL characters or lone surrogates. Nothing was stored; "
    "fix the value and retry."
)


def _refuse(kind: str, exc: Exception) -> JSONResponse:
    # The exception's text may carry customer text (SQL parameters): only its type is logged.
    log.warning("refused a request with a value the database cannot take", extra={"error": kind})
    return JSONResponse(
        status_code=422, content={"error": {"code": "invalid_value", "message": INVALID_VALUE}}
    )


def install_bad_input_handlers(
    app: FastAPI, *, otherwise: Callable[[Request, Exception], Awaitable[JSONResponse]]
) -> None:
    """``otherwise`` answers a database error that is not a bad value (the app's last-resort 500)."""

    @app.exception_handler(OverflowError)  # SQLite: an int beyond 2^63
    async def _overflow(_request: Request, exc: OverflowError) -> JSONResponse:
        return _refuse("overflow", exc)

    @app.exception_handler(UnicodeEncodeError)  # a lone surrogate reaching a driver
    async def _encode(_request: Request, exc: UnicodeEncodeError) -> JSONResponse:
        return _refuse("unicode_encode", exc)

    @app.exception_handler(sa_exc.DBAPIError)  # PostgreSQL: integer out of range, NUL in text
    async def _data(request: Request, exc: sa_exc.DBAPIError) -> JSONResponse:
        if db_errors.bad_value(exc):
            return _refuse(type(exc.orig).__name__, exc)
        return await otherwise(request, exc)
