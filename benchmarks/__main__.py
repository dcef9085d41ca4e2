"""``python -m benchmarks [--quick] [--reps N]``: measure, print a table, write JSON to benchmarks/results/.

Each synthetic size is measured in its own process (see :mod:`benchmarks.workloads`) and, for
the end-to-end target, loaded and replayed once more in a fresh process. Two shapes: the
ordinary one (a message lists one to three facts the sender has heard of) and one whose sends
list every fact (a message passes on all the sender knows). ``--quick`` measures only the two
smaller sizes; the largest (10,000 actors, 1M messages) takes minutes and several GB.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from typing import Any

from .workloads import HERE, end_to_end, scenario_file

ROOT = HERE.parent
RESULTS = HERE / "results"
DOCUMENTED = ROOT / "scenarios" / "alexander_release.yaml"

# name, actors, facts, messages, measure the block-YAML load too, every send lists every fact
SIZES = (("100 actors / 10k messages", 100, 20, 10_000, True, False),
         ("1,000 actors / 100k messages", 1_000, 50, 100_000, True, False),
         ("100 actors / 10k messages, every fact listed", 100, 20, 10_000, False, True),
         ("1,000 actors / 100k messages, every fact listed", 1_000, 50, 100_000, False, True),
         ("10,000 actors / 1M messages", 10_000, 100, 1_000_000, False, False))

TARGETS = {
    "ledger_ratio": 1.5,  # engine with ledger / bare SimPy, on both 100k workloads
    "memory_ratio": 2.0,  # peak memory a run allocates, engine / bare SimPy, on both 100k workloads
    "e2e_100k_s": 5.0,
    "e2e_100k_mib": 1024.0,
    "e2e_1m_mib": 8192.0,
    "help_s": 0.5,
    "sweep_runs_per_s_2": 2000.0,
    "explain_s": 1.0,  # what mattered, one outcome of the documented scenario, one core (issue 14)
    "explain_runs_per_s_2": 1000.0,
    "view_change_p95_ms": 50.0,  # the dashboard, issues 3 and 10
    "page_interactive_ms": 1500.0,  # a first visit in a fresh profile, until the first screen can be used
    "first_load_bytes": 3_000_000,  # what that first visit transfers, compressed, headers included
    "export_bytes": 5_000_000,
    "playback_drawn_per_s": 7.0,  # new moments painted per second while playing at 8 steps/s
    "pause_ms": 200.0,  # from pressing pause to the last step shown
    "variant_ratio": 2.0,  # a variant of the documented scenario / the documented scenario, load time
    "yaml_100k_s": 3.0,  # 100k messages from block YAML, load and validate
}


def _subprocess_json(args: list[str], timeout: float | None = None) -> dict[str, Any]:
    p = subprocess.run([sys.executable, *args], capture_output=True, text=True, cwd=ROOT, timeout=timeout, check=False)
    if p.returncode != 0:
        tail = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"
        return {"error": tail}
    return json.loads(p.stdout.strip().splitlines()[-1])


def sizes(quick: bool, reps: int) -> list[dict[str, Any]]:
    out = []
    for name, a, f, m, yaml_too, all_facts in SIZES[:4] if quick else SIZES:
        print(f"… {name}", file=sys.stderr, flush=True)
        r = _subprocess_json(["-m", "benchmarks.workloads", str(a), str(f), str(m),
                              str(reps if m < 1_000_000 else 1)] + (["--yaml"] if yaml_too else [])
                             + (["--all-facts"] if all_facts else []))
        r["name"] = name
        if "error" not in r:
            e2e_reps = 3 if m < 1_000_000 else 1
            r["end_to_end"] = end_to_end(scenario_file(a, f, m, all_facts=all_facts), e2e_reps)
            if yaml_too:
                r["end_to_end_yaml"] = end_to_end(scenario_file(a, f, m, json_subset=False), e2e_reps)
        out.append(r)
    return out


def documented(reps: int) -> dict[str, Any]:
    if not DOCUMENTED.exists():
        return {"error": "not available"}
    from sim import compile_scenario, load_scenario, run

    t0 = time.perf_counter()
    s = load_scenario(DOCUMENTED)
    load = time.perf_counter() - t0
    c = compile_scenario(s)
    times = []
    for _ in range(max(reps, 5)):
        t0 = time.perf_counter()
        run(c)
        times.append(time.perf_counter() - t0)
    return {"load_s": load, "replay_s": statistics.median(times), "events": len(s.events)}


def sweep() -> dict[str, Any]:
    try:
        from . import sweep_bench
    except ImportError:
        return {"error": "not available"}
    try:
        return sweep_bench.measure(runs=2000)
    except Exception as e:  # a colleague's benchmark; report, don't crash the table
        return {"error": f"{type(e).__name__}: {e}"}


def explain() -> dict[str, Any]:
    try:
        from . import explain_bench
        return explain_bench.measure(runs=200)
    except Exception as e:
        return {"error": f"{type(e).__name__}: {e}"}


def dashboard() -> dict[str, Any]:
    """:func:`benchmarks.dashboard_bench.measure` in a fresh process, as a server starts: not after the other
    measurements, whose objects this process still holds (every garbage collection would walk them)."""
    try:
        p = subprocess.run([sys.executable, "-m", "benchmarks.dashboard_bench"], capture_output=True, text=True,
                           cwd=ROOT, timeout=900, check=False)
    except subprocess.TimeoutExpired:
        return {"error": "did not finish in 15 minutes"}
    if p.returncode != 0:
        tail = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else f"exit {p.returncode}"
        return {"error": tail}
    try:
        return json.loads(p.stdout)
    except ValueError:
        return {"error": f"no result on its output: {p.stdout.strip()[-200:]!r}"}


def loader(quick: bool) -> dict[str, Any]:
    from . import loader_bench

    try:
        return loader_bench.measure(quick)
    except Exception as e:  # report, don't crash the table
        return {"error": f"{type(e).__name__}: {e}"}


def cli_help(n: int = 7) -> dict[str, Any]:
    """Cold start of ``backchannel --help`` in a fresh interpreter, median of ``n``."""
    import shutil

    exe = shutil.which("backchannel")
    cmd = [exe, "--help"] if exe else [sys.executable, "-c", "from dashboard.cli import main; main()", "--help"]
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - t0)
    return {"command": "backchannel --help" if exe else "python -c 'from dashboard.cli import main; main()' --help",
            "median_s": statistics.median(times), "runs_s": times}


# -- report ---------------------------------------------------------------------------------------
def _fmt(v: Any, unit: str = "s") -> str:
    if v is None:
        return "—"
    if unit == "s":
        return f"{v:.3f} s" if v < 10 else f"{v:.1f} s"
    if unit == "MiB":
        return f"{v:,.0f} MiB"
    return str(v)


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def report(res: dict[str, Any]) -> tuple[str, list[tuple[str, str, str]]]:
    lines = []
    head = ("workload", "load JSON", "load YAML", "compile", "engine", "bare SimPy", "heapq", "engine/bare",
            "same", "run memory (engine / bare)", "end to end", "e2e CPU", "e2e peak", "e2e from YAML")
    rows = []
    for r in res["sizes"]:
        if "error" in r:
            rows.append((r["name"], r["error"], *[""] * (len(head) - 2)))
            continue
        e2e = r.get("end_to_end", {})
        rows.append((r["name"], _fmt(r["load_json_s"]), _fmt(r.get("load_yaml_s")), _fmt(r["compile_s"]),
                     _fmt(r["engine_s"]), _fmt(r["bare_simpy_s"]), _fmt(r["heapq_s"]),
                     f"{r['engine_s'] / r['bare_simpy_s']:.2f}×", "yes" if r["same_first_known"] else "NO",
                     f"{r['engine_peak_mib']:.0f} / {r['bare_simpy_peak_mib']:.0f} MiB "
                     f"({r['engine_peak_mib'] / r['bare_simpy_peak_mib']:.1f}×)",
                     _fmt(e2e.get("seconds")), _fmt(e2e.get("cpu_seconds")), _fmt(e2e.get("peak_mib"), "MiB"),
                     _fmt(r.get("end_to_end_yaml", {}).get("seconds"))))
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    for row in (head, *rows):
        lines.append("  ".join(str(x).ljust(w) for x, w in zip(row, widths)))
    d = res["documented"]
    lines.append("")
    lines.append("documented scenario: " + (d["error"] if "error" in d else
                                             f"load {_fmt(d['load_s'])}, replay {d['replay_s'] * 1e3:.2f} ms "
                                             f"({d['events']} events)"))
    sw = res["sweep"]
    lines.append("sweep: " + (sw["error"] if "error" in sw else
                              ", ".join(f"{k} {v}" for k, v in sw.items() if k.startswith("runs_per_s"))))
    lines.append(f"backchannel --help cold start: {_fmt(res['cli_help']['median_s'])} (median)")
    ex = res.get("explain", {"error": "not run"})
    lines.append("explain: " + (ex["error"] if "error" in ex else ", ".join(f"{k} {v}" for k, v in ex.items())))
    db = res["dashboard"]
    lines.append("dashboard: " + (db["error"] if "error" in db else ", ".join(f"{k} {v}" for k, v in db.items())))
    ld = res.get("loader", {"error": "not run"})
    doc, large = ld.get("documented", {}), ld.get("large", {})
    lines.append("loader: " + (ld["error"] if "error" in ld else
                               f"documented {_fmt(doc['base_s'])}, its variant {_fmt(doc['variant_s'])} "
                               f"({doc['variant_ratio']:.2f}×, same as text: {doc['same_as_text']}); "
                               + (large["error"] if "error" in large else
                                  f"100k from block YAML: load {_fmt(large['load']['seconds'])} "
                                  f"(CPU {_fmt(large['load']['cpu_seconds'])}, {_fmt(large['load']['peak_mib'], 'MiB')}), "
                                  f"fail on one bad reference {_fmt(large['fail']['seconds'])}")))

    by_size = {r["messages"]: r for r in res["sizes"] if "error" not in r and not r.get("all_facts")}
    every = {r["messages"]: r for r in res["sizes"] if "error" not in r and r.get("all_facts")}
    checks: list[tuple[str, str, str]] = []
    mid = by_size.get(100_000)
    for shape, r in (("", mid), (", every fact listed", every.get(100_000))):
        ratio = r["engine_s"] / r["bare_simpy_s"] if r else None
        checks.append((f"engine with ledger ≤ 1.5× bare SimPy (100k{shape})", f"{ratio:.2f}×" if ratio else "—",
                       _verdict(ratio <= TARGETS["ledger_ratio"] if ratio else None)))
        mem = r["engine_peak_mib"] / r["bare_simpy_peak_mib"] if r else None
        checks.append((f"run memory ≤ 2× bare SimPy's (100k{shape})", f"{mem:.1f}×" if mem else "—",
                       _verdict(mem <= TARGETS["memory_ratio"] if mem else None)))
    e2e = mid.get("end_to_end", {}) if mid else {}
    checks.append(("1,000 actors / 100k messages end to end ≤ 5 s",
                   f"{_fmt(e2e.get('seconds'))} (CPU {_fmt(e2e.get('cpu_seconds'))})",
                   _verdict(e2e["seconds"] <= TARGETS["e2e_100k_s"] if "seconds" in e2e else None)))
    checks.append(("1,000 actors / 100k messages ≤ 1 GB", _fmt(e2e.get("peak_mib"), "MiB"),
                   _verdict(e2e["peak_mib"] <= TARGETS["e2e_100k_mib"] if "peak_mib" in e2e else None)))
    big = by_size.get(1_000_000, {}).get("end_to_end", {})
    checks.append(("10,000 actors / 1M messages completes in ≤ 8 GB",
                   f"{_fmt(big.get('seconds'))}, {_fmt(big.get('peak_mib'), 'MiB')}" if big else "not run",
                   _verdict(big["peak_mib"] <= TARGETS["e2e_1m_mib"] if "peak_mib" in big else None)))
    h = res["cli_help"]["median_s"]
    checks.append(("backchannel --help ≤ 0.5 s", _fmt(h), _verdict(h <= TARGETS["help_s"])))
    rps = sw.get("runs_per_s_2_workers") if "error" not in sw else None
    checks.append(("sweep ≥ 2,000 runs/s on 2 workers", f"{rps}" if rps else sw.get("error", "—"),
                   _verdict(rps >= TARGETS["sweep_runs_per_s_2"] if rps else None)))
    ex_ok = "error" not in ex and ex.get("same_as_variant_path") and ex.get("same_across_workers")
    sec, erps = (ex.get("analysis_cpu_s"), ex.get("runs_per_s_2_workers")) if ex_ok else (None, None)
    checks.append(("explain: one outcome's single removals ≤ 1 s on one core",
                   _fmt(sec) if sec is not None else ex.get("error", "results differ"),
                   _verdict(sec <= TARGETS["explain_s"] if sec is not None else None)))
    checks.append(("explain --stochastic ≥ 1,000 runs/s on 2 workers", f"{erps}" if erps else "—",
                   _verdict(erps >= TARGETS["explain_runs_per_s_2"] if erps else None)))
    checks += dashboard_checks(db)
    vr = doc.get("variant_ratio") if "error" not in ld else None
    checks.append(("a variant of the documented scenario loads in ≤ 2× its base", f"{vr:.2f}×" if vr else "—",
                   _verdict(vr <= TARGETS["variant_ratio"] if vr else None)))
    y = large.get("load", {}).get("seconds") if "error" not in ld and "error" not in large else None
    checks.append(("100k messages from block YAML load in ≤ 3 s", _fmt(y),
                   _verdict(y <= TARGETS["yaml_100k_s"] if y else None)))
    lines.append("")
    w = max(len(c[0]) for c in checks)
    for name, value, verdict in checks:
        lines.append(f"{verdict:4}  {name.ljust(w)}  {value}")
    return "\n".join(lines), checks


def dashboard_checks(db: dict[str, Any]) -> list[tuple[str, str, str]]:
    """The dashboard's targets (issue 10): view change, first visit, export, playback and pause."""
    ok = "error" not in db
    got = {k: db.get(k) if ok else None for k in ("view_change_p95_ms", "page_interactive_ms", "first_load_bytes",
                                                 "export_bytes", "playback_drawn_per_s",
                                                 "playback_timeline_drawn_per_s", "pause_ms")}
    browser = "no browser" if ok else db["error"]

    def at_most(key: str, name: str, shown: str) -> tuple[str, str, str]:
        v = got[key]
        return name, shown.format(v) if v is not None else browser, _verdict(v <= TARGETS[key] if v is not None else None)

    drawn, low = got["playback_drawn_per_s"], got["playback_timeline_drawn_per_s"]
    return [
        at_most("view_change_p95_ms", "dashboard view change ≤ 50 ms at p95", "{} ms"),
        at_most("page_interactive_ms", "dashboard first visit usable ≤ 1.5 s",
                "{} ms" + (f" (drawn at {db['page_drawn_in_page_ms']} ms by the page's clock)"
                           if ok and db.get("page_drawn_in_page_ms") is not None else "")),
        at_most("first_load_bytes", "dashboard first visit transfers ≤ 3 MB", "{:,} bytes"),
        at_most("export_bytes", "export ≤ 5 MB", "{:,} bytes"),
        ("playback at 8 steps/s paints ≥ 7 steps/s (top of the page; at the timeline)",
         f"{drawn}; {low} steps/s" if drawn is not None else browser,
         _verdict(min(drawn, low) >= TARGETS["playback_drawn_per_s"] if drawn is not None and low is not None
                  else None)),
        at_most("pause_ms", "pause holds within 200 ms", "{} ms"),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="only the 10k and 100k message workloads (both shapes)")
    ap.add_argument("--reps", type=int, default=5, help="repetitions per run measurement (medians reported)")
    args = ap.parse_args(argv)
    res: dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "platform": platform.platform(),
                    "cpus": __import__("os").cpu_count()},
        "quick": args.quick,
    }
    res["sizes"] = sizes(args.quick, args.reps)
    print("… documented scenario, CLI, sweep, explain, dashboard", file=sys.stderr, flush=True)
    res["documented"] = documented(args.reps)
    res["cli_help"] = cli_help()
    res["sweep"] = sweep()
    res["explain"] = explain()
    res["dashboard"] = dashboard()
    print("… loader", file=sys.stderr, flush=True)
    res["loader"] = loader(args.quick)
    text, checks = report(res)
    res["targets"] = [{"target": n, "measured": v, "verdict": x} for n, v, x in checks]
    RESULTS.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = RESULTS / f"bench-{stamp}{'-quick' if args.quick else ''}.json"
    path.write_text(json.dumps(res, indent=1), encoding="utf-8")
    (RESULTS / "latest.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
    print(text)
    print(f"\nwrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
