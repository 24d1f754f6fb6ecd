"""Outgoing WhatsApp bodies: long texts split at sentences, options as buttons or a list."""

from __future__ import annotations

from hub.channels.whatsapp_format import clip, messages_for, split_text
from hub.channels.whatsapp_payloads import parse_webhook


def test_a_long_text_is_split_after_sentences_within_the_limit() -> None:
    sentence = "Tu pedido sale del almacén en 24 horas y llega en dos o tres días laborables. "
    text = (sentence * 120).strip()  # ~9,500 characters
    chunks = split_text(text)
    assert len(chunks) == 3
    assert all(len(c) <= 4096 for c in chunks)
    assert all(c.endswith(".") for c in chunks)
    assert " ".join(chunks) == text


def test_a_sentence_longer_than_the_limit_is_split_between_words() -> None:
    text = "palabra " * 1000
    chunks = split_text(text.strip(), limit=100)
    assert all(len(c) <= 100 for c in chunks)
    assert all(not c.startswith(" ") and not c.endswith(" ") for c in chunks)
    assert " ".join(chunks) == text.strip()


def test_short_text_is_one_message() -> None:
    [body] = messages_for("34600111222", "Hola, ¿en qué te ayudo?", [])
    assert body["type"] == "text" and body["text"]["body"] == "Hola, ¿en qué te ayudo?"
    assert body["to"] == "34600111222" and body["messaging_product"] == "whatsapp"


def test_three_options_that_fit_are_reply_buttons() -> None:
    buttons = [
        {"title": "Mi pedido", "payload": "/order_status"},
        {"title": "Devoluciones", "payload": "/returns"},
        {"title": "Una persona", "payload": "/human"},
    ]
    [body] = messages_for("34600111222", "¿Qué necesitas?", buttons)
    interactive = body["interactive"]
    assert interactive["type"] == "button"
    assert interactive["body"]["text"] == "¿Qué necesitas?"
    replies = [b["reply"] for b in interactive["action"]["buttons"]]
    assert [r["id"] for r in replies] == ["/order_status", "/returns", "/human"]
    assert [r["title"] for r in replies] == ["Mi pedido", "Devoluciones", "Una persona"]


def test_options_a_button_would_cut_are_a_list_with_full_titles_and_descriptions() -> None:
    """Issue 18, item 7: not "¿Enviáis a…", "¿Cuánto cuesta el…" on three buttons."""
    buttons = [
        {"title": "¿Enviáis a Canarias?", "payload": '/choose_faq{"faq_id":"envio-canarias"}'},
        {"title": "¿Cuánto cuesta el envío a Baleares y Ceuta?", "payload": '/choose_faq{"faq_id":"c"}'},
        {"title": "Ninguna, hablar con una persona", "payload": "/request_human"},
    ]
    [body] = messages_for("34600111222", "¿Te refieres a alguna de estas?", buttons)
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    rows = interactive["action"]["sections"][0]["rows"]
    assert rows[0] == {"id": '/choose_faq{"faq_id":"envio-canarias"}', "title": "¿Enviáis a Canarias?"}
    assert rows[1]["description"] == "¿Cuánto cuesta el envío a Baleares y Ceuta?"
    assert rows[2]["description"] == "Ninguna, hablar con una persona"
    assert all(len(r["title"]) <= 24 and len(r.get("description", "")) <= 72 for r in rows)
    assert interactive["action"]["button"] == "Ver opciones"


def test_more_than_three_options_are_a_list_of_at_most_ten_rows() -> None:
    buttons = [{"title": f"Opción número {i} con un nombre largo", "payload": f"/opt{i}"} for i in range(12)]
    [body] = messages_for("34600111222", "", buttons, language="en")
    interactive = body["interactive"]
    assert interactive["type"] == "list"
    assert interactive["body"]["text"] == "Choose an option:"
    rows = interactive["action"]["sections"][0]["rows"]
    assert len(rows) == 10
    assert all(len(r["title"]) <= 24 and r["title"].endswith("…") for r in rows)
    assert rows[0]["description"] == "Opción número 0 con un nombre largo"
    assert interactive["action"]["button"] == "See options"


def test_text_too_long_for_an_interactive_body_goes_first_as_text() -> None:
    text = "Frase de ejemplo para el cuerpo. " * 60  # ~2,000 characters
    bodies = messages_for("34600111222", text, [{"title": "Sí", "payload": "/affirm"}])
    assert [b["type"] for b in bodies] == ["text", "interactive"]
    assert len(bodies[1]["interactive"]["body"]["text"]) <= 1024


def test_clip_marks_the_cut() -> None:
    assert clip("Devoluciones", 20) == "Devoluciones"
    assert clip("Una opción demasiado larga", 20) == "Una opción…"
    assert clip("Supercalifragilisticoespialidoso", 10) == "Supercali…"


def test_statuses_and_contacts_are_parsed_from_metas_shape() -> None:
    body = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "changes": [
                    {
                        "value": {
                            "metadata": {"phone_number_id": "1"},
                            "contacts": [{"profile": {"name": "Ana"}, "wa_id": "34600"}],
                            "statuses": [
                                {"id": "wamid.A", "status": "delivered"},
                                {
                                    "id": "wamid.B",
                                    "status": "failed",
                                    "errors": [{"code": 131047, "title": "Re-engagement message"}],
                                },
                                {"id": "wamid.C", "status": "deleted"},
                            ],
                        }
                    }
                ]
            }
        ],
    }
    parsed = parse_webhook(body)
    assert parsed.names == {"34600": "Ana"}
    assert [(s.wamid, s.status) for s in parsed.statuses] == [("wamid.A", "delivered"), ("wamid.B", "failed")]
    assert parsed.statuses[1].error is not None and parsed.statuses[1].error["code"] == 131047
