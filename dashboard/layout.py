"""The page: header with the time shown, controls, the four panels and the hidden stores.

At 1280×800 the first screen holds the header, the controls, the headline (how many know the
selected fact) and, side by side, the network and the answer: who learned the selected fact, when,
from whom and how (with the actor in focus first, and the story card in story mode). Below them the
timeline, the latest events beside the matrix, then the event log.
"""

from __future__ import annotations

import dash_ag_grid as dag
from dash import dcc, html
from dash.development.base_component import Component

from . import ids
from .editor import editor_panel
from .figures.common import STAGE_HEIGHT
from .limits import default_runs, max_runs
from .state import DEFAULT_PANELS, MAX_RUNS, PANELS

EXPLANATION = ("Who knew what, and when. Dots travel along the channels between actors; each actor's colour "
               "shows whether they know the selected fact at the moment shown, and how they learned it.")
PANEL_LABELS = {"network": "Network", "timeline": "Timeline", "matrix": "Matrix", "log": "Log",
                "compare": "Compare", "sweep": "Sweep", "mattered": "What mattered", "editor": "Editor"}
RUN_CHOICES = (100, 200, 500, 1000, 2000, 5000)  # the sweep sizes offered, up to what the server runs
SPEEDS = [{"label": "1 step/s", "value": 1000}, {"label": "2 steps/s", "value": 500},
          {"label": "4 steps/s", "value": 250}, {"label": "8 steps/s", "value": 125}]  # value: ms per step
LOG_COLUMNS = [  # at 1280 px the sources and the claim are on screen; the rest scrolls sideways
    {"field": "local", "headerName": "Local time", "width": 105, "pinned": "left"},
    {"field": "basis", "headerName": "Basis", "width": 90},
    {"field": "kind", "headerName": "What happened", "width": 120},
    {"field": "from", "headerName": "From", "width": 120},
    {"field": "what", "headerName": "Summary", "width": 240},
    {"field": "sources", "headerName": "Sources (outlet, published, grade)", "width": 240},
    {"field": "claim", "headerName": "Claim (paraphrased)", "width": 330},
    {"field": "when", "headerName": "When (range · basis)", "width": 420, "tooltipField": "when"},
    {"field": "to", "headerName": "To", "width": 130},
    {"field": "channel", "headerName": "Channel", "width": 200},
    {"field": "facts", "headerName": "Facts", "width": 220},
    {"field": "utc", "headerName": "UTC", "width": 140},
]
LOG_HEIGHT = 340  # px: the event log's grid, and the space held for it until it is mounted
# The wheel scrolls the page unless the reader ticks "wheel zooms"; the camera button saves a PNG, the
# page's own buttons a PNG or an SVG (plotly's toImage).
GRAPH_CONFIG = {"displaylogo": False, "scrollZoom": False,
                "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
                "toImageButtonOptions": {"format": "png", "scale": 2}}


class Deferred(Component):
    """A box whose children are mounted in the browser only when it comes within ``margin`` of the window,
    or, failing that, at an idle moment once the element ``after`` (a CSS selector) exists and the element
    ``quiet`` has not changed for ``settle`` milliseconds (dashboard/assets/firstvisit.js). Until then it
    holds ``height`` of empty space, with an empty element of id ``holds`` (the child's id) in it, so that a
    script looking for the child by id finds an empty element rather than none. The children stay in
    Dash's layout: callbacks set their properties as usual, and they are drawn with them when mounted."""

    _children_props: list[str] = []
    _base_nodes = ["children"]
    _namespace = "backchannel_components"
    _type = "Deferred"

    def __init__(self, children: Component | list[Component] | None = None, *, margin: str = "200px",
                 after: str = "", quiet: str = "", settle: int = 1500, height: str | None = None,
                 holds: str = "", className: str | None = None, **kwargs: object) -> None:
        self._prop_names = ["children", "id", "margin", "after", "quiet", "settle", "height", "holds", "className",
                            "style"]
        self._valid_wildcard_attributes = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties = []
        given = {"margin": margin, "after": after, "quiet": quiet, "settle": settle, "height": height,
                 "holds": holds, "className": className}
        super().__init__(children=children, **{k: v for k, v in given.items() if v is not None}, **kwargs)


