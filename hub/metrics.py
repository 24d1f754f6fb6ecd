"""Prometheus instruments of the core (prometheus-client): counters and histograms updated where things
happen, each an in-memory increment (no I/O on the message path). ``/metrics`` (kpis/metrics.py) exposes
them with the queue length.

Several processes (``HUB_WEB_PROCESSES``, ``python -m hub.worker``): each process counts its own. Set
``PROMETHEUS_MULTIPROC_DIR`` to an empty directory shared by the processes of one host before they start
and ``/metrics`` of any of them sums all (prometheus-client's multiprocess mode; docs/kpis.md).
"""

from __future__ import annotations

from datetime import datetime

from prometheus_client import Counter, Histogram

from hub import clock

__all__ = [
    "ANSWER_SECONDS",
    "MESSAGES_RECEIVED",
    "MESSAGES_SENT",
    "RASA_ERRORS",
    "RECEIPTS",
    "RECEIPT_SECONDS",
    "WHATSAPP_ERRORS",
    "answered",
]

MESSAGES_RECEIVED = Counter(
    "mostrador_messages_received", "Customer messages stored (a resent duplicate is not counted)", ["channel"]
)
RECEIPTS = Counter("mostrador_receipts", "Receipts given to customers (duplicates included)", ["channel"])
RECEIPT_SECONDS = Histogram(
    "mostrador_receipt_seconds",
    "From a message reaching the hub to its receipt (stored and acknowledged)",
    ["channel"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
MESSAGES_SENT = Counter(
    "mostrador_messages_sent", "Outgoing and activity messages handed to the channel", ["channel", "sender"]
)
ANSWER_SECONDS = Histogram(
    "mostrador_answer_seconds",
    "From a customer message being stored to the bot's answer being delivered",
    buckets=(0.25, 0.5, 1.0, 2.0, 3.0, 5.0, 8.0, 13.0, 20.0, 30.0, 60.0),
)
RASA_ERRORS = Counter(
    "mostrador_rasa_errors", "Failed tries to get a turn from Rasa", ["kind"]  # unavailable | error | empty
)
WHATSAPP_ERRORS = Counter(
    "mostrador_whatsapp_errors", "Failed sends to the WhatsApp Graph API", ["retryable"]  # true | false
)


def answered(received_at: datetime) -> None:
    """The bot's answer to a message stored at ``received_at`` was just delivered."""
    ANSWER_SECONDS.observe(max(0.0, (clock.utcnow() - received_at).total_seconds()))
