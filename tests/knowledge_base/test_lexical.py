from __future__ import annotations

from pathlib import Path

import numpy as np

from knowledge_base.lexical import LexicalIndex

ROWS = [
    "¿Puedo pagar contra reembolso?",
    "¿Cuánto tarda el envío a Canarias?",
    "¿Cómo hago una devolución?",
    "",  # a row without words must not break anything
]


def _index() -> LexicalIndex:
    return LexicalIndex.build(ROWS, ["es"] * len(ROWS))


def test_typed_without_accents_and_with_typos_the_right_row_is_most_similar() -> None:
    lex = _index()
    rows = np.arange(len(ROWS))
    for text, expected in [("se puede pagar contrareembolso", 0), ("devolucion", 2),
                           ("cuanto tarda un envio a canarias??", 1)]:
        sims = lex.similarities(lex.query(text, "es"), rows)
        assert int(np.argmax(sims)) == expected, (text, sims)


def test_similarity_is_a_cosine_for_any_subset_of_rows() -> None:
    lex = _index()
    q = lex.query("como hago una devolucion", "es")
    assert np.isclose(lex.similarities(q, np.array([2]))[0], 1.0, atol=0.05)
    both = lex.similarities(q, np.array([3, 2, 0]))
    assert both[0] == 0.0
    assert np.isclose(both[1], lex.similarities(q, np.array([2]))[0])
    assert 0.0 <= both[2] < both[1]


def test_survives_a_save_and_load(tmp_path: Path) -> None:
    lex = _index()
    lex.save(tmp_path / "lexical.npz")
    loaded = LexicalIndex.load(tmp_path / "lexical.npz")
    q = loaded.query("contra reembolso", "es")
    assert np.allclose(loaded.similarities(q, np.arange(4)), lex.similarities(q, np.arange(4)))


def test_with_lemmas_another_form_of_the_same_words_matches_and_the_choice_is_saved(
    tmp_path: Path,
) -> None:
    rows = ["Quiero cancelar mi reserva", "¿Dónde está mi factura?"]
    lex = LexicalIndex.build(rows, ["es", "es"], lemmas=True)
    lex.save(tmp_path / "lexical.npz")
    loaded = LexicalIndex.load(tmp_path / "lexical.npz")
    assert loaded.lemmas
    sims = loaded.similarities(loaded.query("cancele las reservas", "es"), np.arange(2))
    plain = _index()
    assert sims[0] > 0.5 > sims[1]
    assert not plain.lemmas  # an index saved before lemmas existed loads as plain n-grams
