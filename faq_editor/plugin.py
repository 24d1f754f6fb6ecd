"""How the FAQ editor plugs into the hub: routes and the page only, and its handle on the knowledge base.

Called by the composition root (mostrador/wiring.py) after handoff's mount (the API uses the desk's agents
and roles, handoff/permissions.py); neither hub/, handoff/, surveys/ nor kpis/ imports this package.
"""

from __future__ import annotations

from fastapi import FastAPI

from faq_editor import page
from faq_editor.editor import FaqEditor
from faq_editor.routes import changes, drafts, entries

__all__ = ["mount"]


def mount(app: FastAPI, editor: FaqEditor | None = None) -> None:
    """``/api/v1/faq`` and the page at ``/faq``; ``editor``: the FAQ of ``KB_*`` unless given (tests)."""
    app.state.faq_editor = editor or FaqEditor()
    app.include_router(entries.router)
    app.include_router(drafts.router)
    app.include_router(changes.router)
    app.include_router(page.router)
