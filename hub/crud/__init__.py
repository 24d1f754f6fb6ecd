"""Keyword-only database functions, one module per noun. They add/flush; callers commit."""

__all__: list[str] = []
