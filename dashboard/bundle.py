"""Everything the page needs for one view, precomputed for client-side playback.

:func:`build_bundle` returns plain JSON-ready data: the steps, their labels, each panel's base
figure and, per step, only the network's traces that change; the matrix comes as each cell's first
knowledge, which the browser turns into the matrix at any moment. The browser draws each step from
these as the slider moves, so playing needs no server round trip. :func:`event_rows` feeds the event log.
"""

from __future__ import annotations

import bisect
import functools
from typing import TYPE_CHECKING, Any

from .answer import answer_data, focus_data
from .figures.common import (STAGE_HEIGHT, Same, big_label, channel_labels, date_marks, fact_labels, fact_statements,
                             key_moments, local_label, medium_label, names, opening_time, readable_reason, step_at,
                             steps as make_steps, utc_label, zone_label)
from .figures.matrix import NOT_YET, hover_lines, matrix_changes, matrix_spec
from .figures.network import network_frames, network_spec, positions
from .figures.timeline import cursor_x, timeline_spec
from .state import ViewState, format_t
from .story import recent_entries, story_cards

if TYPE_CHECKING:
    from sim.result import RunResult


def _citations(result: RunResult) -> dict[str, list]:
    """Citations by event or rule id, and by ``CHANNEL/ACTOR`` for a tap (what its interceptions cite)."""
    s = result.scenario
    taps = {f"{c.id}/{t.by}": list(t.sources) for c in s.channels for t in c.taps}
    return {e.id: list(e.sources) for e in s.events} | {r.id: list(r.sources) for r in s.rules} | taps


def event_rows(result: RunResult) -> list[dict[str, Any]]:
    """One row per event record: local and UTC time, its basis and range, who, channel, facts, sources and
    claims (an interception cites its tap's sources, not the intercepted message's)."""
    from sim.certainty import describe_citations, describe_record_when

    s = result.scenario
    tz = s.meta.timezone
    nm = names(result)
    cites = _citations(result)
    outlets = {src.id: src for src in s.sources}
    summaries = {e.id: e.summary for e in s.events} | {r.id: r.summary for r in s.rules}
    statements = fact_statements(result)
    labels = fact_labels(result)
    channels = channel_labels(result)
    certain = result.certainties.basis
    rows = []
    for e in result.events:
        sender, kind = e.actor, e.kind
        if e.kind == "intercept":
            sender, kind = result.sender(e), f"intercepted by {nm.get(e.actor, e.actor)}"
        elif e.kind == "originate":
            kind = "states its own position" if e.reason_code else "decision"
        srcs, claims = [], []
        cited = cites.get(f"{e.channel}/{e.actor}" if e.kind == "intercept" else e.cause, [])
        for c in cited:
            o = outlets.get(c.source)
            srcs.append(f"{o.outlet}, {o.published.isoformat()}, {o.reliability}{c.grade}" if o else c.source)
            claims.append(c.claim)
        rows.append({
            "id": str(e.id), "t": e.time, "local": local_label(e.time, tz, long=False), "utc": utc_label(e.time),
            "kind": kind, "from": nm.get(sender, sender),
            "to": ", ".join(nm.get(x, x) for x in e.recipients),
            "channel": f"{channels.get(e.channel, e.channel)} ({medium_label(e.medium)})" if e.channel else "",
            "facts": "; ".join(labels.get(f, f) for f in e.facts),
            "what": summaries.get(e.cause, e.cause) + (f" — {readable_reason(e, nm, statements)}"
                                                       if e.reason_code else ""),
            "sources": "; ".join(srcs) + (f" ({describe_citations(s, [c.source for c in cited])})"
                                          if len(cited) > 1 else ""),
            "claim": " / ".join(claims),
            "basis": certain[e.id], "when": describe_record_when(result, e.id, tz),
        })
    return rows


def _headlines(result: RunResult, fact: str, times: list[float]) -> list[str]:
    statement = fact_statements(result).get(fact, fact)
    known = [k.time for k in result.knowers(fact)] if fact in result.facts else []
    total = len(result.actors)
    return [f"{bisect.bisect_right(known, t)} of {total} actors know “{statement}”" for t in times]


def _keys(frames: list) -> list[int]:
    """For each frame, the index of the first identical frame (the browser skips redrawing repeats)."""
    from .delta import serialised

    seen: dict[bytes, int] = {}
    return [seen.setdefault(serialised(f), i) for i, f in enumerate(frames)]


def _first_only(frames: list, keys: list[int]) -> list:
    """``frames`` with each repeat replaced by None: the browser looks a step's frame up by its key."""
    return [f if k == i else None for i, (f, k) in enumerate(zip(frames, keys))]


NETWORK_WIDTH = 680  # px: the network's plot is at least this wide at 1280×800 (names are placed for it)


MARK_SHARE = 0.06  # of the slider's length: key-moment marks closer than this share one label


def slider_marks(result: RunResult, times: list[float]) -> dict[int, Any]:
    """Slider marks: the key moments as numbered bookmarks (with the first and last dates where no bookmark
    stands near them), else a few dates. Moments closer together than :data:`MARK_SHARE` of the slider
    share one bookmark (``◆2–3``), so that no two labels overlap at 1280 px."""
    tz = result.scenario.meta.timezone
    moments = key_moments(result)
    if not moments:
        return dict(date_marks(times, tz))
    near = max(1, round(MARK_SHARE * (len(times) - 1)))
    groups: list[list[int]] = []  # [step, first moment's number, last moment's number]
    for i, m in enumerate(moments, 1):
        step = step_at(times, m["t"])
        if groups and step - groups[-1][0] < near:
            groups[-1][2] = i
        else:
            groups.append([step, i, i])
    marks: dict[int, Any] = {}
    for end in (0, len(times) - 1):
        if all(abs(step - end) >= near for step, _, _ in groups):
            marks[end] = local_label(times[end], tz, long=False)
    for step, first, last in groups:
        marks[step] = {"label": f"◆{first}" if first == last else f"◆{first}–{last}",
                       "style": {"color": "#8a1046", "fontWeight": "700"}}
    return marks


