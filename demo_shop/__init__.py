"""The demo online shop's backend: a seeded order table the bot's actions look orders up in.

    from demo_shop import OrderStore, normalize_order_number
    store = OrderStore()                 # var/demo_shop.db under DATA_DIR, seeded on first use
    order = store.find("ab12345")        # Order | None
    order.slots("es")                    # {"order_number": "AB-12345", "eta": "25/11/2026", ...}
"""

from demo_shop.order import STATUSES, Item, Order, Status, format_date, normalize_order_number
from demo_shop.store import SEED_FILE, OrderStore, default_db_path, load_seed

__all__ = [
    "SEED_FILE",
    "STATUSES",
    "Item",
    "Order",
    "OrderStore",
    "Status",
    "default_db_path",
    "format_date",
    "load_seed",
    "normalize_order_number",
]
