"""The order lookup a customer gets through the bot: any spelling of a number finds the order."""

from __future__ import annotations

from pathlib import Path

import pytest

from demo_shop import OrderStore, load_seed, normalize_order_number


@pytest.fixture
def store(tmp_path: Path) -> OrderStore:
    return OrderStore(tmp_path / "shop" / "demo_shop.db")


@pytest.mark.parametrize(
    "text",
    ["AB-12345", "ab12345", "AB 12345", "ab-12345", "dnd esta mi pedido ab12345??", "AB_12345"],
)
def test_customer_spellings_normalise_to_one_number(text: str) -> None:
    assert normalize_order_number(text) == "AB-12345"


@pytest.mark.parametrize("text", ["", "hola", "12345", "ABC-1234", "AB-1234"])
def test_text_without_an_order_number_gives_none(text: str) -> None:
    assert normalize_order_number(text) is None


def test_shipped_demo_order_has_carrier_tracking_and_eta(store: OrderStore) -> None:
    order = store.find("ab 12345")
    assert order is not None
    assert order.status == "shipped"
    slots = order.slots("es")
    assert slots["order_number"] == "AB-12345"
    assert slots["carrier"] and slots["tracking_url"].startswith("https://")
    assert slots["eta"] == "25/11/2026"
    assert order.slots("en")["eta"] == "2026-11-25"
    assert "Zapatillas" in slots["items"] and "running shoes" in order.slots("en")["items"]


def test_unknown_number_is_not_found(store: OrderStore) -> None:
    assert store.find("ZZ-99999") is None
    assert store.find("no number here") is None


def test_seeding_is_idempotent_and_creates_the_data_dir(store: OrderStore, tmp_path: Path) -> None:
    seeded = len(load_seed())
    assert store.count() == seeded
    again = OrderStore(store.db_path)
    assert again.count() == seeded
    assert (tmp_path / "shop" / "demo_shop.db").exists()


def test_seed_covers_every_status_with_about_fifteen_orders() -> None:
    orders = load_seed()
    assert 12 <= len(orders) <= 20
    assert {o.status for o in orders} == {
        "pending_payment", "preparing", "shipped", "delivered", "cancelled", "returned",
    }
    assert len({o.number for o in orders}) == len(orders)


def test_db_lives_under_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    assert OrderStore().db_path == tmp_path / "data" / "demo_shop.db"
