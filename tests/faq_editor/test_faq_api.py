"""The FAQ editor's API on SQLite and PostgreSQL: who may do what, the checks, publishing, the change log,
revert and "try it" (small es+en KB, real embedder)."""

from __future__ import annotations

from pathlib import Path

from editor_testing import Editing, entry

from faq_editor.editor import FaqEditor

FAQ = "/api/v1/faq"


def test_agents_read_the_faq_but_only_supervisors_and_admins_change_it(editing: Editing) -> None:
    listed = editing.ok("GET", f"{FAQ}/entries", editing.agent())
    assert listed["total"] == 10 and set(listed["languages"]) == {"es", "en"}
    refused = editing.client.post(f"{FAQ}/entries", json=entry(), headers=editing.agent())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "supervisor_only"
    refused = editing.client.delete(f"{FAQ}/entries/envio-plazo/es", headers=editing.agent())
    assert refused.status_code == 403
    made = editing.client.post(f"{FAQ}/entries", json=entry(), headers=editing.admin())
    assert made.status_code == 201, made.text
    assert made.json()["change"]["author"] == "Alba"
    change_id = made.json()["change"]["id"]
    refused = editing.client.post(f"{FAQ}/changes/{change_id}/revert", headers=editing.agent())
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "supervisor_only"
    refused = editing.client.put(f"{FAQ}/entries/tarjeta-regalo/es", json=entry(), headers=editing.agent())
    assert refused.status_code == 403


def test_search_in_spanish_and_english_ignores_accents_and_case(editing: Editing) -> None:
    found = editing.ok("GET", f"{FAQ}/entries", params={"q": "CUANTO tarda"})["entries"]
    assert found[0]["id"] == "envio-plazo" and found[0]["lang"] == "es"
    found = editing.ok("GET", f"{FAQ}/entries", params={"q": "long", "lang": "en"})["entries"]
    assert [e["id"] for e in found] == ["envio-plazo"] and found[0]["languages"] == ["en", "es"]
    one = editing.ok("GET", f"{FAQ}/entries/envio-plazo/en")
    assert one["question"] == "How long does my order take to arrive?" and one["editable"]
    assert one["file"] == "en/tienda.yaml"
    missing = editing.client.get(f"{FAQ}/entries/nope/es", headers=editing.supervisor())
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "faq_entry_not_found"


def test_checks_show_duplicates_an_empty_answer_and_a_question_too_close(editing: Editing) -> None:
    draft = entry(id="envio-plazo", question="¿cuánto tarda en llegar MI pedido", answer="  ")
    checks = editing.ok("POST", f"{FAQ}/checks", json={"entry": draft})
    codes = {(p["code"], p["field"]) for p in checks["problems"]}
    assert ("duplicate_id", "id") in codes and ("empty_answer", "answer") in codes
    assert ("duplicate_question", "question") in codes and not checks["ok"]
    close = editing.ok(
        "POST", f"{FAQ}/checks", json={"entry": entry(question="¿Cuánto tarda en llegar el pedido a casa?")}
    )
    assert close["ok"], close
    warning = close["warnings"][0]
    assert warning["other_id"] == "envio-plazo" and warning["field"] == "question"
    assert warning["score"] >= warning["threshold"]
    assert editing.ok("POST", f"{FAQ}/checks", json={"entry": entry()}) == {
        "ok": True,
        "problems": [],
        "warnings": [],
    }
    # editing an entry does not make it its own duplicate
    own = editing.ok("GET", f"{FAQ}/entries/envio-plazo/es")
    same = editing.ok(
        "POST",
        f"{FAQ}/checks",
        json={
            "entry": {
                k: own[k] for k in ("id", "lang", "question", "answer", "alt_questions", "category", "url")
            },
            "original_id": "envio-plazo",
            "original_lang": "es",
        },
    )
    assert same["ok"] and same["warnings"] == []


def test_saving_runs_the_same_checks_and_loses_nothing(editing: Editing, editor: FaqEditor) -> None:
    files = {p: p.read_bytes() for p in editor.settings.path.rglob("*.yaml")}
    refused = editing.client.post(f"{FAQ}/entries", json=entry(answer=""), headers=editing.supervisor())
    assert refused.status_code == 422
    body = refused.json()["error"]
    assert body["code"] == "faq_invalid" and body["problems"][0]["code"] == "empty_answer"
    bad = editing.client.post(
        f"{FAQ}/entries", json=entry(lang="fr", url="ftp://x"), headers=editing.supervisor()
    )
    assert {p["code"] for p in bad.json()["error"]["problems"]} == {"bad_lang", "bad_url"}
    assert {p: p.read_bytes() for p in editor.settings.path.rglob("*.yaml")} == files
    assert editing.ok("GET", f"{FAQ}/changes")["changes"] == []
    # a too-close question is a warning: it saves, and says so
    saved = editing.ok(
        "POST", f"{FAQ}/entries", json=entry(question="¿Cuánto tarda en llegar el pedido a casa?")
    )
    assert saved["warnings"][0]["other_id"] == "envio-plazo"


