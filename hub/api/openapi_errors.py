"""The OpenAPI documents the error answers each route can give (issue 15, finding 15).

Errors are mapped to HTTP in one place (``hub/api/errors.py``) with one body shape,
``{"error": {"code", "message"}}``; this adds that shape as ``Error`` and, to every operation,
the statuses it can answer with:

* every route: 422 (invalid input) and 503 (``hub_busy``: no free database connection);
* routes that take a body: 413 (``body_too_large``, ``text_too_long``);
* routes that need credentials (agent routes, conversation readers, API-key routes, webhooks):
  401 (none or expired) and 403 (not allowed);
* routes with an id in the path: 404; agent commands: 404 and 409 (nothing to claim, taken,
  not yours, wrong state); webhooks: 400 (not JSON, not Meta's shape); logins: 429 (locked).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI

__all__ = ["ERROR_SCHEMA", "document_errors"]

ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {"error": {
        "type": "object",
        "required": ["code", "message"],
        "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
    }},
}
_DESCRIPTIONS = {
    400: "Malformed body (not JSON, or not the expected shape)",
    401: "Credentials missing, unknown or expired: the message says what to send",
    403: "Credentials valid but not allowed here",
    404: "No such resource (or endpoint disabled)",
    409: "Conflicts with the conversation's current state",
    429: "Too many attempts: locked for a while (the message says how long)",
    413: "Body or text too large; nothing was stored",
    422: "Invalid input; nothing was stored",
    503: "The hub is overloaded (no free database connection); retry in a few seconds",
}
_BODY_METHODS = {"post", "put", "patch"}


def _statuses(path: str, method: str, operation: dict[str, Any]) -> set[int]:
    codes = {422, 503}
    if method in _BODY_METHODS:
        codes.add(413)
    guarded = path.startswith("/api/v1/agent") or (
        "/conversations/" in path or path.startswith("/api/v1/messages")
        or "webhook" in path or bool(operation.get("security")))
    if guarded:
        codes |= {401, 403}
    if "{" in path:
        codes.add(404)
    if path.startswith("/api/v1/agent") and method != "get":
        codes |= {404, 409}  # agent commands: nothing to claim, taken, not yours, wrong state
    if "webhook" in path:
        codes |= {400, 404}
    if path.endswith("/login"):
        codes.add(429)
    return codes


def document_errors(app: FastAPI) -> None:
    """Wrap ``app.openapi`` so the generated schema lists every route's error answers."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schema.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
        for path, item in schema.get("paths", {}).items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "responses" not in operation:
                    continue
                for code in sorted(_statuses(path, method, operation)):
                    operation["responses"].setdefault(
                        str(code), {"description": _DESCRIPTIONS[code], "content": error})
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
