"""The knowledge matrix: actors (or affiliations) × facts at t, coloured by how each was known."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import plotly.graph_objects as go

from .common import (KNOW_CODE, KNOW_COLORS, KNOW_GLYPHS, KNOW_LABELS, NO_TEXT, Same, actor_order, affiliations,
                     channel_labels, fact_labels, fact_statements, names, provenance, short_names, shorten, template,
                     wrap)

from sim.certainty import MODELLED_MARK, MODELLED_MEANING, modelled

if TYPE_CHECKING:
    from sim.result import RunResult

_BY_CODE = sorted(KNOW_CODE, key=KNOW_CODE.get)  # type: ignore[arg-type]
# Each cell carries its state's shape too, drawn over it (readable without colour).
_GLYPH = {KNOW_CODE[k]: ("" if k == "unknown" else g) for k, g in KNOW_GLYPHS.items()}


def glyphs(cells: dict, group: str) -> list[str]:
    """What each cell shows over its colour, rows top first and flattened in the order of :func:`_glyph_trace`'s
    points: by actor, its state's shape and the cell's mark (``● ≈``), :data:`~.common.NO_TEXT` where it has
    neither; by affiliation, the cell's text (``2/3 ≈``)."""
    if group == "affiliations":
        return [t for row in cells["text"] for t in row]
    return [f"{_GLYPH[c]} {t}".strip() or NO_TEXT for zr, tr in zip(cells["z"], cells["text"]) for c, t in zip(zr, tr)]


def _glyph_trace(facts: list[str], rows: list[str], cells: dict, group: str) -> dict:
    """A text trace over the heatmap: what :func:`glyphs` gives, one per cell."""
    return dict(type="scatter", mode="text", x=[f for _ in rows for f in facts], y=[r for r in rows for _ in facts],
                text=glyphs(cells, group), textposition="middle center", textfont=dict(size=12, color="#111"),
                hoverinfo="skip", showlegend=False, name="shapes", cliponaxis=False)


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
    return _cells_at(_known(result, group), t, group)


def _known(result: RunResult, group: str) -> list[list[list[tuple[float, int, bool]]]]:
    """Per row, per fact: (time first known, how code, modelled) of each member who ever knew it, with
    ``(inf, -members, False)`` last; cached per run and grouping (shared: read it, never change it)."""
    return _known_of(Same(result), group)


@functools.lru_cache(maxsize=32)
def _known_of(run: Same, group: str) -> list[list[list[tuple[float, int, bool]]]]:
    """The cache behind :func:`_known`."""
    result = run.result
    facts = list(result.facts)
    certain = result.certainties.knowledge
    out = []
    for _label, members in _rows(result, group):
        row = []
        for f in facts:
            ks = [result.learned(a, f) for a in members]
            row.append([(k.time, KNOW_CODE[k.how], modelled(certain.get((k.actor, f)))) for k in ks if k is not None]
                       + [(float("inf"), -len(members), False)])
        out.append(row)
    return out


def _cell_text(known: int, size: int, marked: bool, group: str) -> str:
    """``2/3`` by affiliation, empty by actor; :data:`MODELLED_MARK` when known through a modelled step."""
    count = f"{known}/{size}" if group == "affiliations" else ""
    return f"{count} {MODELLED_MARK}".strip() if marked else count


def _cells_at(known: list[list[list[tuple[float, int, bool]]]], t: float, group: str) -> dict:
    z, text = [], []
    for row in known:
        zr, tr = [], []
        for cell in row:
            now = [(c, m) for time, c, m in cell[:-1] if time <= t]
            zr.append(min(c for c, _ in now) if now else KNOW_CODE["unknown"])
            tr.append(_cell_text(len(now), -cell[-1][1], any(m for _, m in now), group))
        z.append(zr)
        text.append(tr)
    return {"z": z[::-1], "text": text[::-1]}


NOT_YET = "<i>not yet, at the moment shown</i> — "


def hover_lines(result: RunResult, group: str = "actors") -> dict:
    """What the matrix's hover text is made of, each piece once: ``rows`` (row labels, in the heatmap's order),
    ``facts`` (each column's fact label, with its statement where that says more) and ``cells``, per row and
    fact ``[[time first known or None, who, provenance], ...]`` (``who`` names the member on rows of
    affiliations, and is empty on rows of actors).

    :func:`hover_at` turns them into the hover text at a moment; the page does the same in the browser.
    """
    facts = list(result.facts)
    nm = names(result)
    statements = {f: wrap(s, 60) for f, s in fact_statements(result).items()}
    labels = fact_labels(result)
    channels = channel_labels(result)
    rows, cells = [], []
    for label, members in _rows(result, group):
        row = []
        for f in facts:
            lines = []
            for a in members[:8]:
                who = f"{nm[a]}: " if group == "affiliations" else ""
                k = result.learned(a, f)
                lines.append([k.time if k is not None else None, who, _narrow(provenance(result, a, f, channels))])
            row.append(lines)
        rows.append(label)
        cells.append(row)
    heads = []
    for f in facts:
        said = statements.get(f, f)
        heads.append(labels.get(f, f) + (f"<br><i>{said}</i>" if said.replace("<br>", " ") != labels.get(f, f) else ""))
    return {"rows": rows[::-1], "facts": heads, "cells": cells[::-1]}


