"""The handoff package's answer to the hub's :class:`hub.seams.TurnPolicy`: when a turn goes to a person.

The hub's bot turn calls :meth:`DeskPolicy.decide` and :meth:`DeskPolicy.hand_off` inside its answer
transaction (and once more when the turn's NLU is stored). :meth:`hand_off` records the request (a
``handoffs`` row, event ``bot_handoff``), opens the conversation through ``hub.status`` and tells the
customer their place in the queue in the same message; ``handoff.requested`` is published after the
commit, and handoff/listeners.py pauses Rasa and auto-assigns then.
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handoff import after_hours, notices, queue, rasa_tracker, requests, turns
from handoff.models import Handoff
from handoff.policy import Policy
from handoff.settings import HandoffSettings
from hub import status
from hub.bus import EventName, emit
from hub.crud import events
from hub.models import Conversation, Message, utcnow
from hub.seams import Decision

__all__ = ["DeskPolicy", "HandoffChange", "policy_of"]

log = logging.getLogger(__name__)


def policy_of(settings: HandoffSettings) -> Policy:
    return settings.policy().policy


@dataclass
class HandoffChange(status.StatusChange):
    handoff: Handoff | None = None


def _one_voice(
    decision: Decision | None, *, bot_handoff: dict[str, Any] | None, bot_owned: bool
) -> Decision | None:
    """The handoff's own message replaces the bot's words of this turn when the bot's words are its
    "te paso con una persona" (said once, with the truth after it) or an answer a complaining or
    shouting customer must not get (again) before a person: a person first."""
    if decision is None or not bot_owned:
        return decision
    if bot_handoff is not None or decision.reason in notices.APOLOGY_REASONS:
        return dataclasses.replace(decision, replaces_bot_replies=True)
    return decision


class DeskPolicy:
    """Policy file (handoff/policy.yml), business hours and the queue, behind the hub's seam."""

    def __init__(self, settings: HandoffSettings) -> None:
        self.settings = settings

    async def decide(
        self,
        session: AsyncSession,
        *,
        conversation: Conversation,
        message: Message,
        bot_handoff: dict[str, Any] | None,
    ) -> Decision | None:
        """The policy's decision on this customer turn (None: the bot keeps the conversation)."""
        if not status.is_bot_owned(conversation) and bot_handoff is None:
            return None
        turn = await turns.build(session, conversation=conversation, message=message, bot_handoff=bot_handoff)
        try:
            decision = policy_of(self.settings).evaluate(turn)
        except Exception:
            # A broken policy file must not silence the bot; the bot's own request still counts.
            log.exception("handoff policy failed", extra={"conversation_id": conversation.id})
            if bot_handoff is None:
                return None
            detail = bot_handoff.get("detail")
            decision = Decision(
                str(bot_handoff.get("reason") or "explicit_request"),
                detail=dict(detail) if isinstance(detail, dict) else {},
            )
        return _one_voice(decision, bot_handoff=bot_handoff, bot_owned=status.is_bot_owned(conversation))

    async def hand_off(
        self,
        session: AsyncSession,
        *,
        conversation: Conversation,
        decision: Decision,
        message_id: int | None,
        announced: bool = False,
    ) -> HandoffChange:
        """Record the request, open the conversation, tell the customer their place in the queue.

        ``announced``: the bot's own reply of this turn already said a person is coming, so the notice
        gives only the place and the wait (the customer is not told "te paso con una persona" twice).
        While the desk is closed (handoff/hours.py) the customer is told when it opens instead, and the
        decision's detail records it (handoff/after_hours.py); the handoff waits in the queue all the same.
        On a conversation people already own, only the request is recorded (state ``noted``).
        """
        settings = self.settings
        pending = status.is_bot_owned(conversation)
        closed = None
        if pending:
            closed = after_hours.closed_now(
                settings, language=conversation.language, skill=decision.skill, now=utcnow()
            )
        detail = ({**decision.detail, **closed.detail} if closed else decision.detail) or None
        handoff = await requests.create(
            session,
            conversation_id=conversation.id,
            reason=decision.reason,
            detail=detail,
            message_id=message_id,
            priority=decision.priority,
            language=conversation.language,
            skill=decision.skill,
            noted=not pending,
        )
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="bot_handoff",
            message_id=message_id,
            data={
                "reason": decision.reason,
                "detail": detail,
                "handoff_id": handoff.id,
                "priority": decision.priority,
            },
        )
        emit(
            session,
            EventName.HANDOFF_REQUESTED,
            conversation_id=conversation.id,
            handoff_id=handoff.id,
            reason=decision.reason,
            state=str(handoff.state),
        )
        change = HandoffChange(conversation, handoff=handoff)
        if not pending:
            return change
        rasa_tracker.stage(session, conversation_id=conversation.id, event="pause")  # sent after the commit
        change.messages = (
            await status.open_for_people(
                session,
                conversation=conversation,
                reason=decision.reason,
                text=notices.handed_to_people(conversation.language, reason=decision.reason),
            )
        ).messages
        notice = change.messages[-1]
        if message_id is not None:
            notice.in_reply_to_id = message_id  # the customer's message is answered (the widget's tick)
        if closed is not None:
            notice.text = notices.handed_while_closed(
                conversation.language, reason=decision.reason, closed_text=closed.text
            )
            notice.context = {**(notice.context or {}), **closed.detail}
            return change
        place = await queue.position(session, handoff=handoff)
        wait = await queue.estimated_wait(
            session,
            position=place,
            language=handoff.language,
            default_handle_seconds=settings.handoff_default_handle_seconds,
        )
        where = notices.queue_position(conversation.language, position=place, wait_seconds=wait)
        notice.text = where if announced else f"{notice.text} {where}"
        notice.context = {**(notice.context or {}), "queue_position": place, "estimated_wait_seconds": wait}
        await events.record(
            session,
            conversation_id=conversation.id,
            kind="queue_position_sent",
            data={"handoff_id": handoff.id, "position": place, "estimated_wait_seconds": wait},
        )
        return change
