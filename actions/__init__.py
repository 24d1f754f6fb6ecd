"""Custom actions of the Rasa bot: thin glue over ``knowledge_base``, ``demo_shop`` and the hub.

Run with ``.venv/bin/python -m rasa_sdk --actions actions --port 5055`` from the repo root.
Custom payloads (``handoff``, ``kb``) follow docs/architecture.md. When loaded by the action
server, the knowledge base starts opening in the background (``ACTIONS_WARM_UP_KB=0`` disables).
"""

import os
import sys

if "rasa_sdk" in (sys.argv[0] if sys.argv else "") and os.environ.get("ACTIONS_WARM_UP_KB") != "0":
    from actions.knowledge import warm_up_in_background

    warm_up_in_background()
