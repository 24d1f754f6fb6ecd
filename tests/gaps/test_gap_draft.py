"""From a cluster to a draft FAQ entry, and the cluster handled once it is published (SQLite and PostgreSQL):
the representative question, the other wordings as alternatives, the agents' most used reply as the answer;
personal data masked everywhere; supervisors and admins only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from gap_testing import DOG_REPLY, DOGS, GapHub, Turn
from sqlalchemy.ext.asyncio import AsyncSession

from faq_editor.models import FaqChange
from gaps.embedding import Vectors
from knowledge_base import ModelChecksumError
from knowledge_base.embed_cache import CachedEmbedder


def test_the_draft_is_the_representative_its_wordings_and_the_most_used_reply(gaps: GapHub) -> None:
    ids = gaps.seed(
        [
            Turn(DOGS[0], reply="Claro, con correa."),
            Turn(DOGS[1], reply=DOG_REPLY),
            Turn(DOGS[2], reply=DOG_REPLY),
            Turn(DOGS[3]),
            Turn(DOGS[4], reply=DOG_REPLY),
            Turn("¿se admiten perros en la tienda?"),
        ]
    )
    cluster = gaps.get("/api/v1/gaps")["clusters"][0]
    draft = gaps.get(f"/api/v1/gaps/clusters/{ids[2]}/draft")

    assert draft["cluster"] == cluster["id"]
    assert sorted(draft["message_ids"]) == sorted(ids)
    entry = draft["entry"]
    assert entry["question"] == cluster["representative"]
    assert entry["lang"] == "es" and entry["answer"] == DOG_REPLY
    # the same wording twice (case and accents aside) is one alternative
    wordings = [entry["question"], *entry["alt_questions"]]
    assert sorted(w.casefold() for w in wordings) == sorted(d.casefold() for d in DOGS)
    assert entry["id"] == "" and entry["category"] == ""


def test_publishing_marks_the_cluster_handled_until_new_questions_come(gaps: GapHub) -> None:
    ids = gaps.seed([Turn(text) for text in DOGS])

    async def change(session: AsyncSession) -> int:
        row = FaqChange(
            entry_id="tienda-mascotas",
            lang="es",
            kind="create",
            source="editor",
            before=None,
            after={"id": "tienda-mascotas"},
            agent_id=None,
            author="Lucía",
        )
        session.add(row)
        await session.commit()
        return row.id

    change_id = gaps.db(change)
    url = f"/api/v1/gaps/clusters/{ids[0]}/handled"
    wrong = gaps.client.post(
        url, headers=gaps.login("supervisor"), json={"entry_id": "otra", "lang": "es", "change_id": change_id}
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "faq_change_mismatch"

    body = {"entry_id": "tienda-mascotas", "lang": "es", "change_id": change_id}
    done = gaps.client.post(url, headers=gaps.login("admin"), json=body)
    assert done.status_code == 200, done.text
    assert done.json()["marked"] == 5

    after = gaps.get("/api/v1/gaps")
    assert after["clusters"] == []
    # the lead's summary counts what is still unanswered, not what the new entry covers
    assert (after["questions"], after["open_questions"]) == (5, 0)
    shown = gaps.get("/api/v1/gaps", params={"include_handled": "true"})["clusters"][0]
    assert shown["open"] == 0
    assert shown["handled"]["entry_id"] == "tienda-mascotas" and shown["handled"]["change_id"] == change_id

    # the bot still fails a new customer: the cluster is back, with one open question
    gaps.seed([Turn("¿Puedo ir a la tienda con mi perro?")])
    again = gaps.get("/api/v1/gaps")["clusters"]
    assert [(c["size"], c["open"], c["handled"]) for c in again] == [(6, 1, None)]


def test_personal_data_is_masked_in_the_report_the_examples_the_replies_and_the_draft(gaps: GapHub) -> None:
    ids = gaps.seed(
        [
            Turn(
                "Mi pedido AB-12345 llegó roto, escribidme a ana.perez@gmail.com",
                reply="Lo siento, pide el cambio",
            ),
            Turn(
                "El pedido ab54321 me llegó roto, mi móvil es 612 345 678", reply="Lo siento, pide el cambio"
            ),
            Turn("Pedido CD 11111 llegó roto, DNI 12345678Z", reply="Le escribo a ana.perez@gmail.com, Ana"),
            Turn("mi pedido XY-22222 ha llegado roto, soy X1234567L"),
        ]
    )
    report = gaps.client.get("/api/v1/gaps", headers=gaps.login("supervisor")).text
    draft = gaps.client.get(f"/api/v1/gaps/clusters/{ids[0]}/draft", headers=gaps.login("supervisor")).text
    for raw in (
        "AB-12345",
        "ab54321",
        "CD 11111",
        "XY-22222",
        "ana.perez",
        "612 345 678",
        "12345678Z",
        "X1234567L",
    ):
        assert raw not in report and raw not in draft
    texts = json.dumps(json.loads(report), ensure_ascii=False)
    for placeholder in ("[ORDER]", "[EMAIL]", "[PHONE]", "[DNI]", "[NIE]"):
        assert placeholder in texts


@pytest.mark.parametrize("path", ["", "/clusters/1", "/clusters/1/draft"])
def test_agents_get_403_and_strangers_401(gaps: GapHub, path: str) -> None:
    gaps.seed([Turn(DOGS[0])])
    forbidden = gaps.client.get(f"/api/v1/gaps{path}", headers=gaps.login("agent"))
    assert forbidden.status_code == 403
    assert forbidden.json()["error"]["code"] == "supervisor_only"
    assert gaps.client.get(f"/api/v1/gaps{path}").status_code == 401
    assert gaps.client.get(f"/api/v1/gaps{path}", headers=gaps.login("admin")).status_code == 200


def test_marking_is_for_supervisors_and_unknown_questions_are_404(gaps: GapHub) -> None:
    ids = gaps.seed([Turn(DOGS[0])])
    body = {"entry_id": "tienda-mascotas", "lang": "es"}
    agent = gaps.client.post(
        f"/api/v1/gaps/clusters/{ids[0]}/handled", headers=gaps.login("agent"), json=body
    )
    assert agent.status_code == 403
    missing = gaps.client.get(f"/api/v1/gaps/clusters/{ids[0] + 999}/draft", headers=gaps.login("supervisor"))
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "gap_not_found"
    bad = gaps.client.post(
        f"/api/v1/gaps/clusters/{ids[0]}/handled", headers=gaps.login("supervisor"), json={}
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["message"]
    limit = gaps.client.get("/api/v1/gaps", headers=gaps.login("supervisor"), params={"limit": 0})
    assert limit.status_code == 422 and limit.json()["error"]["message"]


def test_wordings_with_personal_data_stay_out_of_the_draft_when_clean_ones_exist(gaps: GapHub) -> None:
    ids = gaps.seed(
        [Turn(DOGS[0]), Turn(DOGS[1]), Turn("¿Puedo entrar con mi perro en la tienda? soy 612 345 678")]
    )
    cluster = gaps.get(f"/api/v1/gaps/clusters/{ids[0]}")
    assert "¿Puedo entrar con mi perro en la tienda? soy [PHONE]" in cluster["questions"]
    entry = gaps.get(f"/api/v1/gaps/clusters/{ids[0]}/draft")["entry"]
    assert sorted([entry["question"], *entry["alt_questions"]]) == sorted(DOGS[:2])


class _Broken:
    model_id, dim = "broken", 3

    def embed_queries(self, texts: list[str]) -> Any:
        raise ModelChecksumError("model file e5-small-q4.bin has SHA-256 0000, expected 1571")

    embed_documents = embed_queries


def test_a_model_that_cannot_be_opened_is_a_clear_503(gaps: GapHub, tmp_path: Path) -> None:
    gaps.seed([Turn(DOGS[0])])
    gaps.client.app.state.gap_vectors = Vectors(CachedEmbedder(_Broken(), tmp_path))  # type: ignore[attr-defined]
    response = gaps.client.get("/api/v1/gaps", headers=gaps.login("supervisor"))
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "embedder_unavailable"
    assert "SHA-256" in response.json()["error"]["message"]
