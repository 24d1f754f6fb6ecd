"""What the gap report masks beyond the hub's masker: order numbers, ID numbers with a wrong letter, long
digit runs; and what it keeps."""

from __future__ import annotations

import pytest

from gaps.masking import mask


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("Mi pedido AB-12345 no llega", "Mi pedido [ORDER] no llega"),
        ("pedido ab12345 y AB 54321", "pedido [ORDER] y [ORDER]"),
        ("escribid a ana.perez@gmail.com", "escribid a [EMAIL]"),
        ("llamadme al 612 345 678", "llamadme al [PHONE]"),
        ("DNI 12345678Z", "DNI [DNI]"),
        ("NIE X1234567L", "NIE [NIE]"),
        ("mi dni es 12345678A", "mi dni es [ID]"),  # a wrong check letter: still an ID number
        ("ref 123456789012", "ref [NUMBER]"),
        ("2 pedidos de 30 € el 12/05", "2 pedidos de 30 € el 12/05"),
        ("¿Puedo entrar con mi perro?", "¿Puedo entrar con mi perro?"),
    ],
)
def test_mask(text: str, masked: str) -> None:
    assert mask(text) == masked
