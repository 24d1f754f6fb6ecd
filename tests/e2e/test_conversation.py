"""The issue's demo conversations, through the hub, answered by the real Rasa and action server."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
import yaml

from ops.hub_client import Answer, HubClient
from ops.run import Endpoints

KB_DIR = Path(__file__).resolve().parents[2] / "knowledge_base" / "data" / "demo"


def kb_reply(entry_id: str, lang: str) -> str:
    """The FAQ answer as the bot says it: introduced by the question it answers."""
    for path in (KB_DIR / lang).glob("*.yaml"):
        for entry in yaml.safe_load(path.read_text()):
            if entry["id"] == entry_id:
                question, answer = str(entry["question"]).strip(), str(entry["answer"]).strip()
                intro = {"es": f"Sobre «{question}»: ", "en": f'About "{question}": '}[lang]
                return intro + answer
    raise KeyError(entry_id)


@pytest.fixture
async def customer(stack: Endpoints) -> AsyncIterator[HubClient]:
    client = HubClient(stack.hub, api_key=stack.api_key)
    yield client
    await client.aclose()


async def say(customer: HubClient, text: str) -> Answer:
    sent = await customer.send(text)
    assert sent.http_status == 202 and sent.receipt["status"] == "received"
    return await customer.wait_answer(sent, timeout_s=90)


@pytest.mark.parametrize(
    ("greeting", "expected"), [("hola", r"\bhola\b"), ("hi", r"\b(hi|hello)\b")]
)
async def test_greeting_is_answered_in_the_customers_language(
    customer: HubClient, greeting: str, expected: str
) -> None:
    answer = await say(customer, greeting)
    assert re.search(expected, answer.text, re.IGNORECASE), answer.text


@pytest.mark.parametrize(
    ("question", "lang"),
    [("cuanto tarda el envio?", "es"), ("how long does shipping take?", "en")],
)
async def test_faq_question_gets_the_knowledge_base_answer(
    customer: HubClient, question: str, lang: str
) -> None:
    answer = await say(customer, question)
    assert kb_reply("envio-plazo", lang) in answer.text


@pytest.mark.parametrize(
    ("question", "lang"), [("dnd esta mi pedido AB-12345", "es"), ("where is my order AB-12345", "en")]
)
async def test_order_status_is_looked_up_by_number(customer: HubClient, question: str, lang: str) -> None:
    answer = await say(customer, question)
    assert "AB-12345" in answer.text
    # a customer the order is not proven to belong to gets the status in general words, no tracking code,
    # and is asked for the order's email or phone (actions/order_owner.py)
    assert "CE7781230045" not in answer.text, "the shipped order's tracking code, only for its owner"
    assert "email" in answer.text, answer.text
    assert re.search({"es": r"\bpedido\b", "en": r"\border\b"}[lang], answer.text), answer.text


@pytest.mark.parametrize(
    ("turns", "reason", "told"),
    [
        (["quiero hablar con una persona"], "explicit_request", r"persona|agente"),
        (["asdfgh"], "nlu_fallback", r"persona|agente"),
        (["hi", "I want to talk to a human"], "explicit_request", r"person|agent|human"),
        (["hi", "asdfgh"], "nlu_fallback", r"person|agent|human"),
    ],
)
async def test_handoff_is_stored_with_its_reason_and_the_customer_is_told(
    customer: HubClient, turns: list[str], reason: str, told: str
) -> None:
    for text in turns:
        answer = await say(customer, text)
    conversation = await customer.conversation(int(answer.incoming["conversation_id"]))
    assert conversation["status"] == "open"
    assert conversation["handoff"]["reason"] == reason
    said = " ".join(r["text"] for r in answer.replies)  # the desk's one handoff message (an activity)
    assert re.search(told, said, re.IGNORECASE), said


async def test_the_same_client_message_id_is_stored_and_answered_once(customer: HubClient) -> None:
    client_id = str(uuid.uuid4())
    first = await customer.send("hola", client_message_id=client_id)
    again = await customer.send("hola", client_message_id=client_id)
    assert (first.http_status, again.http_status) == (202, 200)
    assert again.message_id == first.message_id
    answer = await customer.wait_answer(first, timeout_s=90)
    messages = await customer.messages(first.conversation_id)
    assert [m["id"] for m in messages if m["message_type"] == "incoming"] == [first.message_id]
    assert len([m for m in messages if m.get("in_reply_to_id") == first.message_id]) == len(answer.replies)


def test_rasa_http_api_refuses_a_caller_without_the_token(stack: Endpoints) -> None:
    # trackers hold every customer's texts: only the hub, which has the token, may read them
    refused = httpx.get(f"{stack.rasa}/conversations/1/tracker", timeout=10)
    assert refused.status_code == 401
    status = httpx.get(f"{stack.rasa}/status", timeout=10)
    assert status.status_code == 401
