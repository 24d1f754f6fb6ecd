"""Errors of the learning API; each says what to do, and its HTTP status (``http_status``)."""

from __future__ import annotations

from hub.errors import HubError

__all__ = [
    "AdminsOnly", "ExampleNotFound", "FaqRequired", "MessageNotFound", "NotACustomerMessage",
    "SupervisorsOnly", "UnknownFaq",
]


class MessageNotFound(HubError):
    code = "message_not_found"
    http_status = 404

    def __init__(self, message_id: int) -> None:
        super().__init__(
            f"No message has id {message_id}; take ids from GET /api/v1/conversations/{{id}}/messages."
        )


class NotACustomerMessage(HubError):
    code = "not_a_customer_message"
    http_status = 422

    def __init__(self, message_id: int) -> None:
        super().__init__(
            f"Message {message_id} is not the customer's: only a customer's turn is labelled "
            "(message_type incoming)."
        )


class FeedbackAnswer(HubError):
    code = "feedback_answer"
    http_status = 422

    def __init__(self, message_id: int, query_id: int | None) -> None:
        super().__init__(
            f"Message {message_id} answers «¿Te ha servido?»; it is not a question. Label the question it "
            f"was about{f' (message {query_id})' if query_id else ''}. / Message {message_id} answers 'Did "
            "this help?'; label the question it was about."
        )


class FaqRequired(HubError):
    code = "faq_required"
    http_status = 422

    def __init__(self) -> None:
        super().__init__(
            "Di qué FAQ lo responde: entry_id (búscala con GET /api/v1/learning/faq?q=). / "
            "Say which FAQ answers it: entry_id (search with GET /api/v1/learning/faq?q=)."
        )


class UnknownFaq(HubError):
    code = "unknown_faq"
    http_status = 422

    def __init__(self, entry_id: str) -> None:
        super().__init__(
            f"La FAQ {entry_id!r} no existe; búscala con GET /api/v1/learning/faq?q=. / "
            f"No FAQ has id {entry_id!r}; search with GET /api/v1/learning/faq?q=."
        )


class SupervisorsOnly(HubError):
    code = "supervisor_only"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "Solo un supervisor ve y exporta las señales. / Only a supervisor sees and exports the signals."
        )


class AdminsOnly(HubError):
    code = "admin_only"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "Solo un administrador quita ejemplos aprendidos. / Only an admin removes learned examples."
        )


class ExampleNotFound(HubError):
    code = "learned_example_not_found"
    http_status = 404

    def __init__(self, example_id: int) -> None:
        super().__init__(
            f"No hay ningún ejemplo aprendido con id {example_id}; míralos en "
            "GET /api/v1/learning/examples. / "
            f"No learned example has id {example_id}; list them with GET /api/v1/learning/examples."
        )
