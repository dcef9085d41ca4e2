"""Compare-mode figures: a base run against an alternative run (pure functions, Plotly only).

``compare_figure`` is a dumbbell chart — one row per actor, a grey dot for when the base run's
actor first knew the fact and a coloured dot for the alternative, joined by a line coloured by
the change. ``delta_heatmap`` shows every actor × fact difference at once.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from sim.compare import Comparison, KnowledgeDiff, compare, format_delta

from .common import shorten

if TYPE_CHECKING:
    from sim.result import RunResult

COLORS = {"same": "#9e9e9e", "earlier": "#2e7d32", "later": "#c62828", "only_base": "#6a1b9a",
          "only_alt": "#00838f", "never": "#e0e0e0"}
LABELS = {"same": "same time", "earlier": "earlier in the alternative", "later": "later in the alternative",
          "only_base": "only in the base run", "only_alt": "only in the alternative", "never": "never known"}
BASE_COLOR = "#757575"


def _local(ts: float, tz: str) -> datetime:
    """POSIX seconds as a naive wall-clock time in ``tz`` (Plotly axes have no zones)."""
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def pick_fact(cmp: Comparison) -> str:
    """The first fact whose knowledge changed, else the first fact."""
    for k in cmp.knowledge:
        if k.status not in ("same", "never"):
            return k.fact
    return cmp.knowledge[0].fact if cmp.knowledge else ""


def comparison_figure(cmp: Comparison, fact: str | None = None, names: dict[str, str] | None = None) -> go.Figure:
    """Dumbbell chart of when each actor first knew ``fact`` in the base and alternative runs."""
    fact = fact or pick_fact(cmp)
    names = names or {}
    tz = cmp.timezone
    rows: list[KnowledgeDiff] = [k for k in cmp.knowledge if k.fact == fact and k.status != "never"]
    rows.sort(key=lambda k: min(t for t in (k.base, k.alt) if t is not None), reverse=True)
    fig = go.Figure()
    label = [names.get(k.actor, k.actor) for k in rows]
    for status in ("earlier", "later", "same"):
        xs: list[datetime | None] = []
        ys: list[str | None] = []
        for k, y in zip(rows, label):
            if k.status == status and k.base is not None and k.alt is not None:
                xs += [_local(k.base, tz), _local(k.alt, tz), None]
                ys += [y, y, None]
        if xs:
            fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"color": COLORS[status], "width": 3},
                                     name=LABELS[status], hoverinfo="skip", legendgroup=status))
    base = [(k, y) for k, y in zip(rows, label) if k.base is not None]
    fig.add_trace(go.Scatter(
        x=[_local(k.base, tz) for k, _ in base], y=[y for _, y in base], mode="markers", name=cmp.base_title,
        marker={"color": BASE_COLOR, "size": 10, "symbol": ["x" if k.status == "only_base" else "circle"
                                                            for k, _ in base]},
        customdata=[[k.base_via, " → ".join(k.base_path)] for k, _ in base],
        hovertemplate="%{y}<br>base: %{x}<br>via %{customdata[0]}<br>%{customdata[1]}<extra></extra>"))
    alt = [(k, y) for k, y in zip(rows, label) if k.alt is not None]
    fig.add_trace(go.Scatter(
        x=[_local(k.alt, tz) for k, _ in alt], y=[y for _, y in alt], mode="markers", name=cmp.alt_title,
        marker={"color": [COLORS[k.status] for k, _ in alt], "size": 12, "line": {"color": "white", "width": 1},
                "symbol": ["star" if k.status == "only_alt" else "circle" for k, _ in alt]},
        customdata=[[k.alt_via, " → ".join(k.alt_path), format_delta(k.delta) if k.delta is not None else k.status]
                    for k, _ in alt],
        hovertemplate="%{y}<br>alternative: %{x} (%{customdata[2]})<br>via %{customdata[0]}<br>"
                      "%{customdata[1]}<extra></extra>"))
    for k, y in zip(rows, label):
        if k.delta is not None and k.status != "same":
            fig.add_annotation(x=_local(k.alt, tz), y=y, text=format_delta(k.delta), showarrow=False,  # type: ignore[arg-type]
                               yshift=14, font={"color": COLORS[k.status], "size": 11})
    fig.update_layout(title=f"When each actor first knew {fact}", xaxis_title=f"time ({tz})",
                      yaxis={"type": "category", "title": None}, legend={"orientation": "h", "y": -0.2},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10}, height=max(300, 40 * len(rows) + 150))
    return fig


def compare_figure(base: RunResult, alt: RunResult, fact: str | None = None) -> go.Figure:
    """Dumbbell chart comparing two runs for ``fact`` (default: the first fact that changed)."""
    names = {a.id: a.name for a in base.scenario.actors} | {a.id: a.name for a in alt.scenario.actors}
    return comparison_figure(compare(base, alt), fact, names)


def delta_heatmap(cmp: Comparison, names: dict[str, str] | None = None,
                  fact_names: dict[str, str] | None = None) -> go.Figure:
    """Actors × facts, coloured by the difference in hours (alternative minus base); actors by ``names`` and
    facts by ``fact_names`` (short labels) where given.

    Pairs known in only one run are marked with text; unchanged and never-known cells stay blank.
    """
    names = names or {}
    fact_names = fact_names or {}
    actors = list(dict.fromkeys(k.actor for k in cmp.knowledge))
    facts = list(dict.fromkeys(k.fact for k in cmp.knowledge))
    z: list[list[float | None]] = [[None] * len(facts) for _ in actors]
    text: list[list[str]] = [[""] * len(facts) for _ in actors]
    for k in cmp.knowledge:
        i, j = actors.index(k.actor), facts.index(k.fact)
        if k.delta is not None:
            z[i][j] = k.delta / 3600.0
            text[i][j] = "" if k.status == "same" else format_delta(k.delta)
        elif k.status in ("only_base", "only_alt"):
            text[i][j] = "only base" if k.status == "only_base" else "only alt"
    bound = max([abs(v) for row in z for v in row if v is not None] + [1.0])
    said = [fact_names.get(f, f) for f in facts]
    fig = go.Figure(go.Heatmap(z=z, x=facts, y=[names.get(a, a) for a in actors], text=text,
                               customdata=[said for _ in actors],
                               texttemplate="%{text}", colorscale="RdBu_r", zmid=0, zmin=-bound, zmax=bound,
                               colorbar={"title": "hours later"},
                               hovertemplate="%{y} / %{customdata}: %{text}<extra></extra>"))
    fig.update_layout(title=f"{cmp.alt_title}: change in when each actor first knew each fact",
                      xaxis={"tickmode": "array", "tickvals": facts, "ticktext": [shorten(x, 28) for x in said]},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig
