"""Name placement on the network: estimated boxes, and the greedy choice that avoids overlaps."""

from __future__ import annotations

from dashboard.figures.labels import Box, place_labels, text_width

from .conftest import ROOT


def test_box_anchors_like_plotly():
    b = Box.around("Ab<br>Abcd", 12, 100, 50, "center", "top")
    assert b.y0 == 50 and b.x0 == 100 - (b.x1 - b.x0) / 2
    assert b.y1 - b.y0 == 2 * 12 * 1.3
    assert text_width("Abcd", 12) > text_width("Ab", 12) > text_width("il", 12)


def test_a_blocked_place_gives_way_to_the_next():
    """Two points side by side: the left one's name would go right, onto the other point; it goes elsewhere."""
    points = [(100.0, 100.0), (150.0, 100.0)]
    out = place_labels(points, ["Alpha", "Beta"], 15, 12, [], [(1.0, 0.0), (1.0, 0.0)], (0, 0, 400, 400))
    boxes = [Box.around(t, 12, x + dx, y + dy, xa, ya) for (x, y), t, (xa, ya, dx, dy)
             in zip(points, ["Alpha", "Beta"], out)]
    assert boxes[0].overlap(boxes[1]) == 0
    assert all(b.overlap(Box(x - 15, y - 15, x + 15, y + 15)) == 0 for b in boxes for x, y in points)


def test_documented_network_names_do_not_overlap_by_estimate():
    """On the documented scenario, no two placed names (nor an affiliation's name) overlap by the estimate;
    the browser test measures the drawn boxes."""
    from dashboard.figures.network import _label_annotations, positions
    from sim import load_scenario, run

    result = run(load_scenario(ROOT / "scenarios" / "alexander_release.yaml"))
    notes = _label_annotations(result, positions(result), None, set(), 520, 680)
    assert len(notes) == len(result.compiled.actors) + len({a.affiliation for a in result.scenario.actors})
