"""The reports plug-in's settings (read by ``kpis/`` only). Every variable is a field below; its
``description`` is the documentation (the README configuration table is built from it)."""

from __future__ import annotations

from pydantic import Field, SecretStr
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
