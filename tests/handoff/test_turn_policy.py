"""The desk's turn policy (hub/seams.py TurnPolicy): a handoff request and its status change."""

from __future__ import annotations

import sqlalchemy as sa
from handoff_testing import Desk
from sqlalchemy.ext.asyncio import AsyncSession

from handoff.models import Handoff
from handoff.turn_policy import DeskPolicy
from hub.seams import Decision
from tests.fakes.rasa import FakeRasa
from tests.support.conversation_changes import change, events_of


def test_a_second_handoff_request_is_recorded_without_another_status_change(
    any_db_desk: Desk, rasa: FakeRasa
) -> None:
    rasa.reply = lambda text, _m: [{"custom": {"handoff": {"reason": "frustration"}}}]
    desk = any_db_desk
    receipt = desk.post("no me entiendes").json()
    conversation_id = receipt["conversation_id"]
    desk.wait_idle(conversation_id)
    policy = DeskPolicy(desk.handoff_settings)
    decision = Decision("complaint", detail={"note": "again"})
    desk.db(change(conversation_id, policy.hand_off, decision=decision, message_id=None))

    async def reasons(session: AsyncSession) -> list[str]:
        query = (
            sa.select(Handoff.reason).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
        )
        return list((await session.execute(query)).scalars())

    assert desk.db(reasons) == ["frustration", "complaint"]
    kinds = [kind for kind, _ in desk.db(events_of(conversation_id))]
    assert kinds.count("bot_handoff") == 2
    assert kinds.count("status_changed") == 1
