"""What the database can store as text: no NUL, no lone surrogate (issue 15, finding 4)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator

__all__ = ["StoredText", "check_text"]


def check_text(value: str) -> str:
    """A pydantic validator for strings the database stores: no NUL, no lone surrogate."""
    if "\x00" in value:
        raise ValueError("contains a NUL character (\\u0000); remove it")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError(
            f"contains a lone surrogate ({value[exc.start]!r}) that is not text; send valid UTF-8"
        ) from exc
    return value


#: A request field the database stores or looks up: ``StoredText = Field(...)`` in a pydantic model.
StoredText = Annotated[str, AfterValidator(check_text)]
