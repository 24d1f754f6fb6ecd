"""Agent passwords: salted scrypt (hashlib, a memory-hard KDF), verified in constant time.

Stored form: ``scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`` so parameters can grow later.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

__all__ = ["hash_password", "needs_rehash", "verify_password"]

_N, _R, _P = 2**17, 8, 1  # OWASP (2024): N=2^17, r=8, p=1; ~128 MiB and ~0.3 s per check
_SALT_BYTES = 16
_KEY_BYTES = 32


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _kdf(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_KEY_BYTES, maxmem=256 * 1024 * 1024
    )


def hash_password(password: str) -> str:
    """A new salted scrypt hash of ``password``."""
    if not password:
        raise ValueError("the password is empty")
    salt = secrets.token_bytes(_SALT_BYTES)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(_kdf(password, salt, _N, _R, _P))}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; the comparison takes constant time."""
    try:
        scheme, n, r, p, salt, expected = stored.split("$")
        if scheme != "scrypt":
            return False
        derived = _kdf(password, base64.b64decode(salt), int(n), int(r), int(p))
        return hmac.compare_digest(derived, base64.b64decode(expected))
    except (ValueError, TypeError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for a hash made with weaker parameters than today's (it is upgraded at login)."""
    try:
        scheme, n, r, p, _salt, _hash = stored.split("$")
        return scheme != "scrypt" or (int(n), int(r), int(p)) < (_N, _R, _P)
    except ValueError:
        return True
