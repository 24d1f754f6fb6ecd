"""Human handoff: policy (when), queue (who, in what order), agents, and the agent API.

It plugs into the hub (which imports nothing of it) through handoff/plugin.py, called by the
composition root (mostrador/wiring.py).
"""

__all__: list[str] = []