HOVER_WIDTH = 80  # characters per line of a hover text's provenance (a label about 500 px wide)


def _narrow(text: str) -> str:
    """``text`` with each of its lines broken into lines of about :data:`HOVER_WIDTH` characters."""
    return "<br>".join(wrap(line, HOVER_WIDTH) for line in text.split("<br>"))


def hover_at(lines: dict, t: float) -> list[list[str]]:
    """The hover text of every cell at ``t`` (from :func:`hover_lines`): what was known says how; what was
    learned later says so."""
    return [["<br>".join([f"<b>{label}</b> · {head}"] + [who + (text if time is None or time <= t else NOT_YET + text)
                                                        for time, who, text in cell])
             for head, cell in zip(lines["facts"], row)] for label, row in zip(lines["rows"], lines["cells"])]


def matrix_spec(result: RunResult, t: float, group: str = "actors", fact: str = "", hover: bool = True) -> dict:
    """Heatmap of who knew which fact at ``t`` as a plain plotly figure dict; hover shows the provenance
    chain, and for what was learned only later, that it was not known yet at ``t``. Without ``hover``
    the cells' hover text (``customdata``) is left for the browser to write from :func:`hover_lines`.

    The heatmap is trace 0; trace 1 writes each cell's shape and marks over it; both change with time
    (``layout.meta['dynamic']``).
    """
    facts = list(result.facts)
    labels = fact_labels(result)
    rows = _rows(result, group)
    cells = matrix_cells(result, t, group)
    n = len(_BY_CODE)
    heat = dict(
        type="heatmap", z=cells["z"], text=cells["text"], texttemplate="", x=facts,
        y=[r[0] for r in rows][::-1], hovertemplate="%{customdata}<extra></extra>", zmin=-0.5, zmax=n - 0.5,
        colorscale=_colorscale(), xgap=2, ygap=2, showscale=True,
        colorbar=dict(tickvals=list(range(n)), ticktext=[f"{_GLYPH[KNOW_CODE[k]]} {KNOW_LABELS[k]}".strip()
                                                         for k in _BY_CODE], thickness=12,
                      title=dict(text=MODELLED_MEANING, side="bottom", font=dict(size=12)),
                      lenmode="pixels", len=440,
                      orientation="h", y=1.02, yanchor="bottom", x=0.5, xanchor="center", tickfont=dict(size=12)),
    )
    if hover:
        heat["customdata"] = hover_at(hover_lines(result, group), t)
    shapes = []
    if fact in facts:
        i = facts.index(fact)
        shapes.append(dict(type="rect", x0=i - 0.5, x1=i + 0.5, y0=-0.5, y1=len(rows) - 0.5,
                           line=dict(color="#111", width=2)))
    layout = dict(meta={"dynamic": [0, 1]}, shapes=shapes, margin=dict(l=10, r=10, t=50, b=10), plot_bgcolor="#fff",
                  height=max(280, 240 + 22 * len(rows)),
                  paper_bgcolor="#fff",
                  xaxis=dict(side="bottom", tickangle=-35, fixedrange=True, tickmode="array", tickvals=facts,
                             ticktext=[shorten(labels[f], 30) for f in facts], tickfont=dict(size=12)),
                  yaxis=dict(fixedrange=True, tickmode="linear", dtick=1, automargin=True),
                  hoverlabel=dict(align="left"), uirevision="matrix", template=template())
    return {"data": [heat, _glyph_trace(facts, heat["y"], cells, group)], "layout": layout}


def matrix_figure(result: RunResult, t: float, group: str = "actors", fact: str = "") -> go.Figure:
    """:func:`matrix_spec` as a validated plotly figure."""
    return go.Figure(matrix_spec(result, t, group, fact))


def matrix_changes(result: RunResult, group: str = "actors") -> dict:
    """What the page needs to draw the matrix at any moment (``matrixAt`` in ``assets/backchannel.js``
    does what :func:`matrix_cells` and :func:`glyphs` do, from these): ``cells``, per row (in the order of
    :func:`matrix_cells`'s ``z``) and fact, ``[size, [[time first known, how code, modelled], ...]]`` with
    the members who ever knew it, earliest first; the shape drawn and the colour painted for each code (while
    playing, the page paints the cells itself, in the colours the heatmap's scale gives the codes), and what
    a cell with neither shape nor mark shows; the mark of modelled knowledge; whether rows are affiliations
    (whose cells count members); and ``times``, every entry's time in order (how many lie at or before a
    moment tells two moments' matrices apart).
    """
    known = _known(result, group)
    cells = [[[-cell[-1][1], sorted([time, code, m] for time, code, m in cell[:-1])] for cell in row]
             for row in known][::-1]
    times = sorted(time for row in known for cell in row for time, _, _ in cell[:-1])
    return {"cells": cells, "glyph": [_GLYPH[c] for c in range(len(_BY_CODE))], "no_text": NO_TEXT,
            "colors": [KNOW_COLORS[k] for k in _BY_CODE], "mark": MODELLED_MARK,
            "counts": group == "affiliations", "times": times}
