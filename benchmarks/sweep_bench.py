"""Sweep throughput on the documented scenario: stochastic runs per second at 1 and 2 workers.

Run ``python -m benchmarks.sweep_bench [RUNS]``. :func:`measure` returns a dict; nothing here
asserts a speed (it is a benchmark, not a test). The target on a 2-core machine is 2,000 runs/s.

The time includes the whole sweep as the CLI runs it (starting the worker pool, compiling in
each worker, aggregating the per-run rows), but not loading the YAML file. Wall-clock rates
suffer when other processes share the machine; ``runs_per_cpu_s_1_worker`` does not, and bounds
what each core can do.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "alexander_release.yaml"


def measure(runs: int = 2000, scenario: str | Path = SCENARIO, workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    """Sweep ``scenario`` ``runs`` times with each number of ``workers``; report runs per second."""
    from sim import compile_scenario, load_scenario, run
    from sim.sweep import Layout, run_chunk, run_seed, sweep

    s = load_scenario(scenario)
    t0 = time.perf_counter()
    c = compile_scenario(s)
    compile_s = time.perf_counter() - t0
    # the engine alone, then the engine plus the per-run summary, on a small sample (best of 3:
    # other processes share the machine)
    n = min(runs, 500)
    run_chunk(c, 0, 0, min(n, 100))  # warm up

    def timed(f: Any) -> float:
        t0 = time.perf_counter()
        f()
        return (time.perf_counter() - t0) / n * 1e6

    def engine() -> None:
        for i in range(n):
            run(c, "stochastic", run_seed(0, i))

    pairs = [(timed(engine), timed(lambda: run_chunk(c, 0, 0, n))) for _ in range(3)]  # interleaved
    engine_us = min(e for e, _ in pairs)
    chunk_us = min(ch for _, ch in pairs)
    out: dict[str, Any] = {
        "scenario": str(scenario), "runs": runs, "pairs": Layout.of(c).pairs, "events": len(c.script),
        "compile_ms": round(compile_s * 1e3, 2), "engine_us_per_run": round(engine_us, 1),
        "summary_overhead_us_per_run": round(chunk_us - engine_us, 1),
    }
    for w in workers:
        t0, c0 = time.perf_counter(), time.process_time()
        sweep(c, runs, seed=1, workers=w)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        name = f"{w}_worker{'s' if w > 1 else ''}"
        out[f"runs_per_s_{name}"] = round(runs / dt, 1)
        if w == 1:  # CPU time is not inflated by other processes sharing the machine
            out[f"runs_per_cpu_s_{name}"] = round(runs / cpu, 1)
        else:  # the main process's own CPU: aggregation, Parquet, pickling
            out[f"main_process_cpu_us_per_run_{name}"] = round(cpu / runs * 1e6, 1)
    return out


def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv else 2000
    for k, v in measure(runs).items():
        print(f"{k:>32}: {v}")


if __name__ == "__main__":
    main(sys.argv[1:])
