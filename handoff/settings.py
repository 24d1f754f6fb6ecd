"""The handoff desk's settings, read by handoff only (the hub knows none of them).

Every variable is a field below; its ``description`` is the documentation (the README configuration
table is built from it). Built by the composition root (mostrador/wiring.py) next to the hub's
settings; the policy file is parsed when they are built (handoff/config.py), so a mistake fails at
start and names the file and the key.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from handoff import config
from handoff.policy import DEFAULT_POLICY_PATH

__all__ = ["HandoffSettings"]


class HandoffSettings(BaseSettings):
    """Handoff desk settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    handoff_policy_path: Path | None = Field(
        default=None,
        description=(
            "YAML file of the handoff policy (triggers, priorities, rules such as VIP contacts); "
            "default handoff/policy.yml."
        ),
    )
    handoff_auto_assign: bool = Field(
        default=False,
        description=(
            "Assign each new handoff at once, round-robin among online agents with the language, skill "
            "and free capacity; off -> agents claim from the queue."
        ),
    )
    handoff_default_handle_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Handling time per conversation assumed for estimated waits until agents have history.",
    )
    handoff_abandon_after: float = Field(
        default=1800.0,
        gt=0,
        description=(
            "Seconds a customer waiting for an agent may stay silent before being asked \"¿Sigues ahí?\"; "
            "no answer within the policy file's waiting.answer_within ends the wait (abandoned, the "
            "conversation resolved). Never while the desk is closed; on WhatsApp not while the 24-hour "
            "window is open."
        ),
    )
    handoff_sweep_interval: float = Field(
        default=60.0, gt=0, description="Seconds between looks for abandoned handoffs."
    )
    handoff_wait_alert_after: float = Field(
        default=300.0,
        ge=0,
        description=(
            "Seconds a conversation may wait in the queue before supervisors get an alert in their console "
            "(once per wait, live); 0 turns the alerts off."
        ),
    )
    handoff_return_to: str = Field(
        default="queue",
        pattern=r"^(queue|team:[^\s]{1,40}|agent:[^\s@]+@[^\s@]+)$",
        description=(
            "Where an agent's unanswered conversations go when they log out, go offline or are disabled: "
            "'queue' (back to the queue they came from), 'team:<skill>' (the queue for that team) or "
            "'agent:<email>' (that agent, when online with room; else the queue)."
        ),
    )
    agent_token_ttl_hours: float = Field(
        default=12.0, gt=0, description="Hours an agent's login (bearer token) stays valid."
    )

    @property
    def policy_path(self) -> Path:
        """The policy file in effect (HANDOFF_POLICY_PATH or handoff/policy.yml)."""
        return self.handoff_policy_path or DEFAULT_POLICY_PATH

    def policy(self) -> config.HandoffConfig:
        """The policy file parsed into its typed config (parsed again only when the file changes)."""
        return config.load(self.policy_path)

    @model_validator(mode="after")
    def _policy_parses(self) -> HandoffSettings:
        """A HANDOFF_POLICY_PATH that is not a file, or a policy with a mistake, fails at start."""
        if self.handoff_policy_path is not None and not self.handoff_policy_path.is_file():
            raise ValueError(f"HANDOFF_POLICY_PATH={self.handoff_policy_path} is not a file")
        self.policy()
        return self
