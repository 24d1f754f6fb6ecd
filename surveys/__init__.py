"""Conversations end, and customers rate them: the bot's resolutions (goodbye, silence), the closing
message, CSAT and NPS in the channel, follow-ups for bad ratings (issue 17, sections 1 and 2).

A plug-in like handoff/: it subscribes to the hub's after-commit events (hub/bus.py), fills the
``Intercept`` seam (hub/seams.py) and adds a worker task; the hub never imports it. Wired by
mostrador/wiring.py (surveys/plugin.py). See docs/surveys.md.
"""
