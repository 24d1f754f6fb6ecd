"""The agents' desk (handoff/desk.py) on the fast domain layer: no app, no HTTP, a recording channel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from handoff import agents
from hub.bus import EventName
from tests.support.domain import Domain, domain_services


def _handing_off(_text: str, _metadata: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"custom": {"handoff": {"reason": "explicit_request", "detail": {}}}}]


async def _agent(domain: Domain, email: str, name: str) -> int:
    async with domain.services.sessions.begin() as session:
        agent = await agents.create(session, email=email, name=name, password="pw-123456", languages=["es"])
        await agents.set_status(session, agent=agent, status="online")
        return agent.id


async def test_claim_reply_and_resolve_reach_the_customer_in_order(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        domain.rasa.reply = _handing_off
        conversation_id = (await domain.customer("quiero una persona")).conversation.id
        ana = await _agent(domain, "ana@x.example", "Ana")
        await domain.desk.claim(agent_id=ana)
        await domain.desk.reply(agent_id=ana, conversation_id=conversation_id, text="Hola, soy Ana")
        resolved = await domain.desk.resolve(agent_id=ana, conversation_id=conversation_id)
        assert resolved.status == "resolved"
        joined, answer = domain.said(conversation_id)[1:3]  # then the resolution's words (surveys)
        assert joined.startswith("Ana se ha unido") and answer == "Hola, soy Ana"
        assert domain.names(conversation_id)[-3:] == [
            EventName.HANDOFF_ASSIGNED,
            EventName.HANDOFF_ENDED,
            EventName.CONVERSATION_RESOLVED,
        ]


async def test_hand_back_gives_the_conversation_to_the_bot_and_resumes_rasa(tmp_path: Path) -> None:
    async with domain_services(tmp_path) as domain:
        domain.rasa.reply = _handing_off
        conversation_id = (await domain.customer("quiero una persona")).conversation.id
        ana = await _agent(domain, "ana@x.example", "Ana")
        await domain.desk.claim(agent_id=ana, conversation_id=conversation_id)
        back = await domain.desk.hand_back(agent_id=ana, conversation_id=conversation_id)
        assert back.status == "pending"
        assert (str(conversation_id), "resume") in domain.rasa.events
        domain.rasa.reply = lambda text, _m: [{"text": f"echo: {text}"}]
        await domain.customer("hola otra vez")
        assert domain.said(conversation_id)[-1] == "echo: hola otra vez"
