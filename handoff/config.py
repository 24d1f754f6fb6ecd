"""The policy file (handoff/policy.yml, HANDOFF_POLICY_PATH) is checked when the Settings are built.

Registered on ``hub.settings.CHECKS`` when the handoff package is imported: business hours and queue
notices are parsed at start, and a mistake names the file and the key.
"""

from __future__ import annotations

from handoff import hours, policy, queue_notices
from hub.settings import CHECKS, Settings

__all__ = ["check_policy"]


def check_policy(settings: Settings) -> None:
    path = settings.handoff_policy_path or policy.DEFAULT_POLICY_PATH
    hours.load(path)
    queue_notices.parse_rule(policy.load(path).config.get("queue_notices"), source=str(path))


if check_policy not in CHECKS:
    CHECKS.append(check_policy)
