"""The FAQ editor's errors: ``{"error": {"code", "message"}}`` like every hub error (Spanish / English)."""

from __future__ import annotations

from hub.errors import HubError

__all__ = ["ChangeNotFound", "EntryNotFound", "KBUnavailable", "NotEditableHere", "NothingToRevert"]


class EntryNotFound(HubError):
    code = "faq_entry_not_found"
    http_status = 404

    def __init__(self, entry_id: str, lang: str | None = None) -> None:
        which = f"{entry_id!r} ({lang})" if lang else repr(entry_id)
        super().__init__(
            f"No hay ninguna entrada {which} en las preguntas frecuentes. / There is no FAQ entry {which}."
        )


class ChangeNotFound(HubError):
    code = "faq_change_not_found"
    http_status = 404

    def __init__(self, change_id: int) -> None:
        super().__init__(f"No existe el cambio {change_id}. / There is no change {change_id}.")


class NotEditableHere(HubError):
    code = "faq_not_editable"
    http_status = 409

    def __init__(self, why: str) -> None:
        super().__init__(
            f"Esta entrada no se puede editar aquí ({why}). / This entry cannot be edited here ({why})."
        )


class NothingToRevert(HubError):
    code = "faq_nothing_to_revert"
    http_status = 409

    def __init__(self, change_id: int) -> None:
        super().__init__(
            f"El cambio {change_id} ya está deshecho: la entrada está como antes de él. / "
            f"Change {change_id} is already undone: the entry is as it was before it."
        )


class KBUnavailable(HubError):
    code = "kb_unavailable"
    http_status = 503

    def __init__(self, why: str) -> None:
        super().__init__(
            f"La base de conocimiento no está disponible ahora: {why} / "
            f"The knowledge base is not available now: {why}"
        )
