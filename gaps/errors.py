"""The gap report's errors: ``{"error": {"code", "message"}}`` like every hub error (Spanish / English)."""

from __future__ import annotations

from hub.errors import HubError

__all__ = ["ChangeMismatch", "EmbedderUnavailable", "GapNotFound"]


class GapNotFound(HubError):
    code = "gap_not_found"
    http_status = 404

    def __init__(self, message_id: int) -> None:
        super().__init__(
            f"Ninguna pregunta sin respuesta del informe es el mensaje {message_id}. / "
            f"No unanswered question of the report is message {message_id}."
        )


class ChangeMismatch(HubError):
    code = "faq_change_mismatch"
    http_status = 422

    def __init__(self, change_id: int) -> None:
        super().__init__(
            f"El cambio {change_id} no existe o no publicó esa entrada. / "
            f"Change {change_id} does not exist or did not publish that entry."
        )


class EmbedderUnavailable(HubError):
    code = "embedder_unavailable"
    http_status = 503

    def __init__(self, why: str) -> None:
        super().__init__(
            f"No se pudo abrir el modelo de la base de conocimiento para agrupar las preguntas: {why} / "
            f"The knowledge base's model could not be opened to group the questions: {why}"
        )
