"""Errors of the agent desk; each says what to do, and its HTTP status (``http_status``)."""

from __future__ import annotations

from hub.errors import ConversationNotAllowed, HubError, NotAuthenticated

__all__ = [
    "AdminOnly",
    "AgentDisabled",
    "AgentEmailTaken",
    "AgentNotFound",
    "AgentUnavailable",
    "AlreadyAssigned",
    "AlreadyClaimed",
    "ContactNotAllowed",
    "ConversationNotAllowed",
    "InvalidCredentials",
    "LoginLocked",
    "NotAuthenticated",
    "NotHandedOff",
    "NotYourConversation",
    "NotYourQueue",
    "NothingToClaim",
    "OverCapacity",
    "OwnAccount",
    "PasswordUnchanged",
    "SupervisorOnly",
    "WrongConversationState",
    "WrongPassword",
]


class LoginLocked(HubError):
    code = "login_locked"
    http_status = 429

    def __init__(self, minutes: int) -> None:
        super().__init__(
            f"Too many wrong passwords: this login is locked for {minutes} more minute(s). Wait, "
            "or ask an admin to reset the password (python -m handoff reset-password).")


class AgentDisabled(HubError):
    code = "agent_disabled"
    http_status = 403

    def __init__(self) -> None:
        super().__init__("This agent account is disabled; ask an admin (python -m handoff "
                         "enable-agent).")


class InvalidCredentials(HubError):
    code = "invalid_credentials"
    http_status = 401

    def __init__(self) -> None:
        super().__init__("Wrong email or password. Check both; an admin can reset the password.")


class AgentNotFound(HubError):
    code = "agent_not_found"
    http_status = 404

    def __init__(self, agent_id: int) -> None:
        super().__init__(f"No agent has id {agent_id}. List agents with GET /api/v1/agent/agents.")


class NothingToClaim(HubError):
    code = "queue_empty"
    http_status = 404

    def __init__(self) -> None:
        super().__init__(
            "No waiting conversation matches your languages and skills. Check GET /api/v1/agent/queue."
        )


class AlreadyClaimed(HubError):
    code = "already_claimed"
    http_status = 409

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"Conversation {conversation_id} is not waiting for an agent (another agent took it, or it "
            "ended). Claim the next one with POST /api/v1/agent/queue/claim."
        )


class OverCapacity(HubError):
    code = "over_capacity"
    http_status = 409

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"You already handle {limit} conversations, your maximum. Resolve or hand one back first."
        )


class NotYourConversation(HubError):
    code = "not_your_conversation"
    http_status = 403

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"Conversation {conversation_id} is not assigned to you. Claim it first "
            f"(POST /api/v1/agent/conversations/{conversation_id}/claim)."
        )


class WrongConversationState(HubError):
    code = "wrong_conversation_state"
    http_status = 409

    def __init__(self, conversation_id: int, status: str, wanted: str) -> None:
        super().__init__(f"Conversation {conversation_id} is {status}; this needs it {wanted}.")


class ContactNotAllowed(HubError):
    code = "contact_not_allowed"
    http_status = 403

    def __init__(self, contact_id: int) -> None:
        super().__init__(
            f"No puedes ver ni fusionar el contacto {contact_id}: ninguna de sus conversaciones está "
            "asignada a ti ni espera en una cola que puedas atender; pídeselo a un supervisor. / "
            f"You may not see or merge contact {contact_id}: none of its conversations is assigned to you "
            "or waiting in a queue you can take; ask a supervisor."
        )


class NotYourQueue(HubError):
    code = "not_your_queue"
    http_status = 403

    def __init__(self, conversation_id: int, language: str | None, skill: str | None) -> None:
        needs = f"'{language or '-'}'" + (f" / '{skill}'" if skill else "")
        super().__init__(
            f"La conversación {conversation_id} espera a alguien con idioma / habilidad {needs}, que no "
            "tienes; un supervisor puede tomarla o transferirla. / "
            f"Conversation {conversation_id} waits for someone with language / skill {needs}, which you "
            "lack; a supervisor can claim or transfer it."
        )


class SupervisorOnly(HubError):
    code = "supervisor_only"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "Solo un supervisor puede hacer esto (python -m handoff set-role --role supervisor). / "
            "Only a supervisor may do this (python -m handoff set-role --role supervisor)."
        )


class AdminOnly(HubError):
    code = "admin_only"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "Solo un administrador puede gestionar agentes (python -m handoff set-role --role admin). / "
            "Only an admin may manage agents (python -m handoff set-role --role admin)."
        )


class AgentEmailTaken(HubError):
    code = "agent_email_taken"
    http_status = 409

    def __init__(self, email: str) -> None:
        super().__init__(
            f"Ya hay un agente con el correo {email}; edítalo en vez de crear otro. / "
            f"An agent with email {email} already exists; edit it instead of creating another."
        )


class AgentUnavailable(HubError):
    code = "agent_unavailable"
    http_status = 409

    def __init__(self, agent_id: int) -> None:
        super().__init__(
            f"El agente {agent_id} está desactivado; elige a otra persona. / "
            f"Agent {agent_id} is disabled; pick someone else."
        )


class AlreadyAssigned(HubError):
    code = "already_assigned"
    http_status = 409

    def __init__(self, conversation_id: int, agent_id: int) -> None:
        super().__init__(
            f"La conversación {conversation_id} ya es del agente {agent_id}. / "
            f"Conversation {conversation_id} is already assigned to agent {agent_id}."
        )


class NotHandedOff(HubError):
    code = "not_handed_off"
    http_status = 409

    def __init__(self, conversation_id: int) -> None:
        super().__init__(
            f"La conversación {conversation_id} no espera a nadie ni la atiende nadie (la lleva el bot o "
            "está cerrada): no hay nada que reasignar. / "
            f"Conversation {conversation_id} is neither waiting nor assigned (the bot has it, or it is "
            "closed): there is nothing to reassign."
        )


class OwnAccount(HubError):
    code = "own_account"
    http_status = 409

    def __init__(self) -> None:
        super().__init__(
            "No puedes desactivar tu propia cuenta ni quitarte el rol de administrador: pídeselo a otro "
            "administrador. / You cannot disable your own account or drop your own admin role: ask "
            "another admin."
        )


class WrongPassword(HubError):
    code = "wrong_password"
    http_status = 403

    def __init__(self) -> None:
        super().__init__(
            "La contraseña actual no es correcta; no se ha cambiado nada. / "
            "The current password is wrong; nothing was changed."
        )


class PasswordUnchanged(HubError):
    code = "password_unchanged"
    http_status = 422

    def __init__(self) -> None:
        super().__init__(
            "La nueva contraseña debe ser distinta de la actual. / "
            "The new password must differ from the current one."
        )
