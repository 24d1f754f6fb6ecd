"""Spanish-first FAQ retrieval that knows when it does not know.

Public surface (a contract, see docs/architecture.md)::

    from knowledge_base import KnowledgeBase, Decision, Candidate, KBSettings
    kb = KnowledgeBase.open(KBSettings())
    d = kb.ask("cuanto tarda el envio", lang="es")   # d.action: answer | clarify | handoff
"""

from knowledge_base.built_index import IndexStaleError
from knowledge_base.catalog import KBValidationError
from knowledge_base.decision import Candidate, Decision, Thresholds
from knowledge_base.embedder import Embedder, ModelChecksumError
from knowledge_base.entry import Entry
from knowledge_base.knowledge_base import KnowledgeBase
from knowledge_base.settings import KBSettings

__all__ = [
    "Candidate",
    "Decision",
    "Embedder",
    "Entry",
    "IndexStaleError",
    "KBSettings",
    "KBValidationError",
    "KnowledgeBase",
    "ModelChecksumError",
    "Thresholds",
]
