"""Placing names beside points so that no two overlap: text sizes estimated from Arial's widths, and a
greedy choice among places around each point (or around a group's circle) that keeps clear of names,
point markers, fixed text and the edge of the plot, and crosses as little of the drawn lines as it can.
Pure geometry in pixels (y grows downwards)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Arial advance widths in ems (Liberation Sans has the same metrics), by character class.
_NARROW = set("fijlrtI.,;:'!|()[] -")
_WIDE = set("mwMW@%")
_CAPS = set("ABCDEFGHJKLNOPQRSTUVXYZ&")
LINE_HEIGHT = 1.3  # plotly's line spacing for multi-line text, in ems
SAFETY = 1.08  # estimates are padded by this much: a name may render a little wider than Arial would

Circle = tuple[float, float, float]  # centre x, centre y, radius
Segment = tuple[float, float, float, float]  # x0, y0, x1, y1

HARD = 1000.0  # weight of a px² of name on a name, a marker or off the plot, against a px of crossed line
LINE_PAD = 2.0  # a line this close to a name (half a line's width and a little air) counts as crossing it
REACH_COST = 12.0  # px of crossed line worth moving a name one step further out
RANK_COST = 1.5  # px of crossed line worth taking the next place in order of preference


def text_width(line: str, size: float, bold: bool = False) -> float:
    """The width in pixels of one line of ``line`` at ``size`` px."""
    ems = sum(0.3 if c in _NARROW else 0.86 if c in _WIDE else 0.68 if c in _CAPS else 0.56 for c in line)
    return ems * size * (1.07 if bold else 1.0) * SAFETY


def text_size(text: str, size: float, bold: bool = False) -> tuple[float, float]:
    """The width and height in pixels of ``text`` (``<br>`` between lines, ``<b>`` ignored) at ``size`` px."""
    lines = [ln.replace("<b>", "").replace("</b>", "") for ln in text.split("<br>")]
    return max(text_width(ln, size, bold) for ln in lines), len(lines) * size * LINE_HEIGHT


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in pixels."""

    x0: float
    y0: float
    x1: float
    y1: float

    @staticmethod
    def around(text: str, size: float, x: float, y: float, xanchor: str, yanchor: str,
               bold: bool = False) -> Box:
        """The box of ``text`` (``<br>`` between lines) anchored at (x, y) as plotly anchors annotations."""
        return Box.anchored(text_size(text, size, bold), x, y, xanchor, yanchor)

    @staticmethod
    def anchored(wh: tuple[float, float], x: float, y: float, xanchor: str, yanchor: str) -> Box:
        """A box ``wh`` (width, height) anchored at (x, y) as plotly anchors annotations."""
        w, h = wh
        x0 = x if xanchor == "left" else x - w / 2 if xanchor == "center" else x - w
        y0 = y if yanchor == "top" else y - h / 2 if yanchor == "middle" else y - h
        return Box(x0, y0, x0 + w, y0 + h)

    def overlap(self, other: Box) -> float:
        """The area both boxes cover."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0.0

    def outside(self, bounds: tuple[float, float, float, float]) -> float:
        """How much of the box lies outside ``bounds`` (x0, y0, x1, y1), as an area."""
        inside = self.overlap(Box(*bounds))
        return (self.x1 - self.x0) * (self.y1 - self.y0) - inside

    def distance(self, x: float, y: float) -> float:
        """How far (x, y) is from the box (0 inside it)."""
        return math.hypot(x - min(max(x, self.x0), self.x1), y - min(max(y, self.y0), self.y1))

    def intrusion(self, circle: Circle) -> float:
        """How far ``circle`` reaches into the box, times its diameter: an area, 0 if they do not touch."""
        x, y, r = circle
        depth = r - self.distance(x, y)
        return depth * 2 * r if depth > 0 else 0.0

    def crossing(self, seg: Segment, pad: float = 0.0) -> float:
        """The length of ``seg`` inside the box grown by ``pad`` on every side (Liang–Barsky clipping)."""
        x0, y0, x1, y1 = seg
        if (max(x0, x1) <= self.x0 - pad or min(x0, x1) >= self.x1 + pad or max(y0, y1) <= self.y0 - pad
                or min(y0, y1) >= self.y1 + pad):
            return 0.0
        dx, dy = x1 - x0, y1 - y0
        lo, hi = 0.0, 1.0
        for p, q in ((-dx, x0 - self.x0 + pad), (dx, self.x1 + pad - x0),
                     (-dy, y0 - self.y0 + pad), (dy, self.y1 + pad - y0)):
            if p == 0:
                if q < 0:
                    return 0.0
                continue
            t = q / p
            if p < 0:
                lo = max(lo, t)
            else:
                hi = min(hi, t)
            if lo >= hi:
                return 0.0
        return (hi - lo) * math.hypot(dx, dy)


def hull(boxes: Sequence[Box]) -> Box:
    """The smallest box holding all ``boxes``."""
    return Box(min(b.x0 for b in boxes), min(b.y0 for b in boxes), max(b.x1 for b in boxes), max(b.y1 for b in boxes))


@dataclass(frozen=True)
class Spot:
    """One place a name may go: its anchors and offset in pixels from the point it names (y down), its box,
    and how much less it is wanted than the first choice (in px of crossed line)."""

    xanchor: str
    yanchor: str
    dx: float
    dy: float
    box: Box
    penalty: float

    @property
    def placement(self) -> tuple[str, str, float, float]:
        """``(xanchor, yanchor, dx, dy)``."""
        return self.xanchor, self.yanchor, self.dx, self.dy


@dataclass(frozen=True)
class Scene:
    """What names keep clear of: the plot (``bounds``: x0, y0, x1, y1), markers (``circles``), ``fixed``
    text, all hard; and drawn ``lines``, crossed as little as may be."""

    bounds: tuple[float, float, float, float]
    circles: tuple[Circle, ...] = ()
    lines: tuple[Segment, ...] = ()
    fixed: tuple[Box, ...] = ()

    def near(self, area: Box) -> Scene:
        """The part of the scene that can touch ``area``."""
        return Scene(self.bounds,
                     tuple(c for c in self.circles if area.distance(c[0], c[1]) < c[2]),
                     tuple(s for s in self.lines if area.crossing(s, LINE_PAD) > 0),
                     tuple(b for b in self.fixed if area.overlap(b) > 0))

    def cost(self, box: Box) -> tuple[float, float]:
        """(hard, soft): the overlap with markers, fixed text and the outside of the plot as an area;
        the length of line crossed."""
        hard = (sum(box.intrusion(c) for c in self.circles) + sum(box.overlap(b) for b in self.fixed)
                + 4 * box.outside(self.bounds))
        return hard, sum(box.crossing(s, LINE_PAD) for s in self.lines)


# (xanchor, yanchor, dx, dy) per place, in units of the gap from the point's centre.
_PLACES = {
    "below": ("center", "top", 0.0, 1.0), "above": ("center", "bottom", 0.0, -1.0),
    "right": ("left", "middle", 1.0, 0.0), "left": ("right", "middle", -1.0, 0.0),
    "below right": ("left", "top", 0.72, 0.72), "below left": ("right", "top", -0.72, 0.72),
    "above right": ("left", "bottom", 0.72, -0.72), "above left": ("right", "bottom", -0.72, -0.72),
}
REACHES = (1.0, 1.6, 2.3)  # how far out a name beside a point may go, in gaps


def _preference(away: tuple[float, float]) -> list[str]:
    """Places in order of preference: away from the centre of the point's group (``away`` points
    from that centre to the point, y up), below first for a point on its own."""
    dx, dy = away
    if abs(dx) < 1e-9 and abs(dy) < 1e-9:
        return ["below", "above", "right", "left", "below right", "below left", "above right", "above left"]
    side = "right" if dx > 0 else "left"
    other = "left" if side == "right" else "right"
    vert = "above" if dy > 0 else "below"
    flip = "below" if vert == "above" else "above"
    if abs(dx) > 2 * abs(dy):
        return [side, f"{vert} {side}", f"{flip} {side}", vert, flip, f"{vert} {other}", f"{flip} {other}", other]
    return [vert, f"{vert} {side}", side, f"{vert} {other}", f"{flip} {side}", other, flip, f"{flip} {other}"]


def spots_beside(point: tuple[float, float], text: str, size: float, gap: float,
                 away: tuple[float, float], bold: bool = False) -> list[Spot]:
    """The places for the name of a point: eight around it, ``gap`` (plus a little air) from its centre in
    order of preference (see :func:`_preference`), then the same further out (:data:`REACHES`)."""
    x, y = point
    wh = text_size(text, size, bold)
    out = []
    for step, reach in enumerate(REACHES):
        g = gap + 3 if step == 0 else gap * reach
        for rank, name in enumerate(_preference(away)):
            xa, ya, ux, uy = _PLACES[name]
            dx, dy = ux * g, uy * g
            out.append(Spot(xa, ya, dx, dy, Box.anchored(wh, x + dx, y + dy, xa, ya),
                            step * REACH_COST + rank * RANK_COST))
    return out


ANGLES = 16  # places around a group's circle


def _anchors(ux: float, uy: float) -> tuple[str, str]:
    """The anchors that put a box on the side of its anchor point that ``(ux, uy)`` (y down) points to."""
    xa = "left" if ux > 0.38 else "right" if ux < -0.38 else "center"
    ya = "top" if uy > 0.38 else "bottom" if uy < -0.38 else "middle"
    return xa, ya


def spots_around(centre: tuple[float, float], radii: Sequence[float], text: str, size: float,
                 outward: tuple[float, float], bold: bool = True) -> list[Spot]:
    """The places for the name of a group drawn as a circle around ``centre``: :data:`ANGLES` directions,
    each box wholly outside the circle of each radius in ``radii`` in turn (nearest first); towards
    ``outward`` (y down) first, then upwards."""
    cx, cy = centre
    norm = math.hypot(*outward)
    ox, oy = (outward[0] / norm, outward[1] / norm) if norm > 1e-9 else (0.0, -1.0)
    wh = text_size(text, size, bold)
    out = []
    for step, radius in enumerate(radii):
        for k in range(ANGLES):
            a = 2 * math.pi * k / ANGLES
            ux, uy = math.cos(a), math.sin(a)
            xa, ya = _anchors(ux, uy)
            t = radius
            for _ in range(4):  # push out until no corner of the box is inside the circle
                box = Box.anchored(wh, cx + ux * t, cy + uy * t, xa, ya)
                short = radius - box.distance(cx, cy)
                if short <= 0:
                    break
                t += short + 0.5
            wish = (1 - (ux * ox + uy * oy)) * 3 * RANK_COST + (uy + 1) * RANK_COST
            out.append(Spot(xa, ya, ux * t, uy * t, box, step * REACH_COST + wish))
    return out


def choose(spots: Sequence[Sequence[Spot]], scene: Scene, order: Sequence[int] | None = None,
           rounds: int = 2) -> list[Spot]:
    """One spot per name: in ``order`` (default: as given), the cheapest given the scene and the names
    placed so far — hard overlaps first, then crossed line plus the spot's penalty; then each name again
    in turn, given all the others, up to ``rounds - 1`` times (until nothing changes)."""
    order = list(order) if order is not None else list(range(len(spots)))
    areas = [hull([s.box for s in options]) for options in spots]
    local = [scene.near(area) for area in areas]
    fixed: list[list[float | None]] = [[None] * len(options) for options in spots]  # scene costs, once each
    chosen: dict[int, Spot] = {}
    for _ in range(rounds):
        changed = False
        for i in order:
            others = [s.box for j, s in chosen.items() if j != i and areas[i].overlap(s.box) > 0]
            pick = _cheapest(spots[i], local[i], others, fixed[i])
            changed = changed or chosen.get(i) is not pick
            chosen[i] = pick
        if not changed:
            break
    return [chosen[i] for i in range(len(spots))]


def _cheapest(options: Sequence[Spot], scene: Scene, others: list[Box], known: list[float | None]) -> Spot:
    """The spot of least cost: hard overlap (markers, fixed text, the plot's edge, ``others``) weighs
    :data:`HARD` per px² against each px of crossed line and of penalty. ``known`` holds each option's cost
    in ``scene`` alone once worked out (filled in here)."""
    best, best_cost = options[0], math.inf
    for k, spot in enumerate(options):
        if spot.penalty >= best_cost:
            continue
        base = known[k]
        if base is None:
            hard, soft = scene.cost(spot.box)
            base = known[k] = HARD * hard + soft + spot.penalty
        if base >= best_cost:
            continue
        cost = base + HARD * sum(spot.box.overlap(b) for b in others)
        if cost < best_cost:
            best, best_cost = spot, cost
    return best


def place_labels(points: list[tuple[float, float]], texts: list[str], gap: float, size: float,
                 fixed: list[Box], away: list[tuple[float, float]],
                 bounds: tuple[float, float, float, float], radii: Sequence[float] | None = None,
                 lines: Sequence[Segment] = ()) -> list[tuple[str, str, float, float]]:
    """For each point (pixels, y down) and its text: ``(xanchor, yanchor, dx, dy)`` — the text's anchors
    and its offset in pixels from the point (y down) — among the places of :func:`spots_beside`, the one
    that overlaps least of: names placed so far, every point's marker (a circle of its ``radii``, default
    ``gap``), the ``fixed`` boxes and the outside of ``bounds``; then crosses least of ``lines``. Crowded
    points are placed first."""
    radii = list(radii) if radii is not None else [gap] * len(points)
    spots = [spots_beside(p, t, size, max(gap, r + 1.5), a) for p, t, a, r in zip(points, texts, away, radii)]
    scene = Scene(bounds, tuple((x, y, r) for (x, y), r in zip(points, radii)), tuple(lines), tuple(fixed))
    return [s.placement for s in choose(spots, scene, crowded_first(points))]


def crowded_first(points: Sequence[tuple[float, float]]) -> list[int]:
    """Indices of ``points``, those with most others near them first."""
    return sorted(range(len(points)), key=lambda i: -sum(1 for p in points if abs(p[0] - points[i][0]) < 120
                                                         and abs(p[1] - points[i][1]) < 80))
