"""The surveys' settings, read by surveys only (``SURVEYS_*``; the reopen window is the hub's:
REOPEN_WINDOW_HOURS). Every variable is a field below; its ``description`` is the documentation (the
README configuration table is built from it)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["SurveySettings"]


class SurveySettings(BaseSettings):
    """Surveys settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    surveys_bot_silence_minutes: float = Field(
        default=30.0,
        ge=0,
        description=(
            "A conversation only the bot handled is resolved by the bot this many minutes after its last "
            "answer when the customer says nothing more (0: never)."
        ),
    )
    surveys_goodbye_resolves: bool = Field(
        default=True,
        description=(
            "A customer's goodbye or thanks (\"gracias\", \"adiós\", \"thanks\") resolves a bot-only "
            "conversation."
        ),
    )
    surveys_bot_csat_share: float = Field(
        default=0.5,
        ge=0,
        le=1,
        description="Share of the bot's resolutions followed by a CSAT question (every agent resolution is).",
    )
    surveys_nps_every_days: float = Field(
        default=90.0,
        ge=0,
        description="NPS is asked after a resolution at most once per contact in this many days (0: never).",
    )
    surveys_csat_style: Literal["numbers", "faces"] = Field(
        default="numbers",
        description="CSAT buttons: numbers with words (\"5 · Excelente\") or faces (\"😄 5\").",
    )
    surveys_answer_hours: float = Field(
        default=24.0,
        gt=0,
        description=(
            "A survey not answered within this many hours is dropped (the customer's next message goes to "
            "the bot). At most REOPEN_WINDOW_HOURS: later a rating could not reach its conversation; with "
            "REOPEN_WINDOW_HOURS=0 no survey is sent (event survey_not_sent, why reopen_window_off)."
        ),
    )
    surveys_comment_minutes: float = Field(
        default=10.0,
        gt=0,
        description=(
            "After a CSAT score, minutes to wait for the optional comment before the answer is stored "
            "without one."
        ),
    )
    surveys_sweep_interval: float = Field(
        default=30.0,
        gt=0,
        description=(
            "Seconds between two runs of the surveys' sweep (silent bot conversations, late comments)."
        ),
    )
