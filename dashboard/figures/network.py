"""The network view: actors as nodes grouped by affiliation, channels as edges, messages in flight.

``network_figure`` draws one moment; ``network_frames`` gives the changing traces for many
moments (for the dashboard's client-side playback and for plotly animation frames). Positions
come from :func:`positions`, which is deterministic: the same scenario always gets the same layout.
"""

from __future__ import annotations

import bisect
import functools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import plotly.graph_objects as go

from sim.certainty import MODELLED_MARK, MODELLED_MEANING, modelled

from .common import (BELIEF_COLOR, FLIGHT_COLOR, KNOW_COLORS, KNOW_LABELS, KNOW_ORDER, KNOW_SYMBOLS, MEDIUM_LABELS,
                     MEDIUM_STYLE, NO_TEXT, STAGE_HEIGHT, TAP_COLOR, Same, affiliation_colors, affiliations,
                     channel_labels, fact_labels, medium_label, names, provenance, short_names, template, wrap)
from .labels import Scene, Segment, Spot, choose, crowded_first, spots_around, spots_beside

if TYPE_CHECKING:
    from sim.result import RunResult

NODE_SIZE = 30
WIDE = 1.3  # the circle of affiliations is this much wider than tall: pictures are wider than tall


def positions(result: RunResult, moved: tuple[tuple[str, float, float], ...] = ()) -> dict[str, tuple[float, float]]:
    """Actor id → (x, y): affiliations around an ellipse in file order (:data:`WIDE`), each on an arc as
    wide as its cluster, and each affiliation's actors on a small circle (networkx circular layout)
    around its centre. Deterministic: the same scenario always gets the same layout."""
    s = result.scenario
    affs = affiliations(result)
    sizes = {f: sum(1 for a in s.actors if a.affiliation == f) for f in affs}
    radii = {f: 0.0 if n == 1 else 0.2 + 0.045 * n for f, n in sizes.items()}
    # Each affiliation gets an arc of the ellipse as wide as its cluster, plus room for labels (an
    # affiliation of one has its name above the actor and the actor's name below).
    widths = {f: 2 * (radii[f] + 0.13) + 0.45 + (0.3 if sizes[f] == 1 else 0.0) for f in affs}
    big = max(0.8, sum(widths.values()) / (2 * math.pi))
    centres: dict[str, tuple[float, float]] = {}
    angle = math.pi / 2
    for f in affs:
        half = widths[f] / big / 2
        angle -= half
        centres[f] = (0.0, 0.0) if len(affs) == 1 else (WIDE * big * math.cos(angle), big * math.sin(angle))
        angle -= half
    pos: dict[str, tuple[float, float]] = {}
    for f in affs:
        members = [a.id for a in s.actors if a.affiliation == f]
        if len(members) == 1:
            pos[members[0]] = centres[f]
            continue
        ring = nx.circular_layout(nx.path_graph(members), scale=radii[f], center=centres[f])
        for a in members:  # rotate so that the first member sits on top
            x, y = float(ring[a][0]) - centres[f][0], float(ring[a][1]) - centres[f][1]
            pos[a] = (centres[f][0] - y, centres[f][1] + x)
    for a, x, y in moved:  # where the reader dragged them
        if a in pos:
            pos[a] = (x, y)
    return pos


@dataclass(frozen=True)
class Flight:
    """One message on its way: delivery (``kind='deliver'``) or intercepted copy (``'intercept'``)."""

    sender: str
    target: str
    start: float
    end: float
    facts: tuple[str, ...]
    kind: str
    channel: str


def flights(result: RunResult) -> list[Flight]:
    """Every delivery and intercept with the time its message was sent."""
    return [Flight(result.sender(e), e.recipients[0] if e.kind == "deliver" else e.actor, e.sent_at, e.time,  # type: ignore[arg-type]
                   e.facts, e.kind, e.channel or "") for e in result.flights()]


def believed(result: RunResult, focus: str, fact: str, t: float) -> list[str]:
    """Actors whom ``focus`` knew (at ``t``) to know ``fact``, ``focus`` itself excluded."""
    return [a for a in result.actors if a != focus and result.knows_that(focus, a, fact, t)]


