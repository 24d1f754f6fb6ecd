"""The composition root: the hub (conversation core) with the handoff desk plugged in.

``python -m mostrador`` serves it, ``python -m mostrador.worker`` runs background workers;
mostrador/wiring.py is the one place that knows both packages.
"""

__all__: list[str] = []
