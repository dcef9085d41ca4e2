"""A self-contained, animated view of a run: network above, timeline below, a slider and play button.

``export_figure`` gives the plotly figure (with frames); ``export_html`` the single HTML file with
plotly.js inlined, which works offline and can be mailed or embedded.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .common import default_fact, local_label, step_at, steps as make_steps
from .network import network_figure, network_frames, positions
from .timeline import cursor_x, timeline_figure

if TYPE_CHECKING:
    from sim.result import RunResult

SPLIT = 0.40  # the timeline takes the bottom of the page, the network the rest


def _title(result: RunResult, fact: str, t: float) -> str:
    statement = next((f.statement for f in result.scenario.facts if f.id == fact), fact)
    tz = result.scenario.meta.timezone
    return (f"<b>{result.scenario.meta.title}</b><br><span style='font-size:13px'>Who knows “{statement}” "
            f"at <b>{local_label(t, tz)}</b></span>")


def export_figure(result: RunResult, fact: str | None = None, mode: str = "event", focus: str | None = None,
                  t: float | None = None) -> go.Figure:
    """The network and timeline in one figure with one animation frame per step."""
    fact = fact or default_fact(result)
    times = make_steps(result, mode)
    t0 = times[0] if t is None else times[step_at(times, t)]
    pos = positions(result)
    net = network_figure(result, fact, t0, focus, pos)
    tl = timeline_figure(result, mode, times, t0, fact, focus)
    fig = go.Figure()
    for tr in net.data:
        fig.add_trace(tr)
    offset = len(fig.data)
    for tr in tl.data:
        tr = copy.deepcopy(tr)
        tr.update(xaxis="x2", yaxis="y2", legendgroup=tr.legendgroup or "timeline", showlegend=False)
        fig.add_trace(tr)
    for shape in net.layout.shapes:
        fig.add_shape(shape)
    for shape in tl.layout.shapes:
        s = shape.to_plotly_json()
        s["xref"] = "x2 domain" if str(s.get("xref", "x")).endswith("domain") else "x2"
        s["yref"] = "y2"
        fig.add_shape(s)
    for ann in net.layout.annotations:
        fig.add_annotation(ann)
    lx, ly, lx2, ly2 = net.layout.xaxis, net.layout.yaxis, tl.layout.xaxis, tl.layout.yaxis
    fig.update_layout(
        title=dict(text=_title(result, fact, t0), x=0.01, xanchor="left", y=0.985, font=dict(size=17)),
        xaxis=dict(visible=False, range=lx.range, domain=[0, 1], anchor="y"),
        yaxis=dict(visible=False, range=ly.range, domain=[SPLIT + 0.06, 0.93], scaleanchor="x", anchor="x"),
        xaxis2=lx2.to_plotly_json() | {"domain": [0, 1], "anchor": "y2"},
        yaxis2=ly2.to_plotly_json() | {"domain": [0.0, SPLIT - 0.06], "anchor": "x2"},
        legend=net.layout.legend.to_plotly_json() | {"y": 0.93},
        height=1100, margin=dict(l=20, r=20, t=80, b=40), plot_bgcolor="#fff", paper_bgcolor="#fff",
        hoverlabel=dict(align="left"),
    )
    dyn_net = list(net.layout.meta["dynamic"])
    cursor = offset + tl.layout.meta["dynamic"][0]
    xs = cursor_x(result, mode, times, times)
    n_lanes = len(result.compiled.actors)
    frames = []
    tz = result.scenario.meta.timezone
    for i, (t, dyn) in enumerate(zip(times, network_frames(result, fact, times, focus, pos))):
        frames.append(go.Frame(name=str(i), traces=dyn_net + [cursor],
                               data=[go.Scatter(**d) for d in dyn]
                               + [go.Scatter(x=[xs[i], xs[i]], y=[-0.6, n_lanes - 0.4])],
                               layout=dict(title_text=_title(result, fact, t))))
    fig.frames = frames
    anim = dict(mode="immediate", frame=dict(duration=0, redraw=True), transition=dict(duration=0))
    start = times.index(t0)
    fig.update_layout(
        sliders=[dict(active=start, y=SPLIT + 0.055, yanchor="top", x=0.08, len=0.9, pad=dict(t=0, b=0),
                      currentvalue=dict(visible=False), font=dict(size=10),
                      steps=[dict(method="animate", label=local_label(t, tz, long=False), args=[[str(i)], anim])
                             for i, t in enumerate(times)])],
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=SPLIT + 0.055, yanchor="top", xanchor="left",
                          pad=dict(t=0, r=4), showactive=False,
                          buttons=[dict(label="▶", method="animate",
                                        args=[None, dict(mode="immediate", fromcurrent=True,
                                                         frame=dict(duration=350, redraw=True),
                                                         transition=dict(duration=0))]),
                                   dict(label="❚❚", method="animate", args=[[None], anim])])],
    )
    return fig


def export_html(result: RunResult, fact: str | None = None, mode: str = "event", focus: str | None = None,
                t: float | None = None) -> str:
    """One self-contained HTML page (plotly.js inlined, no network needed)."""
    fig = export_figure(result, fact, mode, focus, t)
    return fig.to_html(include_plotlyjs=True, full_html=True, auto_play=False,
                       config={"displaylogo": False, "responsive": True},
                       div_id="backchannel-export", default_width="100%", default_height="1100px")
