"""Taking removed learned examples out of the bot (learning/unlearn.py): only the removed rows go, a
failed rebuild writes nothing (the next learning run removes it), and a learning run in progress is
waited for (it holds the learned file's lock)."""

from __future__ import annotations

import time
from pathlib import Path

from knowledge_base import KBSettings
from knowledge_base.labelled_queries import LabelledQuery
from knowledge_base.learned import Learned, learned_file, learned_lock, load_learned, save_learned
from learning.unlearn import Removed, Unlearning

PAY = Learned(LabelledQuery("¿cómo puedo pagar?", "pago-metodos", "es"), 1)
SHIP = Learned(LabelledQuery("¿cuándo llega?", "envio-plazo", "es"), 2)
BY_HAND = Learned(LabelledQuery("¿cómo puedo pagar?", "pago-metodos", "es"))  # knowledge_base learn, no label


def _kb(tmp_path: Path) -> KBSettings:
    kb = KBSettings(path=tmp_path / "faq", index_dir=tmp_path / "kb")
    save_learned(learned_file(kb), [PAY, SHIP, BY_HAND])
    return kb


def test_only_the_removed_label_is_taken_out_and_the_index_rebuilt_with_the_rest(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    published: list[list[Learned]] = []

    def publish(examples: list[Learned]) -> float:
        published.append(examples)
        save_learned(learned_file(kb), examples)
        return 1.5

    unlearning = Unlearning(kb, publish)
    pay = Removed(1, "¿cómo puedo pagar?", "pago-metodos", "es")
    assert unlearning.still_in([pay]) == 1
    assert unlearning.remove([pay]) == "rebuilding"
    status = unlearning.wait(30)
    assert (status.state, status.dropped, status.seconds) == ("done", 1, 1.5)
    assert published == [[SHIP, BY_HAND]]
    assert load_learned(learned_file(kb)) == [SHIP, BY_HAND]
    assert unlearning.still_in([pay]) == 0

    unlearning.remove([Removed(1, "¿cómo puedo pagar?", "pago-metodos", "es")])  # again: nothing to rebuild
    assert (unlearning.wait(30).state, len(published)) == ("done", 1)


def test_a_failed_rebuild_writes_nothing_and_says_so(tmp_path: Path) -> None:
    kb = _kb(tmp_path)
    before = learned_file(kb).read_bytes()

    def publish(_examples: list[Learned]) -> float:
        raise RuntimeError("no index in kb")

    unlearning = Unlearning(kb, publish)
    unlearning.remove([Removed(2, "¿cuándo llega?", "envio-plazo", "es")])
    status = unlearning.wait(30)
    assert (status.state, status.error) == ("failed", "RuntimeError: no index in kb")
    assert learned_file(kb).read_bytes() == before


def test_a_removal_waits_for_a_learning_run_then_takes_the_example_out_of_what_it_wrote(
    tmp_path: Path,
) -> None:
    kb = _kb(tmp_path)
    published: list[list[Learned]] = []

    def publish(examples: list[Learned]) -> float:
        published.append(examples)
        return 0.0

    unlearning = Unlearning(kb, publish)
    with learned_lock(kb):  # a learning run (another process, in production)
        unlearning.remove([Removed(2, "¿cuándo llega?", "envio-plazo", "es")])
        time.sleep(0.3)
        assert (published, unlearning.status.state) == ([], "rebuilding")
        save_learned(learned_file(kb), [PAY, SHIP, BY_HAND, Learned(LabelledQuery("tarjeta", None, "es"), 3)])
    assert unlearning.wait(30).state == "done"
    assert published == [[PAY, BY_HAND, Learned(LabelledQuery("tarjeta", None, "es"), 3)]]


def test_without_a_rebuild_the_removal_waits_for_the_next_run() -> None:
    unlearning = Unlearning()
    assert (unlearning.immediate, unlearning.remove([])) == (False, "next_run")
