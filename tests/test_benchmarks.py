"""The benchmark harness's equivalence check on a tiny synthetic scenario: correctness only.

Bare SimPy, the plain heapq loop and the engine must give the same first-known times. No timing
is asserted here; ``python -m benchmarks`` measures.
"""

from __future__ import annotations

import pytest

from benchmarks import bare_simpy, heapq_loop
from benchmarks.workloads import compare, first_times
from sim import compile_scenario, load_text, run
from sim.synthetic import synth, to_yaml


@pytest.mark.parametrize("all_facts", [False, True])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bare_simpy_heapq_and_engine_agree(seed, all_facts):
    c = compile_scenario(load_text(to_yaml(synth(12, 4, 120, seed, all_facts=all_facts))))
    engine = first_times(run(c))
    assert engine  # something was learned
    assert bare_simpy.first_known(c) == engine
    assert heapq_loop.first_known(c) == engine


def test_harness_compare_reports_agreement():
    c = compile_scenario(load_text(to_yaml(synth(10, 3, 60, 5))))
    out = compare(c, reps=1)
    assert out["same_first_known"] is True
    assert out["records"] > 0 and out["known_pairs"] > 0
    assert out["engine_peak_mib"] > 0 and out["bare_simpy_peak_mib"] > 0


def test_the_every_fact_shape_lists_every_fact_and_sends_what_is_known():
    data = synth(20, 5, 200, 4, all_facts=True)
    assert all(e["facts"] == [f"f{i}" for i in range(5)] for e in data["events"] if "channel" in e)
    r = run(load_text(to_yaml(data)))
    partial = [e for e in r.events if e.kind == "send" and e.reason_code == "withheld"]
    assert partial and all(set(e.facts) | set(e.missing) == {f"f{i}" for i in range(5)} for e in partial)
    assert r.knows_that("a0", "a0", "f0") == r.knows("a0", "f0")
