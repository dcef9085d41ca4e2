"""The network view: actors as nodes grouped by affiliation, channels as edges, messages in flight.

``network_figure`` draws one moment; ``network_frames`` gives the changing traces for many
moments (for the dashboard's client-side playback and for plotly animation frames). Positions
come from :func:`positions`, which is deterministic: the same scenario always gets the same layout.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import networkx as nx
import plotly.graph_objects as go

from sim.certainty import MODELLED_MARK, MODELLED_MEANING, modelled

from .common import (BELIEF_COLOR, FLIGHT_COLOR, KNOW_COLORS, KNOW_LABELS, KNOW_ORDER, MEDIUM_LABELS, MEDIUM_STYLE,
                     TAP_COLOR, affiliation_colors, affiliations, knowledge_state, names, provenance, short_names,
                     template, wrap)

if TYPE_CHECKING:
    from sim.result import RunResult

NODE_SIZE = 30
WIDE = 1.3  # the circle of affiliations is this much wider than tall: pictures are wider than tall


def positions(result: RunResult) -> dict[str, tuple[float, float]]:
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
    return pos


def label_positions(result: RunResult, pos: dict[str, tuple[float, float]]) -> dict[str, str]:
    """Actor id → where its name goes: away from the centre of its affiliation's cluster — above or
    below (and to the side it leans to), or beside for the members level with the centre — and below
    an affiliation of one, whose name stands above it."""
    groups: dict[str, list[str]] = {}
    for a in result.scenario.actors:
        groups.setdefault(a.affiliation, []).append(a.id)
    out = {}
    for members in groups.values():
        cx = sum(pos[a][0] for a in members) / len(members)
        cy = sum(pos[a][1] for a in members) / len(members)
        for a in members:
            dx, dy = pos[a][0] - cx, pos[a][1] - cy
            side = "right" if dx > 0 else "left"
            if len(members) > 1 and abs(dx) > 2 * abs(dy):
                out[a] = f"middle {side}"
            else:
                out[a] = ("top " if dy > 1e-9 else "bottom ") + (side if abs(dx) > 0.5 * abs(dy) else "center")
    return out


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


def in_flight(all_flights: list[Flight], t: float) -> list[tuple[Flight, float]]:
    """Flights under way at ``t`` with the fraction of the way done (instant ones show mid-way)."""
    out = []
    for f in all_flights:
        if f.start <= t <= f.end:
            frac = (t - f.start) / (f.end - f.start) if f.end > f.start else 0.5
            out.append((f, frac))
    return out


def believed(result: RunResult, focus: str, fact: str, t: float) -> list[str]:
    """Actors whom ``focus`` knew (at ``t``) to know ``fact``, ``focus`` itself excluded."""
    return [a for a in result.actors if a != focus and result.knows_that(focus, a, fact, t)]


def _scatter(**props: object) -> dict:
    """A scatter trace as a plain dict (the figure is validated once, by :func:`network_figure`)."""
    return {"type": "scatter", **props}


def _edges(result: RunResult, pos: dict[str, tuple[float, float]]) -> list[dict]:
    traces = []
    by_medium: dict[str, list] = {}
    hover_x, hover_y, hover_text = [], [], []
    nm = names(result)
    for ch in result.scenario.channels:
        ends = [a for a in ch.between if a in pos]
        pairs = ([(ends[0], b) for b in ends[1:]] if ch.direction == "one-way"
                 else [(a, b) for i, a in enumerate(ends) for b in ends[i + 1:]])
        for a, b in pairs:
            (x0, y0), (x1, y1) = pos[a], pos[b]
            by_medium.setdefault(ch.medium, []).append((x0, y0, x1, y1))
            hover_x.append((x0 + x1) / 2)
            hover_y.append((y0 + y1) / 2)
            arrow = "→" if ch.direction == "one-way" else "↔"
            text = f"<b>{ch.id}</b>: {nm[a]} {arrow} {nm[b]} ({MEDIUM_LABELS.get(ch.medium, ch.medium)})"
            if ch.description:
                text += f"<br>{ch.description}"
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
        mx = sum(pos[a][0] for a in ends) / len(ends)
        my = sum(pos[a][1] for a in ends) / len(ends)
        for tap in ch.taps:
            if tap.by in pos:
                xs += [pos[tap.by][0], mx, None]
                ys += [pos[tap.by][1], my, None]
    if xs:
        traces.append(_scatter(x=xs, y=ys, mode="lines", line=dict(color=TAP_COLOR, dash="dash", width=2),
                               name="tap (interception)", legendgroup="channels", hoverinfo="skip"))
    traces.append(_scatter(x=hover_x, y=hover_y, mode="markers", marker=dict(size=14, opacity=0),
                           hovertext=hover_text, hoverinfo="text", showlegend=False, name="channel info"))
    return traces


def _legend() -> list[dict]:
    return [_scatter(x=[None], y=[None], mode="markers", name=KNOW_LABELS[k], legendgroup="knowledge",
                     legendgrouptitle=dict(text="the selected fact"), legendrank=1 + i,
                     marker=dict(size=14, color=KNOW_COLORS[k], line=dict(color="#555", width=1)))
            for i, k in enumerate(KNOW_ORDER)] + [
        _scatter(x=[None], y=[None], mode="markers", name=MODELLED_MEANING, legendgroup="knowledge",
                 legendrank=1 + len(KNOW_ORDER), marker=dict(size=14, color="#fff", line=dict(color="#555", width=1)))]


Labels = list[tuple[str, str, float]]  # per actor: plain name, marked name, time from which it is marked


def label_parts(result: RunResult, fact: str) -> Labels:
    """Each actor's name on the graph, with and without the mark, and when the mark starts (never: inf)."""
    short = short_names(result)
    certain = result.certainties.knowledge
    out = []
    for a in result.compiled.actors:
        k = result.first.get((a, fact))
        since = k.time if k is not None and modelled(certain.get((a, fact))) else float("inf")
        out.append((wrap(short[a]), wrap(f"{short[a]} {MODELLED_MARK}"), since))
    return out


