"""The two "what if?" panels for a resolved :class:`~dashboard.state.ViewState`.

:func:`compare_view` sets the current run beside a second one (a variant file and/or a named
alternative) and says in words what changed; :func:`sweep_view` and :func:`sweep_known_by` show
a sweep of stochastic replays of the current run. The runs come from :mod:`dashboard.data`
(cached per process; a sweep is computed in a child process, and the sweep panel is drawn there too:
:mod:`dashboard.heavy`); the figures from :mod:`dashboard.figures.compare` and
:mod:`dashboard.figures.sweep`. Everything here is a function of its arguments.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dataclasses import replace
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import plotly.graph_objects as go

from sim.compare import Comparison, compare

from . import data
from .figures.common import (channel_labels, fact_labels, fact_statements, local_label, medium_label, names,
                             readable_reason, short_names, shorten)
from .figures.compare import COLORS, comparison_figure, delta_heatmap
from .figures.sweep import cdf_figure, first_source_figure, known_by_heatmap
from .state import ViewState

if TYPE_CHECKING:
    from sim.result import RunResult
    from sim.sweep import SweepResult

MAX_LINES = 6  # actors listed by name in the comparison text
ONE_RUN = "#d1c4e9"  # heatmap cells known in one run only
SWEEP_TEXT = ("**A sweep replays the scenario {n} times with sampled timings, latencies and intercepts** (seed "
              "{seed}): each replay draws event times within their documented windows, how long each message "
              "takes, and whether each tap catches it. The curves: in what share of replays each actor knew the "
              "fact, by date.")


def run_label(result: RunResult, alt: str = "") -> str:
    """A short name for a run: the named alternative's title, or the part of the title after its last dash."""
    if alt:
        return next((a.title for a in result.scenario.alternatives if a.id == alt), alt)
    return result.scenario.meta.title.rsplit(" — ", 1)[-1]


def _pair(state: ViewState) -> tuple[RunResult, RunResult, str, str]:
    """The current run, the run compared with, and their short names."""
    base_file = data.load_run(state.scenario)
    base = data.load_run(state.scenario, state.alt or None)
    if state.remove:  # this run without some elements
        from .whatmattered import removed_label, removed_run

        return (base, removed_run(state.scenario, state.alt or None, state.remove), run_label(base_file, state.alt),
                removed_label(base, state.remove))
    target = state.compare or state.scenario
    other_file = data.load_run(target)
    other = data.load_run(target, state.calt or None)
    return base, other, run_label(base_file, state.alt), run_label(other_file, state.calt)


def _when(k_time: float, tz: str) -> str:
    return local_label(k_time, tz, long=False)


def duration_words(seconds: float) -> str:
    """A length of time for readers, two units at most: ``13 days 17 hours``, ``5 hours 55 minutes``."""
    s = int(round(abs(seconds)))
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        n, s = divmod(s, size)
        if n:
            parts.append(f"{n} {unit}" + ("s" if n != 1 else ""))
    return " ".join(parts[:2]) or "0 seconds"


def _short(text: str, n: int = 70) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _wall(ts: float, tz: str) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def changed_only(cmp: Comparison) -> Comparison:
    """``cmp`` with only the actors and facts that differ somewhere (all of it if nothing differs)."""
    changed = cmp.changed()
    if not changed:
        return cmp
    actors, facts = {k.actor for k in changed}, {k.fact for k in changed}
    return replace(cmp, knowledge=tuple(k for k in cmp.knowledge if k.actor in actors and k.fact in facts))


def compare_summary(cmp: Comparison, fact: str, base_label: str, alt_label: str,
                    actor_names: dict[str, str], statements: dict[str, str]) -> str:
    """The differences in words (Markdown): who knows ``fact`` earlier, later or never, then events."""
    tz = cmp.timezone
    lines = [f"**In “{alt_label}”**, compared with this view (“{base_label}”), "
             f"for “{statements.get(fact, fact)}”:", ""]
    rows = [k for k in cmp.changed() if k.fact == fact]
    rows.sort(key=lambda k: (k.base if k.base is not None else k.alt or 0.0))
    for k in rows[:MAX_LINES]:
        who = f"**{actor_names.get(k.actor, k.actor)}**"
        if k.status == "only_base":
            lines.append(f"- {who} never knew it (in this view: {_when(k.base, tz)})")  # type: ignore[arg-type]
        elif k.status == "only_alt":
            lines.append(f"- {who} knew it, {_when(k.alt, tz)} (never in this view)")  # type: ignore[arg-type]
        else:
            word = "later" if k.status == "later" else "earlier"
            lines.append(f"- {who} first knew it {duration_words(k.delta or 0.0)} {word}, "
                         f"{_when(k.alt, tz)}")  # type: ignore[arg-type]
    if len(rows) > MAX_LINES:
        lines.append(f"- and {len(rows) - MAX_LINES} more actors")
    if not rows:
        lines.append("- every actor knew it at the same moment in both runs")
    c = cmp.counts()
    changed = sum(c[s] for s in ("earlier", "later", "only_base", "only_alt"))
    lines += ["", f"Across all facts, {changed} actor–fact pairs differ: {c['earlier']} known earlier, "
                  f"{c['later']} later, {c['only_base']} no longer known, {c['only_alt']} newly known."]
    by_change: dict[str, list[str]] = {}
    for e in cmp.events:
        text = e.summary or e.id
        if e.change in ("skipped", "removed") and e.reason:
            text += f" ({readable_reason(e.why, actor_names, statements) if e.why else e.reason})"
        elif e.change == "moved" and e.base_time is not None and e.alt_time is not None:
            shift = e.alt_time - e.base_time
            text += f" ({duration_words(shift)} {'later' if shift > 0 else 'earlier'})"
        by_change.setdefault(e.change, []).append(text)
    for change in ("skipped", "removed", "added", "restored", "moved"):
        items = by_change.get(change, [])
        if items:
            noun = "event" if len(items) == 1 else "events"
            lines.append(f"\n**{len(items)} {noun} {change}:** " + "; ".join(items) + ".")
    return "\n".join(lines)


