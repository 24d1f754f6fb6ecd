"""One router per resource."""

from fastapi import APIRouter

from hub.api.routes import conversations, health, media, messages, stream, whatsapp

__all__ = ["api_router", "health_router"]

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(messages.router)
api_router.include_router(conversations.router)
api_router.include_router(stream.router)
api_router.include_router(whatsapp.router)
api_router.include_router(media.router)
health_router = health.router
