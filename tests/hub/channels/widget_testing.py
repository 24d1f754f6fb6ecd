"""A handle on a hub served by uvicorn (socket.io needs a real server)."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import FastAPI

from hub.services import Services

__all__ = ["LiveHub"]


@dataclass
class LiveHub:
    url: str
    app: FastAPI

    @property
    def services(self) -> Services:
        services: Services = self.app.state.services
        return services
