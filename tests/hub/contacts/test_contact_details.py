"""Emails and phone numbers: their normal form, and finding them in what customers write."""

from __future__ import annotations

import pytest

from hub.contacts.details import ContactDetails, extract, normalize_email, normalize_phone


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ana.Lopez@Example.COM ", "ana.lopez@example.com"),
        ("x@y.com", "x@y.com"),
        ("o'brien+shop@mail.example.org", "o'brien+shop@mail.example.org"),
        ("ana@localhost", None),
        ("not an email", None),
        ("a@b.c", None),
    ],
)
def test_emails_are_compared_lower_case_and_invalid_ones_refused(raw: str, expected: str | None) -> None:
    assert normalize_email(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("34600111222", "34600111222"),  # a WhatsApp wa_id already has its country code
        ("+34 600 11 12 22", "34600111222"),
        ("0034-600-111-222", "34600111222"),
        ("(0034) 600.111.222", "34600111222"),
        ("600 111 222", "34600111222"),  # national number: the default country code is added
        ("+1 (415) 555-2671", "14155552671"),
        ("call me", None),
        ("123", None),
        ("1234567890123456789", None),
    ],
)
def test_phones_become_digits_with_country_code(raw: str, expected: str | None) -> None:
    assert normalize_phone(raw, "34") == expected


def test_without_a_default_country_code_a_national_number_stays_as_written() -> None:
    assert normalize_phone("600 111 222") == "600111222"


@pytest.mark.parametrize(
    ("text", "email", "phone"),
    [
        ("mi correo es Ana.Lopez@Example.COM.", "ana.lopez@example.com", None),
        ("llámame al +34 600 111 222, gracias", None, "34600111222"),
        ("my number is 600111222 and my email x@y.com", "x@y.com", "34600111222"),
        ("tel: (0034) 600-11-12-22", None, "34600111222"),
    ],
)
def test_an_email_or_phone_in_a_message_is_found(text: str, email: str | None, phone: str | None) -> None:
    assert extract(text, "34") == ContactDetails(email=email, phone=phone)


@pytest.mark.parametrize(
    "text",
    [
        "¿dónde está mi pedido A-1001?",
        "pagué 1.234,56 € el 23/11/2026 a las 12:30",
        "código postal 28001",
        "tarjeta 4111 1111 1111 1111",
        "hola, ¿cuánto tarda el envío?",
    ],
)
def test_order_numbers_amounts_dates_and_cards_are_not_taken_for_phones(text: str) -> None:
    assert extract(text, "34") == ContactDetails()
