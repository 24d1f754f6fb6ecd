"""Errors of the surveys' API; each says what to do, and its HTTP status (``http_status``)."""

from __future__ import annotations

from hub.errors import HubError, NotAuthenticated

__all__ = ["FollowUpNotFound", "NotAuthenticated", "SupervisorsOnly"]


class SupervisorsOnly(HubError):
    code = "supervisor_only"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "Solo un supervisor ve los seguimientos (python -m handoff set-role --role supervisor). / "
            "Only a supervisor sees follow-ups (python -m handoff set-role --role supervisor)."
        )


class FollowUpNotFound(HubError):
    code = "follow_up_not_found"
    http_status = 404

    def __init__(self, follow_up_id: int) -> None:
        super().__init__(f"No follow-up has id {follow_up_id}; GET /api/v1/follow-ups lists them.")
