"""One synthetic size, measured in its own process: ``python -m benchmarks.workloads A F M REPS [--all-facts]``.

Prints one JSON object: load + validate time (JSON subset and, where asked, block YAML), compile
time, median run times of the engine (full ledger), bare SimPy and the ``heapq`` loop — run
alternately, ``REPS`` times each, with a garbage collection before each — whether all three gave
the same first-known times, the peak memory a run allocates (``tracemalloc``, engine and bare
SimPy, one extra run each), and the process's peak memory. ``--all-facts`` measures the shape
whose sends list every fact (``backchannel synth --all-facts``). A separate process per size
keeps each peak apart; :func:`end_to_end` measures load + run alone in yet another process.
"""

from __future__ import annotations

import gc
import json
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any, Callable

HERE = Path(__file__).resolve().parent
DATA = HERE / "results" / "scenarios"


def scenario_file(actors: int, facts: int, messages: int, seed: int = 1, json_subset: bool = True,
                  all_facts: bool = False) -> Path:
    """The synthetic scenario of this size, written once and reused (``benchmarks/results`` is ignored)."""
    from sim.synthetic import synth, write_yaml

    DATA.mkdir(parents=True, exist_ok=True)
    shape = "-all" if all_facts else ""
    path = DATA / f"synth-{actors}-{facts}-{messages}-{seed}{shape}{'.json' if json_subset else ''}.yaml"
    if not path.exists():
        write_yaml(synth(actors, facts, messages, seed, all_facts=all_facts), path, json_subset=json_subset)
    return path


def peak_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed(f: Callable[[], Any], collector: bool = True) -> tuple[float, Any]:
    """Seconds to call ``f`` after a full collection; with ``collector=False`` the collector is off."""
    gc.collect()
    if not collector:
        gc.disable()
    try:
        t0 = time.perf_counter()
        out = f()
        return time.perf_counter() - t0, out
    finally:
        gc.enable()


def first_times(result: Any) -> dict[tuple[str, str], float]:
    return {k: v.time for k, v in result.first.items()}


def traced_peak_mib(f: Callable[[], Any]) -> float:
    """Peak memory (MiB) that calling ``f`` allocates, its result included, by ``tracemalloc``."""
    gc.collect()
    tracemalloc.start()
    try:
        out = f()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del out
    return peak / 2**20


def compare(c: Any, reps: int) -> dict[str, Any]:
    """Engine, bare SimPy and heapq on compiled scenario ``c``: median seconds and equality."""
    from sim.engine import run

    from . import bare_simpy, heapq_loop

    impls: dict[str, Callable[[], Any]] = {
        "engine": lambda: run(c),
        "bare_simpy": lambda: bare_simpy.first_known(c),
        "heapq": lambda: heapq_loop.first_known(c),
    }
    times: dict[str, list[float]] = {k: [] for k in impls}
    firsts: dict[str, dict[tuple[str, str], float]] = {}
    counts: dict[str, int] = {}
    for rep in range(reps):
        order = list(impls) if rep % 2 == 0 else list(impls)[::-1]
        for name in order:
            # the engine pauses the cyclic collector during a run; the baselines get the same
            dt, out = timed(impls[name], collector=False)
            times[name].append(dt)
            if name == "engine":
                counts = {"records": len(out.events), "known_pairs": len(out.first), "knows_that": len(out.meta),
                          "deliveries": sum(e.kind in ("deliver", "intercept") for e in out.events)}
                out = first_times(out)
            firsts.setdefault(name, out)
            del out
    same = firsts["engine"] == firsts["bare_simpy"] == firsts["heapq"]
    med = {k: statistics.median(v) for k, v in times.items()}
    memory = {"engine_peak_mib": traced_peak_mib(impls["engine"]),
              "bare_simpy_peak_mib": traced_peak_mib(impls["bare_simpy"])}
    return {"engine_s": med["engine"], "bare_simpy_s": med["bare_simpy"], "heapq_s": med["heapq"],
            "runs_s": times, "same_first_known": same, **counts, **memory}


def measure(actors: int, facts: int, messages: int, reps: int, yaml_too: bool,
            all_facts: bool = False) -> dict[str, Any]:
    from sim import LoadLimits, compile_scenario, load_scenario

    big = LoadLimits(max_bytes=1 << 31, max_nodes=1 << 31)  # far above the default caps
    out: dict[str, Any] = {"actors": actors, "facts": facts, "messages": messages, "reps": reps,
                           "all_facts": all_facts}
    path = scenario_file(actors, facts, messages, all_facts=all_facts)
    out["file_mb"] = round(path.stat().st_size / 1e6, 1)
    dt, s = timed(lambda: load_scenario(path, limits=big))
    out["load_json_s"] = dt
    if yaml_too:
        ypath = scenario_file(actors, facts, messages, json_subset=False, all_facts=all_facts)
        out["yaml_file_mb"] = round(ypath.stat().st_size / 1e6, 1)
        dt, s2 = timed(lambda: load_scenario(ypath, limits=big))
        out["load_yaml_s"] = dt
        assert s2 == s, "YAML and JSON forms loaded differently"
        del s2
    out["events"] = len(s.events)
    dt, c = timed(lambda: compile_scenario(s))
    out["compile_s"] = dt
    del s
    out.update(compare(c, reps))
    out["peak_mib"] = peak_mib()
    return out


def end_to_end(path: Path, reps: int = 1) -> dict[str, Any]:
    """Load, validate, compile and replay ``path`` in a fresh process, ``reps`` times.

    Returns the median wall and CPU seconds (CPU time is less disturbed by other work on a
    shared machine) and the largest peak resident memory.
    """
    code = ("import json,time,resource;t=time.perf_counter();c=time.process_time();"
            "from sim import LoadLimits,load_scenario,run;"
            f"r=run(load_scenario({str(path)!r},limits=LoadLimits(max_bytes=1<<31,max_nodes=1<<31)));"
            "print(json.dumps({'seconds':time.perf_counter()-t,'cpu_seconds':time.process_time()-c,"
            "'records':len(r.events),'peak_mib':resource.getrusage(resource.RUSAGE_SELF).ru_maxrss/1024}))")
    runs = []
    for _ in range(reps):
        p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        if p.returncode != 0:
            return {"error": p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"}
        runs.append(json.loads(p.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "cpu_seconds": statistics.median(r["cpu_seconds"] for r in runs),
            "records": runs[0]["records"], "peak_mib": max(r["peak_mib"] for r in runs),
            "runs_s": [r["seconds"] for r in runs]}


def main(argv: list[str]) -> None:
    actors, facts, messages, reps = (int(x) for x in argv[:4])
    yaml_too = "--yaml" in argv
    print(json.dumps(measure(actors, facts, messages, reps, yaml_too, all_facts="--all-facts" in argv)))


if __name__ == "__main__":
    main(sys.argv[1:])
