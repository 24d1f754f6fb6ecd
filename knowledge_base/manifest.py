"""The index manifest: what an index was built from, and whether it still matches."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from knowledge_base.decision import Thresholds

__all__ = ["INDEX_FORMAT", "Manifest"]

INDEX_FORMAT = 3  # 2: lexical.npz next to the FAISS index; 3: day-one / bounded calibration


@dataclass
class Manifest:
    model_id: str
    kb_hash: str
    recipe: dict[str, Any]
    built_at: str
    build_seconds: float
    n_entries: int
    n_rows: int
    index_kind: str
    index_format: int = INDEX_FORMAT
    thresholds: dict[str, float] | None = None
    calibration: dict[str, Any] = field(default_factory=dict)

    @property
    def calibrated(self) -> Thresholds | None:
        return Thresholds(**self.thresholds) if self.thresholds else None

    def stale_reasons(self, model_id: str, kb_hash: str, recipe: dict[str, Any]) -> list[str]:
        """Why this index no longer matches the model, KB content or text recipe (empty: fresh)."""
        reasons = []
        if self.index_format != INDEX_FORMAT:
            reasons.append(f"index format {self.index_format} != {INDEX_FORMAT}")
        if self.model_id != model_id:
            reasons.append(f"model changed ({self.model_id} -> {model_id})")
        if self.kb_hash != kb_hash:
            reasons.append(f"KB content changed ({self.kb_hash[:12]} -> {kb_hash[:12]})")
        if self.recipe != recipe:
            reasons.append("text recipe changed")
        return reasons

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(asdict(self), indent=2, ensure_ascii=False) + "\n")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Manifest:
        return cls(**json.loads(path.read_text()))
