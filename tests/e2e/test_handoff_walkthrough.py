"""Issue #5 "done when", tried as a customer and an agent would: real Rasa, action server and hub.

A widget customer and a WhatsApp customer (through the fake Graph API server) ask for a person and are
told their place in the queue and the wait; an agent sees the whole context, replies, transfers to a
colleague with a note, the colleague resolves; the bot answers the customer's next question again. A
third walk hands the conversation back to the bot instead. What each customer saw and the timings are
printed (``pytest -s``); docs/handoff_walkthrough.md has a run by hand.
"""

from __future__ import annotations

import asyncio
import re
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from walkthrough_testing import (
    AgentDesk,
    ConversationWatch,
    WhatsAppCustomer,
    WidgetCustomer,
    add_agent,
    kb_answer,
)

from ops.run import Endpoints
from tests.fakes.graph_api import FakeGraphAPI

ASK_FOR_A_HUMAN = "no me sirve, quiero un humano"
FAQ = "cuanto tarda el envio?"
POSITION = re.compile(
    r"posición (?P<position>\d+) de la cola\. Tiempo estimado de espera: "
    r"(?:menos de un minuto|unos (?P<minutes>\d+) minutos)\."
)
HANDOFF_REASONS = ("explicit_request", "complaint", "frustration")
PASSWORD = "walkthrough-pass-1"


@dataclass(frozen=True)
class Team:
    first: AgentDesk
    second: AgentDesk


@pytest.fixture(scope="module")
def team_accounts(stack: Endpoints, stack_dir: Path) -> tuple[str, str]:
    """Two agents (es, en), created with `python -m handoff add-agent` as an admin would."""
    suffix = uuid.uuid4().hex[:6]
    emails = (f"ana-{suffix}@tiendasol.example", f"luis-{suffix}@tiendasol.example")
    add_agent(stack_dir, email=emails[0], name="Ana", password=PASSWORD)
    add_agent(stack_dir, email=emails[1], name="Luis", password=PASSWORD)
    return emails


@pytest.fixture
async def team(stack: Endpoints, team_accounts: tuple[str, str]) -> AsyncIterator[Team]:
    """Both agents logged in and online (so the customer gets a wait estimate, not "nobody online")."""
    desks = [AgentDesk(stack.hub, email=email, password=PASSWORD) for email in team_accounts]
    for desk in desks:
        await desk.log_in()
    yield Team(desks[0], desks[1])
    for desk in desks:
        await desk.aclose()


@pytest.fixture
async def widget(stack: Endpoints) -> AsyncIterator[WidgetCustomer]:
    customer = WidgetCustomer(stack.hub)
    await customer.open()
    yield customer
    await customer.close()


@pytest.fixture
async def whatsapp(stack: Endpoints, graph_api: FakeGraphAPI) -> AsyncIterator[WhatsAppCustomer]:
    customer = WhatsAppCustomer(stack.hub, graph_api, name="Marta Ruiz")
    yield customer
    await customer.aclose()


def report(title: str, lines: list[str]) -> None:
    print(f"\n--- {title}", *lines, sep="\n  ", flush=True)


def one_line(text: str) -> str:
    return " ".join(text.split())


async def queue_entry(agent: AgentDesk, conversation_id: int) -> tuple[dict[str, Any], int]:
    """The conversation's entry in the queue and its place among the waiting Spanish conversations."""
    waiting = [e for e in (await agent.queue())["waiting"] if e["language"] == "es"]
    ids = [e["conversation_id"] for e in waiting]
    assert conversation_id in ids, f"conversation {conversation_id} is not waiting: {waiting}"
    return waiting[ids.index(conversation_id)], ids.index(conversation_id) + 1


async def full_context(agent: AgentDesk, conversation_id: int, turns: int) -> dict[str, Any]:
    """The context once Rasa's NLU of every customer turn is stored (that happens off the answer path)."""
    for _ in range(100):
        context = await agent.context(conversation_id)
        if len(context["turns"]) >= turns and all(t["intent"] for t in context["turns"]):
            return context
        await asyncio.sleep(0.1)
    raise AssertionError(f"turns without NLU: {context['turns']}")


def assert_agent_sees_everything(context: dict[str, Any], customer_texts: list[str], channel: str) -> None:
    """What the agent needs without asking the customer anything."""
    assert context["channel"] == channel and context["language"] == "es"
    assert context["handoff"]["reason"] in HANDOFF_REASONS, context["handoff"]
    assert [t["text"] for t in context["turns"]] == customer_texts
    for turn in context["turns"]:
        assert turn["intent"] and 0 < turn["confidence"] <= 1 and turn["intent_ranking"], turn
    assert context["turns"][0]["bot_replies"], "what the bot answered to the greeting"
    transcript = [m["text"] for c in context["transcript"] for m in c["messages"]]
    assert all(text in transcript for text in customer_texts)
    assert any(POSITION.search(text) for text in transcript), "the queue notice the customer got"
    assert context["slots"].get("language") == "es" and "session_started_metadata" not in context["slots"]
    assert context["summary"], "a summary of what the customer wants"
    assert context["sentiment"]["label"] == "negative", "\"no me sirve\" is not a neutral customer"


