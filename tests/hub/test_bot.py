"""The Rasa client: webhook request shape, reply parsing, failures, tracker NLU."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from hub.bot import Button, RasaClient, RasaError, RasaUnavailable, parse_replies


def client(handler: httpx.MockTransport, token: str | None = None) -> RasaClient:
    return RasaClient(httpx.AsyncClient(transport=handler), "http://rasa:5005/", token)


async def test_send_posts_sender_message_and_metadata_to_the_rest_webhook() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[{"recipient_id": "12", "text": "¡Hola!"}])

    replies = await client(httpx.MockTransport(handler)).send("12", "hola", {"language": "es"})
    assert str(seen[0].url) == "http://rasa:5005/webhooks/rest/webhook"
    assert json.loads(seen[0].content) == {
        "sender": "12",
        "message": "hola",
        "metadata": {"language": "es"},
    }
    assert [r.text for r in replies] == ["¡Hola!"]


def test_replies_keep_text_buttons_and_custom_payloads_in_order() -> None:
    replies = parse_replies(
        [
            {
                "recipient_id": "1",
                "text": "¿Te ayudo con algo más?",
                "buttons": [
                    {"title": "Sí", "payload": "/affirm"},
                    {"title": "No", "payload": "/deny"},
                ],
            },
            {"recipient_id": "1", "custom": {"kb": {"decision": "answer", "candidates": []}}},
            {"recipient_id": "1", "custom": {"handoff": {"reason": "explicit_request"}}},
        ]
    )
    assert replies[0].text == "¿Te ayudo con algo más?"
    assert replies[0].buttons == [Button("Sí", "/affirm"), Button("No", "/deny")]
    assert replies[1].text is None and replies[1].custom == {"kb": {"decision": "answer", "candidates": []}}
    assert replies[2].custom == {"handoff": {"reason": "explicit_request"}}


def test_an_answer_that_is_not_a_list_is_an_error() -> None:
    with pytest.raises(RasaError):
        parse_replies({"text": "hola"})


@pytest.mark.parametrize(
    "failure",
    [
        lambda r: (_ for _ in ()).throw(httpx.ConnectError("refused", request=r)),
        lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow", request=r)),
        lambda r: httpx.Response(503, text="loading model"),
    ],
    ids=["connection refused", "timeout", "503"],
)
async def test_unreachable_rasa_is_reported_as_unavailable(failure: object) -> None:
    transport = httpx.MockTransport(failure)  # type: ignore[arg-type]
    with pytest.raises(RasaUnavailable):
        await client(transport).send("1", "hola", {})


async def test_an_error_answer_is_a_rasa_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(500, text="boom"))
    with pytest.raises(RasaError, match="500"):
        await client(transport).send("1", "hola", {})


def tracker(text: str) -> dict[str, object]:
    return {
        "latest_message": {
            "text": text,
            "intent": {"name": "order_status", "confidence": 0.88},
            "intent_ranking": [{"name": "order_status", "confidence": 0.88, "id": 1}],
            "entities": [{"entity": "order_id", "value": "A-1", "start": 0, "end": 3}],
        }
    }


async def test_latest_nlu_reads_intent_ranking_and_entities_with_the_token() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=tracker("mi pedido A-1"))

    nlu = await client(httpx.MockTransport(handler), token="s3cret").latest_nlu("7", "mi pedido A-1")
    assert seen[0].url.path == "/conversations/7/tracker"
    assert seen[0].url.params["token"] == "s3cret"
    assert nlu is not None
    assert nlu["intent"] == "order_status" and nlu["confidence"] == 0.88
    assert nlu["intent_ranking"] == [{"name": "order_status", "confidence": 0.88}]
    assert nlu["entities"][0]["entity"] == "order_id" and nlu["entities"][0]["value"] == "A-1"


async def test_latest_nlu_of_another_turn_is_not_attributed_to_this_message() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(200, json=tracker("otra cosa")))
    assert await client(transport).latest_nlu("7", "mi pedido") is None


async def test_latest_nlu_survives_a_tracker_error() -> None:
    transport = httpx.MockTransport(lambda r: httpx.Response(401, text="no token"))
    assert await client(transport).latest_nlu("7", "hola") is None


async def test_a_hung_rasa_is_reported_down_without_waiting_for_it() -> None:
    never = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await never.wait()  # MockTransport ignores httpx timeouts: only the client's own limit ends this
        return httpx.Response(200)

    # wait_for is the test's guard against a hang, not a timing.
    assert await asyncio.wait_for(client(httpx.MockTransport(hang)).is_up(timeout=0.05), 10) is False


async def test_rasa_loading_its_model_is_down_and_answering_is_up() -> None:
    assert await client(httpx.MockTransport(lambda r: httpx.Response(503))).is_up() is False
    assert await client(httpx.MockTransport(lambda r: httpx.Response(200, text="Hello"))).is_up() is True


def test_an_answer_separates_what_the_customer_sees_from_the_payloads_the_hub_reads() -> None:
    from hub.bot import BotAnswer

    replies = parse_replies(
        [
            {"text": "Te paso con una persona."},
            {"custom": {"kb": {"decision": "handoff", "reason": "low score"}, "note": 1}},
            {"custom": {"handoff": {"reason": "kb_no_answer", "detail": {}}}},
            {"buttons": [{"title": "Sí", "payload": "/affirm"}]},
        ]
    )
    answer = BotAnswer.of(replies)
    assert [r.text for r in answer.shown] == ["Te paso con una persona.", None]
    assert answer.handoff == {"reason": "kb_no_answer", "detail": {}}
    assert answer.kb_decision == "handoff" and answer.custom == [{"note": 1}]
