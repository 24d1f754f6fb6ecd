"""The demo shop's order table: SQLite under DATA_DIR, seeded from ``orders.yaml`` on first use."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, cast

import yaml

from demo_shop.order import STATUSES, Item, Order, Status, normalize_order_number

__all__ = ["SEED_FILE", "OrderStore", "default_db_path", "load_seed"]

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = Path(__file__).resolve().parent / "orders.yaml"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    number TEXT PRIMARY KEY,
    status TEXT NOT NULL,
    placed_on TEXT NOT NULL,
    items TEXT NOT NULL,
    carrier TEXT,
    tracking_url TEXT,
    eta TEXT,
    delivered_on TEXT,
    email TEXT,
    phone TEXT
)
"""
_COLUMNS = (
    "number", "status", "placed_on", "items", "carrier", "tracking_url", "eta", "delivered_on",
    "email", "phone",
)
#: Columns a table made by an earlier version lacks (added in place).
_ADDED = ("email", "phone")


def default_db_path() -> Path:
    """``$DATA_DIR/demo_shop.db``; a relative DATA_DIR (default ``var``) is read from the repo root."""
    data_dir = Path(os.environ.get("DATA_DIR", "var"))
    if not data_dir.is_absolute():
        data_dir = ROOT / data_dir
    return data_dir / "demo_shop.db"


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _order(raw: dict[str, Any]) -> Order:
    number = normalize_order_number(str(raw["number"]))
    if number is None:
        raise ValueError(f"bad order number {raw['number']!r}: expected like AB-12345")
    status = str(raw["status"])
    if status not in STATUSES:
        raise ValueError(f"order {number}: unknown status {status!r}; one of {STATUSES}")
    items = tuple(
        Item(names={k: str(v) for k, v in item.items() if k != "qty"}, qty=int(item.get("qty", 1)))
        for item in raw.get("items", [])
    )
    placed_on = _date(raw["placed_on"])
    assert placed_on is not None
    return Order(
        number=number, status=cast(Status, status), placed_on=placed_on, items=items,
        carrier=raw.get("carrier"), tracking_url=raw.get("tracking_url"),
        eta=_date(raw.get("eta")), delivered_on=_date(raw.get("delivered_on")),
        email=str(raw["email"]).strip().lower() if raw.get("email") else None,
        phone=str(raw["phone"]).strip() if raw.get("phone") else None,
    )


def load_seed(path: Path = SEED_FILE) -> list[Order]:
    """The seed orders of ``orders.yaml``, validated."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [_order(raw) for raw in data]


def _row(order: Order) -> tuple[Any, ...]:
    items = [{**item.names, "qty": item.qty} for item in order.items]
    return (
        order.number, order.status, order.placed_on.isoformat(),
        json.dumps(items, ensure_ascii=False), order.carrier, order.tracking_url,
        order.eta.isoformat() if order.eta else None,
        order.delivered_on.isoformat() if order.delivered_on else None,
        order.email, order.phone,
    )


class OrderStore:
    """Read access to the shop's orders; the table is created and seeded on first use."""

    def __init__(self, db_path: Path | None = None, seed: Path = SEED_FILE) -> None:
        self.db_path = db_path or default_db_path()
        self.seed = seed
        self._ready = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.db_path)
        conn.row_factory = sqlite3.Row
        return conn

    def ensure_ready(self) -> None:
        """Create the table and upsert the seed orders (idempotent)."""
        with self._lock:
            if self._ready:
                return
            self.db_path.parent.mkdir(parents=True, exist_ok=True)
            self.upsert(load_seed(self.seed))
            self._ready = True

    def upsert(self, orders: Iterable[Order]) -> None:
        with self._connect() as conn:
            conn.execute(_SCHEMA)
            present = {row[1] for row in conn.execute("PRAGMA table_info(orders)")}
            for column in _ADDED:
                if column not in present:
                    conn.execute(f"ALTER TABLE orders ADD COLUMN {column} TEXT")
            conn.executemany(
                f"INSERT OR REPLACE INTO orders ({', '.join(_COLUMNS)}) "
                f"VALUES ({', '.join('?' for _ in _COLUMNS)})",
                [_row(order) for order in orders],
            )
        conn.close()

    def find(self, number: str | None) -> Order | None:
        """The order with this number in any customer spelling (``ab12345``, ``AB 12345``)."""
        canonical = normalize_order_number(number)
        if canonical is None:
            return None
        self.ensure_ready()
        conn = self._connect()
        try:
            row = conn.execute("SELECT * FROM orders WHERE number = ?", (canonical,)).fetchone()
        finally:
            conn.close()
        if row is None:
            return None
        raw = dict(row)
        raw["items"] = json.loads(raw["items"])
        return _order(raw)

    def count(self) -> int:
        self.ensure_ready()
        conn = self._connect()
        try:
            return int(conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0])
        finally:
            conn.close()