def node_labels(result: RunResult, fact: str, t: float, parts: Labels | None = None) -> list[str]:
    """Actor names on the graph; :data:`~sim.certainty.MODELLED_MARK` after those who know ``fact`` at ``t``
    through an inferred or assumed step."""
    return [marked if since <= t else plain for plain, marked, since in (parts or label_parts(result, fact))]


def _dynamic(result: RunResult, fact: str, t: float, focus: str | None, pos: dict[str, tuple[float, float]],
             all_flights: list[Flight], labels: Labels | None = None) -> list[dict]:
    """The traces that change with time, as plain dicts: node fill, focus rings, messages in flight."""
    actors = list(result.actors)
    fill = [KNOW_COLORS[knowledge_state(result, a, fact, t)] for a in actors]
    ring = believed(result, focus, fact, t) if focus else []
    moving = in_flight(all_flights, t)
    fx, fy, ftext, fcol, fsize = [], [], [], [], []
    nm = names(result)
    for f, frac in moving:
        if f.sender not in pos or f.target not in pos:
            continue
        (x0, y0), (x1, y1) = pos[f.sender], pos[f.target]
        fx.append(x0 + (x1 - x0) * frac)
        fy.append(y0 + (y1 - y0) * frac)
        carries = fact in f.facts
        verb = "intercepting" if f.kind == "intercept" else "→"
        ftext.append(f"{nm.get(f.sender, f.sender)} {verb} {nm.get(f.target, f.target)}: {', '.join(f.facts)}")
        fcol.append(TAP_COLOR if f.kind == "intercept" else (FLIGHT_COLOR if carries else "#9e9e9e"))
        fsize.append(13 if carries else 9)
    return [
        {"marker": {"color": fill}, "text": node_labels(result, fact, t, labels)},
        {"x": [pos[a][0] for a in ring], "y": [pos[a][1] for a in ring]},
        {"x": fx, "y": fy, "hovertext": ftext, "marker": {"color": fcol, "size": fsize}},
    ]


LEGENDS = {  # where the legend goes: beside the graph, or in rows under it where the graph is narrow
    "right": dict(orientation="v", x=1.0, xanchor="left", y=1.0),
    "below": dict(orientation="h", x=0.0, xanchor="left", y=-0.02, yanchor="top", traceorder="normal"),
}


