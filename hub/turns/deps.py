"""What a bot turn works with, built once by the composition root after the plug-ins filled the seams.

Only the bot turn's steps take it (hub/turns/*); everything else takes its own parts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hub.bot import RasaClient
from hub.bus import Database
from hub.delivery import Delivery
from hub.seams import BotIntercept, BotOnly, Intercept, TurnPolicy
from hub.serial import Serializer
from hub.settings import Settings

__all__ = ["TurnDeps"]


@dataclass(frozen=True)
class TurnDeps:
    db: Database
    delivery: Delivery
    rasa: RasaClient
    #: The turn policy (hub/seams.py): handoff/turn_policy.py when the desk is plugged in.
    policy: TurnPolicy
    #: One drain per conversation at a time (hub/serial.py).
    serializer: Serializer
    #: RASA_*, BOT_HOLDING_AFTER, BOT_HANDOFF_AFTER, DEFAULT_LANGUAGE.
    settings: Settings
    #: Takes a message that came back to a resolved conversation before it is reopened (hub/seams.py).
    intercept: Intercept
    #: Takes a message to a conversation the bot owns before the bot reads it (hub/seams.py).
    bot_intercept: BotIntercept = field(default_factory=BotOnly)
