"""The hub: contacts, conversations, messages and events; routes customers to the bot or humans.

See docs/architecture.md for the message path through its modules.
"""

__all__: list[str] = []
