"""Why an API key was refused; each says what to send instead (HTTP status on the class)."""

from __future__ import annotations

from hub.errors import HubError

__all__ = ["ApiKeyInvalid", "ApiKeyRequired", "ApiKeyScopeMissing"]

_HOW = (
    "Send 'Authorization: Bearer <API key>'; an operator creates one with "
    "`python -m hub.api_keys create --name NAME` (`make run` writes a local one to DATA_DIR/dev_api_key)."
)


class ApiKeyRequired(HubError):
    code = "credentials_required"
    http_status = 401

    def __init__(self) -> None:
        super().__init__(f"POST /api/v1/messages needs an API key. {_HOW}")


class ApiKeyInvalid(HubError):
    code = "not_authenticated"
    http_status = 401

    def __init__(self) -> None:
        super().__init__(f"This API key is unknown or was revoked. {_HOW}")


class ApiKeyScopeMissing(HubError):
    code = "scope_missing"
    http_status = 403

    def __init__(self, scope: str) -> None:
        super().__init__(
            f"This API key lacks the scope {scope!r}. Create a key with "
            f"`python -m hub.api_keys create --name NAME --scope {scope}`."
        )
