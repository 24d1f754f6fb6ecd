"""The agent API is documented in the hub's OpenAPI, with bearer auth."""

from __future__ import annotations

from handoff_testing import Desk


def test_every_agent_endpoint_is_in_the_openapi_document_with_bearer_auth(desk: Desk) -> None:
    spec = desk.client.get("/openapi.json").json()
    paths = {p for p in spec["paths"] if p.startswith("/api/v1/agent")}
    assert {
        "/api/v1/agent/login",
        "/api/v1/agent/me",
        "/api/v1/agent/me/status",
        "/api/v1/agent/queue",
        "/api/v1/agent/queue/claim",
        "/api/v1/agent/conversations/{conversation_id}/claim",
        "/api/v1/agent/conversations/{conversation_id}/context",
        "/api/v1/agent/conversations/{conversation_id}/messages",
        "/api/v1/agent/conversations/{conversation_id}/notes",
        "/api/v1/agent/conversations/{conversation_id}/transfer",
        "/api/v1/agent/conversations/{conversation_id}/resolve",
        "/api/v1/agent/conversations/{conversation_id}/hand-back",
    } <= paths
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
    assert spec["paths"]["/api/v1/agent/queue"]["get"]["security"] == [{"HTTPBearer": []}]