def network_spec(result: RunResult, fact: str, t: float, focus: str | None = None,
                 pos: dict[str, tuple[float, float]] | None = None, legend: str = "right") -> dict:
    """The network at ``t`` with knowledge of ``fact`` as a plain plotly figure dict (``data``, ``layout``);
    ``focus`` adds rings for what that actor knew others knew; ``legend`` is a key of :data:`LEGENDS`.
    ``layout.meta['dynamic']`` lists the indices of the traces that change with time."""
    pos = pos or positions(result)
    s = result.scenario
    nm = names(result)
    colours = affiliation_colors(result)
    data = _edges(result, pos) + _legend()
    actors = list(result.actors)
    by_id = {a.id: a for a in s.actors}
    hover = []
    for a in actors:
        act = by_id[a]
        role = f" — {act.role}" if act.role else ""
        hover.append(f"<b>{act.name}</b>{role}<br>{act.affiliation}<br>{fact}: {provenance(result, a, fact)}")
    label_pos = label_positions(result, pos)
    dyn = _dynamic(result, fact, t, focus, pos, flights(result))
    data.append(_scatter(
        x=[pos[a][0] for a in actors], y=[pos[a][1] for a in actors], mode="markers+text",
        text=dyn[0]["text"], textposition=[label_pos[a] for a in actors],
        textfont=dict(size=11, color="#222"),
        hovertext=hover, hoverinfo="text", showlegend=False, name="actors", customdata=actors,
        marker=dict(size=[NODE_SIZE + (8 if a == focus else 0) for a in actors], color=dyn[0]["marker"]["color"],
                    line=dict(color=["#000" if a == focus else colours[by_id[a].affiliation] for a in actors],
                              width=[5 if a == focus else 3 for a in actors]))))
    focus_name = nm.get(focus or "", "")
    data.append(_scatter(x=dyn[1]["x"], y=dyn[1]["y"], mode="markers", hoverinfo="skip",
                         name=f"{focus_name} knows that they know" if focus else "knows that they know",
                         showlegend=bool(focus), legendgroup="focus",
                         marker=dict(symbol="circle-open", size=NODE_SIZE + 16, color=BELIEF_COLOR,
                                     line=dict(width=3, color=BELIEF_COLOR))))
    data.append(_scatter(x=dyn[2]["x"], y=dyn[2]["y"], mode="markers", hovertext=dyn[2]["hovertext"],
                         hoverinfo="text", name="message in flight", legendgroup="messages", legendrank=10,
                         marker=dict(symbol="circle", color=dyn[2]["marker"]["color"], size=dyn[2]["marker"]["size"],
                                     line=dict(color="#fff", width=1.5))))
    n = len(data)
    xs = [p[0] for p in pos.values()] or [0]
    ys = [p[1] for p in pos.values()] or [0]
    shapes, annotations = [], []
    for f in affiliations(result):
        members = [pos[a.id] for a in s.actors if a.affiliation == f]
        mx = sum(p[0] for p in members) / len(members)
        my = sum(p[1] for p in members) / len(members)
        spread = max(math.dist((mx, my), p) for p in members)
        r = max(spread + 0.13, 0.15)
        shapes.append(dict(type="circle", x0=mx - r, x1=mx + r, y0=my - r, y1=my + r, layer="below",
                           fillcolor=colours[f], opacity=0.08, line=dict(color=colours[f], width=1)))
        alone = spread < 1e-9
        annotations.append(dict(x=mx, y=my + r if alone else my, text=f"<b>{f}</b>", showarrow=False,
                                yanchor="bottom" if alone else "middle", font=dict(color=colours[f], size=13),
                                opacity=0.9))
    pad = 0.45  # room for names around the outermost actors; more below, where names hang under them
    layout = dict(
        meta={"dynamic": [n - 3, n - 2, n - 1]}, shapes=shapes, annotations=annotations,
        margin=dict(l=5, r=5, t=10, b=5, autoexpand=True), plot_bgcolor="#fff", paper_bgcolor="#fff",
        xaxis=dict(visible=False, range=[min(xs) - pad, max(xs) + pad], fixedrange=False),
        yaxis=dict(visible=False, range=[min(ys) - 1.6 * pad, max(ys) + pad], scaleanchor="x", scaleratio=1),
        legend=LEGENDS[legend] | dict(bgcolor="rgba(255,255,255,0.85)", font=dict(size=11), groupclick="toggleitem",
                                      tracegroupgap=6),
        hoverlabel=dict(align="left"), uirevision="network", showlegend=True, template=template(),
    )
    return {"data": data, "layout": layout}


def network_figure(result: RunResult, fact: str, t: float, focus: str | None = None,
                   pos: dict[str, tuple[float, float]] | None = None, legend: str = "right") -> go.Figure:
    """:func:`network_spec` as a validated plotly figure."""
    return go.Figure(network_spec(result, fact, t, focus, pos, legend))


def network_frames(result: RunResult, fact: str, times: list[float], focus: str | None = None,
                   pos: dict[str, tuple[float, float]] | None = None) -> list[list[dict]]:
    """For each time, the dynamic traces (see ``layout.meta['dynamic']``) as plain dicts."""
    pos = pos or positions(result)
    fl = flights(result)
    labels = label_parts(result, fact)
    return [_dynamic(result, fact, t, focus, pos, fl, labels) for t in times]
