"""Several Rasa servers: which one a conversation talks to (RASA_URL with commas).

Production runs several Rasa servers on one shared tracker store (PostgreSQL) and lock store (Redis), as
Rasa documents (docs/scaling.md); any of them can run any conversation's turn. The hub still sends each
conversation to one of them — its tracker stays in that server's cache and one conversation's turns never
race for the lock — chosen by rendezvous (highest-random-weight) hashing: adding or removing a server moves
only the conversations that hashed to it. While that server cannot be reached, the next in the same order
takes the conversation (hub/bot.py ``RasaClient.send``).

One server (``make run``) is the special case of a one-item list.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache

__all__ = ["for_sender", "parse", "tracker_url", "url_for"]


@lru_cache(maxsize=16)
def parse(rasa_url: str) -> tuple[str, ...]:
    """``"http://a:5005, http://b:5005"`` -> the base URLs, without trailing slashes; ValueError if bad."""
    urls = tuple(part.strip().rstrip("/") for part in rasa_url.split(",") if part.strip())
    if not urls:
        raise ValueError("RASA_URL is empty: give the Rasa server's base URL, e.g. http://127.0.0.1:5005")
    bad = [u for u in urls if not u.startswith(("http://", "https://"))]
    if bad:
        raise ValueError(f"RASA_URL must list http(s):// base URLs separated by commas, got {', '.join(bad)}")
    if len(set(urls)) != len(urls):
        raise ValueError(f"RASA_URL lists a server twice: {rasa_url}")
    return urls


def _weight(url: str, sender: str) -> bytes:
    return hashlib.blake2b(f"{url}|{sender}".encode(), digest_size=8).digest()


def for_sender(urls: tuple[str, ...], sender: str) -> list[str]:
    """The servers in the order this conversation (Rasa's sender id) tries them: its own first."""
    if len(urls) == 1:
        return list(urls)
    return sorted(urls, key=lambda url: _weight(url, sender), reverse=True)


def url_for(rasa_url: str, conversation_id: int | str) -> str:
    """The base URL of the Rasa server that holds this conversation (its first choice)."""
    return for_sender(parse(rasa_url), str(conversation_id))[0]


def tracker_url(rasa_url: str, conversation_id: int | str, tail: str = "") -> str:
    """``<its server>/conversations/<id>/tracker<tail>`` (Rasa's HTTP API; ``tail`` e.g. ``/events``)."""
    return f"{url_for(rasa_url, conversation_id)}/conversations/{conversation_id}/tracker{tail}"
