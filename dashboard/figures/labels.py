"""Placing names beside points so that no two overlap: text sizes estimated from Arial's widths, and a
greedy choice among eight places around each point that avoids names, points and fixed text placed
before. Pure geometry in pixels (y grows downwards)."""

from __future__ import annotations

from dataclasses import dataclass

# Arial advance widths in ems (Liberation Sans has the same metrics), by character class.
_NARROW = set("fijlrtI.,;:'!|()[] -")
_WIDE = set("mwMW@%")
_CAPS = set("ABCDEFGHJKLNOPQRSTUVXYZ&")
LINE_HEIGHT = 1.3  # plotly's line spacing for multi-line text, in ems
SAFETY = 1.08  # estimates are padded by this much: a name may render a little wider than Arial would


def text_width(line: str, size: float, bold: bool = False) -> float:
    """The width in pixels of one line of ``line`` at ``size`` px."""
    ems = sum(0.3 if c in _NARROW else 0.86 if c in _WIDE else 0.68 if c in _CAPS else 0.56 for c in line)
    return ems * size * (1.07 if bold else 1.0) * SAFETY


def _lines(text: str) -> list[str]:
    return [ln.replace("<b>", "").replace("</b>", "") for ln in text.split("<br>")]


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
        lines = _lines(text)
        w = max(text_width(ln, size, bold) for ln in lines)
        h = len(lines) * size * LINE_HEIGHT
        x0 = {"left": x, "center": x - w / 2, "right": x - w}[xanchor]
        y0 = {"top": y, "middle": y - h / 2, "bottom": y - h}[yanchor]
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


# (xanchor, yanchor, dx, dy) per place, in units of the gap from the point's centre.
_PLACES = {
    "below": ("center", "top", 0.0, 1.0), "above": ("center", "bottom", 0.0, -1.0),
    "right": ("left", "middle", 1.0, 0.0), "left": ("right", "middle", -1.0, 0.0),
    "below right": ("left", "top", 0.72, 0.72), "below left": ("right", "top", -0.72, 0.72),
    "above right": ("left", "bottom", 0.72, -0.72), "above left": ("right", "bottom", -0.72, -0.72),
}


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


def place_labels(points: list[tuple[float, float]], texts: list[str], gap: float, size: float,
                 fixed: list[Box], away: list[tuple[float, float]],
                 bounds: tuple[float, float, float, float]) -> list[tuple[str, str, float, float]]:
    """For each point (pixels, y down) and its text: ``(xanchor, yanchor, dx, dy)`` — the text's anchors
    and its offset in pixels from the point (y down) — chosen in order of preference (``away``) as the
    first place that overlaps nothing (names placed so far, any point, the ``fixed`` boxes, the edge of
    ``bounds``); where every place overlaps something, two steps further out, else the least overlap."""
    dots = [Box(x - gap, y - gap, x + gap, y + gap) for x, y in points]
    placed: list[Box] = []
    out = []
    order = sorted(range(len(points)), key=lambda i: -sum(1 for p in points if abs(p[0] - points[i][0]) < 120
                                                          and abs(p[1] - points[i][1]) < 80))
    chosen: dict[int, tuple[str, str, float, float]] = {}
    for i in order:
        x, y = points[i]
        best: tuple[float, int, tuple[str, str, float, float], Box] | None = None
        rank = 0
        for reach in (1.0, 1.6, 2.3):
            for name in _preference(away[i]):
                xa, ya, ux, uy = _PLACES[name]
                g = gap + 3 if reach == 1.0 else gap * reach
                dx, dy = ux * g, uy * g
                box = Box.around(texts[i], size, x + dx, y + dy, xa, ya)
                cost = (sum(box.overlap(b) for b in placed) + sum(box.overlap(b) for b in fixed)
                        + sum(box.overlap(d) for j, d in enumerate(dots) if j != i) + 4 * box.outside(bounds))
                if best is None or cost < best[0] - 1e-9:
                    best = (cost, rank, (xa, ya, dx, dy), box)
                rank += 1
                if cost == 0:
                    break
            if best is not None and best[0] == 0:
                break
        assert best is not None
        chosen[i] = best[2]
        placed.append(best[3])
    for i in range(len(points)):
        out.append(chosen[i])
    return out