def _scatter(**props: object) -> dict:
    """A scatter trace as a plain dict (the figure is validated once, by :func:`network_figure`)."""
    return {"type": "scatter", **props}


def _edges(result: RunResult, pos: dict[str, tuple[float, float]], hidden: frozenset[str] = frozenset()) -> list[dict]:
    traces = []
    by_medium: dict[str, list] = {}
    hover_x, hover_y, hover_text = [], [], []
    nm = names(result)
    channels = channel_labels(result)
    faint = _faint(result, hidden)
    for ch in result.scenario.channels:
        if f"medium:{ch.medium}" in hidden:
            continue
        ends = [a for a in ch.between if a in pos and a not in faint]
        pairs = ([(ends[0], b) for b in ends[1:]] if ch.direction == "one-way"
                 else [(a, b) for i, a in enumerate(ends) for b in ends[i + 1:]])
        for a, b in pairs:
            (x0, y0), (x1, y1) = pos[a], pos[b]
            by_medium.setdefault(ch.medium, []).append((x0, y0, x1, y1))
            hover_x.append((x0 + x1) / 2)
            hover_y.append((y0 + y1) / 2)
            arrow = "→" if ch.direction == "one-way" else "↔"
            text = f"<b>{channels[ch.id]}</b><br>{nm[a]} {arrow} {nm[b]} ({medium_label(ch.medium)})"
            if ch.description and channels[ch.id] != ch.description:
                text += f"<br>{wrap(ch.description, 60)}"
            for tap in ch.taps:
                text += f"<br>tapped by {nm.get(tap.by, tap.by)}"
            hover_text.append(text)
    for medium, segs in by_medium.items():
        colour, dash, width = MEDIUM_STYLE.get(medium, MEDIUM_STYLE["other"])
        xs, ys = [], []
        for x0, y0, x1, y1 in segs:
            xs += [x0, x1, None]
            ys += [y0, y1, None]
        traces.append(_scatter(x=xs, y=ys, mode="lines", line=dict(color=colour, dash=dash, width=width),
                               name=MEDIUM_LABELS.get(medium, medium), legendgroup="channels",
                               legendgrouptitle=dict(text="channels"), hoverinfo="skip"))
    xs, ys = [], []
    for ch in result.scenario.channels:
        ends = [a for a in ch.between if a in pos]
        if f"medium:{ch.medium}" in hidden or "medium:intercept" in hidden:
            continue
        mx = sum(pos[a][0] for a in ends) / len(ends)
        my = sum(pos[a][1] for a in ends) / len(ends)
        for tap in ch.taps:
            if tap.by in pos and tap.by not in faint:
                xs += [pos[tap.by][0], mx, None]
                ys += [pos[tap.by][1], my, None]
    if xs:
        traces.append(_scatter(x=xs, y=ys, mode="lines", line=dict(color=TAP_COLOR, dash="dash", width=2),
                               name="tap (interception)", legendgroup="channels", hoverinfo="skip"))
    traces.append(_scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=14, opacity=0),
                           hovertext=hover_text, hoverinfo="text", showlegend=False, name="channel info"))
    return traces


def _faint(result: RunResult, hidden: frozenset[str]) -> set[str]:
    """Actors drawn faint: those of a hidden affiliation."""
    return {a.id for a in result.scenario.actors if a.affiliation in hidden}


def node_labels(result: RunResult, fact: str, t: float) -> list[str]:
    """Actor names with :data:`~sim.certainty.MODELLED_MARK` after those who know ``fact`` at ``t`` through an
    inferred or assumed step (as the exported file's hover and the marks on the nodes say)."""
    short = short_names(result)
    return [f"{short[a]} {m}".strip() for a, m in zip(result.compiled.actors, node_marks(result, fact, t))]


def node_marks(result: RunResult, fact: str, t: float) -> list[str]:
    """Per actor, :data:`~sim.certainty.MODELLED_MARK` (drawn on the node) for those who know ``fact`` at ``t``
    through an inferred or assumed step, else nothing."""
    certain = result.certainties.knowledge
    out = []
    for a in result.compiled.actors:
        k = result.first.get((a, fact))
        out.append(MODELLED_MARK if k is not None and k.time <= t and modelled(certain.get((a, fact))) else "")
    return out


