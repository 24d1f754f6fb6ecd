"""FastAPI dependencies that demand an API key (``Authorization: Bearer <key>``) with a scope."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from hub import api_keys
from hub.api.deps import SessionsDep
from hub.models import ApiKey

__all__ = ["MessagesWriteKey", "require_scope"]

_api_key = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `python -m hub.api_keys create` (make run: DATA_DIR/dev_api_key)",
)


def require_scope(scope: str) -> Callable[..., Awaitable[ApiKey]]:
    """A dependency returning the caller's live API key that has ``scope`` (401/403 otherwise)."""

    async def dependency(
        sessions: SessionsDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_api_key)],
    ) -> ApiKey:
        if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
            raise api_keys.ApiKeyRequired()
        async with sessions() as session:
            row = await api_keys.authenticate(session, credentials.credentials, scope=scope)
        if api_keys.is_stale(row):
            async with sessions.begin() as session:
                await api_keys.touch(session, key_id=row.id)
        return row

    return dependency


MessagesWriteKey = Annotated[ApiKey, Depends(require_scope(api_keys.MESSAGES_WRITE))]
