"""Human handoff: policy (when), queue (who, in what order), agents, and the agent API."""

__all__: list[str] = []