TRAIL = 3  # messages drawn as the recent trail
PATH_COLOR = "rgba(27,120,55,0.42)"
TRAIL_COLOR = "rgba(17,17,17,0.5)"


@dataclass(frozen=True)
class _Spread:
    """What the dynamic traces of one fact read at every step, worked out once: each actor's first knowledge
    of it (time, how) and whether that came through a modelled step, the flights with their hover texts,
    and the finished flights between drawn actors in order of arrival."""

    actors: tuple[str, ...]
    first: tuple[tuple[float, str] | None, ...]
    marked: tuple[bool, ...]
    flights: tuple[tuple[Flight, str], ...]
    done: tuple[Flight, ...]
    done_ends: tuple[float, ...]


def _spread(result: RunResult, fact: str, pos: dict[str, tuple[float, float]]) -> _Spread:
    """The :class:`_Spread` of ``fact`` for actors at ``pos``, cached for the last views: a bundle's network
    and its frames read the same one."""
    return _spread_of(Same(result), fact, tuple(pos.items()))


@functools.lru_cache(maxsize=8)
def _spread_of(run: Same, fact: str, pos: tuple[tuple[str, tuple[float, float]], ...]) -> _Spread:
    """The cache behind :func:`_spread`."""
    result, at = run.result, dict(pos)
    actors = tuple(result.actors)
    certain = result.certainties.knowledge
    known = [result.learned(a, fact) for a in actors]
    nm = names(result)
    labels = fact_labels(result)
    all_flights = flights(result)
    texts = []
    for f in all_flights:
        verb = "intercepting" if f.kind == "intercept" else "→"
        texts.append((f, f"{nm.get(f.sender, f.sender)} {verb} {nm.get(f.target, f.target)}:<br>"
                         + "<br>".join(labels.get(x, x) for x in f.facts)))
    done = sorted((f for f in all_flights if f.sender in at and f.target in at), key=lambda f: f.end)
    return _Spread(actors, tuple(None if k is None else (k.time, k.how) for k in known),
                   tuple(k is not None and modelled(certain.get((a, fact))) for a, k in zip(actors, known)),
                   tuple(texts), tuple(done), tuple(f.end for f in done))


def _dynamic(result: RunResult, fact: str, t: float, focus: str | None, pos: dict[str, tuple[float, float]],
             sp: _Spread) -> list[dict]:
    """The traces that change with time, as plain dicts: the selected fact's path so far, the recent
    trail, node fill and shape, focus rings, messages in flight; ``sp`` is :func:`_spread` of the fact."""
    states = ["unknown" if k is None or k[0] > t else k[1] for k in sp.first]
    ring = believed(result, focus, fact, t) if focus else []
    fx, fy, ftext, fcol, fsize = [], [], [], [], []
    for f, text in sp.flights:
        if not f.start <= t <= f.end or f.sender not in pos or f.target not in pos:
            continue
        frac = (t - f.start) / (f.end - f.start) if f.end > f.start else 0.5
        (x0, y0), (x1, y1) = pos[f.sender], pos[f.target]
        fx.append(x0 + (x1 - x0) * frac)
        fy.append(y0 + (y1 - y0) * frac)
        carries = fact in f.facts
        ftext.append(text)
        fcol.append(TAP_COLOR if f.kind == "intercept" else (FLIGHT_COLOR if carries else "#757575"))
        fsize.append(13 if carries else 9)
    px, py = [], []
    for k in result.knowers(fact, t):  # the fact's provenance so far: who passed it to whom
        if k.from_actor in pos and k.actor in pos:
            px += [pos[k.from_actor][0], pos[k.actor][0], None]
            py += [pos[k.from_actor][1], pos[k.actor][1], None]
    arrived = bisect.bisect_right(sp.done_ends, t)
    tx, ty = [], []
    for f in sp.done[max(0, arrived - TRAIL):arrived]:
        (x0, y0), (x1, y1) = pos[f.sender], pos[f.target]
        tx += [x0, x0 + (x1 - x0) * 0.9, None]
        ty += [y0, y0 + (y1 - y0) * 0.9, None]
    marks = [MODELLED_MARK if m and k is not None and k[0] <= t else NO_TEXT for k, m in zip(sp.first, sp.marked)]
    return [
        {"x": px, "y": py},
        {"x": tx, "y": ty},
        {"marker": {"color": [KNOW_COLORS[k] for k in states], "symbol": [KNOW_SYMBOLS[k] for k in states]},
         "text": marks},
        {"x": [pos[a][0] for a in ring], "y": [pos[a][1] for a in ring]},
        {"x": fx, "y": fy, "hovertext": ftext, "marker": {"color": fcol, "size": fsize}},
    ]


