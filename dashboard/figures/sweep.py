"""Sweep figures: distributions over many stochastic runs (pure functions, Plotly only).

Each function takes a :class:`sim.sweep.SweepResult` and returns a Plotly figure:
``cdf_figure`` — the probability that each actor knew a fact by time t; ``known_by_heatmap``
— actors × facts, the probability of knowing by a moment; ``first_source_figure`` — which
channel brought a fact first, per actor.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from .common import shorten

if TYPE_CHECKING:
    from sim.sweep import SweepResult


def _local(ts: float, tz: str) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def cdf_figure(result: SweepResult, fact: str, actors: list[str] | None = None,
               names: dict[str, str] | None = None) -> go.Figure:
    """Step curves of P(actor knew ``fact`` by t) over all runs; the deadline as a dashed line."""
    names = names or {}
    tz = result.timezone
    fig = go.Figure()
    for a in actors or list(result.actors):
        ts, ps = result.cdf(a, fact)
        if not ts:
            continue
        xs = [_local(result.start, tz)] + [_local(t, tz) for t in ts] + [_local(max(ts[-1], result.end), tz)]
        ys = [0.0] + ps + [ps[-1]]
        fig.add_trace(go.Scatter(x=xs, y=ys, mode="lines", line={"shape": "hv"}, name=names.get(a, a),
                                 hovertemplate=f"{names.get(a, a)}<br>%{{x}}: %{{y:.1%}}<extra></extra>"))
    dl = _local(result.deadline, tz)
    fig.add_shape(type="line", x0=dl, x1=dl, y0=0, y1=1, yref="paper", line={"dash": "dash", "color": "#616161"})
    fig.add_annotation(x=dl, y=1, yref="paper", text="deadline", showarrow=False, yshift=10)
    fig.update_layout(title=f"Probability of knowing {fact} by time ({result.runs} runs)",
                      xaxis_title=f"time ({tz})", yaxis={"title": "share of runs", "range": [0, 1.02],
                                                         "tickformat": ".0%"},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def known_by_heatmap(result: SweepResult, at: float | str | None = None,
                     names: dict[str, str] | None = None, fact_names: dict[str, str] | None = None) -> go.Figure:
    """Actors × facts: the share of runs in which the actor knew the fact by ``at`` (default: the deadline);
    actors by ``names`` and facts by ``fact_names`` (short labels) where given."""
    names = names or {}
    fact_names = fact_names or {}
    moment = result.deadline if at is None else at
    z = result.probability_known_by(moment)
    label = _local(moment if isinstance(moment, (int, float)) else _ts(moment), result.timezone)
    facts = list(result.facts)
    said = [fact_names.get(f, f) for f in facts]
    fig = go.Figure(go.Heatmap(z=z.tolist(), x=facts, y=[names.get(a, a) for a in result.actors],
                               customdata=[said for _ in result.actors],
                               zmin=0, zmax=1, colorscale="Blues", texttemplate="%{z:.0%}",
                               colorbar={"title": "known", "tickformat": ".0%"},
                               hovertemplate="%{y} knew %{customdata}: %{z:.1%}<extra></extra>"))
    fig.update_layout(title=f"Probability known by {label:%d %b %H:%M} ({result.timezone}), {result.runs} runs",
                      xaxis={"tickmode": "array", "tickvals": facts, "ticktext": [shorten(x, 28) for x in said]},
                      yaxis={"autorange": "reversed"}, margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def first_source_figure(result: SweepResult, fact: str, names: dict[str, str] | None = None) -> go.Figure:
    """Stacked bars per actor: how often each channel (or intercept, or origin) brought ``fact`` first."""
    names = names or {}
    per_actor = {a: result.first_sources(a, fact) for a in result.actors}
    sources = list(dict.fromkeys(s for d in per_actor.values() for s in d))
    fig = go.Figure()
    for s in sources:
        fig.add_trace(go.Bar(x=[names.get(a, a) for a in result.actors],
                             y=[per_actor[a].get(s, 0) / result.runs for a in result.actors], name=s,
                             hovertemplate=f"%{{x}} via {s}: %{{y:.1%}}<extra></extra>"))
    fig.update_layout(barmode="stack", title=f"How {fact} first reached each actor ({result.runs} runs)",
                      yaxis={"title": "share of runs", "tickformat": ".0%", "range": [0, 1]},
                      margin={"l": 10, "r": 10, "t": 50, "b": 10})
    return fig


def _ts(at: str) -> float:
    from sim.timeparse import as_timestamp

    return as_timestamp(at)
