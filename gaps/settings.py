"""The knowledge-gap report's settings (``GAPS_*``), read by gaps/ only. Every variable is a field below;
its ``description`` is the documentation (the README configuration table is built from it)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from gaps.cluster import DEFAULT_DISTANCE, DEFAULT_TOPIC_DISTANCE

__all__ = ["GapSettings"]


class GapSettings(BaseSettings):
    """Gap report settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    gaps_days: int = Field(
        default=90,
        ge=1,
        le=400,
        description="The knowledge-gap report looks at the unanswered questions of the last this many days.",
    )
    gaps_max_questions: int = Field(
        default=3000,
        ge=10,
        le=20000,
        description=(
            "At most this many unanswered questions (the newest) are clustered per report: clustering "
            "memory grows with the square of the number."
        ),
    )
    gaps_distance: float = Field(
        default=DEFAULT_DISTANCE,
        gt=0,
        lt=1,
        description=(
            "Cosine distance at which two groups of questions stop merging (average linkage); lower: "
            "smaller, purer clusters. Tuned for the KB's default embedder on questions normalised as the KB "
            "normalises queries (docs/benchmarks/gap_clustering.md)."
        ),
    )
    gaps_topic_distance: float = Field(
        default=DEFAULT_TOPIC_DISTANCE,
        ge=0,
        lt=1,
        description=(
            "The same tree cut higher: clusters closer than this are one topic, one card in the report whose "
            "sub-groups the lead can untick before drafting (0: off, one card per cluster). Chosen on the "
            "benchmark's tune split: the highest cut whose topics are at least 80 % pure "
            "(docs/benchmarks/gap_clustering.md)."
        ),
    )
