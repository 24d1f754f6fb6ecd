"""Widget session ids are issued by the hub as signed tokens (issue 15, finding 12).

The widget's session id is the only credential a website visitor has: whoever presents it reads
that visitor's history and speaks as them. A client-chosen id (the Rasa protocol lets the client
propose one) could be guessed or copied, so the hub now issues ``<session id>.<HMAC-SHA256 of it>``
in ``session_confirm``; a ``session_request`` resumes a session only with a token whose signature
checks, anything else starts a new session. The key is ``WIDGET_SECRET``, or one generated once
and kept in ``DATA_DIR/widget_secret`` (mode 0600), so restarts and several web processes on one
``DATA_DIR`` accept each other's tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import uuid
from pathlib import Path

__all__ = ["SessionTokens", "load_secret"]

_SECRET_FILE = "widget_secret"


def load_secret(configured: str, data_dir: Path) -> bytes:
    """``configured`` when set, else the key in DATA_DIR (created atomically on first use)."""
    if configured:
        return configured.encode()
    path = data_dir / _SECRET_FILE
    if not path.is_file():
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode()
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process won the race: use its key
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(key)
    return path.read_bytes().strip()


class SessionTokens:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the widget session secret must be at least 16 bytes")
        self._secret = secret

    def issue(self) -> tuple[str, str]:
        """A new (session id, token)."""
        session_id = uuid.uuid4().hex
        return session_id, self.token(session_id)

    def token(self, session_id: str) -> str:
        mac = hmac.new(self._secret, session_id.encode(), hashlib.sha256).digest()
        return f"{session_id}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"

    def verify(self, token: object) -> str | None:
        """The session id inside a genuine token, else None."""
        if not isinstance(token, str) or len(token) > 200 or "." not in token:
            return None
        session_id = token.rsplit(".", 1)[0]
        return session_id if hmac.compare_digest(self.token(session_id), token) else None
