"""The knowledge matrix: actors (or affiliations) × facts at t, coloured by how each was known."""

from __future__ import annotations

from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .common import (KNOW_CODE, KNOW_COLORS, KNOW_LABELS, actor_order, affiliations, knowledge_state, names,
                     provenance, short_names)

if TYPE_CHECKING:
    from sim.result import RunResult

_BY_CODE = sorted(KNOW_CODE, key=KNOW_CODE.get)  # type: ignore[arg-type]


def _colorscale() -> list[list]:
    n = len(_BY_CODE)
    scale = []
    for i, k in enumerate(_BY_CODE):
        scale += [[i / n, KNOW_COLORS[k]], [(i + 1) / n, KNOW_COLORS[k]]]
    return scale


def _rows(result: RunResult, group: str) -> list[tuple[str, list[str]]]:
    if group == "affiliations":
        return [(f, [a.id for a in result.scenario.actors if a.affiliation == f]) for f in affiliations(result)]
    nm = short_names(result)
    return [(nm[a], [a]) for a in actor_order(result)]


def matrix_cells(result: RunResult, t: float, group: str = "actors") -> dict:
    """``z`` codes (0 unknown, 1 origin, 2 told, 3 intercepted) and cell ``text`` at ``t``, rows top first."""
    facts = list(result.compiled.facts)
    z, text = [], []
    for _label, members in _rows(result, group):
        zr, tr = [], []
        for f in facts:
            states = [knowledge_state(result, a, f, t) for a in members]
            known = [s for s in states if s != "unknown"]
            best = min(known, key=lambda s: KNOW_CODE[s]) if known else "unknown"
            zr.append(KNOW_CODE[best])
            tr.append(f"{len(known)}/{len(members)}" if group == "affiliations" else "")
        z.append(zr)
        text.append(tr)
    return {"z": z[::-1], "text": text[::-1]}


def matrix_figure(result: RunResult, t: float, group: str = "actors", fact: str = "") -> go.Figure:
    """Heatmap of who knew which fact at ``t``; hover shows the provenance chain.

    The heatmap is trace 0 and the only one that changes with time (``layout.meta['dynamic']``).
    """
    facts = list(result.compiled.facts)
    rows = _rows(result, group)
    nm = names(result)
    hover = []
    for label, members in rows:
        hr = []
        for f in facts:
            lines = [f"<b>{label}</b> · {f}"]
            for a in members[:8]:
                who = f"{nm[a]}: " if group == "affiliations" else ""
                lines.append(who + provenance(result, a, f))
            hr.append("<br>".join(lines))
        hover.append(hr)
    cells = matrix_cells(result, t, group)
    n = len(_BY_CODE)
    fig = go.Figure(go.Heatmap(
        z=cells["z"], text=cells["text"], texttemplate="%{text}", x=facts, y=[r[0] for r in rows][::-1],
        customdata=hover[::-1], hovertemplate="%{customdata}<extra></extra>", zmin=-0.5, zmax=n - 0.5,
        colorscale=_colorscale(), xgap=2, ygap=2, showscale=True,
        colorbar=dict(tickvals=list(range(n)), ticktext=[KNOW_LABELS[k] for k in _BY_CODE], thickness=12,
                      lenmode="pixels", len=440,
                      orientation="h", y=1.02, yanchor="bottom", x=0.5, xanchor="center", tickfont=dict(size=11)),
    ))
    if fact in facts:
        i = facts.index(fact)
        fig.add_shape(type="rect", x0=i - 0.5, x1=i + 0.5, y0=-0.5, y1=len(rows) - 0.5, line=dict(color="#111", width=2))
    fig.update_layout(meta={"dynamic": [0]}, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="#fff",
                      height=max(260, 150 + 20 * len(rows)),
                      paper_bgcolor="#fff", xaxis=dict(side="bottom", tickangle=-35, fixedrange=True),
                      yaxis=dict(fixedrange=True), hoverlabel=dict(align="left"), uirevision="matrix")
    return fig


def matrix_frames(result: RunResult, times: list[float], group: str = "actors") -> list[list[dict]]:
    """For each time, the heatmap's ``z`` and ``text``."""
    keep = ("z", "text") if group == "affiliations" else ("z",)
    return [[{k: v for k, v in matrix_cells(result, t, group).items() if k in keep}] for t in times]
