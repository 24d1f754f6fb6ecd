"""A bounded schemathesis run over the whole OpenAPI of the assembled app (hub + handoff):
generated requests, with and without an agent's token, never get a 5xx or a status the schema
does not document (issue 15)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.testclient import TestClient

from faq_editor.editor import FaqEditor
from handoff import agents
from knowledge_base import KBSettings, KnowledgeBase
from mostrador.wiring import create_app
from tests.fakes.rasa import FakeRasa
from tests.support.in_process_hub import InProcessHub, hub_settings

SMALL_KB = Path(__file__).resolve().parents[1] / "knowledge_base" / "fixtures" / "kb_small"
EXAMPLES = 12  # per operation and credential: bounded, so the run stays a few seconds


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, dict[str, str]]]:
    tmp = tmp_path_factory.mktemp("fuzz")
    settings_ = hub_settings(f"sqlite+aiosqlite:///{Path(tmp) / 'hub.db'}", tmp)
    faq = KBSettings(path=Path(shutil.copytree(SMALL_KB, tmp / "faq")), index_dir=tmp / "kb")
    KnowledgeBase.open(faq)  # the small test FAQ, indexed, for /api/v1/faq (the demo's would take minutes)
    app = create_app(settings_, rasa_transport=httpx.MockTransport(FakeRasa().handle),
                     faq_editor=FaqEditor(faq))
    with TestClient(app) as client:
        hub = InProcessHub(client)

        async def create(session: AsyncSession) -> int:
            agent = await agents.create(session, email="fuzz@example.com", name="Fuzz",
                                        password="s3cret-pass", languages=["es"], skills=[],
                                        max_concurrent=3)
            return agent.id

        hub.db(create)
        token = client.post("/api/v1/agent/login",
                            json={"email": "fuzz@example.com", "password": "s3cret-pass"})
        assert token.status_code == 200, token.text
        yield app, {"Authorization": f"Bearer {token.json()['token']}"}


CHECKS = [not_a_server_error, status_code_conformance]


def test_generated_requests_get_no_5xx_and_no_undocumented_status(
    running: tuple[Any, dict[str, str]],
) -> None:
    app, agent = running
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 20  # the whole API: hub and handoff routes
    failures: list[str] = []

    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case: Any) -> None:
            case.call_and_validate(checks=CHECKS)  # anonymous
            # as the agent (never through logout: later cases would all be 401)
            if not case.operation.path.endswith("/logout"):
                case.call_and_validate(headers=dict(agent), checks=CHECKS)

        try:
            run()
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:
            found = [line.strip() for line in str(exc).splitlines() if line.strip()]
            failures.append(f"{operation.method.upper()} {operation.path}: {' / '.join(found[1:4])}")
    assert not failures, "\n".join(failures)
