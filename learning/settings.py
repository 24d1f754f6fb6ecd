"""The learning signals' settings (``LEARNING_*``), read by learning/ only. Every variable is a field below;
its ``description`` is the documentation (the README configuration table is built from it)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["LearningSettings"]


class LearningSettings(BaseSettings):
    """Learning settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    learning_feedback: bool = Field(
        default=True,
        description="Ask \"¿Te ha servido?\" (👍/👎) after some FAQ answers (false: never).",
    )
    learning_feedback_margin: float = Field(
        default=0.03,
        ge=0,
        description=(
            "An FAQ answer whose score leads the runner-up's by less than this is not clearly confident: "
            "the customer is asked whether it helped."
        ),
    )
    learning_feedback_min_score: float = Field(
        default=0.0,
        ge=0,
        description=(
            "An FAQ answer scoring below this is not clearly confident either (0: only the margin counts; "
            "scores depend on the embedding model, see the KB manifest's thresholds)."
        ),
    )
    learning_feedback_share: float = Field(
        default=0.1,
        ge=0,
        le=1,
        description="Share of the clearly confident FAQ answers that are asked about too (a sample).",
    )
    learning_feedback_minutes: float = Field(
        default=30.0,
        gt=0,
        description=(
            "A \"¿Te ha servido?\" not answered within this many minutes is dropped (a later \"no\" goes to "
            "the bot)."
        ),
    )
