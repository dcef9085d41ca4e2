"""The timeline: one swimlane per actor, message arrows between lanes, a cursor at t.

Two x axes: ``calendar`` uses real local dates; ``event`` gives every event time an equal step,
so that a burst of minutes is as wide as a quiet week (tick labels still show dates).
"""

from __future__ import annotations

import bisect
import functools
from typing import TYPE_CHECKING, Any

import plotly.graph_objects as go

from .common import (CURSOR_COLOR, KNOW_COLORS, SKIP_COLOR, TAP_COLOR, Same, actor_order, affiliation_colors,
                     channel_labels, fact_labels, fact_statements, local_label, medium_label, names, readable_reason,
                     short_names, template, wall)

from sim.certainty import describe_record_when

if TYPE_CHECKING:
    from sim.result import RunResult

MESSAGE_COLOR = "#3f6fa8"
FACT_COLOR = "#111111"
LOST_COLOR = "#bdbdbd"
WINDOW_COLOR = "rgba(120,144,156,0.22)"
FUTURE_COLOR = "rgba(255,255,255,0.68)"  # laid over what comes after the moment shown


def x_mapper(result: RunResult, mode: str, steps: list[float]):
    """A function from POSIX seconds to the x value used in ``mode``: on the calendar axis the local wall
    time as an ISO string (what plotly's encoder would make of a datetime, without its slow look-up)."""
    tz = result.scenario.meta.timezone
    if mode == "calendar":
        return lambda ts: wall(ts, tz).isoformat()

    def to_index(ts: float) -> float:
        if not steps:
            return 0.0
        if ts <= steps[0]:
            return 0.0 - (steps[0] - ts) / max(1.0, steps[-1] - steps[0])
        if ts >= steps[-1]:
            return len(steps) - 1.0
        i = bisect.bisect_right(steps, ts) - 1
        lo, hi = steps[i], steps[i + 1]
        return i + (ts - lo) / (hi - lo) if hi > lo else float(i)

    return to_index


def _summaries(result: RunResult) -> dict[str, str]:
    s = result.scenario
    return {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}


@functools.lru_cache(maxsize=4)  # a few runs: a record costs memory the columnar log does not
def _records(run: Same) -> dict[str, tuple]:
    """The run's event records by kind, and all of them under ``"*"``, in log order (the log is columnar:
    each pass over it makes its records again)."""
    out: dict[str, list] = {"*": []}
    for e in run.result.events:
        out["*"].append(e)
        out.setdefault(e.kind, []).append(e)
    return {k: tuple(v) for k, v in out.items()}


def _hover_texts(result: RunResult) -> dict[tuple[str, int], str]:
    """``(kind, record id)`` → a hover text on the timeline: ``arrow``, a message's sender, recipient, cause,
    facts, channel and times with their bounds; ``mark``, an origin's or a skip's actor, cause, facts, time
    and reason; ``band``, the uncertain time of a record on its lane. They depend on the run alone, so they
    are cached per run."""
    return _texts(Same(result))


@functools.lru_cache(maxsize=4)  # up to three texts per record: a few runs' worth
def _texts(run: Same) -> dict[tuple[str, int], str]:
    """The cache behind :func:`_hover_texts`, keyed by ``(kind of text, record id)``."""
    result = run.result
    s = result.scenario
    tz = s.meta.timezone
    nm = names(result)
    summ = _summaries(result)
    labels = fact_labels(result)
    channels = channel_labels(result)
    statements = fact_statements(result)
    certain = result.certainties.record
    out: dict[tuple[str, int], str] = {}
    for e in result.events:
        who = e.to if e.kind == "deliver" else e.actor
        if e.kind != "send" and who is not None and not certain(e.id).exact:
            out["band", e.id] = (f"<b>{nm.get(who, who)}</b>: {summ.get(e.cause, e.cause)}<br>"
                                 f"{describe_record_when(result, e.id, tz)}")
        if e.kind in ("deliver", "intercept", "lost") and e.sent_at is not None:
            sender = result.sender(e)
            target = e.actor if e.kind == "intercept" else e.recipients[0]
            how = {"intercept": "intercepted by", "lost": "lost on the way to"}.get(e.kind, "→")
            out["arrow", e.id] = (
                f"<b>{nm.get(sender, sender)} {how} {nm.get(target, target)}</b><br>{summ.get(e.cause, e.cause)}<br>"
                f"{'<br>'.join(labels.get(f, f) for f in e.facts)}<br>"
                f"over “{channels.get(e.channel or '', e.channel)}” ({medium_label(e.medium)})<br>"
                f"sent {describe_record_when(result, e.send, tz)}<br>"
                f"{'arrived' if e.kind != 'lost' else 'lost'} {describe_record_when(result, e.id, tz)}")
        elif e.kind in ("originate", "skip"):
            line = (f"<b>{nm.get(e.actor, e.actor)}</b>: {summ.get(e.cause, e.cause)}<br>"
                    f"{'<br>'.join(labels.get(f, f) for f in e.facts)}<br>{describe_record_when(result, e.id, tz)}")
            if e.reason_code:
                line += f"<br><i>{readable_reason(e, nm, statements)}</i>"
            out["mark", e.id] = line
    return out


