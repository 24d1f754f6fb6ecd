"""What supervisors (and admins) do on the whole desk: see everyone's load and the longest waits, reassign
any waiting or assigned conversation to an agent, or take it over themselves.

A reassignment is event ``agent_reassigned`` (``{"handoff_id", "from_agent_id", "to_agent_id",
"by_agent_id", "take_over"}``), plus the usual ``agent_assigned`` and bus events ``handoff.transferred`` /
``handoff.assigned`` (``by``: ``reassign`` | ``take_over``). The customer hears "Luis se ha unido…" only
when the name of the person helping them changes. Agents' consoles get ``queue_changed`` and a
``reassigned`` frame (the previous agent's console closes the conversation and says who has it now).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handoff import agents as agents_crud
from handoff import desk, permissions, queue, requests
from handoff.errors import AgentNotFound, AgentUnavailable, AlreadyAssigned, NotHandedOff
from handoff.models import Agent, Handoff
from handoff.queue_notices import QueueNotices
from handoff.schemas import QueueEntry
from hub.broadcast import Broadcast
from hub.bus import Database, EventName, emit
from hub.crud import conversations, events
from hub.delivery import Delivery
from hub.errors import ConversationNotFound
from hub.models import Message, utcnow

__all__ = ["REASSIGNED", "Reassigned", "Supervision"]

REASSIGNED = "agent_reassigned"


@dataclass(frozen=True)
class Reassigned:
    handoff: Handoff
    from_agent: Agent | None
    to_agent: Agent


class Supervision:
    """Reassign and take over, on the hub database, delivery and the agents' topic."""

    def __init__(
        self, *, db: Database, delivery: Delivery, broadcast: Broadcast, notices: QueueNotices
    ) -> None:
        self._db = db
        self._delivery = delivery
        self._broadcast = broadcast
        self._notices = notices

    async def reassign(self, *, supervisor_id: int, conversation_id: int, to_agent_id: int) -> Reassigned:
        """Give the conversation (waiting, or assigned to someone else) to ``to_agent_id`` now; past
        language, skill and capacity (the supervisor sees the load). 403 ``supervisor_only``, 404
        ``conversation_not_found`` / ``agent_not_found``, 409 ``not_handed_off``, ``already_assigned``,
        ``agent_unavailable`` (disabled)."""
        take_over = supervisor_id == to_agent_id
        told: list[Message] = []
        uow = self._db.unit_of_work()
        async with uow.transaction() as session:
            supervisor = await agents_crud.get(session, agent_id=supervisor_id)
            if supervisor is None:
                raise AgentNotFound(supervisor_id)
            permissions.require_supervisor(supervisor)
            conversation = await conversations.get(session, conversation_id=conversation_id)
            if conversation is None:
                raise ConversationNotFound(conversation_id)
            target = await agents_crud.get(session, agent_id=to_agent_id)
            if target is None:
                raise AgentNotFound(to_agent_id)
            if target.disabled_at is not None:
                raise AgentUnavailable(to_agent_id)
            handoff = await queue.current(session, conversation_id=conversation_id)
            if handoff is None or handoff.state not in requests.ACTIVE:
                raise NotHandedOff(conversation_id)
            if handoff.state == requests.ASSIGNED and handoff.agent_id == target.id:
                raise AlreadyAssigned(conversation_id, target.id)
            previous = (
                await agents_crud.get(session, agent_id=handoff.agent_id)
                if handoff.state == requests.ASSIGNED and handoff.agent_id is not None
                else None
            )
            requests.assign(handoff, agent_id=target.id)
            target.last_assigned_at = handoff.claimed_at
            by = "take_over" if take_over else "reassign"
            data: dict[str, Any] = {
                "handoff_id": handoff.id,
                "from_agent_id": previous.id if previous else None,
                "to_agent_id": target.id,
                "by_agent_id": supervisor.id,
                "take_over": take_over,
            }
            await events.record(session, conversation_id=conversation_id, kind=REASSIGNED, data=data)
            if previous is not None:
                emit(
                    session,
                    EventName.HANDOFF_TRANSFERRED,
                    conversation_id=conversation_id,
                    handoff_id=handoff.id,
                    from_agent_id=previous.id,
                    to_agent_id=target.id,
                    by=by,
                    by_agent_id=supervisor.id,
                )
            if previous is not None and previous.name == target.name:
                # the same name to the customer: nothing they would notice, so nothing to say
                await events.record(
                    session,
                    conversation_id=conversation_id,
                    kind="agent_assigned",
                    data={"agent_id": target.id, "handoff_id": handoff.id, "by": by},
                )
                emit(
                    session,
                    EventName.HANDOFF_ASSIGNED,
                    conversation_id=conversation_id,
                    handoff_id=handoff.id,
                    agent_id=target.id,
                    by=by,
                )
                conversation.updated_at = utcnow()
            else:
                told.append(await desk.joined(session, conversation, handoff, target, by=by))
        if told:
            await self._delivery.deliver(conversation=conversation, messages=told)
        frame = {
            "type": "reassigned",
            "conversation_id": conversation_id,
            "from_agent_id": previous.id if previous else None,
            "to_agent_id": target.id,
            "to_agent_name": target.name,
            "by_agent_id": supervisor.id,
            "by_agent_name": supervisor.name,
        }
        await desk.publish_queue(self._broadcast, frame)
        await desk.publish_queue(
            self._broadcast, {"type": "queue_changed", "conversation_id": conversation_id}
        )
        await self._notices.after_change()
        await uow.flush()
        return Reassigned(handoff, previous, target)

    async def entry(self, handoff: Handoff) -> QueueEntry:
        """The conversation's queue entry as it is now."""
        async with self._db.sessions() as session:
            conversation = await conversations.get(session, conversation_id=handoff.conversation_id)
        if conversation is None:
            raise ConversationNotFound(handoff.conversation_id)
        return QueueEntry.of(handoff, conversation)
