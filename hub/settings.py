"""The hub's one configuration object, read from environment variables.

Every variable the hub reads is a field below; its ``description`` is the documentation
(the README configuration table is built from it).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["CHECKS", "Settings"]

#: Checks other packages add at import (handoff: its policy file parses), run when Settings are built, so
#: a mistake fails at start and names the file and key. Each raises ValueError.
CHECKS: list[Callable[[Settings], None]] = []


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
            "SQLAlchemy async URL of the hub database, e.g. "
            "postgresql+psycopg://user@host:5432/db. Default: sqlite+aiosqlite:///DATA_DIR/hub.db."
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
    bot_handoff_after: float = Field(
        default=60.0,
        ge=0,
        description=(
            "Seconds a customer message may wait for Rasa (slow or down) before the conversation is "
            "handed to a person with reason bot_unavailable; 0 -> wait for Rasa however long it takes."
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
    handoff_policy_path: Path | None = Field(
        default=None,
        description=(
            "YAML file of the handoff policy (triggers, priorities, rules such as VIP contacts); "
            "default handoff/policy.yml."
        ),
    )
    handoff_auto_assign: bool = Field(
        default=False,
        description=(
            "Assign each new handoff at once, round-robin among online agents with the language, skill "
            "and free capacity; off -> agents claim from the queue."
        ),
    )
    handoff_default_handle_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Handling time per conversation assumed for estimated waits until agents have history.",
    )
    handoff_abandon_after: float = Field(
        default=1800.0,
        gt=0,
        description=(
            "Seconds a customer waiting for an agent may stay silent before the handoff is marked "
            "abandoned (and the conversation resolved)."
        ),
    )
    handoff_sweep_interval: float = Field(
        default=60.0, gt=0, description="Seconds between looks for abandoned handoffs."
    )
    agent_token_ttl_hours: float = Field(
        default=12.0, gt=0, description="Hours an agent's login (bearer token) stays valid."
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

    whatsapp_enabled: bool = Field(
        default=False,
        description="Turn on the WhatsApp (Cloud API) channel; it needs the WHATSAPP_* settings below.",
    )
    whatsapp_access_token: str = Field(
        default="",
        description="Access token (system user or temporary) the hub sends WhatsApp messages with.",
    )
    whatsapp_app_secret: str = Field(
        default="",
        description=(
            "App secret of the Meta app; every webhook POST must carry X-Hub-Signature-256, the "
            "HMAC-SHA256 of its body with this secret, or it is rejected and nothing is stored."
        ),
    )
    whatsapp_verify_token: str = Field(
        default="",
        description="Token you type at Meta when configuring the webhook (GET hub.verify_token check).",
    )
    whatsapp_phone_number_id: str = Field(
        default="",
        description="Phone number ID (not the phone number) the hub sends from and accepts webhooks for.",
    )
    whatsapp_graph_url: str = Field(
        default="https://graph.facebook.com/v21.0",
        description="Graph API base URL including the version; tests point it at a local fake server.",
    )
    whatsapp_template_name: str | None = Field(
        default=None,
        description=(
            "Approved message template (without variables) sent instead of a reply outside WhatsApp's "
            "24-hour customer-service window; unset -> such replies are marked failed with the reason."
        ),
    )
    whatsapp_template_language: str = Field(
        default="es",
        description="Language code of WHATSAPP_TEMPLATE_NAME as approved at Meta, e.g. es or en_US.",
    )
    whatsapp_timeout: float = Field(
        default=15.0, gt=0, description="Seconds to wait for the Graph API to answer one send."
    )
    whatsapp_retry_base: float = Field(
        default=1.0,
        ge=0,
        description="First retry delay in seconds after a 429/5xx from the Graph API; doubles each attempt.",
    )
    whatsapp_retry_max: float = Field(
        default=300.0, ge=0, description="Upper bound in seconds of the WhatsApp send retry delay."
    )
    whatsapp_max_attempts: int = Field(
        default=10,
        ge=1,
        description="Send attempts (429/5xx/network errors) before a WhatsApp message is marked failed.",
    )
    whatsapp_send_concurrency: int = Field(
        default=8,
        ge=1,
        description=(
            "Graph API calls the WhatsApp outbox makes at once, for different conversations (one "
            "conversation's messages always go out in order)."
        ),
    )
    whatsapp_poll_interval: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between looks at the persisted WhatsApp outbox when nothing new was queued.",
    )

    @model_validator(mode="after")
    def _whatsapp_complete(self) -> Settings:
        """WHATSAPP_ENABLED=true without its credentials fails at start, naming what is missing."""
        if self.whatsapp_enabled:
            required = ("access_token", "app_secret", "verify_token", "phone_number_id")
            missing = [f"WHATSAPP_{n.upper()}" for n in required if not getattr(self, f"whatsapp_{n}")]
            if missing:
                raise ValueError(
                    f"WHATSAPP_ENABLED=true needs {', '.join(missing)} (see docs/channels/whatsapp.md)"
                )
        return self

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
                "HUB_WEB_PROCESSES above 1 needs PostgreSQL (DATABASE_URL=postgresql+psycopg://...): "
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

    @model_validator(mode="after")
    def _policy_exists(self) -> Settings:
        """A HANDOFF_POLICY_PATH that is not a file fails at start, not on the first customer turn."""
        if self.handoff_policy_path is not None and not self.handoff_policy_path.is_file():
            raise ValueError(f"HANDOFF_POLICY_PATH={self.handoff_policy_path} is not a file")
        for check in CHECKS:  # the policy's business hours and queue notices (handoff/config.py)
            check(self)
        return self

    @property
    def db_url(self) -> str:
        """The database URL in effect (DATABASE_URL or the SQLite file in DATA_DIR)."""
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{(self.data_dir / 'hub.db').as_posix()}"