def compare_view(state: ViewState) -> dict[str, Any]:
    """``{"figure", "heatmap", "summary", "differs"}`` for the comparison ``state`` names.

    ``differs`` lists the actors whose first knowledge of the selected fact changed.
    """
    base, other, base_label, alt_label = _pair(state)
    cmp = compare(base, other)
    nm = names(base) | names(other)
    statements = fact_statements(other) | fact_statements(base)
    fig = comparison_figure(cmp, state.fact, nm)
    statement = _short(statements.get(state.fact, state.fact))
    fig.update_layout(title={"text": f"When each actor first knew “{statement}”", "font": {"size": 14}},
                      xaxis_title=None, legend={"orientation": "h", "y": -0.08, "x": 0, "yanchor": "top"})
    for tr in fig.data:
        if tr.name == cmp.base_title:
            tr.name = "this view"
        elif tr.name == cmp.alt_title:
            tr.name = alt_label
    for k in cmp.knowledge:
        if k.fact == state.fact and k.status == "only_base" and k.base is not None:
            fig.add_annotation(x=_wall(k.base, cmp.timezone), y=nm.get(k.actor, k.actor), xanchor="left", xshift=10,
                               text=f"never in “{_short(alt_label, 40)}”", showarrow=False,
                               font={"color": COLORS["only_base"], "size": 11})
    heat = _delta_heatmap(changed_only(cmp), nm, alt_label, fact_labels(other) | fact_labels(base))
    differs = [k.actor for k in cmp.changed() if k.fact == state.fact]
    return {"figure": fig, "heatmap": heat, "differs": differs,
            "summary": compare_summary(cmp, state.fact, base_label, alt_label, nm, statements)}


def _delta_heatmap(cmp: Comparison, nm: dict[str, str], alt_label: str, labels: dict[str, str]) -> go.Figure:
    """:func:`delta_heatmap` with cells known in one run only filled, facts by their labels, and a readable
    title."""
    heat = delta_heatmap(cmp, nm, labels)
    main = heat.data[0]
    words = {"only base": "never", "only alt": "new"}
    text = [[words.get(c, c) for c in row] for row in main.text]
    mask = [[1 if c in words.values() else None for c in row] for row in text]
    main.update(text=text, textfont={"size": 11})
    heat.add_trace(go.Heatmap(z=mask, x=main.x, y=main.y, colorscale=[[0, ONE_RUN], [1, ONE_RUN]], showscale=False,
                              hoverinfo="skip"))
    heat.data = (heat.data[1], heat.data[0])
    heat.update_layout(title={"text": f"Actors and facts that differ: hours later (red) or earlier (blue) in "
                                      f"“{_short(alt_label, 50)}”; purple: known in one run only",
                              "font": {"size": 14}},
                       height=max(260, 26 * len(main.y) + 190), xaxis={"tickangle": -30},
                       yaxis={"autorange": "reversed"})
    return heat


def network_outline(state: ViewState, result: RunResult) -> go.Scatter:
    """Squares around the actors who knew the selected fact at another time (or never) in the compared run,
    coloured as in the compare figure; ``result`` is the run the network shows."""
    from .figures.network import NODE_SIZE, positions

    base, other, _, alt_label = _pair(state)
    cmp = compare(base, other)
    pos = positions(result)
    nm = names(result)
    tz = cmp.timezone
    rows = [k for k in cmp.changed() if k.fact == state.fact and k.actor in pos]
    hover = []
    for k in rows:
        if k.status == "only_base":
            what = "never knew it"
        elif k.status == "only_alt":
            what = f"knew it {_when(k.alt, tz)}, never in this view"  # type: ignore[arg-type]
        else:
            what = f"knew it {duration_words(k.delta or 0.0)} {k.status}"
        hover.append(f"<b>{nm.get(k.actor, k.actor)}</b><br>in “{alt_label}”: {what}")
    return go.Scatter(x=[pos[k.actor][0] for k in rows], y=[pos[k.actor][1] for k in rows], mode="markers",
                      hovertext=hover, hoverinfo="text", name=f"differs in “{_short(alt_label, 30)}”",
                      marker={"symbol": "square-open", "size": NODE_SIZE + 14,
                              "color": [COLORS[k.status] for k in rows],
                              "line": {"width": 3, "color": [COLORS[k.status] for k in rows]}})


