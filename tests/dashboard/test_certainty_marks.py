"""The dashboard shows how well each thing is known: the log's basis and range, marks (≈) on modelled
knowledge in the network and the matrix, and uncertain spans with their bounds on the timeline."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.bundle import event_rows
from dashboard.figures.common import steps
from dashboard.figures.matrix import matrix_cells, matrix_changes, matrix_spec
from dashboard.figures.network import network_spec, node_labels
from dashboard.figures.timeline import timeline_spec
from sim import load_scenario, run

CERTAIN = Path(__file__).parent.parent / "data" / "certain.yaml"


@pytest.fixture(scope="module")
def certain_run():
    return run(load_scenario(CERTAIN))


def test_event_log_has_basis_range_and_independent_sources(certain_run):
    rows = event_rows(certain_run)
    assert [(r["kind"], r["basis"]) for r in rows] == [
        ("decision", "reported"), ("send", "inferred"), ("deliver", "inferred"), ("intercepted by E", "inferred"),
        ("send", "assumed"), ("deliver", "assumed"), ("decision", "assumed"), ("send", "reported"),
        ("deliver", "reported")]
    # two citations, one retelling the other
    assert rows[0]["sources"] == "Wire, 2025-05-06, B2; Paper, 2025-05-07, C3 (2 sources, 1 independent)"
    assert rows[0]["when"] == "about Thu 01 May 2025 10:00 +03 (between 09:00 and 11:00) · reported"
    # the interception cites the tap's source, not the message's
    assert (rows[3]["sources"], rows[3]["claim"]) == ("Radio, 2025-05-08, C3", "E learned that A and B were in touch.")
    assert rows[4]["when"] == "about Sat 03 May 2025 (between 2 and 4 May) · assumed relay"
    assert rows[7]["when"] == "Mon 05 May 2025 09:00 +03 · reported"


def test_network_marks_modelled_knowledge_once_known(certain_run):
    end = certain_run.events[-1].time
    assert node_labels(certain_run, "offer", end) == ["A", "B ≈", "C ≈", "E"]  # A's own decision is reported
    assert node_labels(certain_run, "offer", certain_run.events[1].time) == ["A", "B", "C", "E"]  # not known yet
    fig = network_spec(certain_run, "offer", end)
    assert any(tr.get("name") == "≈ known through an inferred or assumed step" for tr in fig["data"])


def test_matrix_marks_modelled_cells(certain_run):
    end = certain_run.events[-1].time
    cells = matrix_cells(certain_run, end)
    rows = dict(zip(matrix_spec(certain_run, end)["data"][0]["y"], cells["text"]))
    # columns: offer, talks, reply; A's decision is reported, E's interception rests on the inferred message
    assert rows == {"A": ["", "", ""], "B": ["≈", "≈", ""], "C": ["≈", "", "≈"], "E": ["", "≈", ""]}
    marked = {(i, j) for i, row in enumerate(matrix_changes(certain_run)["cells"]) for j, cell in enumerate(row)
              if any(e[2] for e in cell[1])}
    assert marked == {(i, j) for i, row in enumerate(cells["text"]) for j, text in enumerate(row) if text}


def test_timeline_spans_carry_bounds_and_basis(certain_run):
    times = steps(certain_run, "calendar")
    fig = timeline_spec(certain_run, "calendar", times, times[-1])
    spans = next(tr for tr in fig["data"] if tr["name"].startswith("uncertain time"))
    texts = [t for t in spans["hovertext"] if t]
    assert "<b>A</b>: A decides to make an offer<br>about Thu 01 May 2025 10:00 +03 (between 09:00 and 11:00) · " \
           "reported" in texts
    assert not any("Mon 05 May 2025 09:00" in t for t in texts)  # the exact send has no span
    hover = " ".join(t for tr in fig["data"] for t in (tr.get("hovertext") or []) if t)
    assert "about Sat 03 May 2025 (between 2 and 4 May) · assumed relay" in hover