LEGENDS = {  # where the legend goes: beside the graph, or none (the page draws its own beside it)
    "right": dict(orientation="v", x=1.0, xanchor="left", y=1.0),
    "none": {},
}
LABEL_FONT = dict(size=12, color="#222", family="Arial, 'Liberation Sans', Helvetica, sans-serif")
AFFILIATION_FONT = 13
HALO = "rgba(255,255,255,0.72)"  # behind each name: a line that still crosses it shows through, faint
MARGIN = dict(l=6, r=6, t=30, b=6)  # fixed: the plot area never changes size (room on top for the toolbar)


def _node_size(actor: str, focus: str | None) -> int:
    """The marker size of an actor: larger for the actor in focus."""
    return NODE_SIZE + (8 if actor == focus else 0)


def _outline(actor: str, focus: str | None) -> int:
    """The width of an actor's marker outline: thicker for the actor in focus."""
    return 5 if actor == focus else 3


def _segments(traces: list[dict]) -> list[Segment]:
    """The straight pieces of the line traces among ``traces`` (``None`` separates pieces), in data units."""
    out = []
    for tr in traces:
        if tr.get("mode") != "lines":
            continue
        pts = list(zip(tr["x"], tr["y"]))
        out += [(x0, y0, x1, y1) for (x0, y0), (x1, y1) in zip(pts, pts[1:])
                if None not in (x0, y0, x1, y1)]
    return out


def _plot_box(xr: tuple[float, float], yr: tuple[float, float], scale: float, width: float,
              height: float) -> tuple[float, float, float, float]:
    """The plot area in the pixels of ``to_px`` (the axis ranges at ``scale``): plotly widens the range that
    leaves room (equal scales) on both sides alike, to fill ``width`` × ``height``."""
    spare_x = max(0.0, width - (xr[1] - xr[0]) * scale) / 2
    spare_y = max(0.0, height - (yr[1] - yr[0]) * scale) / 2
    return -spare_x, -spare_y, (xr[1] - xr[0]) * scale + spare_x, (yr[1] - yr[0]) * scale + spare_y


def _shade_radius(spread: float) -> float:
    """The radius of an affiliation's shaded circle, for actors at most ``spread`` from its centre."""
    return max(spread + 0.13, 0.15)


def _label_annotations(result: RunResult, pos: dict[str, tuple[float, float]], focus: str | None,
                       faint: set[str], height: int, width: int, lines: list[Segment] | None = None) -> list[dict]:
    """Actor names and affiliation names as annotations, placed at the plot size the page gives the network
    (``height`` × at least ``width`` pixels) so that no name overlaps another name or any actor's marker, each
    affiliation's name lies outside the circle of its actors, and names cross as little as they can of
    ``lines`` (the channels drawn, in data units; by default those of :func:`_edges`).

    The placement does not depend on the fact or the moment shown, so it is cached for the last views (a
    fresh list of fresh dicts each time: the caller may change them)."""
    lines = _segments(_edges(result, pos)) if lines is None else lines
    short = short_names(result)
    colours = affiliation_colors(result)
    affiliation = {a.id: a.affiliation for a in result.scenario.actors}
    cast = tuple((a, short[a], affiliation[a]) for a in result.compiled.actors)
    placed = _placed_labels(cast, tuple(colours.items()), tuple(pos.items()), focus, frozenset(faint), height, width,
                            tuple(lines))
    return [dict(a, font=dict(a["font"])) for a in placed]