class Markup(Component):
    """A box showing ``html`` as is (dashboard/assets/firstvisit.js): HTML that the page's own scripts write,
    every piece of text in it escaped where it was made."""

    _children_props: list[str] = []
    _base_nodes: list[str] = []
    _namespace = "backchannel_components"
    _type = "Markup"

    def __init__(self, html: str = "", *, className: str | None = None, **kwargs: object) -> None:
        self._prop_names = ["id", "html", "className"]
        self._valid_wildcard_attributes = []
        self.available_properties = list(self._prop_names)
        self.available_wildcard_properties = []
        super().__init__(html=html, **({"className": className} if className is not None else {}), **kwargs)


def _below_first_screen(body: Component, height: str | None = None) -> Deferred:
    """``body`` mounted when scrolled near, or once the first screen is shown (the answer's heading exists)
    and the moment shown has held still for a while: a first visit does not wait for it (nor for the code
    of a component drawn only there: the grid's library)."""
    return Deferred(body, after=f"#{ids.ANSWER} .answer-head", quiet=f"#{ids.T_LABEL}", height=height,
                    holds=getattr(body, "id", None) or "")


def _control(label: str, child, width: str | None = None) -> html.Div:
    return html.Div([html.Label(label, className="ctl-label"), child], className="ctl",
                    style={"width": width} if width else None)


def _panel(pid: str, title: str, body, extra_class: str = "", hidden: bool = False, graph: str = "") -> html.Section:
    head = [html.H2(title, className="panel-title")]
    if graph:  # download buttons for publication (the browser draws the file with plotly's toImage)
        head.append(html.Span([html.Button(fmt.upper(), className="btn tiny", **{"data-graph": graph, "data-format": fmt},
                                           title=f"Download this figure as {fmt.upper()}")
                               for fmt in ("png", "svg")], className="downloads"))
    return html.Section([html.Div(head, className="panel-head"), body], id=pid, className=f"panel {extra_class}",
                        style={"display": "none"} if hidden else None)


def run_options(runs: int | None = None) -> list[dict]:
    """The sweep sizes offered: the usual ones up to the most the server runs (:func:`dashboard.limits.max_runs`),
    and that most itself. A size a link asks for is added; over the most, it is shown but cannot be picked."""
    top = min(max_runs(), MAX_RUNS)
    sizes = sorted({n for n in RUN_CHOICES if n <= top} | {top} | ({runs} if runs else set()))
    return [{"label": f"{n:,} replays", "value": n} if n <= top else
            {"label": f"{n:,} replays (more than this server runs)", "value": n, "disabled": True} for n in sizes]


def compare_panel() -> html.Section:
    """A second run beside this one: which run, the differences in words, and two figures."""
    return _panel(ids.PANEL_COMPARE, "Compare: this view against a second run (a variant file or a named "
                                     "alternative): who knew what earlier, later or never", html.Div([
        html.Div([
            _control("Compare with scenario file", dcc.Dropdown(id=ids.COMPARE, clearable=False, searchable=True),
                     "280px"),
            _control("Alternative", dcc.Dropdown(id=ids.COMPARE_ALT, clearable=False, searchable=True), "320px"),
        ], className="panel-controls"),
        dcc.Loading(html.Div([
            html.Div([dcc.Markdown(id=ids.COMPARE_TEXT, className="whatif-text"),
                      dcc.Graph(id=ids.COMPARE_FIGURE, config=GRAPH_CONFIG, className="graph-whatif")],
                     className="whatif-row"),
            dcc.Graph(id=ids.COMPARE_HEATMAP, config=GRAPH_CONFIG),
        ]), type="dot", delay_show=300),
    ]), hidden=True)


