"""Loading: a variant costs about what its base costs, and large files load (or fail) in one pass.

``measure()`` times, in this process, the documented scenario and its variant
``alternatives/no_intercepts.yaml`` (alternating, medians of wall and CPU time), and in fresh
processes (wall and CPU time, peak memory) the 1,000-actor / 100k-message synthetic scenario
from block YAML: loading it, and failing on the same file with one bad reference in its last message. Correctness checks: the
documented scenario loads identically as a file and as text, the variant has the base's events and
three taps fewer (its removals), and the large file loads all its messages.
``python -m benchmarks.loader_bench [--quick]`` prints the result as JSON.
"""

from __future__ import annotations

import gc
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .workloads import DATA, HERE, scenario_file

ROOT = HERE.parent
BASE = ROOT / "scenarios" / "alexander_release.yaml"
VARIANT = ROOT / "scenarios" / "alternatives" / "no_intercepts.yaml"
LARGE = (1_000, 50, 100_000)


def _timed(f: Any) -> tuple[float, float, Any]:
    gc.collect()
    t, c = time.perf_counter(), time.process_time()
    out = f()
    return time.perf_counter() - t, time.process_time() - c, out


def documented(reps: int) -> dict[str, Any]:
    """Base and variant load times, alternating; the variant's ratio to its base."""
    from sim import load_scenario, load_text

    base = load_scenario(BASE)
    variant = load_scenario(VARIANT)
    same = base == load_text(BASE.read_text(encoding="utf-8"), str(BASE))
    taps = sum(len(c.taps) for c in base.channels) - sum(len(c.taps) for c in variant.channels)
    removed_only = taps == 3 and variant.events == base.events  # its three removals, nothing else
    walls: dict[str, list[float]] = {"base": [], "variant": []}
    cpus: dict[str, list[float]] = {"base": [], "variant": []}
    for rep in range(reps):
        for name in (("base", "variant") if rep % 2 == 0 else ("variant", "base")):
            wall, cpu, _ = _timed(lambda: load_scenario(BASE if name == "base" else VARIANT))
            walls[name].append(wall)
            cpus[name].append(cpu)
    med = {k: statistics.median(v) for k, v in walls.items()}
    med_cpu = {k: statistics.median(v) for k, v in cpus.items()}
    return {"base_s": med["base"], "variant_s": med["variant"], "base_cpu_s": med_cpu["base"],
            "variant_cpu_s": med_cpu["variant"], "variant_ratio": med["variant"] / med["base"],
            "variant_cpu_ratio": med_cpu["variant"] / med_cpu["base"], "reps": reps,
            "same_as_text": same, "variant_removes_only": removed_only}


_CHILD = """
import json, resource, sys, time
t, c = time.perf_counter(), time.process_time()
from sim import LoadLimits, ScenarioError, load_scenario
big = LoadLimits(max_bytes=1 << 31, max_nodes=1 << 31)  # the 100k-message file is far above the default caps
try:
    n, problems = sum(e.kind == "message" for e in load_scenario(sys.argv[1], limits=big).events), 0
except ScenarioError as e:
    n, problems = 0, len(e.problems)
print(json.dumps({"seconds": time.perf_counter() - t, "cpu_seconds": time.process_time() - c, "messages": n,
                  "problems": problems, "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _invalid_copy(path: Path) -> Path:
    """``path`` with the actor of its last message renamed to one that does not exist."""
    bad = DATA / f"{path.stem}-invalid.yaml"
    if not bad.exists():
        text = path.read_text(encoding="utf-8")
        i = text.rindex("actor: ")
        j = text.index(",", i)
        bad.write_text(text[:i] + "actor: nobody" + text[j:], encoding="utf-8")
    return bad


def large(reps: int) -> dict[str, Any]:
    """The 100k-message scenario from block YAML in fresh processes: load, and fail on one bad reference."""
    path = scenario_file(*LARGE, json_subset=False)
    bad = _invalid_copy(path)
    out: dict[str, Any] = {"file_mb": round(path.stat().st_size / 1e6, 1)}
    for key, p in (("load", path), ("fail", bad)):
        runs = []
        for _ in range(reps):
            r = subprocess.run([sys.executable, "-c", _CHILD, str(p)], capture_output=True, text=True, cwd=ROOT,
                               check=False)
            if r.returncode != 0:
                return {"error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else f"exit {r.returncode}"}
            runs.append(json.loads(r.stdout.strip().splitlines()[-1]))
        out[key] = {"seconds": statistics.median(x["seconds"] for x in runs),
                    "cpu_seconds": statistics.median(x["cpu_seconds"] for x in runs),
                    "peak_mib": max(x["peak_mib"] for x in runs), "messages": runs[0]["messages"],
                    "problems": runs[0]["problems"], "runs_s": [x["seconds"] for x in runs]}
    out["all_messages_loaded"] = out["load"]["messages"] == LARGE[2]
    out["fails_with_located_problems"] = out["fail"]["problems"] > 0
    return out


def measure(quick: bool = False) -> dict[str, Any]:
    """Everything above; a quick run repeats less."""
    return {"documented": documented(9 if quick else 25), "large": large(1 if quick else 3)}


if __name__ == "__main__":
    print(json.dumps(measure("--quick" in sys.argv[1:]), indent=1))
