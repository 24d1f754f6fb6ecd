"""Learning runs on the small KB: right labels are kept and served, wrong ones are rolled back."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from knowledge_base import KBSettings, KnowledgeBase
from knowledge_base.built_index import MANIFEST_FILE
from knowledge_base.cli import main
from knowledge_base.day_one import DayOne
from knowledge_base.embedder import Embedder
from knowledge_base.labelled_queries import LabelledQuery, load_queries
from knowledge_base.learn import compare, held_out, verdict
from knowledge_base.learn_index import learn_into_index, rebuild_if_needed
from knowledge_base.learned import Learned, learned_file, load_learned, save_learned

FIXTURES = Path(__file__).parent / "fixtures"

#: Customers' ways to ask about the shop's opening hours, and about returns.
HOURS = ["a que hora abris", "hasta que hora esta abierta la tienda", "abris los sabados",
         "horario de la tienda del centro", "cuando cierra la tienda", "abren los festivos",
         "a que hora abre la tienda por la mañana", "esta abierto a mediodia"]
RETURNS = ["como hago una devolucion", "me quiero devolver el pedido", "puedo devolver una talla",
           "devolucion de un producto roto", "quiero devolver lo que compre", "tengo que devolver algo",
           "como devuelvo unas botas", "plazo para devolver una compra"]


SHIPPING = ["cuanto tarda en llegar mi pedido", "en cuantos dias llega", "cuantos dias tarda el envio",
            "cuando llega mi pedido", "en cuanto tiempo me llega", "cuanto tardais en enviar",
            "cuanto tarda en llegar el paquete", "en cuantos dias me llega el pedido",
            "puedo pagar con bizum?", "formas de pago bizum", "se puede pagar con paypal"]
#: Questions no entry covers, each picked by an agent as if an entry answered it (all wrong labels).
OFF_TOPIC = {"envio-plazo": ["cual es la capital de italia", "cual es la capital de alemania",
                             "capital de portugal", "cual es la capital de españa"],
             "devolucion": ["receta de tortilla de patatas", "como se hace una paella",
                            "receta de gazpacho", "receta de paella de marisco"],
             "pago-metodos": ["quien gano la liga", "resultado del partido de hoy",
                              "quien marco el gol ayer", "quien gano el partido del domingo"],
             "tienda-horario": ["que tiempo hara mañana", "va a llover el fin de semana",
                                "el tiempo en madrid", "que tiempo hace hoy"],
             "cuenta-password": ["cuentame un chiste", "dime algo gracioso", "recomiendame una serie",
                                 "que pelicula me recomiendas"],
             "envio-coste": ["cuantos años tiene la reina", "que edad tiene el presidente",
                             "recomiendame un libro", "cuantos años tiene el papa"]}
FAQ_QUESTIONS = [("¿Cuánto tarda en llegar mi pedido?", "envio-plazo"),
                 ("¿Cuánto cuesta el envío?", "envio-coste"),
                 ("¿Cómo devuelvo un producto?", "devolucion"),
                 ("¿Qué formas de pago aceptáis?", "pago-metodos"),
                 ("He olvidado mi contraseña", "cuenta-password"),
                 ("¿Qué horario tienen las tiendas?", "tienda-horario")]


def _labels(texts: list[str], expected: str | None, first_id: int = 1) -> list[Learned]:
    return [Learned(LabelledQuery(t, expected, "es"), first_id + i) for i, t in enumerate(texts)]


@pytest.fixture()
def learning_settings(kb_dir: Path, tmp_path: Path) -> KBSettings:
    """The small KB judged on its 20 labelled queries as test queries (never learned)."""
    return KBSettings(path=kb_dir, index_dir=tmp_path / "index",
                      calibration_queries=tmp_path / "none.jsonl")


def test_right_labels_are_kept_and_a_running_bot_reloads_them(
    learning_settings: KBSettings, embedder: Embedder
) -> None:
    kb = KnowledgeBase.open(learning_settings, embedder)
    run = learn_into_index(learning_settings, embedder, _labels(HOURS, "tienda-horario"),
                           FIXTURES / "kb_small_queries.jsonl")
    assert run.kept, run.reason
    assert [e.signal_id for e in load_learned(learned_file(learning_settings))] == list(range(1, 9))
    assert run.before["known"]["n"] == 20
    assert kb.reload_if_changed()  # the new index on disk is picked up, nothing rebuilt
    assert kb.index.manifest.calibration["learned_examples"] == len(HOURS)
    again = learn_into_index(learning_settings, embedder, _labels(HOURS, "tienda-horario"))
    assert (again.kept, again.reason) == (False, "no new labels")


def test_wrong_labels_are_rolled_back_and_the_index_is_untouched(
    learning_settings: KBSettings, embedder: Embedder
) -> None:
    KnowledgeBase.open(learning_settings, embedder)
    manifest = learning_settings.index_dir / MANIFEST_FILE
    before = manifest.read_bytes()
    # An agent marks a whole batch of answerable questions "no FAQ covers this" (and the FAQ's own
    # questions right): calibration on them tightens until the bot stops answering.
    wrong = _labels(SHIPPING + HOURS + RETURNS, None)
    wrong += [x for i, (t, e) in enumerate(FAQ_QUESTIONS) for x in _labels([t], e, 500 + i)]
    run = learn_into_index(learning_settings, embedder, wrong, FIXTURES / "kb_small_queries.jsonl")
    assert not run.kept
    assert run.reason.startswith("held-out quality worse: known (correct 10 -> 1, wrong 0 -> 0 of 20)")
    assert (run.after["known"]["harms"], run.after["known"]["gains"]) == (9, 0)
    assert manifest.read_bytes() == before
    assert not learned_file(learning_settings).exists()
    kb = KnowledgeBase.open(learning_settings.model_copy(update={"auto_rebuild": False}), embedder)
    assert kb.ask("quiero devolver unas zapatillas").candidates[0].entry_id == "devolucion"


def test_wrong_faq_labels_that_make_the_bot_answer_wrong_are_rolled_back(
    learning_settings: KBSettings, embedder: Embedder
) -> None:
    KnowledgeBase.open(learning_settings, embedder)
    manifest = learning_settings.index_dir / MANIFEST_FILE
    before = manifest.read_bytes()
    # Agents answer 24 questions no entry covers with an entry each. With the shipped e5 day-one
    # defaults (full weight 1.0) example rows weigh nothing and these labels are inert; at full
    # weight 0.5 they count half (the demo FAQ's calibration moves it to 0.2 on average at 200 labels).
    half = DayOne(0.5, 0.0, 0.0, -0.6, 1.25, -0.9, "examples count half")
    wrong = [x for i, (e, texts) in enumerate(OFF_TOPIC.items()) for x in _labels(texts, e, 10 * i)]
    run = learn_into_index(learning_settings, embedder, wrong, FIXTURES / "kb_small_queries.jsonl",
                           defaults=half)
    assert not run.kept
    # 3 of 20 on installs up to 12-04, 4 on a fresh install of 12-05 (same code; cause not found: not the
    # thread count, not OpenBLAS's or FAISS's SIMD level). Never below 3.
    newly = re.search(r"(\d+) newly answered wrong, 0 no longer", run.reason)
    assert newly is not None, run.reason
    assert int(newly[1]) >= 3
    assert (run.before["known"]["wrong"], run.after["known"]["wrong"]) == (0, int(newly[1]))
    assert manifest.read_bytes() == before
    assert not learned_file(learning_settings).exists()


def test_a_removed_example_is_dropped_by_the_next_rebuild(
    learning_settings: KBSettings, embedder: Embedder
) -> None:
    learn_into_index(learning_settings, embedder, _labels(HOURS, "tienda-horario"),
                     FIXTURES / "kb_small_queries.jsonl")
    path = learned_file(learning_settings)
    save_learned(path, [e for e in load_learned(path) if e.signal_id != 1])
    assert rebuild_if_needed(learning_settings, embedder)
    assert not rebuild_if_needed(learning_settings, embedder)
    kb = KnowledgeBase.open(learning_settings.model_copy(update={"auto_rebuild": False}), embedder)
    assert kb.index.manifest.calibration["learned_examples"] == len(HOURS) - 1


def test_a_run_calibrates_from_the_day_one_defaults_it_is_given(
    learning_settings: KBSettings, embedder: Embedder
) -> None:
    # Benchmarks pass defaults fitted without the FAQ under test: the served index uses them.
    never = DayOne(1.0, 0.0, 0.0, 50.0, 50.0, 50.0, "never answers")
    run = learn_into_index(learning_settings, embedder, _labels(HOURS, "tienda-horario"),
                           FIXTURES / "kb_small_queries.jsonl", defaults=never)
    assert run.kept, run.reason
    assert run.after["known"]["correct"] == 0
    kb = KnowledgeBase.open(learning_settings.model_copy(update={"auto_rebuild": False}), embedder)
    assert kb.index.manifest.calibration["defaults"] == "never answers"
    assert kb.ask("a que hora abris").action == "handoff"


def test_the_cli_learns_an_exported_file_and_prints_the_run(
    learning_settings: KBSettings, embedder: Embedder, tmp_path: Path,
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("knowledge_base.cli.make_embedder", lambda _s: embedder)
    monkeypatch.setenv("KB_CALIBRATION_QUERIES", str(tmp_path / "none.jsonl"))
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps({"text": t, "expected": "tienda-horario", "lang": "es",
                                          "signal_id": i}) + "\n" for i, t in enumerate(HOURS)))
    argv = ["learn", "--kb", str(learning_settings.path), "--index-dir",
            str(learning_settings.index_dir), "--labels", str(labels),
            "--test", str(FIXTURES / "kb_small_queries.jsonl")]
    assert main([*argv, "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["kept"] is True and printed["labels"] == len(HOURS)
    assert printed["before"]["known"]["n"] == 20
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hola", "expected": "no-such-entry", "lang": "es"}\n')
    assert main([*argv[:-4], "--labels", str(bad)]) == 2
    assert "'no-such-entry' is not in the KB" in capsys.readouterr().err


def _outcomes(**counts: int) -> list[str]:
    return [k for k, n in counts.items() for _ in range(n)]


def test_many_right_answers_for_one_wrong_one_are_kept() -> None:
    # As the demo FAQ at 200 labels: of 23 held-out queries, 8 the bot did not answer are now
    # answered right, and one it answered right is now answered wrong (correct 9 -> 16, wrong 0 -> 1:
    # the gate on raw counts rolled such batches back).
    before = _outcomes(correct=9, clarify=10, handoff=4)
    after = _outcomes(wrong=1, correct=16, clarify=2, handoff=4)
    change = compare(before, after)
    assert (change.gains, change.harms, change.new_wrong) == (8, 1, 1)
    assert verdict(change, len(before)) is None


def test_one_query_never_decides_but_harms_beyond_chance_do() -> None:
    n = 20
    right, missed = _outcomes(correct=10, handoff=10), _outcomes(handoff=20)
    one_less = ["handoff", *right[1:]]
    assert verdict(compare(right, one_less), n) is None
    assert verdict(compare(missed, ["wrong", *missed[1:]]), n) is None
    three_less = ["clarify"] * 3 + right[3:]
    assert verdict(compare(right, three_less), n) is None  # a fair coin does this 1 time in 8
    four_less = ["clarify"] * 4 + right[4:]
    assert "4 queries worse, 0 better" in (verdict(compare(right, four_less), n) or "")
    assert "2 newly answered wrong" in (verdict(compare(missed, ["wrong"] * 2 + missed[2:]), n) or "")
    # wrong answers that only replace others do not count as a rise
    swapped = compare(["wrong", "wrong", "handoff", "handoff"], ["handoff", "handoff", "wrong", "wrong"])
    assert verdict(swapped, 4) is None
    # on a large group the chance allowance grows: 3 new wrong answers of 100 are within noise
    assert verdict(compare(_outcomes(handoff=100), _outcomes(wrong=3, handoff=97)), 100) is None


def test_the_held_out_share_is_fixed_by_the_text() -> None:
    queries = load_queries(FIXTURES / "kb_small_queries.jsonl")
    assert [held_out(q) for q in queries] == [held_out(q) for q in queries]
    many = [LabelledQuery(f"pregunta numero {i}", None, "es") for i in range(500)]
    assert 70 < sum(map(held_out, many)) < 130
