"""Sweeps: reproducible whatever the workers or chunking, correct statistics, Parquet output, Dask."""

from __future__ import annotations

import sys

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from sim import compile_scenario, load_scenario, run
from sim.cli import app
from sim.sweep import Layout, SweepError, run_seed, sweep

from .conftest import TINY

runner = CliRunner()


@pytest.fixture(scope="module")
def compiled():
    return compile_scenario(load_scenario(TINY))


@pytest.fixture(scope="module")
def serial(compiled, tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    return sweep(compiled, 600, seed=7, out=out), out


def _same(a, b) -> None:
    assert a.runs == b.runs and a.exact == b.exact
    for name in ("known", "before", "tmin", "tmax"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    assert a.source_counts == b.source_counts
    if a.exact:
        assert np.array_equal(a.times, b.times, equal_nan=True)
    assert a.rows() == b.rows()


def test_run_seed_depends_only_on_seed_and_index():
    assert run_seed(7, 3) == run_seed(7, 3)
    seeds = {run_seed(7, i) for i in range(1000)}
    assert len(seeds) == 1000 and run_seed(8, 3) != run_seed(7, 3)
    assert all(0 <= s < 2 ** 63 for s in seeds)


def test_summary_matches_individual_runs(compiled, serial):
    result, _ = serial
    # run 5 of the sweep, redone by hand
    r = run(compiled, "stochastic", run_seed(7, 5))
    table = pq.read_table(serial[1] / "runs.parquet").to_pylist()
    mine = {(x["actor"], x["fact"]): x for x in table if x["run"] == 5}
    assert set(mine) == set(r.first)
    for key, k in r.first.items():
        assert mine[key]["known_at"].timestamp() == pytest.approx(k.time, abs=1e-3)
        assert mine[key]["seed"] == run_seed(7, 5)
    if ("e", "offer") in mine:
        assert mine[("e", "offer")]["source"] == "ab (intercepted)"
    assert mine[("b", "offer")]["source"] == "ab" and mine[("a", "offer")]["source"] == "(origin)"
    assert result.runs == 600 and len({x["run"] for x in table}) == 600


def test_probabilities_quantiles_and_sources(serial):
    result, out = serial
    assert result.p_known("a", "offer") == 1.0 and result.p_known("b", "reply") == 0.0
    # E taps the A–B line with probability 0.9
    assert result.p_known("e", "offer") == pytest.approx(0.9, abs=0.04)
    assert result.first_sources("e", "offer") == {"ab (intercepted)": result.known[result._p("e", "offer")]}
    assert result.first_sources("c", "offer") == {"bc": 600}
    # quantiles are the exact ones of the per-run table (which rounds to milliseconds)
    times = np.array([x["known_at"].timestamp() for x in pq.read_table(out / "runs.parquet").to_pylist()
                      if x["actor"] == "c" and x["fact"] == "offer"])
    assert result.exact and result.resolution("c", "offer") == 0.0
    for q in (0.1, 0.5, 0.9):
        assert result.quantile("c", "offer", q) == pytest.approx(np.quantile(times, q), abs=1e-3)
    assert result.quantile("b", "reply", 0.5) is None
    ts, ps = result.cdf("c", "offer")
    assert ps[-1] == 1.0 and ts == sorted(ts) and min(ts) >= times.min() - 1e-6
    summary = pq.read_table(out / "summary.parquet").to_pylist()
    row = next(x for x in summary if x["actor"] == "e" and x["fact"] == "offer")
    assert row["top_source"] == "ab (intercepted)" and row["p_known"] == result.p_known("e", "offer")
    assert row["p50"].timestamp() == pytest.approx(result.quantile("e", "offer", 0.5), abs=1e-3)
    assert pq.read_schema(out / "summary.parquet").metadata[b"seed"] == b"7"


def test_deadline(compiled):
    # offer is decided at 09:00 and sent 09:00-11:00: by 09:30 A knows it, C almost never does
    r = sweep(compiled, 300, seed=1, deadline="2025-05-01T09:30+03:00")
    assert r.p_by_deadline("a", "offer") == 1.0
    assert r.p_by_deadline("c", "offer") < 0.2 < r.p_known("c", "offer") == 1.0
    m = r.probability_known_by("2025-05-01T09:30+03:00")
    assert m.shape == (4, 2) and m[0, 0] == 1.0 and m[2, 0] == pytest.approx(r.p_by_deadline("c", "offer"), abs=0.05)
    assert r.probability_known_by("2025-05-03T00:00+03:00")[2, 0] == 1.0


def test_identical_whatever_the_workers_and_chunks(compiled, serial, tmp_path):
    result, out = serial
    pooled = sweep(compiled, 600, seed=7, workers=2, chunk=37, out=tmp_path)
    _same(result, pooled)
    assert pq.read_table(tmp_path / "runs.parquet").equals(pq.read_table(out / "runs.parquet"))
    _same(result, sweep(compiled, 600, seed=7, chunk=1000))
    other = sweep(compiled, 600, seed=8)
    assert not np.array_equal(other.times, result.times, equal_nan=True)
    sketched = sweep(compiled, 600, seed=7, memory_budget=0)
    _same(sketched, sweep(compiled, 600, seed=7, workers=2, chunk=37, memory_budget=0))


def test_dask_cluster_gives_the_same_result(compiled, serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cl:
        r = sweep(compiled, 600, seed=7, dask=cl.scheduler_address, chunk=100)
    _same(serial[0], r)


def test_missing_dask_is_explained(compiled, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(SweepError, match=r"backchannel\[cluster\]"):
        sweep(compiled, 10, dask="tcp://127.0.0.1:1")


def test_above_the_memory_budget_times_are_sketched_within_their_accuracy(compiled, serial):
    exact = serial[0]
    sketched = sweep(compiled, 600, seed=7, memory_budget=600 * Layout.of(compiled).pairs * 8 - 1)
    assert exact.exact and not sketched.exact and sketched.times is None
    assert set(sketched.sketches) == {p for p in range(len(exact.known)) if exact.known[p]}
    for a in ("b", "c", "e"):
        for q in (0.1, 0.5, 0.9):
            # the sketch's relative accuracy applies to the time after the pair's earliest pilot time
            assert sketched.quantile(a, "offer", q) == pytest.approx(exact.quantile(a, "offer", q),
                                                                    abs=sketched.resolution(a, "offer") + 1e-6)
    assert 0 < sketched.resolution("c", "offer") < 0.01 * 3 * 3600  # 1 % of a spread of hours
    assert sketched.quantile("a", "offer", 0.5) == exact.quantile("a", "offer", 0.5)  # no spread: exact
    np.testing.assert_allclose(sketched.probability_known_by("2025-05-01T10:30+03:00"),
                               exact.probability_known_by("2025-05-01T10:30+03:00"), atol=0.02)
    assert (sketched.p_known("c", "offer"), sketched.first_sources("c", "offer")) == (1.0, {"bc": 600})


def test_a_thousand_actors_by_fifty_facts_stays_small():
    """50,000 pairs: no per-pair histogram; sketches only for the pairs that were ever known."""
    import tracemalloc

    from sim import load_text
    from sim.synthetic import synth, to_yaml

    c = compile_scenario(load_text(to_yaml(synth(1000, 50, 300, 3), json_subset=True)))
    tracemalloc.start()
    r = sweep(c, 40, seed=1, memory_budget=0)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert r.known.shape == (50_000,) and not r.exact
    assert len(r.sketches) == int((r.known > 0).sum()) < 50_000
    assert peak < 64 * 2**20  # a 4,096-bin histogram per pair alone would be 800 MB


def test_bad_arguments(compiled):
    with pytest.raises(SweepError):
        sweep(compiled, 0)
    with pytest.raises(SweepError):
        sweep(compiled, 5, workers=0)


def test_cli_sweep(tmp_path):
    r = runner.invoke(app, ["sweep", str(TINY), "--runs", "200", "--seed", "2", "--workers", "2",
                            "--deadline", "2025-05-01T12:00+03:00", "--out", str(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "200 stochastic runs" in r.output and "never known" in r.output
    assert (tmp_path / "summary.parquet").exists() and (tmp_path / "runs.parquet").exists()
    assert not list(tmp_path.glob("*.tmp"))
    summary = {(x["actor"], x["fact"]): x for x in pq.read_table(tmp_path / "summary.parquet").to_pylist()}
    assert summary[("b", "offer")]["top_source"] == "ab" and summary[("b", "reply")]["p_known"] == 0.0
    r = runner.invoke(app, ["sweep", str(TINY), "--runs", "5", "--alternative", "no_tap", "--fact", "offer"])
    assert r.exit_code == 0 and "intercepted" not in r.output
    r = runner.invoke(app, ["sweep", str(TINY), "--runs", "5", "--deadline", "May 1"])
    assert r.exit_code == 2 and "cannot read time" in r.output


def test_cli_sweep_on_dask(tmp_path, serial, monkeypatch):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as cl:
        r = runner.invoke(app, ["sweep", str(TINY), "--runs", "600", "--seed", "7", "--dask", cl.scheduler_address,
                                "--out", str(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert pq.read_table(tmp_path / "runs.parquet").equals(pq.read_table(serial[1] / "runs.parquet"))
    monkeypatch.setattr("sim.sweep.executors.DASK_CONNECT_TIMEOUT", "1s")
    r = runner.invoke(app, ["sweep", str(TINY), "--runs", "5", "--dask", "tcp://127.0.0.1:9"])
    assert r.exit_code == 2 and "cannot reach the Dask scheduler" in r.output


@settings(max_examples=15, deadline=None)
@given(runs=st.integers(1, 150), chunk=st.integers(1, 80))
def test_chunking_never_changes_the_result(compiled, runs, chunk):
    _same(sweep(compiled, runs, seed=5, chunk=chunk), sweep(compiled, runs, seed=5, chunk=1000))
