"""What mattered on the documented scenario: the full single-removal analysis, and paired stochastic runs.

Run ``python -m benchmarks.explain_bench [RUNS]``. :func:`measure` returns a dict; nothing here
asserts a speed. Targets (issue 14): the analysis of one outcome (Witkoff learning of Hamas's
formal agreement) in ≤ 1 s on one core, and paired stochastic runs at ≥ 1,000 runs/s on 2 workers.

The baseline is the variant path: for each element, the base's located data with the removal's
``remove``/``set`` changes applied and validated, as a variant file is loaded (without reading the
file again). Wall-clock rates suffer when other processes share the machine;
``runs_per_cpu_s_1_worker`` does not, and bounds what each core can do. The correctness check: both give the same outcome for every element, and the
stochastic counts are the same at 1 and 2 workers. A stochastic "run" is one replay of the base or
of one variant with one seed; every seed replays the base once and each variant once.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "alexander_release.yaml"
ACTOR, FACT = "witkoff", "hamas_agrees_release"


def _variant_path(scenario: Any) -> dict[str, float | None]:
    """When ACTOR learns FACT without each element, through located data and validation (the baseline)."""
    from sim import run
    from sim.explain import removals
    from sim.loader import load_data, validate_data
    from sim.variants import remove, set_path

    base = load_data(SCENARIO)
    base.pop("alternatives", None)
    out = {}
    for r in removals(scenario, ACTOR, FACT):
        data = base
        for target in r.removes:
            data = remove(data, target, ("--remove", 0, 0), target)
        for path, value in r.sets:
            data = set_path(data, path, value, ("--set", 0, 0), path)
        k = run(validate_data(data, str(SCENARIO))).first.get((ACTOR, FACT))
        out[r.target] = k.time if k else None
    return out


def measure(runs: int = 100, workers: tuple[int, ...] = (1, 2)) -> dict[str, Any]:
    """Time the replay analysis (best of 3) against the variant path, then paired stochastic runs."""
    from sim import load_scenario
    from sim.explain import explain

    s = load_scenario(SCENARIO)
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        x = explain(s, ACTOR, FACT)
        best = min(best, time.process_time() - t0)
    t0 = time.process_time()
    baseline = _variant_path(s)
    base_s = time.process_time() - t0
    same = all(baseline[r.removal.target] == r.known_at for r in x.rows) and len(baseline) == len(x.rows)
    out: dict[str, Any] = {"outcome": f"{ACTOR} learns {FACT}", "elements": len(x.rows),
                           "analysis_cpu_s": round(best, 3), "variant_path_cpu_s": round(base_s, 3),
                           "speedup": round(base_s / best, 1), "same_as_variant_path": same,
                           "stochastic_runs": runs}
    results = {}
    replays = runs * (1 + len(x.rows))
    for w in workers:
        t0, c0 = time.perf_counter(), time.process_time()
        results[w] = explain(s, ACTOR, FACT, runs=runs, seed=1, workers=w)
        dt, cpu = time.perf_counter() - t0, time.process_time() - c0
        name = f"{w}_worker{'s' if w > 1 else ''}"
        out[f"runs_per_s_{name}"] = round(replays / dt, 1)
        if w == 1:  # CPU time is not inflated by other processes sharing the machine
            out[f"runs_per_cpu_s_{name}"] = round(replays / cpu, 1)
    out["same_across_workers"] = all(results[w].rows == results[workers[0]].rows for w in workers)
    return out


def main(argv: list[str]) -> None:
    runs = int(argv[0]) if argv else 100
    for k, v in measure(runs).items():
        print(f"{k:>28}: {v}")


if __name__ == "__main__":
    main(sys.argv[1:])
