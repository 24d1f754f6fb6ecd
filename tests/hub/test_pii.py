"""Personal data in what we log and export is masked; what only looks like it is left alone."""

from __future__ import annotations

import threading

import pytest

from hub.pii import Span, find_personal_data, mask
from hub.pii.validators import card_ok, dni_ok, iban_ok, nie_ok, phone_ok


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Hola, mi DNI es 12345678Z, ¿me decís si está el pedido?",
         "Hola, mi DNI es [DNI], ¿me decís si está el pedido?"),
        ("dni 12.345.678-Z", "dni [DNI]"),
        ("Tengo NIE, es X1234567L", "Tengo NIE, es [NIE]"),
        ("Devolvedme el dinero a ES91 2100 0418 4502 0005 1332 por favor",
         "Devolvedme el dinero a [IBAN] por favor"),
        ("iban es9121000418450200051332.", "iban [IBAN]."),
        ("Pagué con la 4111 1111 1111 1111 y me cobrasteis dos veces",
         "Pagué con la [CARD] y me cobrasteis dos veces"),
        ("tarjeta 5500-0000-0000-0004 caduca 12/27", "tarjeta [CARD] caduca 12/27"),
        ("Llamadme al 612 345 678 por la tarde", "Llamadme al [PHONE] por la tarde"),
        ("mi móvil: +34 612 34 56 78.", "mi móvil: [PHONE]."),
        ("fijo 91 234 56 78 o 612-345-678", "fijo [PHONE] o [PHONE]"),
        ("whatsapp (+34)612345678", "whatsapp [PHONE]"),
        ("Escribidme a maria.lopez+tienda@gmail.com, gracias", "Escribidme a [EMAIL], gracias"),
        ("Enviadlo a C/ Mayor 12, 3º B, 28013 Madrid. Gracias", "Enviadlo a [ADDRESS]. Gracias"),
        ("nueva dirección: Avda. de la Constitución nº 5 2º izda",
         "nueva dirección: [ADDRESS]"),
        ("vivo en calle del Prado 14 y no llega nada", "vivo en [ADDRESS] y no llega nada"),
        ("Plaza Mayor, s/n, 37001 Salamanca.", "[ADDRESS]."),
        ("a C/ Alcalá 45, 2º dcha., Madrid por favor", "a [ADDRESS] por favor"),
        ("c/ Mayor 12 bis, 2º-B", "[ADDRESS]"),
        ("Pza. de Cervantes 2, 28801 Alcalá de Henares", "[ADDRESS]"),
        ("amex 3782 822463 10005", "amex [CARD]"),
        ("tlf:622334455, gracias", "tlf:[PHONE], gracias"),
        ("my phone is +44 20 7946 0958", "my phone is [PHONE]"),
        ("Mi teléfono: (+34) 612 345 678", "Mi teléfono: [PHONE]"),
        ("el cliente llamó al 612345678", "el cliente llamó al [PHONE]"),
    ],
)
def test_each_kind_is_masked_in_a_realistic_message(text: str, masked: str) -> None:
    assert mask(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "Mi DNI es 12345678A",  # wrong check letter (Z)
        "NIE X1234567A",  # wrong check letter (L)
        "¿Dónde está mi pedido AB-12345?",
        "Me cobrasteis 1.249,99 € y eran 249,99 €",
        "Llegó el 12/05/2024 a las 14:30, lote 2024-05-12",
        "Referencia de la transferencia 4111 1111 1111 1112",  # fails Luhn
        "referencia 1234567812345678",  # 16 digits starting with 1: no issuer
        "IBAN ES91 2100 0418 4502 0005 1333",  # fails mod-97
        "código postal 28013, pedido 12345",
        "Estoy en la calle y mañana 5 pedidos más",
        "Compré 3 camisetas de talla 42",
        "tengo la plaza de garaje 3 y el trastero 12",  # a common noun, not a street
        "el número de pedido es 612345678",  # 9 digits from 6, but after "pedido"
        "el seguimiento 0034567812345 no se actualiza",
        "el importe es 612.345.678 €",
        "en la calle hace 30 grados",
        "",
    ],
)
def test_what_only_looks_like_personal_data_is_left_alone(text: str) -> None:
    assert find_personal_data(text) == []
    assert mask(text) == text


def test_mask_keeps_the_rest_of_the_message() -> None:
    text = "Hola 👋, soy Ana. DNI 12345678Z, tel. 612345678, correo ana@x.es; pedido AB-12345 (49,99 €)."
    expected = "Hola 👋, soy Ana. DNI [DNI], tel. [PHONE], correo [EMAIL]; pedido AB-12345 (49,99 €)."
    assert mask(text) == expected


def test_spans_are_character_offsets_in_order() -> None:
    text = "612345678 y 12345678Z"
    spans = find_personal_data(text)
    assert spans == [Span(0, 9, "PHONE"), Span(12, 21, "DNI")]
    assert [text[s.start : s.end] for s in spans] == ["612345678", "12345678Z"]


def test_a_postcode_or_quantity_next_to_a_phone_stays_out_of_it() -> None:
    assert mask("tel 612 345 678 28013") == "tel [PHONE] 28013"
    assert mask("2 unidades 612 345 678") == "2 unidades [PHONE]"


def test_an_iban_is_not_also_read_as_cards_or_phones() -> None:
    assert find_personal_data("ES91 2100 0418 4502 0005 1332") == [Span(0, 29, "IBAN")]


def test_a_100_kb_message_is_masked_whole() -> None:
    line = "Hola, pedido AB-12345 del 12/05/2024 por 49,99 €. Llamad al 612 345 678 o a ana@x.es. "
    text = line * (100_000 // len(line) + 1)
    masked = mask(text)
    n = text.count(line)
    assert masked.count("[PHONE]") == n and masked.count("[EMAIL]") == n
    assert "612 345 678" not in masked and "AB-12345" in masked


def test_a_message_longer_than_spacy_accepts_is_cut_not_refused() -> None:
    text = "llamad al 612 345 678 " * 60_000  # 1.3 M characters, over nlp.max_length
    assert mask(text).count("[PHONE]") == 60_000


def test_threads_share_one_pipeline() -> None:
    results: list[str] = []

    def work() -> None:
        for _ in range(50):
            results.append(mask("DNI 12345678Z, móvil 612 345 678"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert set(results) == {"DNI [DNI], móvil [PHONE]"}


def test_validators() -> None:
    assert dni_ok("12345678Z") and not dni_ok("12345678A") and dni_ok("00000000T")
    assert nie_ok("X1234567L") and nie_ok("Y-1234567-X") and not nie_ok("X1234567A")
    assert iban_ok("GB82 WEST 1234 5698 7654 32") and iban_ok("ES9121000418450200051332")
    assert not iban_ok("ES912100041845020005133")  # Spanish IBANs are 24 long
    assert card_ok("378282246310005") and card_ok("4111111111111111") and not card_ok("4111111111111112")
    assert phone_ok("+34 612 345 678") and phone_ok("0034612345678") and phone_ok("+44 20 7946 0958")
    assert not phone_ok("512345678") and not phone_ok("61234567") and not phone_ok("28013")