def context_lines(context: dict[str, Any]) -> list[str]:
    turns = [(t["text"], t["intent"], round(t["confidence"], 2)) for t in context["turns"]]
    return [
        f"agent context: reason={context['handoff']['reason']} channel={context['channel']} "
        f"language={context['language']} sentiment={context['sentiment']}",
        f"  turns (text, intent, confidence): {turns}",
        f"  summary: {context['summary']!r}",
    ]


async def test_widget_customer_is_helped_by_two_agents_then_the_bot_answers_again(
    stack: Endpoints, widget: WidgetCustomer, team: Team
) -> None:
    hello = await widget.say("hola")
    greeting = await widget.answer_to(hello)
    assert [g["sender_type"] for g in greeting] == ["bot"] * len(greeting)
    assert re.search(r"\bhola\b", greeting[0]["text"], re.IGNORECASE), greeting

    ask = await widget.say(ASK_FOR_A_HUMAN)
    notice = await widget.sees(lambda f: bool(POSITION.search(f["text"])), "its queue position and wait")
    told_s = time.perf_counter() - ask.sent_at
    conversation_id = ask.conversation_id
    entry, place = await queue_entry(team.first, conversation_id)
    told = POSITION.search(notice["text"])
    assert told is not None and int(told["position"]) == place
    assert entry["channel"] == "widget" and entry["reason"] in HANDOFF_REASONS

    await team.first.claim(conversation_id)
    joined = await widget.sees(lambda f: "Ana" in f["text"], "that Ana joined")
    assert "se ha unido" in joined["text"]
    context = await full_context(team.first, conversation_id, turns=2)
    assert_agent_sees_everything(context, ["hola", ASK_FOR_A_HUMAN], "widget")
    # the widget holds a hub-signed token "<session id>.<signature>"; the identity is the session id
    session_id = widget.session_id.rsplit(".", 1)[0]
    # (verified: the hub issued the session; a phone or email the visitor types is not, docs/security.md)
    widget_identity = {"channel": "widget", "source_id": session_id, "verified": True}
    assert widget_identity in context["contact"]["identities"]

    async with ConversationWatch.open(stack.hub, conversation_id, token=team.first.token) as console:
        agent_text = "Hola, soy Ana. ¿Qué es lo que no te ha servido?"
        await team.first.reply(conversation_id, agent_text)
        shown = await widget.sees(lambda f: f["text"] == agent_text, "Ana's reply")
        assert shown["sender_type"] == "agent"

        problem = await widget.say("mi pedido AB-12345 no ha llegado todavía")
        live = await console.message(lambda m: m["id"] == problem.message_id)
        assert live["message_type"] == "incoming" and live["text"] == problem.text

        note = "Pedido AB-12345 retrasado; ya lo explicó todo, no se lo vuelvas a preguntar."
        await team.first.transfer(conversation_id, to_agent_id=team.second.me["id"], note=note)
        await widget.sees(lambda f: "Luis se ha unido" in f["text"], "that Luis joined")
        assert conversation_id in [e["conversation_id"] for e in (await team.second.queue())["mine"]]
        handed_over = await team.second.context(conversation_id)
        assert note in [n["text"] for c in handed_over["transcript"] for n in c["notes"]]
        assert problem.text in [t["text"] for t in handed_over["turns"]]

        closing = "Tu pedido sale hoy y te llega mañana. ¡Gracias por tu paciencia!"
        await team.second.reply(conversation_id, closing)
        await widget.sees(lambda f: f["text"] == closing and f["sender_type"] == "agent", "Luis's reply")
        await team.second.resolve(conversation_id)
        assert (await console.status())["status"] == "resolved"

    question = await widget.say(FAQ)
    answer = await widget.answer_to(question)
    assert question.conversation_id == conversation_id, "within REOPEN_WINDOW_HOURS: reopened for the bot"
    assert [a["sender_type"] for a in answer] == ["bot"] * len(answer)
    assert kb_answer("envio-plazo", "es") in one_line(" ".join(a["text"] for a in answer))
    assert all(note not in f["text"] for f in widget.shown), "a note is never shown to the customer"

    report(
        "widget walkthrough (what the customer saw)",
        [f"{f['sender_type'] or 'system'}> {one_line(f['text'])}" for f in widget.shown]
        + [
            f"receipt of {ASK_FOR_A_HUMAN!r}: {ask.receipt_ms:.0f} ms; position message after {told_s:.2f} s",
            *context_lines(context),
        ],
    )


