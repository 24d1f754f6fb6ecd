"""How the knowledge-gap report plugs into the hub: its API and page only (it reads the hub's messages, the
learning signals and the FAQ editor's change log, and writes only ``knowledge_gaps_handled``).

Called by the composition root (mostrador/wiring.py); nothing else imports this package (import-linter).
"""

from __future__ import annotations

from fastapi import FastAPI

from gaps import api, page
from gaps.embedding import Vectors

__all__ = ["mount"]


def mount(app: FastAPI, vectors: Vectors | None = None) -> None:
    """``/api/v1/gaps`` and the page at ``/gaps``; ``vectors``: the KB's embedder unless given (tests)."""
    app.state.gap_vectors = vectors or Vectors()
    app.include_router(api.router)
    app.include_router(page.router)