def load_sweep(state: ViewState) -> SweepResult:
    """The sweep ``state`` asks for, of its current run (cached per process, computed in a child)."""
    return data.load_sweep(state.scenario, state.alt or None, state.sweep, state.seed)


def sweep_view(sw: SweepResult, result: RunResult, fact: str) -> dict[str, Any]:
    """``{"text", "cdf", "sources"}``: what the sweep ``sw`` of the run ``result`` is, and its figures for ``fact``."""
    nm = names(result)
    statement = fact_statements(result).get(fact, fact)
    knowers = [a for a in sw.actors if sw.p_known(a, fact) > 0]
    knowers.sort(key=lambda a: (sw.quantile(a, fact, 0.5) or 0.0))
    cdf = cdf_figure(sw, fact, knowers, nm)
    cdf.update_layout(title={"text": f"Share of replays in which each actor knew “{_short(statement, 60)}”, "
                                     "by date", "font": {"size": 14}}, legend={"font": {"size": 11}}, xaxis_title=None,
                      yaxis_title="share of replays", height=360)
    spread = [t for a in knowers for t in (sw.quantile(a, fact, 0.0), sw.quantile(a, fact, 1.0)) if t is not None]
    if spread:
        pad = max(3600.0, 0.08 * (max(spread) - min(spread)))
        cdf.update_xaxes(range=[_wall(min(spread) - pad, sw.timezone), _wall(max(spread) + pad, sw.timezone)])
    src = _sources(sw, fact, knowers, result)
    lines = [SWEEP_TEXT.format(n=sw.runs, seed=sw.seed), ""]
    never = [nm.get(a, a) for a in sw.actors if sw.p_known(a, fact) == 0]
    for a in knowers[:MAX_LINES]:
        med = sw.quantile(a, fact, 0.5)
        lines.append(f"- **{nm.get(a, a)}**: {sw.p_known(a, fact):.0%} of replays"
                     + (f", half of them by {local_label(med, sw.timezone, long=False)}" if med is not None else ""))
    if len(knowers) > MAX_LINES:
        lines.append(f"- and {len(knowers) - MAX_LINES} more actors")
    if never:
        lines.append(f"- never in any replay: {len(never)} actors")
    return {"text": "\n".join(lines), "cdf": cdf, "sources": src}


def source_labels(result: RunResult) -> dict[str, str]:
    """Readable names for a sweep's first sources: ``bahbah_witkoff (intercepted)`` → ``intercepted: A – B``; a
    channel between more than two actors goes by its description."""
    short = short_names(result)
    described = channel_labels(result)
    out = {"(origin)": "first-hand (originated it)"}
    for c in result.scenario.channels:
        medium = medium_label(c.medium)
        ends = " – ".join(short.get(a, a) for a in c.between) if len(c.between) == 2 else shorten(described[c.id], 48)
        out[c.id] = ends if ends.startswith(medium) else f"{ends} ({medium})"
        out[c.id + " (intercepted)"] = f"intercepted: {ends}"
    return out


def _sources(sw: SweepResult, fact: str, actors: list[str], result: RunResult) -> go.Figure:
    """:func:`first_source_figure` as horizontal bars, for the actors who ever knew ``fact``, sources named."""
    nm = names(result)
    labels = source_labels(result)
    fig = first_source_figure(sw, fact, nm)
    shown = [nm.get(a, a) for a in actors]
    for tr in fig.data:
        share = dict(zip(tr.x, tr.y))
        name = labels.get(tr.name, tr.name)
        tr.update(y=shown, x=[share.get(a, 0.0) for a in shown], orientation="h", name=name,
                  hovertemplate=f"%{{y}} via {name}: %{{x:.1%}}<extra></extra>")
    fig.update_layout(title={"text": "Where it came from first, per actor (share of replays)", "font": {"size": 14}},
                      xaxis={"title": None, "tickformat": ".0%", "range": [0, 1]},
                      yaxis={"title": None, "autorange": "reversed", "range": None},
                      legend={"font": {"size": 11}, "traceorder": "normal"},
                      height=max(220, 26 * len(shown) + 110))
    return fig


def sweep_known_by(state: ViewState, result: RunResult, t: float | None) -> go.Figure:
    """Actors × facts: the share of replays in which each actor knew each fact by ``t`` (default: the end)."""
    sw = load_sweep(state)
    fig = known_by_heatmap(sw, t, names(result), fact_labels(result))
    fig.update_layout(height=max(320, 22 * len(sw.actors) + 170), xaxis={"tickangle": -40},
                      title={"text": f"Share of replays in which each actor knew each fact by "
                                     f"{local_label(t if t is not None else sw.deadline, sw.timezone)} "
                                     f"(the moment shown)", "font": {"size": 14}})
    return fig
