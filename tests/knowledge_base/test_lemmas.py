from __future__ import annotations

from knowledge_base.lemmas import lemma_words


def test_inflected_forms_typed_without_accents_meet_on_one_lemma_and_stop_words_go() -> None:
    assert lemma_words("me mude y quiero llevarme la fibra", "es")[:2] == ["mudar", "querer"]
    assert lemma_words("Cancelé", "es") == lemma_words("cancelar", "es")
    assert "la" not in lemma_words("la factura", "es")
    assert lemma_words("I cancelled two flights", "en") == ["cancel", "flight"]
