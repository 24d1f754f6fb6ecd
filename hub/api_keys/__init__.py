"""API keys: the credential of callers of the channel-neutral API (integrations, ``make chat``, tests).

A key is ``mk_`` + 43 url-safe characters (32 random bytes). Only its SHA-256 is stored: the key is
shown once, when created. Scopes (:data:`SCOPES`) say what a key may do. Manage keys with
``python -m hub.api_keys create|list|revoke``.
"""

from __future__ import annotations

from hub.api_keys.errors import ApiKeyInvalid, ApiKeyRequired, ApiKeyScopeMissing
from hub.api_keys.store import (
    CONVERSATIONS_READ,
    MESSAGES_WRITE,
    SCOPES,
    authenticate,
    create,
    find,
    hash_key,
    is_stale,
    list_keys,
    revoke,
    touch,
)

__all__ = [
    "CONVERSATIONS_READ",
    "MESSAGES_WRITE",
    "SCOPES",
    "ApiKeyInvalid",
    "ApiKeyRequired",
    "ApiKeyScopeMissing",
    "authenticate",
    "create",
    "find",
    "hash_key",
    "is_stale",
    "list_keys",
    "revoke",
    "touch",
]
