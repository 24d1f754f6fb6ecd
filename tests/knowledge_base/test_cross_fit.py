"""Labelled queries as examples: cross-fitted calibration, other entries left alone."""

from __future__ import annotations

from pathlib import Path

from knowledge_base.built_index import BuiltIndex
from knowledge_base.catalog import Catalog
from knowledge_base.cross_fit import build_with_labels, cross_fitted_scores, with_examples
from knowledge_base.day_one import DayOne
from knowledge_base.embedder import Embedder
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.rows import TextRecipe

DEFAULTS = DayOne(0.5, 0.0, 0.0, z_answer=1.0, z_margin=0.5, z_clarify=0.0)
OTHERS = [LabelledQuery("cuanto tarda en llegar el pedido", "envio-plazo", "es"),
          LabelledQuery("how do i send something back", "devolucion", "en"),
          LabelledQuery("aceptais paypal", "pago-metodos", "es")]


def test_labels_join_their_entry_in_their_language(kb_dir: Path) -> None:
    catalog = Catalog.load(kb_dir)
    labelled = with_examples(catalog, [LabelledQuery("cuanto cobrais x enviar", "envio-coste",
                                                     "es"), LabelledQuery("x", None, "es")])
    es = labelled.get("envio-coste", "es")
    assert es is not None and es.examples == ("cuanto cobrais x enviar",)
    assert es.alt_questions == catalog.get("envio-coste", "es").alt_questions  # passage unchanged
    en = labelled.get("envio-coste", "en")
    assert en == catalog.get("envio-coste", "en")


def test_labels_for_one_entry_leave_every_other_entrys_results_unchanged(
    kb_dir: Path, embedder: Embedder
) -> None:
    catalog = Catalog.load(kb_dir)
    recipe = TextRecipe()
    plain = BuiltIndex.build(catalog, embedder, recipe, 50_000)
    t0 = plain.calibrate([], 0.03, "none", defaults=DEFAULTS).thresholds
    labels = [LabelledQuery(t, "envio-coste", "es") for t in
              ("cuanto me cobrais de envio", "el envio es gratis?", "gastos de envio a canarias")]
    served, result = build_with_labels(catalog, labels, embedder, recipe, 50_000, 0.03, "test",
                                       defaults=DEFAULTS)
    assert result.source == "day-one defaults"  # 3 labels are no evidence to move
    assert served.manifest.thresholds == t0.as_dict()
    for q in OTHERS:
        before = {h.entry_id: h.score for h in plain.score([q])[0].hits}
        after = {h.entry_id: h.score for h in served.score([q])[0].hits}
        for entry_id, score in before.items():
            if entry_id != "envio-coste":
                assert abs(after[entry_id] - score) < 1e-5, (q.text, entry_id)
        assert max(after, key=after.__getitem__) == max(before, key=before.__getitem__)


def test_calibration_never_sees_a_query_that_is_indexed_as_its_own_example(
    kb_dir: Path, embedder: Embedder
) -> None:
    catalog = Catalog.load(kb_dir)
    texts = ("cuanto me cobrais por mandarlo", "el transporte lo pago yo?", "gastos de envio",
             "sale gratis si compro mucho", "precio del mensajero", "hay que pagar portes",
             "cuanto es el envio a mi casa", "envio gratuito desde que importe")
    labels = [LabelledQuery(t, "envio-coste", "es") for t in texts]
    scored, _ = cross_fitted_scores(catalog, labels, embedder, TextRecipe(), 50_000)
    assert len(scored) == len(labels)
    served, _ = build_with_labels(catalog, labels, embedder, TextRecipe(), 50_000, 0.03, "test",
                                  defaults=DEFAULTS)
    # the index that serves customers has every label as an example, so each label finds
    # itself there; calibration scored it against the other folds' examples only
    by_text = {s.query.text: s for s in scored}  # scored fold by fold
    served_scores = served.score(labels)
    for serving in served_scores:
        fitted = by_text[serving.query.text]
        own = {h.entry_id: h.example for h in fitted.hits}["envio-coste"]
        indexed = {h.entry_id: h.example for h in serving.hits}["envio-coste"]
        assert indexed > own + 0.01, fitted.query.text
    assert served.catalog == catalog  # customers are answered from the FAQ as written
