"""The WhatsApp channel's settings: environment variables ``WHATSAPP_*`` (its own prefix).

Every variable is a field below; its ``description`` is the documentation (the README configuration
table is built from it). The hub's :class:`~hub.settings.Settings` carries them as ``settings.whatsapp``.
"""

from __future__ import annotations

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["WhatsAppSettings"]


class WhatsAppSettings(BaseSettings):
    """WhatsApp (Cloud API) channel settings. Environment variable names: WHATSAPP_ + the field name."""

    model_config = SettingsConfigDict(env_prefix="WHATSAPP_", extra="ignore", frozen=True)

    enabled: bool = Field(
        default=False,
        description="Turn on the WhatsApp (Cloud API) channel; it needs the WHATSAPP_* settings below.",
    )
    access_token: str = Field(
        default="",
        description="Access token (system user or temporary) the hub sends WhatsApp messages with.",
    )
    app_secret: str = Field(
        default="",
        description=(
            "App secret of the Meta app; every webhook POST must carry X-Hub-Signature-256, the "
            "HMAC-SHA256 of its body with this secret, or it is rejected and nothing is stored."
        ),
    )
    verify_token: str = Field(
        default="",
        description="Token you type at Meta when configuring the webhook (GET hub.verify_token check).",
    )
    phone_number_id: str = Field(
        default="",
        description="Phone number ID (not the phone number) the hub sends from and accepts webhooks for.",
    )
    graph_url: str = Field(
        default="https://graph.facebook.com/v21.0",
        description="Graph API base URL including the version; tests point it at a local fake server.",
    )
    template_name: str | None = Field(
        default=None,
        description=(
            "Approved message template (without variables) sent instead of a reply outside WhatsApp's "
            "24-hour customer-service window; unset -> such replies are marked failed with the reason."
        ),
    )
    template_language: str = Field(
        default="es",
        description="Language code of WHATSAPP_TEMPLATE_NAME as approved at Meta, e.g. es or en_US.",
    )
    timeout: float = Field(
        default=15.0, gt=0, description="Seconds to wait for the Graph API to answer one send."
    )
    retry_base: float = Field(
        default=1.0,
        ge=0,
        description="First retry delay in seconds after a 429/5xx from the Graph API; doubles each attempt.",
    )
    retry_max: float = Field(
        default=300.0, ge=0, description="Upper bound in seconds of the WhatsApp send retry delay."
    )
    max_attempts: int = Field(
        default=10,
        ge=1,
        description="Send attempts (429/5xx/network errors) before a WhatsApp message is marked failed.",
    )
    send_concurrency: int = Field(
        default=8,
        ge=1,
        description=(
            "Graph API calls the WhatsApp outbox makes at once, for different conversations (one "
            "conversation's messages always go out in order)."
        ),
    )
    poll_interval: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between looks at the persisted WhatsApp outbox when nothing new was queued.",
    )

    media_max_bytes: int = Field(
        default=16 * 1024 * 1024,
        ge=1,
        description=(
            "Largest photo, audio, video, document or sticker a customer sends that the hub downloads and "
            "keeps for agents (bytes); a bigger one is stored as a message saying so, without the file."
        ),
    )
    media_types: str = Field(
        default=(
            "image/jpeg,image/png,image/webp,audio/aac,audio/amr,audio/mpeg,audio/mp4,audio/ogg,"
            "video/mp4,video/3gpp,application/pdf,text/plain,application/msword,"
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document,"
            "application/vnd.ms-excel,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        ),
        description=(
            "MIME types (comma-separated, parameters such as '; codecs=opus' ignored) of customer media "
            "the hub downloads; others (HTML, SVG, executables...) are stored as a message saying so."
        ),
    )
    media_timeout: float = Field(
        default=30.0,
        gt=0,
        description=(
            "Seconds one media download (the Graph lookup, then the file) may take before it has failed."
        ),
    )

    def media_type_allowed(self, mime_type: str) -> bool:
        """Whether a MIME type (``audio/ogg; codecs=opus``) is one of WHATSAPP_MEDIA_TYPES."""
        base = mime_type.split(";", 1)[0].strip().lower()
        return base in {t.strip().lower() for t in self.media_types.split(",") if t.strip()}

    @model_validator(mode="after")
    def _complete(self) -> WhatsAppSettings:
        """WHATSAPP_ENABLED=true without its credentials fails at start, naming what is missing."""
        if self.enabled:
            required = ("access_token", "app_secret", "verify_token", "phone_number_id")
            missing = [f"WHATSAPP_{n.upper()}" for n in required if not getattr(self, n)]
            if missing:
                raise ValueError(
                    f"WHATSAPP_ENABLED=true needs {', '.join(missing)} (see docs/channels/whatsapp.md)"
                )
        return self
