"""Two levels in the gap report: the pure clusters grouped into topics (the same average-linkage tree cut at
GAPS_TOPIC_DISTANCE), one card per topic whose sub-groups the lead can untick; the draft and the "handled"
marking take the ticked sub-groups only. Grouping on made-up vectors, then the API with the real embedder."""

from __future__ import annotations

import numpy as np
import pytest
from gap_testing import DOG_REPLY, DOGS, WATER, GapHub, Turn

from faq_editor.checks import same_text
from gaps.cluster import cluster_vectors, topics_of


def _unit(*angles: float) -> np.ndarray:
    """Unit vectors in a plane, ``angles`` in degrees (cosine distance 1 - cos(angle))."""
    rad = np.radians(angles)
    return np.stack([np.cos(rad), np.sin(rad), np.zeros_like(rad)], axis=1)


def test_two_close_pure_clusters_are_one_topic_and_a_far_question_stays_its_own() -> None:
    # three at 0-4 degrees, two at 24-26 degrees (about 0.09-0.10 apart on average), one at 90 degrees
    vectors = _unit(0, 2, 4, 24, 26, 90)
    groups = cluster_vectors(vectors, 0.05)
    assert sorted(sorted(g.members) for g in groups) == [[0, 1, 2], [3, 4], [5]]

    topics = topics_of(vectors, groups, 0.12)
    assert [[sorted(g.members) for g in t.groups] for t in topics] == [[[0, 1, 2], [3, 4]], [[5]]]
    assert topics[0].distances[0] == 0.0 and 0.06 < topics[0].distances[1] < 0.12

    # 0 turns topics off: every cluster is its own
    assert [len(t.groups) for t in topics_of(vectors, groups, 0)] == [1, 1, 1]


# the lead's Monday: five customers asked whether dogs may come in; two asked about water for their dogs
# (WATER), which the same tree joins to them higher up (a different question: the lead unticks it)


def _seed(gaps: GapHub) -> list[int]:
    return gaps.seed(
        [
            Turn(DOGS[0], reply=DOG_REPLY),
            Turn(DOGS[1], reply=DOG_REPLY),
            Turn(DOGS[2], reply="Claro, con correa."),
            Turn(DOGS[3]),
            Turn(DOGS[4]),
            Turn(WATER[0], reply="Sí, en la entrada. Llama al 612 345 678"),
            Turn(WATER[1]),
            Turn("¿Hacéis envíos a Canarias?"),
        ]
    )


def test_a_topic_is_one_card_counting_all_its_questions_with_its_clusters_as_sub_groups(gaps: GapHub) -> None:
    ids = _seed(gaps)
    report = gaps.get("/api/v1/gaps")

    # the pure clusters are as before (backward compatible)
    assert [c["size"] for c in report["clusters"]] == [5, 2, 1]
    topic = report["topics"][0]
    assert topic["size"] == 7 and topic["open"] == 7 and topic["representative"] in DOGS
    subs = topic["sub_groups"]
    assert [(s["size"], s["open"]) for s in subs] == [(5, 5), (2, 2)]
    assert sorted(subs[0]["questions"]) == sorted(DOGS) and sorted(subs[1]["questions"]) == sorted(WATER)
    assert subs[0]["distance"] == 0 and subs[1]["distance"] > 0
    assert topic["replies"] == [
        {"text": DOG_REPLY, "count": 2},
        {"text": "Claro, con correa.", "count": 1},
        {"text": "Sí, en la entrada. Llama al [PHONE]", "count": 1},
    ]
    assert "612 345 678" not in str(report)
    # a far question stays its own topic
    assert [t["size"] for t in report["topics"]] == [7, 1]
    assert report["topics"][1]["sub_groups"][0]["id"] == ids[7]


