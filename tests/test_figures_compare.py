"""Compare and sweep figures: pure functions of results, no Dash; the data they plot is right."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import pytest

from sim import load_scenario, run
from sim.compare import compare
from sim.sweep import sweep

from .conftest import ROOT, TINY


@pytest.fixture(scope="module")
def runs():
    return run(load_scenario(TINY)), run(load_scenario(TINY, "slow_relay"))


@pytest.fixture(scope="module")
def swept():
    return sweep(load_scenario(TINY), 300, seed=4)


def test_modules_import_without_dash():
    code = ("import sys; import dashboard.figures.compare, dashboard.figures.sweep; "
            "assert 'dash' not in sys.modules, 'dash imported'")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


def test_dumbbell_marks_the_changed_actor(runs):
    from dashboard.figures.compare import COLORS, compare_figure

    fig = compare_figure(*runs)
    assert "offer" in fig.layout.title.text  # the first fact that changed
    alt = fig.data[-1]
    by_actor = dict(zip(alt.y, alt.marker.color))
    assert by_actor["C"] == COLORS["later"] and by_actor["B"] == COLORS["same"]
    x = dict(zip(alt.y, alt.x))
    assert x["C"] == datetime(2025, 5, 1, 16, 10)  # local (Asia/Qatar) wall-clock time
    later = next(t for t in fig.data if t.name == "later in the alternative")
    assert [y for y in later.y if y] == ["C", "C"]
    assert [a.text for a in fig.layout.annotations] == ["+5h 55m"]


def test_dumbbell_for_a_fact_known_only_in_the_base(runs):
    from dashboard.figures.compare import compare_figure

    fig = compare_figure(*runs, fact="reply")
    base, alt = fig.data[-2], fig.data[-1]
    assert set(base.y) == {"A", "C"} and list(base.marker.symbol) == ["x", "x"]
    assert len(alt.x) == 0


def test_delta_heatmap(runs):
    from dashboard.figures.compare import delta_heatmap

    cmp = compare(*runs)
    hm = delta_heatmap(cmp).data[0]
    assert list(hm.x) == ["offer", "reply"] and list(hm.y) == ["a", "b", "c", "e"]
    assert hm.z[2][0] == pytest.approx(5 + 55 / 60) and hm.z[1][0] == 0
    assert hm.text[0][1] == "only base" and hm.z[0][1] is None


def test_cdf_figure(swept):
    from dashboard.figures.sweep import cdf_figure

    fig = cdf_figure(swept, "offer", names={"e": "Eve"})
    names = [t.name for t in fig.data]
    assert names == ["a", "b", "c", "Eve"]
    eve = fig.data[3]
    assert eve.y[0] == 0 and eve.y[-1] == pytest.approx(swept.p_known("e", "offer"))
    assert list(eve.y) == sorted(eve.y)
    assert fig.layout.shapes[0].line.dash == "dash"


def test_known_by_heatmap(swept):
    from dashboard.figures.sweep import known_by_heatmap

    z = known_by_heatmap(swept).data[0].z  # at the deadline = span end
    assert z[0] == [1.0, 1.0] and z[1][1] == 0.0 and z[3][0] == pytest.approx(swept.p_known("e", "offer"))
    early = known_by_heatmap(swept, "2025-05-01T09:30+03:00").data[0].z
    assert early[0][0] == 1.0 and early[2][0] < 0.5


def test_first_source_figure(swept):
    from dashboard.figures.sweep import first_source_figure

    fig = first_source_figure(swept, "offer")
    traces = {t.name: dict(zip(t.x, t.y)) for t in fig.data}
    assert traces["(origin)"]["a"] == 1.0 and traces["ab"]["b"] == 1.0 and traces["bc"]["c"] == 1.0
    assert traces["ab (intercepted)"]["e"] == pytest.approx(swept.p_known("e", "offer"))
