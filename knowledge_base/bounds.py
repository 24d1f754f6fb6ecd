"""Exact (Clopper-Pearson) confidence bounds of a rate, for promises made on small samples."""

from __future__ import annotations

from functools import lru_cache

from scipy.stats import beta

__all__ = ["CONFIDENCE", "lower_bound", "upper_bound"]

CONFIDENCE = 0.95


@lru_cache(maxsize=65536)
def upper_bound(wrong: int, answered: int, confidence: float = CONFIDENCE) -> float:
    """One-sided Clopper-Pearson upper bound of a rate observed as ``wrong`` / ``answered``."""
    if answered == 0 or wrong >= answered:
        return 1.0
    return float(beta.ppf(confidence, wrong + 1, answered - wrong))


@lru_cache(maxsize=65536)
def lower_bound(wrong: int, answered: int, confidence: float = CONFIDENCE) -> float:
    """One-sided Clopper-Pearson lower bound (0 when nothing went wrong)."""
    if wrong == 0:
        return 0.0
    return float(beta.ppf(1 - confidence, wrong, answered - wrong + 1))
