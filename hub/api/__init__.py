"""HTTP and websocket API of the hub."""

__all__: list[str] = []