@functools.lru_cache(maxsize=16)
def _run_parts(run: Same) -> dict[str, Any]:
    """What depends on the run alone: the story cards, the latest-messages lines and the key moments' times."""
    result = run.result
    return {"cards": story_cards(result), "recent": recent_entries(result),
            "moments": [m["t"] for m in key_moments(result)]}


@functools.lru_cache(maxsize=16)
def _group_parts(run: Same, group: str) -> dict[str, Any]:
    """What depends on the run and the matrix's rows: the matrix's cells through time and its hover texts."""
    return {"mx_hover": hover_lines(run.result, group), "mx_cells": matrix_changes(run.result, group)}


@functools.lru_cache(maxsize=32)
def _plain_steps(run: Same, mode: str) -> frozenset[float]:
    """The steps of ``mode`` without a moment of a link's own: a view at one of them has these steps."""
    return frozenset(make_steps(run.result, mode, None))


@functools.lru_cache(maxsize=32)
def _time_parts(run: Same, mode: str, start: float | None) -> dict[str, Any]:
    """What depends on the run and its steps: the steps and their labels, slider marks, key-moment steps and
    the timeline cursor's place at each step."""
    result = run.result
    tz = result.scenario.meta.timezone
    times = make_steps(result, mode, start)
    return {
        "steps": times,
        "iso": [format_t(x) for x in times],
        "labels": [local_label(x, tz) for x in times],
        "big": [big_label(x, tz) for x in times],
        "utc": [f"{zone_label(x, tz)} · {utc_label(x)}" for x in times],
        "marks": {str(k): v for k, v in slider_marks(result, times).items()},
        "moments": [step_at(times, t) for t in _run_parts(run)["moments"]],
        "tl_x": cursor_x(result, mode, times, times),
    }


def build_bundle(result: RunResult, state: ViewState) -> dict[str, Any]:
    """The precomputed view for ``state`` (which must already be resolved against ``result``).

    Parts that depend only on the run, its steps or the matrix's rows are cached per run and shared
    between bundles (a bundle is read, never changed)."""
    run = Same(result)
    start = state.t if state.t is not None else opening_time(result)
    at = _time_parts(run, state.mode, None if start is None or start in _plain_steps(run, state.mode) else start)
    times = at["steps"]
    step = step_at(times, start)
    t = times[step]
    focus = state.actor or None
    pos = positions(result, state.pos)
    net = network_spec(result, state.fact, t, focus, pos, legend="none", hidden=state.hide, width=NETWORK_WIDTH)
    tl = timeline_spec(result, state.mode, times, t, state.fact, focus, cursor_shape=True, min_height=STAGE_HEIGHT)
    mx = matrix_spec(result, t, state.group, state.fact, hover=False)  # the browser writes it at every step
    # The browser keeps a reader's zoom while the run and mode stay (see keepZoom in assets/backchannel.js).
    net["layout"]["uirevision"] = tl["layout"]["uirevision"] = f"{state.scenario}|{state.alt}|{state.mode}"
    net_frames = network_frames(result, state.fact, times, focus, pos)
    net_key = _keys(net_frames)
    parts, group = _run_parts(run), _group_parts(run, state.group)
    changes = group["mx_cells"]["times"]
    return {
        **at,
        "step": step,
        "headlines": _headlines(result, state.fact, times),
        "cards": parts["cards"],
        "story": bool(state.story),
        "fact": state.fact,
        "answer": answer_data(result, state.fact),
        "net": net,
        "net_frames": _first_only(net_frames, net_key),
        "net_key": net_key,
        "tl": tl,
        "mx": mx,
        "mx_hover": group["mx_hover"],
        "not_yet": NOT_YET,
        "mx_cells": group["mx_cells"],
        "mx_key": [bisect.bisect_right(changes, x) for x in times],
        "recent": parts["recent"],
        "focus": focus_data(result, focus, state.fact) if focus else None,
    }


def bundle_for(result: RunResult, state: ViewState) -> dict[str, Any]:
    """:func:`build_bundle`, cached for the last views drawn by this process (the bundle is shared: read it,
    never change it)."""
    return _bundle(Same(result), _bundle_state(state))


def bundle_digest(result: RunResult, state: ViewState) -> str:
    """The digest (:func:`dashboard.delta.digest`) of :func:`bundle_for`'s bundle, cached with it."""
    return _digest(Same(result), _bundle_state(state))


def _bundle_state(state: ViewState) -> ViewState:
    """``state`` without what the bundle does not depend on (the panels shown, compare and sweep settings)."""
    return state.with_(panels=(), compare="", calt="", sweep=0, seed=0, remove=())


@functools.lru_cache(maxsize=16)
def _bundle(run: Same, state: ViewState) -> dict[str, Any]:
    """The cache behind :func:`bundle_for`."""
    return build_bundle(run.result, state)


@functools.lru_cache(maxsize=16)
def _digest(run: Same, state: ViewState) -> str:
    """The cache behind :func:`bundle_digest`."""
    from .delta import digest

    return digest(_bundle(run, state))
