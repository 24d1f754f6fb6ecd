"""Bodies of the agent API (``/api/v1/agent/...``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from handoff.models import Agent, Handoff
from handoff.policy import PRIORITIES
from hub.models import Conversation, utcnow
from hub.valid_text import StoredText

__all__ = [
    "AgentCreateIn",
    "AgentOut",
    "AgentUpdateIn",
    "LoginIn",
    "LoginOut",
    "NoteIn",
    "NoteOut",
    "PasswordChangeIn",
    "PasswordResetIn",
    "QueueEntry",
    "QueueOut",
    "ReassignIn",
    "ReplyIn",
    "StatusIn",
    "TransferIn",
    "TypingIn",
]

_PRIORITY_NAMES = {v: k for k, v in PRIORITIES.items()}


class LoginIn(BaseModel):
    email: StoredText = Field(min_length=3, max_length=254, examples=["ana@tiendasol.example"])
    password: StoredText = Field(min_length=1, max_length=1024)


class AgentOut(BaseModel):
    id: int
    email: str
    name: str
    status: Literal["online", "away", "offline"]
    languages: list[str]
    skills: list[str]
    max_concurrent: int
    role: Literal["agent", "supervisor", "admin"] = Field(
        default="agent",
        description=(
            "agent: acts on conversations assigned to them or waiting for them; supervisor: on any, and "
            "reassigns them; admin: a supervisor who also manages the agents"
        ),
    )
    active_conversations: int = Field(default=0, description="Conversations assigned to the agent now")
    disabled: bool = Field(default=False, description="Disabled by an admin: cannot log in")
    must_change_password: bool = Field(
        default=False, description="The password is a temporary one an admin set: PUT /me/password"
    )

    @classmethod
    def of(cls, agent: Agent, active: int = 0) -> AgentOut:
        return cls(
            id=agent.id,
            email=agent.email,
            name=agent.name,
            status=agent.status,  # type: ignore[arg-type]
            languages=list(agent.languages or []),
            skills=list(agent.skills or []),
            max_concurrent=agent.max_concurrent,
            role=agent.role,  # type: ignore[arg-type]
            active_conversations=active,
            disabled=agent.disabled_at is not None,
            must_change_password=bool(agent.password_temporary),
        )


class LoginOut(BaseModel):
    token: str = Field(description="Send as 'Authorization: Bearer <token>'")
    token_type: Literal["bearer"] = "bearer"
    expires_at: datetime
    agent: AgentOut


class StatusIn(BaseModel):
    status: Literal["online", "away", "offline"] = Field(
        description="online: gets conversations; away: keeps its own, gets no new ones; offline"
    )


class QueueEntry(BaseModel):
    """One conversation waiting for (or assigned to) an agent."""

    conversation_id: int
    handoff_id: int
    reason: str
    priority: Literal["low", "normal", "high"]
    language: str | None
    skill: str | None
    channel: str
    state: str
    agent_id: int | None
    requested_at: datetime
    waiting_seconds: float
    labels: list[str] = Field(default_factory=list, description="The conversation's labels (GET /queue)")
    contact_id: int = Field(
        default=0, description="The customer (an unnamed widget visitor is 'Visitante web #<contact_id>')"
    )
    customer_name: str | None = Field(
        default=None,
        description=(
            "What to call the customer (GET /queue, GET /supervision): their name, or a WhatsApp number; "
            "null for an unnamed widget visitor"
        ),
    )

    @classmethod
    def of(cls, handoff: Handoff, conversation: Conversation) -> QueueEntry:
        return cls(
            conversation_id=conversation.id,
            handoff_id=handoff.id,
            reason=handoff.reason,
            priority=_PRIORITY_NAMES.get(handoff.priority, "normal"),  # type: ignore[arg-type]
            language=handoff.language,
            skill=handoff.skill,
            channel=conversation.channel,
            state=handoff.state,
            agent_id=handoff.agent_id,
            requested_at=handoff.requested_at,
            waiting_seconds=round((utcnow() - handoff.requested_at).total_seconds(), 1),
            contact_id=conversation.contact_id,
        )


class QueueOut(BaseModel):
    waiting: list[QueueEntry] = Field(description="Most urgent first, then longest waiting")
    mine: list[QueueEntry] = Field(description="Conversations assigned to me")


class ReplyIn(BaseModel):
    text: StoredText = Field(
        min_length=1, max_length=4096, examples=["Hola, soy Ana. Miro tu pedido ahora mismo."]
    )


class NoteIn(BaseModel):
    text: StoredText = Field(min_length=1, max_length=4096, examples=["Cliente VIP, ofrecer envío gratis."])


class NoteOut(BaseModel):
    id: int
    conversation_id: int
    agent_id: int
    agent_name: str
    text: str
    created_at: datetime


class TransferIn(BaseModel):
    """Exactly one of ``agent_id`` (that agent gets it now) or ``team`` (back to the queue for the skill)."""

    agent_id: int | None = None
    team: StoredText | None = Field(default=None, min_length=1, max_length=40, examples=["billing"])
    note: StoredText | None = Field(
        default=None, max_length=4096, description="Private note for the next agent"
    )

    @model_validator(mode="after")
    def _one_target(self) -> TransferIn:
        if (self.agent_id is None) == (self.team is None):
            raise ValueError("give exactly one of agent_id (to that agent) or team (back to the queue "
                             "for that skill), not both and not neither")
        return self


class TypingIn(BaseModel):
    on: bool = Field(description="true while the agent writes; false when they stop (or sent the reply)")


Role = Literal["agent", "supervisor", "admin"]


def _language(value: str) -> str:
    code = value.strip().lower()
    if not code.isascii() or not code.isalpha() or not 2 <= len(code) <= 8:
        raise ValueError(f"{value!r} is not a language code such as 'es' or 'en'")
    return code


Code = Annotated[str, AfterValidator(_language)]
Skill = Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=1, max_length=40)]
Name = Annotated[StoredText, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Password = Annotated[StoredText, StringConstraints(min_length=8, max_length=1024)]


class AgentCreateIn(BaseModel):
    """A new agent (an admin's form); offline until they log in with the temporary password."""

    email: Annotated[StoredText, StringConstraints(strip_whitespace=True, to_lower=True, max_length=254,
                                                   pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    name: Name
    password: Password = Field(description="Temporary password (at least 8 characters) to tell the agent")
    role: Role = "agent"
    languages: list[Code] = Field(default=["es"], min_length=1, max_length=10, examples=[["es", "en"]])
    skills: list[Skill] = Field(default=[], max_length=20, examples=[["orders"]])
    max_concurrent: int = Field(default=3, ge=1, le=50, description="Conversations at once")


class AgentUpdateIn(BaseModel):
    """What an admin changes on an agent; a field left out stays as it is."""

    name: Name | None = None
    role: Role | None = None
    languages: list[Code] | None = Field(default=None, min_length=1, max_length=10)
    skills: list[Skill] | None = Field(default=None, max_length=20)
    max_concurrent: int | None = Field(default=None, ge=1, le=50)
    disabled: bool | None = Field(
        default=None,
        description="true: no logins, sessions end, every conversation goes back (HANDOFF_RETURN_TO)",
    )


class PasswordResetIn(BaseModel):
    password: Password = Field(description="Temporary password the admin tells the agent; their sessions end")


class ReassignIn(BaseModel):
    agent_id: int = Field(description="The agent who gets the conversation now")


class PasswordChangeIn(BaseModel):
    current_password: StoredText = Field(min_length=1, max_length=1024)
    new_password: Password = Field(description="At least 8 characters, not the current one")
