"""The compare and sweep panels' texts and figures on tiny.yaml, and the per-process sweep cache."""

from __future__ import annotations

import os

import pytest

from dashboard import data
from dashboard.state import ViewState
from dashboard.whatif import changed_only, compare_view, load_sweep, run_label, sweep_known_by, sweep_view
from sim import load_scenario, run
from sim.compare import compare

from .conftest import DATA


@pytest.fixture
def folder(env):
    return env


def test_compare_view_with_a_variant_file(folder):
    v = compare_view(ViewState(scenario="tiny", compare="alternatives/no_relay", fact="offer"))
    assert v["differs"] == ["c"]
    text = v["summary"]
    assert text.startswith("**In “No relay”**, compared with this view (“Tiny relay”), "
                           "for “A makes an offer”")
    assert "- **C** never knew it (in this view: 1 May 10:15)" in text
    assert "**2 events skipped:**" in text and "(C did not yet know “A makes an offer”)" in text  # in words
    assert "**1 event removed:** B relays the offer to C" in text
    names = [tr.name for tr in v["figure"].data]
    assert "this view" in names
    assert any(a.text.startswith("never in “No relay”") for a in v["figure"].layout.annotations)
    heat = v["heatmap"]
    assert list(heat.data[1].y) == ["A", "C"] and "never" in heat.data[1].text[1]  # only who differs: C never
    # knows the offer, so neither answers


def test_compare_view_with_the_same_run_says_nothing_changed(folder):
    v = compare_view(ViewState(scenario="tiny", compare="tiny", fact="offer"))
    assert "every actor knew it at the same moment in both runs" in v["summary"]
    assert "0 actor–fact pairs differ" in v["summary"] and v["differs"] == []


def test_changed_only_keeps_what_differs(tiny):
    base, alt = run(tiny), run(load_scenario(DATA / "tiny.yaml", "slow_relay"))
    cmp = compare(base, alt)
    small = changed_only(cmp)
    assert {k.actor for k in small.knowledge} == {k.actor for k in cmp.changed()}
    assert changed_only(compare(base, base)) == compare(base, base)


def test_run_label(tiny):
    r = run(tiny)
    assert run_label(r) == "Tiny relay" and run_label(r, "slow_relay") == "Slow relay"


def test_sweep_view_explains_and_draws(folder, tiny_run):
    state = ViewState(scenario="tiny", fact="offer", sweep=200, seed=1)
    v = sweep_view(load_sweep(state), tiny_run, state.fact)
    assert v["text"].startswith("**A sweep replays the scenario 200 times with sampled timings, latencies and "
                                "intercepts")
    assert "- **A**: 100% of replays" in v["text"]
    cdf = v["cdf"]
    assert [tr.name for tr in cdf.data] == ["A", "B", "C", "E"]  # by median time of knowing
    assert cdf.layout.xaxis.range is not None  # zoomed to when it spread
    bars = v["sources"]
    assert {tr.name for tr in bars.data} >= {"first-hand (originated it)", "A – B (text)", "intercepted: A – B"}
    assert all(tr.orientation == "h" for tr in bars.data)
    heat = sweep_known_by(state, tiny_run, None)
    assert len(heat.data[0].z) == 4 and heat.data[0].z[0][0] == 1.0


def test_sweep_known_by_follows_t(folder, tiny_run):
    state = ViewState(scenario="tiny", fact="offer", sweep=100)
    before = sweep_known_by(state, tiny_run, tiny_run.compiled.start).data[0].z
    after = sweep_known_by(state, tiny_run, None).data[0].z
    assert sum(map(sum, before)) == 0 < sum(map(sum, after))


def test_sweeps_are_cached_per_file_version(folder, tmp_path):
    from .conftest import make_scenarios

    make_scenarios(tmp_path)
    a = data.load_sweep("tiny", None, 50, 1, folder=tmp_path)
    assert data.load_sweep("tiny", None, 50, 1, folder=tmp_path) is a
    assert data.load_sweep("tiny", None, 50, 2, folder=tmp_path) is not a
    assert data.load_sweep("tiny", "no_tap", 50, 1, folder=tmp_path).alternative == "no_tap"
    p = tmp_path / "tiny.yaml"
    os.utime(p, (p.stat().st_atime, p.stat().st_mtime + 10))
    assert data.load_sweep("tiny", None, 50, 1, folder=tmp_path) is not a  # the file changed
    with pytest.raises(FileNotFoundError):
        data.load_sweep("../tiny", None, 50, 1, folder=tmp_path)


def test_duration_words():
    from dashboard.whatif import duration_words

    assert duration_words(13 * 86400 + 17 * 3600 + 120) == "13 days 17 hours"
    assert duration_words(-(5 * 3600 + 55 * 60)) == "5 hours 55 minutes"
    assert duration_words(60) == "1 minute" and duration_words(0) == "0 seconds"