def test_the_draft_takes_the_ticked_sub_groups_only(gaps: GapHub) -> None:
    ids = _seed(gaps)
    dogs, water = (s["id"] for s in gaps.get("/api/v1/gaps")["topics"][0]["sub_groups"])

    draft = gaps.get(f"/api/v1/gaps/clusters/{dogs}/draft", params={"sub_groups": [dogs]})
    entry = draft["entry"]
    assert sorted([entry["question"], *entry["alt_questions"]]) == sorted(DOGS)
    assert entry["answer"] == DOG_REPLY
    assert sorted(draft["message_ids"]) == sorted(ids[:5]) and draft["sub_groups"] == [dogs]

    # both ticked: the largest one's representative, every wording, the most used reply among them all
    both = gaps.get(f"/api/v1/gaps/clusters/{water}/draft", params={"sub_groups": [water, dogs]})
    assert both["cluster"] == dogs and both["sub_groups"] == [dogs, water]
    assert both["entry"]["question"] in DOGS
    assert sorted([both["entry"]["question"], *both["entry"]["alt_questions"]]) == sorted(DOGS + WATER)
    assert both["entry"]["answer"] == DOG_REPLY
    # the water sub-group alone: its own reply is the answer
    alone = gaps.get(f"/api/v1/gaps/clusters/{dogs}/draft", params={"sub_groups": [water]})["entry"]
    assert alone["answer"] == "Sí, en la entrada. Llama al [PHONE]"
    # a customer's wording as the question, tidied as the bot will quote it («¿…?», a capital)
    assert alone["question"].startswith("¿") and alone["question"][1].isupper()
    assert sorted(same_text(q) for q in [alone["question"], *alone["alt_questions"]]) == sorted(
        same_text(q) for q in WATER
    )

    # no sub_groups: the path's cluster alone, as before
    assert sorted(gaps.get(f"/api/v1/gaps/clusters/{ids[5]}/draft")["message_ids"]) == sorted(ids[5:7])
    missing = gaps.client.get(
        f"/api/v1/gaps/clusters/{dogs}/draft",
        params={"sub_groups": [ids[-1] + 999]},
        headers=gaps.login("supervisor"),
    )
    assert missing.status_code == 404


def test_marking_handled_takes_the_ticked_sub_groups_only(gaps: GapHub) -> None:
    _seed(gaps)
    dogs, water = (s["id"] for s in gaps.get("/api/v1/gaps")["topics"][0]["sub_groups"])
    body = {"entry_id": "tienda-mascotas", "lang": "es", "sub_groups": [dogs]}
    done = gaps.client.post(f"/api/v1/gaps/clusters/{dogs}/handled", headers=gaps.login("admin"), json=body)
    assert done.status_code == 200 and done.json()["marked"] == 5

    topic = gaps.get("/api/v1/gaps")["topics"][0]
    assert topic["size"] == 7 and topic["open"] == 2 and topic["handled"] is None
    subs = {s["id"]: s for s in topic["sub_groups"]}
    assert subs[dogs]["open"] == 0 and subs[dogs]["handled"]["entry_id"] == "tienda-mascotas"
    assert subs[water]["open"] == 2 and subs[water]["handled"] is None


def test_topics_off_is_one_card_per_cluster(gaps: GapHub, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(gaps)
    monkeypatch.setenv("GAPS_TOPIC_DISTANCE", "0")
    topics = gaps.get("/api/v1/gaps")["topics"]
    assert [(t["size"], len(t["sub_groups"])) for t in topics] == [(5, 1), (2, 1), (1, 1)]


def test_a_customers_wording_is_tidied_into_the_drafts_question() -> None:
    """The bot quotes the question it answers («Sobre «…»: …»): a lead publishing a draft unchanged should
    not have the bot say «Sobre «se puede pagar a plazos?»»."""
    from gaps.report import tidy_question

    assert tidy_question("se puede pagar a plazos?", "es") == "¿Se puede pagar a plazos?"
    assert tidy_question("¿hay agua para los perros?", "es") == "¿Hay agua para los perros?"
    assert tidy_question("  mi  pedido   no llega", "es") == "Mi pedido no llega"
    assert tidy_question("can I pay later?", "en") == "Can I pay later?"
    assert tidy_question("¿Puedo entrar con mi perro?", "es") == "¿Puedo entrar con mi perro?"
