"""A self-contained, animated view of a run: network above, timeline below, a slider and play button.

``export_figure`` gives the plotly figure (with frames); ``export_html`` the single HTML file with
plotly.js inlined, which works offline and can be mailed or embedded. plotly.js is inlined
gzip-compressed (about 2 MB instead of 4.8 MB) and unpacked by the browser's own
``DecompressionStream`` when the page opens.
"""

from __future__ import annotations

import base64
import copy
import functools
import gzip
import html
import json
from typing import TYPE_CHECKING

import plotly.graph_objects as go
import plotly.io as pio

from .common import default_fact, fact_labels, local_label, opening_time, step_at, steps as make_steps
from .network import network_figure, network_frames, positions
from .timeline import cursor_x, timeline_figure

if TYPE_CHECKING:
    from sim.result import RunResult

SPLIT = 0.40  # the timeline takes the bottom of the page, the network the rest


def _title(result: RunResult, fact: str, t: float) -> str:
    label = fact_labels(result).get(fact, fact)
    tz = result.scenario.meta.timezone
    return (f"<b>{result.scenario.meta.title}</b><br><span style='font-size:13px'>Who knows “{label}” "
            f"at <b>{local_label(t, tz)}</b></span>")


def export_figure(result: RunResult, fact: str | None = None, mode: str = "event", focus: str | None = None,
                  t: float | None = None) -> go.Figure:
    """The network and timeline in one figure with one animation frame per step, opening at ``t`` (a step
    is added there if there is none, as the page does), else where the dashboard opens."""
    fact = fact or default_fact(result)
    t = t if t is not None else opening_time(result)
    times = make_steps(result, mode, t)
    t0 = times[step_at(times, t)]
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
    n_lanes = len(result.actors)
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
        sliders=[dict(active=start, y=SPLIT + 0.055, yanchor="top", x=0.13, len=0.86, pad=dict(t=0, b=0),
                      currentvalue=dict(visible=False), font=dict(size=12),
                      steps=[dict(method="animate", label=local_label(t, tz, long=False), args=[[str(i)], anim])
                             for i, t in enumerate(times)])],
        updatemenus=[dict(type="buttons", direction="left", x=0.0, y=SPLIT + 0.055, yanchor="top", xanchor="left",
                          pad=dict(t=0, r=4), showactive=False,
                          buttons=[dict(label="▶", method="animate",
                                        args=[None, dict(mode="immediate", fromcurrent=True,
                                                         frame=dict(duration=350, redraw=True),
                                                         transition=dict(duration=0))]),
                                   dict(label="❚❚", method="animate",
                                        args=[[None], dict(mode="immediate", frame=dict(duration=0, redraw=False),
                                                           transition=dict(duration=0))])])],
    )
    return fig


DIV_ID = "backchannel-export"
CONFIG = {"displaylogo": False, "responsive": True}
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body{{margin:0;font-family:system-ui,sans-serif}} #{div}{{width:100%;height:1100px}}
#backchannel-note{{padding:12px 16px;color:#555}}</style>
</head>
<body>
<div id="backchannel-note">Opening the view… (it needs JavaScript and a browser from 2023 or later)</div>
<div id="{div}"></div>
<noscript>This view is drawn by JavaScript, which is turned off here.</noscript>
<script type="application/gzip;base64" id="backchannel-plotlyjs" data-version="{version}">{plotlyjs}</script>
<script type="application/json" id="backchannel-figure">{figure}</script>
<script>
// plotly rejects the promise of an animation that a newer one (pause, the slider) interrupts, with no
// reason given; that is how pausing works, not an error
window.addEventListener("unhandledrejection", function (e) {{ if (e.reason === undefined) {{ e.preventDefault(); }} }});
(async function () {{
  var note = document.getElementById("backchannel-note");
  try {{
    var packed = atob(document.getElementById("backchannel-plotlyjs").textContent.trim());
    var bytes = new Uint8Array(packed.length);
    for (var i = 0; i < packed.length; i++) {{ bytes[i] = packed.charCodeAt(i); }}
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    var lib = document.createElement("script");
    lib.text = await new Response(stream).text();
    document.head.appendChild(lib);
    var fig = JSON.parse(document.getElementById("backchannel-figure").textContent);
    var gd = document.getElementById("{div}");
    await Plotly.newPlot(gd, fig.data, fig.layout, {config});
    await Plotly.addFrames(gd, fig.frames || []);
    note.remove();
  }} catch (e) {{
    note.textContent = "This view could not be opened here (" + e + "). Open the file in a current browser.";
  }}
}})();
</script>
</body>
</html>
"""


@functools.lru_cache(maxsize=1)
def packed_plotlyjs() -> str:
    """The plotly.js bundle that the installed plotly ships, gzip-compressed and base64-encoded
    (the same bytes for the same plotly, so the same run always exports the same file)."""
    from plotly.offline import get_plotlyjs

    return base64.b64encode(gzip.compress(get_plotlyjs().encode("utf-8"), 9, mtime=0)).decode("ascii")


def export_html(result: RunResult, fact: str | None = None, mode: str = "event", focus: str | None = None,
                t: float | None = None) -> str:
    """One self-contained HTML page (plotly.js inlined, no network needed)."""
    import plotly

    fig = export_figure(result, fact, mode, focus, t)
    # plotly writes "<" and ">" in strings as \u003c and \u003e, so no scenario text can close the
    # script element; the replacement holds that even for a JSON writer that did not
    figure = pio.to_json(fig, validate=False).replace("</", "<\\/")
    return PAGE.format(title=html.escape(result.scenario.meta.title), div=DIV_ID, version=plotly.__version__,
                       plotlyjs=packed_plotlyjs(), figure=figure, config=json.dumps(CONFIG))