@functools.lru_cache(maxsize=32)
def _placed_labels(cast: tuple[tuple[str, str, str], ...], colours: tuple[tuple[str, str], ...],
                   pos: tuple[tuple[str, tuple[float, float]], ...], focus: str | None, faint: frozenset[str],
                   height: int, width: int, lines: tuple[Segment, ...]) -> tuple[dict, ...]:
    """The cache behind :func:`_label_annotations`, keyed by what the placement reads (so that the runs of
    one file's alternatives share it): ``cast`` holds each actor's id, short name and affiliation. Its result
    is shared: copy before changing it."""
    pos = dict(pos)
    short = {a: name for a, name, _ in cast}
    affiliation = {a: f for a, _, f in cast}
    colours = dict(colours)
    xs = [p[0] for p in pos.values()] or [0.0]
    ys = [p[1] for p in pos.values()] or [0.0]
    xr, yr = _ranges(xs, ys)
    scale = min((height - MARGIN["t"] - MARGIN["b"]) / (yr[1] - yr[0]), width / (xr[1] - xr[0]))

    def to_px(x: float, y: float) -> tuple[float, float]:
        return (x - xr[0]) * scale, (yr[1] - y) * scale

    actors = [a for a, _, _ in cast]
    nodes = [to_px(*pos[a]) for a in actors]
    radii = {a: _node_size(a, focus) / 2 + _outline(a, focus) / 2 for a in actors}
    scene = Scene(_plot_box(xr, yr, scale, width, height - MARGIN["t"] - MARGIN["b"]),
                  tuple((x, y, radii[a]) for a, (x, y) in zip(actors, nodes)),
                  tuple((*to_px(x0, y0), *to_px(x1, y1)) for x0, y0, x1, y1 in lines))
    clusters = _clusters(affiliation, pos)
    texts = [wrap(short[a], 18) for a in actors]
    spots = [spots_beside(p, text, LABEL_FONT["size"], radii[a] + 1.5, (pos[a][0] - clusters[affiliation[a]][0],
                                                                        pos[a][1] - clusters[affiliation[a]][1]),
                          bold=a == focus)
             for a, p, text in zip(actors, nodes, texts)]
    groups = [wrap(f, 16) for f in clusters]
    middle = to_px(sum(xs) / len(xs), sum(ys) / len(ys))
    for (f, (mx, my, spread)), text in zip(clusters.items(), groups):
        marker = max(r for a, r in radii.items() if affiliation[a] == f)
        spots.append(_affiliation_spots(to_px(mx, my), spread * scale, marker, _shade_radius(spread) * scale,
                                        text, middle))
    chosen = choose(spots, scene, crowded_first(nodes) + list(range(len(actors), len(spots))))
    return tuple([_annotation(mx, my, f"<b>{text}</b>", spot,
                              dict(color=colours[f], size=AFFILIATION_FONT, family=LABEL_FONT["family"]),
                              "affiliation")
                  for (f, (mx, my, _)), text, spot in zip(clusters.items(), groups, chosen[len(actors):])]
                 + [_annotation(*pos[a], f"<b>{text}</b>" if a == focus else text, spot,
                                LABEL_FONT | ({"color": "#9e9e9e"} if a in faint else {}), "actor")
                    for a, text, spot in zip(actors, texts, chosen)])


def _affiliation_spots(centre: tuple[float, float], spread: float, marker: float, shade: float, text: str,
                       middle: tuple[float, float]) -> list[Spot]:
    """The places for an affiliation's name (pixels): round the circle of its actors (``spread`` from
    ``centre``) just clear of their markers (``marker``: the largest radius), then outside the shaded circle
    (``shade``), then a little further; on the side away from the ``middle`` of the picture first."""
    ring = spread + marker + 3
    outside = max(shade + 3, ring + 10)
    return spots_around(centre, (ring, outside, outside + 14), text, AFFILIATION_FONT,
                        (centre[0] - middle[0], centre[1] - middle[1]))


