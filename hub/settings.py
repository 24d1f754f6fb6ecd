"""The hub's settings, read from environment variables.

Every variable the hub reads is a field below or in the WhatsApp channel's own settings
(``WHATSAPP_*``, hub/channels/whatsapp_settings.py, carried as ``settings.whatsapp``); its
``description`` is the documentation (the README configuration table is built from it). The handoff
desk's settings are its own (handoff/settings.py): the hub knows none of them.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from hub.channels.whatsapp_settings import WhatsAppSettings

__all__ = ["Settings", "WhatsAppSettings"]

class Settings(BaseSettings):
    """Hub settings. Environment variable names are the upper-case field names."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", frozen=True)

    data_dir: Path = Field(
        default=Path("var"),
        description="Directory for runtime files; the default SQLite database is DATA_DIR/hub.db.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy async URL of the hub database, e.g. postgresql+asyncpg://user@host:5432/db "
            "(postgresql:// means asyncpg; postgresql+psycopg:// works too). "
            "Default: sqlite+aiosqlite:///DATA_DIR/hub.db."
        ),
    )
    database_pool_size: int = Field(
        default=20,
        ge=1,
        description=(
            "PostgreSQL connections each hub process keeps open (no overflow: opening one under load "
            "costs more than waiting for a free one)."
        ),
    )
    database_pool_timeout: float = Field(
        default=5.0,
        gt=0,
        description=(
            "Seconds a request waits for a free database connection before it is refused with 503 "
            "(nothing stored: WhatsApp redelivers, the widget resends)."
        ),
    )
    hub_host: str = Field(default="127.0.0.1", description="Interface `python -m hub` binds to.")
    hub_port: int = Field(default=8000, description="TCP port `python -m hub` listens on.")
    rasa_url: str = Field(
        default="http://127.0.0.1:5005",
        description=(
            "Base URL of the Rasa server (REST channel + HTTP API with --enable-api), or several separated "
            "by commas: they must share one tracker store and lock store (docs/scaling.md); each "
            "conversation talks to one of them, and to the next while that one is down."
        ),
    )
    rasa_token: str | None = Field(
        default=None,
        description="Token for Rasa's HTTP API (sent as ?token=) when Rasa runs with --auth-token.",
    )
    rasa_timeout: float = Field(
        default=60.0,
        gt=0,
        description="Seconds to wait for Rasa to answer one message before retrying.",
    )
    rasa_retry_base: float = Field(
        default=0.5,
        ge=0,
        description="First retry delay in seconds when Rasa is down; doubles on each attempt.",
    )
    rasa_retry_max: float = Field(
        default=10.0,
        ge=0,
        description="Upper bound in seconds of the retry delay while Rasa is down (retries go on).",
    )
    rasa_max_attempts: int = Field(
        default=5,
        ge=1,
        description=(
            "Attempts for a message Rasa rejects with an error answer (not for Rasa being "
            "unreachable); after that the message is marked bot_state=failed."
        ),
    )
    bot_holding_after: float = Field(
        default=4.0,
        ge=0,
        description=(
            "Seconds the bot may take to answer a customer message (Rasa slow or down) before the "
            "customer gets one holding message (\"un momento, por favor...\"); 0 turns it off."
        ),
    )
    bot_typing_after: float = Field(
        default=0.5,
        ge=0,
        description=(
            "Seconds the bot may think before the customer sees \"Escribiendo…\" (typing); a turn "
            "answered sooner sends no typing frames. 0 shows typing at once on every turn."
        ),
    )
    bot_handoff_after: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Seconds a customer message may wait for Rasa (slow or down) before the conversation is "
            "handed to a person with reason bot_unavailable; 0 -> wait for Rasa however long it takes."
        ),
    )
    bot_turn_mark: bool = Field(
        default=True,
        description=(
            "The bot's action server marks every turn with the hub's message id "
            "(action_validate_slot_mappings, actions/language.py); a reply without that mark means the "
            "action server did not run (Rasa then answers with its fallback or nothing) and is retried "
            "like no reply, then handed off. false only for a bot whose actions do not mark turns."
        ),
    )
    jobs_url: str = Field(
        default="memory://",
        description="Job queue backend: memory:// (in process) or redis://host:6379/0.",
    )
    broadcast_url: str = Field(
        default="memory://",
        description="Pub/sub backend for websocket delivery: memory:// or redis://host:6379/0.",
    )
    hub_run_worker: bool = Field(
        default=True,
        description=(
            "Run the bot turns, the WhatsApp outbox sender and the sweeps inside `python -m hub`; false -> "
            "it only stores and acknowledges messages, and `python -m hub.worker` processes (one or more, "
            "JOBS_URL and BROADCAST_URL on the same Redis) do the rest."
        ),
    )
    hub_web_processes: int = Field(
        default=1,
        ge=1,
        description=(
            "Processes `python -m hub` serves HTTP and sockets with, on one port (more cores for receipts). "
            "Above 1 it needs HUB_RUN_WORKER=false, Redis jobs and broadcast, and PostgreSQL; widget "
            "clients that fall back to polling (ours is websocket-only) need sticky sessions at a proxy."
        ),
    )
    hub_workers: int = Field(
        default=8,
        ge=1,
        description="Conversations the hub processes concurrently (one message at a time each).",
    )
    max_text_chars: int = Field(
        default=4096,
        ge=1,
        description="Longest message text accepted; longer messages are rejected with 413.",
    )
    default_language: str = Field(
        default="es",
        pattern="^(es|en)$",
        description="Language of a new conversation when the first message gives no clear evidence.",
    )
    reopen_window_hours: float = Field(
        default=72.0,
        ge=0,
        description=(
            "A customer writing again within this many hours after their conversation was resolved "
            "reopens it (the bot answers first; event reopened by customer); later, or 0, starts a new one."
        ),
    )
    widget_allowed_origins: str = Field(
        default="*",
        description=(
            "Origins (comma-separated, e.g. https://shop.example) whose pages may embed the website "
            "widget, i.e. connect to /socket.io; * allows every origin."
        ),
    )
    widget_secret: str = Field(
        default="",
        description=(
            "Key that signs widget session tokens (a visitor's only credential); empty -> a random "
            "key generated once in DATA_DIR/widget_secret. Set the same value on every web process "
            "that does not share DATA_DIR."
        ),
    )
    widget_history_limit: int = Field(
        default=200,
        ge=1,
        description="Most recent messages the widget gets back when it reconnects or the page reloads.",
    )
    phone_default_country_code: str = Field(
        default="34",
        pattern=r"^\d{0,4}$",
        description=(
            "Country calling code (digits, e.g. 34 for Spain) put in front of a phone number a customer "
            "gives without one, so it matches their WhatsApp number; empty -> keep it as written."
        ),
    )
    retention_days: int = Field(
        default=0,
        ge=0,
        description=(
            "Erase conversations (messages, events, notes, handoffs, Rasa trackers) whose last message is "
            "older than this many days and that no person is handling, and contacts left with none "
            "(docs/security.md); 0 keeps everything."
        ),
    )
    rasa_tracker_store_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy async URL of Rasa's SQL tracker store (endpoints.yml), where erasure deletes a "
            "conversation's tracker: Rasa has no delete endpoint. Default: "
            "sqlite+aiosqlite:///DATA_DIR/rasa_tracker.db when it exists; empty: leave Rasa's trackers."
        ),
    )
    log_level: str = Field(default="INFO", description="Log level (DEBUG, INFO, WARNING, ERROR).")
    log_format: str = Field(
        default="json",
        pattern="^(json|text)$",
        description="Log line format: json (one object per line) or text.",
    )

    whatsapp: WhatsAppSettings = Field(
        default_factory=WhatsAppSettings,
        description="The WhatsApp channel's settings (WHATSAPP_*: hub/channels/whatsapp_settings.py).",
    )

    @model_validator(mode="after")
    def _worker_reachable(self) -> Settings:
        """HUB_RUN_WORKER=false needs queues another process can reach, or nothing would be answered."""
        if self.hub_web_processes > 1 and self.hub_run_worker:
            raise ValueError(
                "HUB_WEB_PROCESSES above 1 needs HUB_RUN_WORKER=false: the bot turns run in "
                "`python -m hub.worker` processes, the web processes only receive and acknowledge"
            )
        if self.hub_web_processes > 1 and self.db_url.startswith("sqlite"):
            raise ValueError(
                "HUB_WEB_PROCESSES above 1 needs PostgreSQL (DATABASE_URL=postgresql://...): "
                "SQLite takes one writer at a time, and the hub orders them within one process only"
            )
        if not self.hub_run_worker:
            local = [n for n in ("jobs_url", "broadcast_url") if getattr(self, n).startswith("memory://")]
            if local:
                names = " and ".join(f"{n.upper()}=redis://..." for n in local)
                raise ValueError(
                    f"HUB_RUN_WORKER=false needs {names}: `python -m hub.worker` takes the jobs and "
                    "publishes the replies through them (or leave HUB_RUN_WORKER=true)"
                )
        return self

    @property
    def db_url(self) -> str:
        """The database URL in effect (DATABASE_URL or the SQLite file in DATA_DIR)."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hub.db').as_posix()}"
