"""The handoff policy file (handoff/policy.yml or HANDOFF_POLICY_PATH) parsed into one typed config.

One read of the YAML gives the triggers and rules (:class:`~handoff.policy.Policy`), the business hours
(:class:`~handoff.hours.BusinessHours`), the queue re-notice rule (:class:`~handoff.queue_notices.Rule`) and
the waiting rule (:class:`~handoff.waiting.WaitingRule`);
it is parsed again only when the file changes (its mtime), so an operator's edit applies without a
restart. :class:`~handoff.settings.HandoffSettings` parses it when they are built: a mistake fails at
start and names the file and the key.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from handoff import hours, waiting
from handoff.policy import Policy
from handoff.queue_notices import Rule, parse_rule

__all__ = ["HandoffConfig", "load"]


@dataclass(frozen=True)
class HandoffConfig:
    path: Path
    #: Triggers, priorities and rules (VIP contacts...): handoff/policy.py.
    policy: Policy
    #: Section ``business_hours``: handoff/hours.py.
    hours: hours.BusinessHours
    #: Section ``queue_notices``: handoff/queue_notices.py.
    queue_notices: Rule
    #: Section ``waiting``: "¿Sigues ahí?" and when a waiting customer has left (handoff/waiting.py).
    waiting: waiting.WaitingRule


@functools.lru_cache(maxsize=8)
def _parse(path: str, mtime: float) -> HandoffConfig:
    with open(path, encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    if not isinstance(raw, dict):
        raise ValueError(f"{path}: the handoff policy must be a YAML mapping")
    return HandoffConfig(
        path=Path(path),
        policy=Policy(raw),
        hours=hours.parse(raw.get("business_hours"), source=path),
        queue_notices=parse_rule(raw.get("queue_notices"), source=path),
        waiting=waiting.parse_rule(raw.get("waiting"), source=path),
    )


def load(path: Path) -> HandoffConfig:
    """The policy file at ``path``, parsed (again only when the file changed)."""
    return _parse(str(path), path.stat().st_mtime)
