"""Channels the hub talks to customers through; one module per channel."""

from __future__ import annotations

from hub.broadcast import Broadcast
from hub.channels.api import ApiChannel
from hub.channels.base import Channel
from hub.channels.widget import WidgetChannel

__all__ = ["Channel", "build_channels"]


def build_channels(broadcast: Broadcast) -> dict[str, Channel]:
    """The channels that need no settings, by name (WhatsApp joins in Services.build when enabled)."""
    channels: list[Channel] = [ApiChannel(broadcast), WidgetChannel(broadcast)]
    return {channel.name: channel for channel in channels}
