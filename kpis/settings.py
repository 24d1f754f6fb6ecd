"""The reports plug-in's settings (read by ``kpis/`` only). Every variable is a field below; its
``description`` is the documentation (the README configuration table is built from it)."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["KpiSettings"]


class KpiSettings(BaseSettings):
    """Reports and /metrics settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    metrics_token: SecretStr | None = Field(
        default=None,
        description=(
            "When set, GET /metrics answers only requests with 'Authorization: Bearer <this token>' "
            "(Prometheus: authorization.credentials); unset, /metrics is open and must be kept off the "
            "internet at the proxy."
        ),
    )
    reports_timezone: str = Field(
        default="UTC",
        description=(
            "The desk's time zone for the reports' days and weeks and the dates of the period (e.g. "
            "Europe/Madrid: a conversation at 00:30 there counts on that day); an IANA name."
        ),
    )

    @field_validator("reports_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Europe/Madrid") from exc
        return value