def cursor_x(result: RunResult, mode: str, steps: list[float], times: list[float]) -> list[Any]:
    """The cursor's x value for each time (ISO strings on the calendar axis)."""
    xm = x_mapper(result, mode, steps)
    return [xm(t) for t in times]


def timeline_spec(result: RunResult, mode: str, steps: list[float], t: float, fact: str = "",
                  focus: str | None = None, cursor_shape: bool = False, min_height: int = 280) -> dict:
    """Swimlanes over real dates (``calendar``) or event steps (``event``), with a cursor at ``t``, as a
    plain plotly figure dict (``data``, ``layout``).

    The cursor is the last trace (``layout.meta['dynamic']`` holds its index), or with
    ``cursor_shape`` the last layout shape (``layout.meta['cursor_shape']``), which a browser can
    move several times faster than a trace; the trace then only shows in the legend. The figure is
    at least ``min_height`` pixels tall, more with many actors.
    """
    s = result.scenario
    tz = s.meta.timezone
    short = short_names(result)
    order = actor_order(result)
    lane = {a: len(order) - 1 - i for i, a in enumerate(order)}
    xm = x_mapper(result, mode, steps)
    aff = {a.id: a.affiliation for a in s.actors}
    colours = affiliation_colors(result)
    data: list[dict] = []
    shapes: list[dict] = []

    # Affiliation bands behind the lanes.
    for i, a in enumerate(order):
        if i == 0 or aff[order[i - 1]] != aff[a]:
            j = i
            while j + 1 < len(order) and aff[order[j + 1]] == aff[a]:
                j += 1
            shapes.append(dict(type="rect", xref="x domain", yref="y", x0=0, x1=1, y0=lane[order[j]] - 0.5,
                               y1=lane[a] + 0.5, fillcolor=colours[aff[a]], opacity=0.07, line=dict(width=0),
                               layer="below"))
    # Uncertain times: each record's earliest..latest on the lane of the one it happens to, with its
    # bounds and basis on hover (sim.certainty.describe_when).
    certain = result.certainties.record
    texts = _hover_texts(result)
    sx: list[Any] = []
    sy: list[Any] = []
    stext: list[Any] = []
    records = _records(Same(result))
    for e in records["*"]:
        c = certain(e.id)
        who = e.to if e.kind == "deliver" else e.actor
        if c.exact or who not in lane or e.kind == "send":
            continue
        x0, x1 = xm(c.earliest), xm(c.latest)
        y = lane[who]
        label = texts["band", e.id]
        sx += [x0, xm(e.time), x1, None]
        sy += [y, y, y, None]
        stext += [label, label, label, None]
    data.append(dict(type="scatter", x=sx or [None], y=sy or [None], mode="lines",
                     name="uncertain time (hover: range, basis)", line=dict(color=WINDOW_COLOR, width=10),
                     hovertext=stext or None, hoverinfo="text"))

    def arrows(records, colour: str, dash: str, name: str, width: float, symbol: str = "arrow") -> None:
        xs: list[Any] = []
        ys: list[Any] = []
        text: list[Any] = []
        size: list[Any] = []
        for e in records:
            if e.sent_at is None:
                continue
            sender = result.sender(e)
            target = e.actor if e.kind == "intercept" else e.recipients[0]
            if sender not in lane or target not in lane:
                continue
            label = texts["arrow", e.id]
            xs += [xm(e.sent_at), xm(e.time), None]
            ys += [lane[sender], lane[target], None]
            text += [label, label, None]
            size += [0, 11, 0]
        if xs:
            data.append(dict(type="scatter", x=xs, y=ys, mode="lines+markers", name=name, hovertext=text,
                             hoverinfo="text", line=dict(color=colour, dash=dash, width=width),
                             marker=dict(symbol=symbol, angleref="previous", size=size, color=colour)))

    delivered = records.get("deliver", ())
    with_fact = [e for e in delivered if fact in e.facts]
    others = [e for e in delivered if fact not in e.facts]
    arrows(others, MESSAGE_COLOR, "solid", "message", 1.5)
    arrows(with_fact, FACT_COLOR, "solid", "carries the selected fact", 2.5)
    arrows(records.get("intercept", ()), TAP_COLOR, "dash", "intercepted copy", 1.8)
    arrows(records.get("lost", ()), LOST_COLOR, "dot", "lost message", 1.5, "x")

    for kind, name, colour, symbol in (("originate", "decision / origin", KNOW_COLORS["origin"], "diamond"),
                                       ("skip", "skipped (did not happen)", SKIP_COLOR, "x-thin-open")):
        recs = [e for e in records.get(kind, ()) if e.actor in lane]
        if not recs:
            continue
        text = [texts["mark", e.id] for e in recs]
        data.append(dict(type="scatter", x=[xm(e.time) for e in recs], y=[lane[e.actor] for e in recs],
                         mode="markers", name=name, hovertext=text, hoverinfo="text",
                         marker=dict(symbol=symbol, size=12 if kind == "originate" else 11, color=colour,
                                     line=dict(color="#fff" if kind == "originate" else colour, width=1.5))))

    # Cursor, and what comes after it faded.
    cx = xm(t)
    line = dict(color=CURSOR_COLOR, width=2.5)
    if cursor_shape:
        end = xm(max(steps[-1] if steps else t, t) + 30 * 86400.0) if mode == "calendar" else len(steps) + 5.0
        shapes.append(dict(type="rect", xref="x", yref="y", x0=cx, x1=end, y0=-0.6, y1=len(order) - 0.4,
                           fillcolor=FUTURE_COLOR, line=dict(width=0), layer="above"))
        shapes.append(dict(type="line", xref="x", yref="y", x0=cx, x1=cx, y0=-0.6, y1=len(order) - 0.4, line=line))
        data.append(dict(type="scatter", x=[None], y=[None], mode="lines", name="t (now)", line=line,
                         hoverinfo="skip"))
    else:
        data.append(dict(type="scatter", x=[cx, cx], y=[-0.6, len(order) - 0.4], mode="lines", name="t (now)",
                         line=line, hoverinfo="skip"))

    ticktext = []
    for a in reversed(order):
        style = "font-weight:bold;" if a == focus else ""
        ticktext.append(f"<span style='color:{colours[aff[a]]};{style}'>{short[a]}</span>")
    xaxis: dict[str, Any] = dict(showgrid=True, gridcolor="#eee", zeroline=False)
    if mode == "calendar":  # the range is given: the faded future reaches far past the last step
        lo, hi = (steps[0], steps[-1]) if steps else (t, t)
        pad = max(60.0, 0.02 * (hi - lo))
        xaxis.update(type="date", title=dict(text=f"local time ({tz})"),
                     range=[wall(lo - pad, tz).isoformat(), wall(hi + pad, tz).isoformat()])
    else:
        n = len(steps)
        k = min(n, 8)
        idx = sorted({round(i * (n - 1) / max(1, k - 1)) for i in range(k)}) if n else []
        xaxis.update(type="linear", tickvals=idx, ticktext=[local_label(steps[i], tz, long=False) for i in idx],
                     title=dict(text=f"event by event ({tz}); each step is the next event"),
                     range=[-0.8, max(n - 1, 1) + 0.8])
    layout = dict(
        shapes=shapes,
        meta={"dynamic": [] if cursor_shape else [len(data) - 1],
              "cursor_shape": len(shapes) - 1 if cursor_shape else None,
              "future_shape": len(shapes) - 2 if cursor_shape else None},
        margin=dict(l=10, r=10, t=10, b=40), plot_bgcolor="#fff", paper_bgcolor="#fff",
        yaxis=dict(tickvals=list(range(len(order))), ticktext=ticktext, range=[-0.6, len(order) - 0.4],
                   showgrid=True, gridcolor="#f0f0f0", zeroline=False, fixedrange=True),
        xaxis=xaxis, legend=dict(orientation="h", y=1.0, yanchor="bottom", x=0, font=dict(size=12),
                                 entrywidth=0, itemwidth=30),
        hoverlabel=dict(align="left"), uirevision=f"timeline-{mode}", dragmode="zoom",
        height=max(min_height, 110 + 22 * len(order)), template=template(),
    )
    return {"data": data, "layout": layout}


def timeline_figure(result: RunResult, mode: str, steps: list[float], t: float, fact: str = "",
                    focus: str | None = None, cursor_shape: bool = False) -> go.Figure:
    """:func:`timeline_spec` as a validated plotly figure."""
    return go.Figure(timeline_spec(result, mode, steps, t, fact, focus, cursor_shape))