def _annotation(x: float, y: float, text: str, spot: Spot, font: dict, name: str) -> dict:
    """A name at (x, y) in data units, placed at ``spot`` (pixels, y down), on a faint white :data:`HALO`."""
    return dict(x=x, y=y, text=text, showarrow=False, xanchor=spot.xanchor, yanchor=spot.yanchor, xshift=spot.dx,
                yshift=-spot.dy, align="center", font=font, name=name, bgcolor=HALO, captureevents=False)


def _clusters(affiliation: dict[str, str], pos: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float, float]]:
    """Affiliation (in order of first appearance in ``affiliation``, actor → affiliation) → the centre of its
    actors and their largest distance from it."""
    out = {}
    for f in dict.fromkeys(affiliation.values()):
        members = [pos[a] for a, g in affiliation.items() if g == f]
        mx = sum(p[0] for p in members) / len(members)
        my = sum(p[1] for p in members) / len(members)
        out[f] = (mx, my, max(math.dist((mx, my), p) for p in members))
    return out


def _ranges(xs: list[float], ys: list[float]) -> tuple[tuple[float, float], tuple[float, float]]:
    """The axis ranges: room for names around the outermost actors, more below, where names hang."""
    pad = 0.45
    return (min(xs) - pad, max(xs) + pad), (min(ys) - 1.3 * pad, max(ys) + pad)


def network_spec(result: RunResult, fact: str, t: float, focus: str | None = None,
                 pos: dict[str, tuple[float, float]] | None = None, legend: str = "right",
                 hidden: tuple[str, ...] = (), height: int = STAGE_HEIGHT, width: int = 600) -> dict:
    """The network at ``t`` with knowledge of ``fact`` as a plain plotly figure dict (``data``, ``layout``);
    ``focus`` adds rings for what that actor knew others knew; ``legend`` is a key of :data:`LEGENDS`;
    ``hidden`` names affiliations (drawn faint) and ``medium:M`` media (not drawn). Names are placed for a
    plot ``height`` pixels tall and at least ``width`` wide. ``layout.meta['dynamic']`` lists the indices
    of the traces that change with time."""
    pos = pos or positions(result)
    s = result.scenario
    nm = names(result)
    colours = affiliation_colors(result)
    hide = frozenset(hidden)
    faint = _faint(result, hide)
    label = fact_labels(result).get(fact, fact)
    data = _edges(result, pos, hide) + (_legend() if legend != "none" else [])
    actors = list(result.actors)
    by_id = {a.id: a for a in s.actors}
    channels = channel_labels(result)
    hover = []
    for a in actors:
        act = by_id[a]
        role = f" — {wrap(act.role, 60)}" if act.role else ""
        hover.append(f"<b>{act.name}</b>{role}<br>{act.affiliation}<br><i>{wrap(label, 60)}</i>: "
                     f"{wrap(provenance(result, a, fact, channels), 70)}")
    dyn = _dynamic(result, fact, t, focus, pos, _spread(result, fact, pos))
    first = len(data)
    data.append(_scatter(x=dyn[0]["x"], y=dyn[0]["y"], mode="lines", hoverinfo="skip", name="how it spread",
                         line=dict(color=PATH_COLOR, width=7), showlegend=False))
    # The trail starts at its senders and ends inside its recipients' markers: it takes no hover, so that
    # the actors' own hovers show there (the messages are listed beside the graph and on the timeline).
    data.append(_scatter(x=dyn[1]["x"], y=dyn[1]["y"], mode="lines+markers", hoverinfo="skip",
                         name="latest messages", showlegend=False,
                         line=dict(color=TRAIL_COLOR, width=2.5, dash="dot"),
                         marker=dict(symbol="arrow", angleref="previous", size=[0, 10, 0] * TRAIL,
                                     color=TRAIL_COLOR)))
    data.append(_scatter(
        x=[pos[a][0] for a in actors], y=[pos[a][1] for a in actors], mode="markers+text",
        text=dyn[2]["text"], textposition="middle center", textfont=dict(size=14, color="#111"),
        hovertext=hover, hoverinfo="text", showlegend=False, name="actors", customdata=actors,
        marker=dict(size=[_node_size(a, focus) for a in actors], color=dyn[2]["marker"]["color"],
                    symbol=dyn[2]["marker"]["symbol"], opacity=[0.25 if a in faint else 1.0 for a in actors],
                    line=dict(color=["#000" if a == focus else colours[by_id[a].affiliation] for a in actors],
                              width=[_outline(a, focus) for a in actors]))))
    focus_name = nm.get(focus or "", "")
    data.append(_scatter(x=dyn[3]["x"], y=dyn[3]["y"], mode="markers", hoverinfo="skip",
                         name=f"{focus_name} knows that they know" if focus else "knows that they know",
                         showlegend=bool(focus) and legend != "none", legendgroup="focus",
                         marker=dict(symbol="circle-open", size=NODE_SIZE + 16, color=BELIEF_COLOR,
                                     line=dict(width=3, color=BELIEF_COLOR))))
    data.append(_scatter(x=dyn[4]["x"], y=dyn[4]["y"], mode="markers", hovertext=dyn[4]["hovertext"],
                         hoverinfo="text", name="message in flight", legendgroup="messages", legendrank=10,
                         showlegend=legend != "none",
                         marker=dict(symbol="circle", color=dyn[4]["marker"]["color"], size=dyn[4]["marker"]["size"],
                                     line=dict(color="#fff", width=1.5))))
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    shapes = []
    for f, (mx, my, spread) in _clusters({a.id: a.affiliation for a in s.actors}, pos).items():
        r = _shade_radius(spread)
        shapes.append(dict(type="circle", x0=mx - r, x1=mx + r, y0=my - r, y1=my + r, layer="below",
                           fillcolor=colours[f], opacity=0.03 if f in hide else 0.08,
                           line=dict(color=colours[f], width=1)))
    xr, yr = _ranges(xs, ys)
    layout = dict(
        meta={"dynamic": list(range(first, first + 5))}, shapes=shapes,
        annotations=_label_annotations(result, pos, focus, faint, height, width, _segments(data[:first])),
        margin=MARGIN | dict(autoexpand=False), plot_bgcolor="#fff", paper_bgcolor="#fff",
        xaxis=dict(visible=False, range=list(xr), fixedrange=False),
        yaxis=dict(visible=False, range=list(yr), scaleanchor="x", scaleratio=1),
        hoverlabel=dict(align="left"), uirevision="network", showlegend=legend != "none", template=template(),
    )
    if legend != "none":
        layout["legend"] = LEGENDS[legend] | dict(bgcolor="rgba(255,255,255,0.85)", font=dict(size=12),
                                                  groupclick="toggleitem", tracegroupgap=6)
        layout["margin"] = MARGIN | dict(autoexpand=True)
    return {"data": data, "layout": layout}