def sweep_panel() -> html.Section:
    """Many stochastic replays of this run: how likely, and when, each actor knew the fact."""
    return _panel(ids.PANEL_SWEEP, "Sweep: many replays with sampled timings, latencies and intercepts — "
                                   "how likely, and when", html.Div([
        html.Div([
            _control("Replays", dcc.Dropdown(id=ids.SWEEP_RUNS, options=run_options(), value=default_runs(),
                                             clearable=False, searchable=False), "150px"),
            _control("Seed", dcc.Input(id=ids.SWEEP_SEED, type="number", min=0, step=1, value=0, debounce=True,
                                       className="seed")),
        ], className="panel-controls"),
        dcc.Loading(html.Div([
            html.Div([dcc.Markdown(id=ids.SWEEP_TEXT, className="whatif-text"),
                      dcc.Graph(id=ids.SWEEP_CDF, config=GRAPH_CONFIG, className="graph-whatif")],
                     className="whatif-row"),
            dcc.Graph(id=ids.SWEEP_SOURCES, config=GRAPH_CONFIG, className="graph-sources"),
        ]), type="dot", delay_show=300),
        dcc.Graph(id=ids.SWEEP_KNOWN, config=GRAPH_CONFIG),
    ]), hidden=True)


def layout() -> html.Div:
    """The page shell; the sync callback fills it from the URL."""
    dropdown = dict(clearable=False, searchable=True)
    return html.Div([
        dcc.Location(id=ids.URL, refresh=False),
        dcc.Store(id=ids.STORE),
        dcc.Store(id=ids.CURRENT),
        dcc.Store(id=ids.VIEW),
        dcc.Store(id=ids.SHOWN_VIEW),
        dcc.Store(id=ids.SWEEP_AT),
        dcc.Store(id=ids.POS),
        dcc.Interval(id=ids.INTERVAL, interval=500, disabled=True),
        html.Header([
            html.Div([html.H1("Backchannel", id=ids.TITLE), html.P(EXPLANATION, id=ids.SUBTITLE),
                      html.P(id=ids.ALT_NOTE, className="alt-note")],
                     className="head-text"),
            html.Div([
                html.Button("Copy link", id=ids.COPY, className="btn", title="Copy a link to exactly this view"),
                html.Button("Export HTML", id=ids.EXPORT, className="btn", title="Download this view as one HTML file"),
                dcc.Download(id=ids.DOWNLOAD),
            ], className="share"),
            html.Div([html.Div("…", id=ids.T_LABEL, className="t-label"),
                      html.Div("", id=ids.T_UTC, className="t-utc")], className="head-time"),
        ]),
        html.Div(id=ids.NOTICE, role="alert", className="notice", style={"display": "none"}),
        html.Div([
            _control("Scenario", dcc.Dropdown(id=ids.SCENARIO, **dropdown), "170px"),
            _control("Alternative", dcc.Dropdown(id=ids.ALTERNATIVE, **dropdown), "165px"),
            _control("Fact", dcc.Dropdown(id=ids.FACT, **dropdown), "235px"),
            _control("Actor in focus", dcc.Dropdown(id=ids.ACTOR, searchable=True, clearable=True,
                                                    placeholder="none"), "150px"),
            _control("Panels", dcc.Checklist(id=ids.PANELS, options=[
                {"label": PANEL_LABELS[p], "value": p} for p in PANELS], value=list(DEFAULT_PANELS), inline=True)),
        ], className="controls"),
        html.Div([
            html.Button("◀", id=ids.BACK, className="btn step", title="Previous step"),
            html.Button("▶ Play", id=ids.PLAY, className="btn play", title="Play / pause"),
            html.Button("▶", id=ids.FORWARD, className="btn step", title="Next step"),
            dcc.Dropdown(id=ids.SPEED, options=SPEEDS, value=500, clearable=False, searchable=False,
                         className="speed"),
            dcc.RadioItems(id=ids.MODE, options=[{"label": "event by event", "value": "event"},
                                                 {"label": "calendar", "value": "calendar"}],
                           value="event", inline=True, className="mode"),
            dcc.Checklist(id=ids.STORY, options=[{"label": "story mode", "value": "on"}], value=[], inline=True,
                          className="mode story-toggle"),
            dcc.Checklist(id=ids.WHEEL, options=[{"label": "wheel zooms", "value": "on"}], value=[], inline=True,
                          className="mode"),
            html.Div(dcc.Slider(id=ids.SLIDER, min=0, max=1, step=1, value=0, marks=None, updatemode="drag",
                                allow_direct_input=False),
                     className="slider-wrap"),
        ], className="transport"),
        html.Div(id=ids.HEADLINE, className="headline"),
        editor_panel(),
        html.Main([
            _panel(ids.PANEL_NETWORK, "Network: who can reach whom (click an actor to focus; drag to move it)",
                   html.Div([
                       dcc.Graph(id=ids.NETWORK, config=GRAPH_CONFIG, className="graph-network",
                                 style={"height": f"{STAGE_HEIGHT}px"}),
                       html.Div(id=ids.NET_LEGEND, className="net-key"),
                       html.Details([html.Summary("Filter the network"), html.Div([
                           _control("Affiliations shown", dcc.Checklist(id=ids.SHOW_AFF, inline=True)),
                           _control("Channels shown", dcc.Checklist(id=ids.SHOW_MEDIUM, inline=True)),
                       ], className="filters")], className="filter-box"),
                   ]), graph=ids.NETWORK),
            html.Section([
                Markup(id=ids.CARD, className="card"),
                Markup(id=ids.FOCUS, className="focus"),
                Markup(id=ids.ANSWER, className="answer-list"),
            ], className="panel answer", **{"aria-live": "polite"}),
        ], className="main"),
        _panel(ids.PANEL_TIMELINE, "Timeline: one lane per actor; what comes after the moment shown is faded "
                                   "(drag to zoom, double-click to reset)",
               dcc.Graph(id=ids.TIMELINE, config=GRAPH_CONFIG, className="graph-timeline"), graph=ids.TIMELINE),
        html.Div([
            Markup(id=ids.RECENT, className="focus recent"),
            _panel(ids.PANEL_MATRIX, "Who knows what at the moment shown (hover a cell for how they learned it)",
                   html.Div([
                       html.Div([html.Span("Rows: ", className="ctl-label"), dcc.RadioItems(id=ids.GROUP, options=[
                           {"label": "actors", "value": "actors"},
                           {"label": "affiliations", "value": "affiliations"}], value="actors", inline=True)],
                           className="group"),
                       dcc.Graph(id=ids.MATRIX, config=GRAPH_CONFIG, className="graph-matrix"),
                   ]), graph=ids.MATRIX),
        ], className="story"),
        compare_panel(),
        sweep_panel(),
        _panel(ids.PANEL_MATTERED, "What mattered: each element removed in turn — what changes for the actor in "
                                   "focus learning the selected fact",
               dcc.Loading(html.Div(id=ids.MATTERED), type="dot", delay_show=300), hidden=True),
        _panel(ids.PANEL_LOG, "Event log (click a row to move there)", _below_first_screen(
            dag.AgGrid(id=ids.LOG, columnDefs=LOG_COLUMNS, rowData=[], getRowId="params.data.id",
                       defaultColDef={"resizable": True, "sortable": True, "filter": True, "wrapText": False},
                       dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False}},
                       className="ag-theme-alpine", style={"height": f"{LOG_HEIGHT}px"}),
            height=f"{LOG_HEIGHT}px")),
    ], className="page")