def test_every_change_is_logged_per_entry_and_revertible(editing: Editing, editor: FaqEditor) -> None:
    made = editing.ok("POST", f"{FAQ}/entries", json=entry())
    assert made["change"]["kind"] == "create" and made["change"]["before"] is None
    assert made["entry"]["file"] == "es/promos.yaml" and made["files"] == ["es/promos.yaml"]
    edited = editing.ok(
        "PUT", f"{FAQ}/entries/tarjeta-regalo/es", json=entry(answer="Sí, desde 10 €: pídela en caja.")
    )
    change = edited["change"]
    assert change["kind"] == "update" and change["author"] == "Reader"
    assert change["before"]["answer"].startswith("Sí: de 10 a 200 €")
    assert change["after"]["answer"] == "Sí, desde 10 €: pídela en caja."
    log = editing.ok("GET", f"{FAQ}/changes", params={"entry_id": "tarjeta-regalo"}, headers=editing.agent())
    assert [c["kind"] for c in log["changes"]] == ["update", "create"]

    reverted = editing.ok("POST", f"{FAQ}/changes/{change['id']}/revert")
    assert reverted["change"]["reverts_id"] == change["id"] and reverted["change"]["source"] == "revert"
    assert editing.ok("GET", f"{FAQ}/entries/tarjeta-regalo/es")["answer"].startswith("Sí: de 10 a 200 €")
    again = editing.client.post(f"{FAQ}/changes/{change['id']}/revert", headers=editing.supervisor())
    assert again.status_code == 409 and again.json()["error"]["code"] == "faq_nothing_to_revert"

    editing.ok("POST", f"{FAQ}/changes/{made['change']['id']}/revert")  # undo the creation
    gone = editing.client.get(f"{FAQ}/entries/tarjeta-regalo/es", headers=editing.supervisor())
    assert gone.status_code == 404
    assert not (editor.settings.path / "es" / "promos.yaml").exists()
    assert len(editing.ok("GET", f"{FAQ}/changes")["changes"]) == 4


def test_delete_and_move_to_another_language_are_revertible(editing: Editing, editor: FaqEditor) -> None:
    original = (editor.settings.path / "es" / "tienda.yaml").read_text(encoding="utf-8")
    deleted = editing.ok("DELETE", f"{FAQ}/entries/devolucion/es")
    assert deleted["change"]["kind"] == "delete" and deleted["entry"] is None
    assert editing.client.get(f"{FAQ}/entries/devolucion/es", headers=editing.supervisor()).status_code == 404
    editing.ok("POST", f"{FAQ}/changes/{deleted['change']['id']}/revert")
    assert editing.ok("GET", f"{FAQ}/entries/devolucion/es")["question"]
    assert (editor.settings.path / "es" / "tienda.yaml").read_text(encoding="utf-8") != ""
    made = editing.ok("POST", f"{FAQ}/entries", json=entry())
    moved = editing.ok(
        "PUT",
        f"{FAQ}/entries/tarjeta-regalo/es",
        json=entry(lang="en", question="Do you sell gift cards?", alt_questions=[]),
    )
    assert moved["entry"]["file"] == "en/promos.yaml" and moved["change"]["lang"] == "en"
    editing.ok("POST", f"{FAQ}/changes/{moved['change']['id']}/revert")
    assert editing.ok("GET", f"{FAQ}/entries/tarjeta-regalo/es")["question"] == "¿Tenéis tarjetas regalo?"
    assert (
        editing.client.get(f"{FAQ}/entries/tarjeta-regalo/en", headers=editing.supervisor()).status_code
        == 404
    )
    assert made["change"]["id"] < moved["change"]["id"]
    assert "devolucion" in original


def test_try_it_shows_the_decision_before_and_after_an_unsaved_edit(
    editing: Editing, editor: FaqEditor
) -> None:
    files = {p: p.read_bytes() for p in Path(editor.settings.path).rglob("*.yaml")}
    tried = editing.ok(
        "POST",
        f"{FAQ}/try",
        headers=editing.agent(),
        json={"text": "quiero regalar una tarjeta regalo", "lang": "es", "draft": {"entry": entry()}},
    )
    assert tried["before"]["answer_id"] != "tarjeta-regalo"
    assert all(c["id"] != "tarjeta-regalo" for c in tried["before"]["candidates"])
    after = tried["after"]
    assert after["action"] == "answer" and after["answer_id"] == "tarjeta-regalo", after
    assert after["candidates"][0]["score"] > 0 and after["reason"]
    assert {p: p.read_bytes() for p in Path(editor.settings.path).rglob("*.yaml")} == files
    plain = editing.ok("POST", f"{FAQ}/try", json={"text": "¿Cuánto tarda en llegar mi pedido?"})
    assert plain["before"]["answer_id"] == "envio-plazo" and plain["after"] is None
    empty = editing.client.post(f"{FAQ}/try", json={"text": ""}, headers=editing.supervisor())
    assert empty.status_code == 422


def test_bad_requests_get_clear_errors(editing: Editing) -> None:
    sup = editing.supervisor()
    assert editing.client.put(f"{FAQ}/entries/nope/es", json=entry(), headers=sup).status_code == 404
    revert = editing.client.post(f"{FAQ}/changes/999/revert", headers=sup)
    assert revert.status_code == 404 and revert.json()["error"]["code"] == "faq_change_not_found"
    assert editing.client.post(f"{FAQ}/entries", json={"id": "x"}, headers=sup).status_code == 422
    assert editing.client.get(f"{FAQ}/entries").status_code == 401
