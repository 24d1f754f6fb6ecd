"""Custom actions of the Rasa bot: thin glue over ``knowledge_base``, ``demo_shop`` and the hub.

Run with ``.venv/bin/python -m rasa_sdk --actions actions --port 5055`` from the repo root.
Custom payloads (``handoff``, ``kb``) follow docs/architecture.md.
"""
