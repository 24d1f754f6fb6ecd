from hub_testing import HubClient

from hub.intent_syntax import for_rasa
from tests.fakes.rasa import FakeRasa

OFFERED = {'/choose_faq{"faq_id":"envio-plazo"}'}


def test_typed_intent_syntax_reaches_rasa_as_plain_words() -> None:
    typed = '/order_status{"order_number": "AB-12345"}'
    assert for_rasa(typed, OFFERED) == 'order_status{"order_number": "AB-12345"}'
    assert for_rasa("  //greet", OFFERED) == "greet"
    assert for_rasa("/", OFFERED) == "?"


def test_a_button_the_bot_offered_passes_unchanged() -> None:
    assert for_rasa('/choose_faq{"faq_id":"envio-plazo"}', OFFERED) == (
        '/choose_faq{"faq_id":"envio-plazo"}')
    # the same intent with another entity was not offered
    assert for_rasa('/choose_faq{"faq_id":"otro"}', OFFERED) == 'choose_faq{"faq_id":"otro"}'


def test_ordinary_messages_are_untouched() -> None:
    assert for_rasa("dnd esta mi pedido AB-12345? 1/2 kg", OFFERED) == (
        "dnd esta mi pedido AB-12345? 1/2 kg")


def test_through_the_hub_only_offered_buttons_reach_rasa_as_intents(
    hub: HubClient, rasa: FakeRasa
) -> None:
    payload = '/choose_faq{"faq_id":"envio-plazo"}'
    rasa.reply = lambda text, _m: [{"text": "¿Cuál?", "buttons": [
        {"title": "Plazo de envío", "payload": payload}]}] if text == "envio" else [{"text": "ok"}]
    first = hub.post("envio").json()
    conversation = first["conversation_id"]
    hub.wait_for_replies(conversation, 1)
    hub.post('/order_status{"order_number":"AB-12345"}')
    hub.wait_for_replies(conversation, 2)
    hub.post(payload)
    hub.wait_for_replies(conversation, 3)
    assert rasa.messages_to_bot(conversation) == [
        "envio", 'order_status{"order_number":"AB-12345"}', payload]