def _legend() -> list[dict]:
    return [_scatter(x=[None], y=[None], mode="markers", name=KNOW_LABELS[k], legendgroup="knowledge",
                     legendgrouptitle=dict(text="the selected fact"), legendrank=1 + i,
                     marker=dict(size=14, color=KNOW_COLORS[k], symbol=KNOW_SYMBOLS[k],
                                 line=dict(color="#555", width=1)))
            for i, k in enumerate(KNOW_ORDER)] + [
        _scatter(x=[None], y=[None], mode="markers", name=MODELLED_MEANING, legendgroup="knowledge",
                 legendrank=1 + len(KNOW_ORDER), marker=dict(size=14, color="#fff", line=dict(color="#555", width=1)))]


def network_figure(result: RunResult, fact: str, t: float, focus: str | None = None,
                   pos: dict[str, tuple[float, float]] | None = None, legend: str = "right",
                   hidden: tuple[str, ...] = ()) -> go.Figure:
    """:func:`network_spec` as a validated plotly figure."""
    return go.Figure(network_spec(result, fact, t, focus, pos, legend, hidden))


def network_frames(result: RunResult, fact: str, times: list[float], focus: str | None = None,
                   pos: dict[str, tuple[float, float]] | None = None) -> list[list[dict]]:
    """For each time, the dynamic traces (see ``layout.meta['dynamic']``) as plain dicts."""
    pos = pos or positions(result)
    spread = _spread(result, fact, pos)
    return [_dynamic(result, fact, t, focus, pos, spread) for t in times]