async def test_whatsapp_customer_is_helped_by_two_agents_then_the_bot_answers_again(
    whatsapp: WhatsAppCustomer, team: Team
) -> None:
    wamid, hello_ms = await whatsapp.say("hola")
    read_s = await whatsapp.read_receipt(wamid)
    greeting = await whatsapp.gets(lambda t: bool(re.search(r"\bhola\b", t, re.IGNORECASE)), "a greeting")

    wamid, ask_ms = await whatsapp.say(ASK_FOR_A_HUMAN)
    asked_at = time.perf_counter()
    await whatsapp.read_receipt(wamid)
    notice = await whatsapp.gets(lambda t: bool(POSITION.search(t)), "its queue position and wait")
    told_s = time.perf_counter() - asked_at

    waiting = [e for e in (await team.first.queue())["waiting"] if e["channel"] == "whatsapp"]
    contexts = {e["conversation_id"]: await team.first.context(e["conversation_id"]) for e in waiting}
    mine = [cid for cid, c in contexts.items() if c["contact"]["name"] == whatsapp.name
            and {"channel": "whatsapp", "source_id": whatsapp.wa_id, "verified": True}
            in c["contact"]["identities"]]
    assert len(mine) == 1, f"the agent cannot tell which waiting WhatsApp conversation is Marta's: {waiting}"
    conversation_id = mine[0]
    _entry, place = await queue_entry(team.first, conversation_id)
    told = POSITION.search(notice)
    assert told is not None and int(told["position"]) == place

    await team.first.claim(conversation_id)
    await whatsapp.gets(lambda t: "Ana se ha unido" in t, "that Ana joined")
    context = await full_context(team.first, conversation_id, turns=2)
    assert_agent_sees_everything(context, ["hola", ASK_FOR_A_HUMAN], "whatsapp")

    agent_text = "Hola Marta, soy Ana. Cuéntame qué ha pasado."
    await team.first.reply(conversation_id, agent_text)
    await whatsapp.gets(lambda t: t == agent_text, "Ana's reply")

    problem = "me cobrasteis dos veces el pedido AB-12345"
    wamid, _ = await whatsapp.say(problem)
    await whatsapp.read_receipt(wamid)
    latest = (await team.first.context(conversation_id))["turns"][-1]
    assert latest["text"] == problem and latest["bot_state"] == "skipped", "the bot stays silent"

    note = "Doble cobro en AB-12345: pasa a facturación."
    await team.first.transfer(conversation_id, to_agent_id=team.second.me["id"], note=note)
    await whatsapp.gets(lambda t: "Luis se ha unido" in t, "that Luis joined")
    closing = "He devuelto el cobro duplicado; lo verás en 3-5 días."
    await team.second.reply(conversation_id, closing)
    await whatsapp.gets(lambda t: t == closing, "Luis's reply")
    resolved = await team.second.resolve(conversation_id)
    assert resolved["status"] == "resolved"

    wamid, _ = await whatsapp.say(FAQ)
    await whatsapp.read_receipt(wamid)
    expected = kb_answer("envio-plazo", "es")
    answer = await whatsapp.gets(lambda t: expected[:60] in one_line(t), "the FAQ answer from the bot")
    await whatsapp.gets(lambda t: t.startswith("Más información: https://"), "the answer's link")
    assert note not in " ".join(whatsapp.received())

    report(
        "WhatsApp walkthrough (what the customer got through the Graph API)",
        [f"> {one_line(t)}" for t in whatsapp.received()]
        + [
            f"webhook 200 in {hello_ms:.0f} ms / {ask_ms:.0f} ms; read receipt {read_s * 1000:.0f} ms after "
            f"the 200; position message {told_s:.2f} s after the 200",
            f"greeting: {greeting!r}; answer: {one_line(answer)[:80]!r}...",
            *context_lines(context),
        ],
    )


async def test_agent_hands_back_to_the_bot_which_answers_the_next_question(
    stack: Endpoints, widget: WidgetCustomer, team: Team
) -> None:
    ask = await widget.say("quiero hablar con una persona")
    await widget.sees(lambda f: bool(POSITION.search(f["text"])), "its queue position and wait")
    conversation_id = ask.conversation_id
    await team.first.claim(conversation_id)
    await widget.sees(lambda f: "Ana se ha unido" in f["text"], "that Ana joined")
    agent_text = "Te dejo con el asistente, que sabe de plazos de envío."
    await team.first.reply(conversation_id, agent_text)
    await widget.sees(lambda f: f["text"] == agent_text, "Ana's reply")

    back = await team.first.hand_back(conversation_id)
    assert back["status"] == "pending"
    await widget.sees(lambda f: "asistente virtual" in f["text"], "that the bot is back")

    question = await widget.say(FAQ)
    answer = await widget.answer_to(question)
    assert question.conversation_id == conversation_id, "hand-back keeps the conversation"
    assert [a["sender_type"] for a in answer] == ["bot"] * len(answer)
    assert kb_answer("envio-plazo", "es") in one_line(" ".join(a["text"] for a in answer))
    report(
        "hand-back walkthrough (what the customer saw)",
        [f"{f['sender_type'] or 'system'}> {one_line(f['text'])}" for f in widget.shown],
    )
