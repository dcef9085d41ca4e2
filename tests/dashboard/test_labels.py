"""Name placement on the network: estimated boxes, and the greedy choice that avoids overlaps."""

from __future__ import annotations

import math

from dashboard.figures.labels import Box, Scene, Spot, choose, place_labels, spots_around, spots_beside, text_width

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
    assert {n["name"] for n in notes} == {"actor", "affiliation"}


def boxes_of(points, texts, out, size=12):
    return [Box.around(t, size, x + dx, y + dy, xa, ya) for (x, y), t, (xa, ya, dx, dy) in zip(points, texts, out)]


def test_box_measures_circles_and_lines():
    b = Box(0, 0, 100, 20)
    assert b.distance(50, 10) == 0 and b.distance(103, 24) == 5
    assert b.intrusion((50, 30, 15)) == 5 * 30 and b.intrusion((50, 40, 15)) == 0
    assert b.crossing((-50, 10, 150, 10)) == 100  # clipped to the box
    assert math.isclose(b.crossing((0, 0, 100, 20)), math.hypot(100, 20))
    assert b.crossing((0, 30, 100, 30)) == 0 and b.crossing((0, 30, 100, 30), pad=12) == 100


def test_a_name_never_covers_a_marker():
    """A grid of points 46 px apart, markers 16.5 px in radius: every name finds room off every marker, the
    diagonal ones and those further out included, though names may have to sit on names' edges."""
    points = [(60.0 + 46 * i, 60.0 + 46 * j) for i in range(4) for j in range(3)]
    texts = ["Abc"] * len(points)
    out = place_labels(points, texts, 18, 12, [], [(0.0, 0.0)] * len(points), (0, 0, 300, 240),
                       radii=[16.5] * len(points))
    for box in boxes_of(points, texts, out):
        assert [p for p in points if box.intrusion((*p, 16.5)) > 0] == []
        assert box.outside((0, 0, 300, 240)) == 0


def test_a_line_gives_way_to_a_free_place_but_never_to_a_marker():
    """A line through the name's first choice (right of the point) moves it to a place no line crosses; a
    name that must either touch a marker by a pixel or lie along a line lies along the line."""
    point = [(100.0, 100.0)]
    line = (110.0, 100.0, 300.0, 100.0)
    free = boxes_of(point, ["Alpha"], place_labels(point, ["Alpha"], 18, 12, [], [(1.0, 0.0)], (0, 0, 400, 400),
                                                   lines=[line]))
    assert free[0].crossing(line, 2) == 0
    on_marker = Spot("left", "middle", 0, 0, Box(100, 100, 140, 115), 0.0)
    on_line = Spot("left", "middle", 0, 60, Box(100, 160, 140, 175), 30.0)
    scene = Scene((0, 0, 400, 400), ((120, 131, 16.5),), ((0, 167, 400, 167),))  # the marker reaches 0.5 px in
    assert on_marker.box.intrusion(scene.circles[0]) > 0 == on_line.box.intrusion(scene.circles[0])
    assert math.isclose(on_line.box.crossing(scene.lines[0]), 40)
    assert choose([[on_marker, on_line]], scene) == [on_line]


def test_a_group_name_lies_outside_its_members():
    """Four members on a ring of 40 px round (200, 200), their names placed first: the group's name lies
    wholly outside the ring and off every marker, next to the group's circle, on the side away from the middle
    of the picture (here to the right)."""
    members = [(200 + 40 * math.cos(a * math.pi / 2), 200 + 40 * math.sin(a * math.pi / 2)) for a in range(4)]
    names = [spots_beside(p, "Member", 12, 18, (p[0] - 200, 200 - p[1])) for p in members]
    group = spots_around((200, 200), (40 + 16.5 + 3, 70, 84), "Group", 13, (1.0, 0.0))
    scene = Scene((0, 0, 500, 400), tuple((x, y, 16.5) for x, y in members))
    out = choose(names + [group], scene)
    box = out[-1].box
    assert box.distance(200, 200) >= 40 + 16.5
    assert all(s.box.intrusion((x, y, 16.5)) == 0 for s in out for x, y in members)
    assert all(box.overlap(s.box) == 0 for s in out[:-1])
    assert box.distance(200, 200) < 90 and box.x0 > 200
