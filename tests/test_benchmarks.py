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


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_bare_simpy_heapq_and_engine_agree(seed):
    c = compile_scenario(load_text(to_yaml(synth(12, 4, 120, seed))))
    engine = first_times(run(c))
    assert engine  # something was learned
    assert bare_simpy.first_known(c) == engine
    assert heapq_loop.first_known(c) == engine


def test_harness_compare_reports_agreement():
    c = compile_scenario(load_text(to_yaml(synth(10, 3, 60, 5))))
    out = compare(c, reps=1)
    assert out["same_first_known"] is True
    assert out["records"] > 0 and out["known_pairs"] > 0
