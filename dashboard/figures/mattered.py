"""The "What mattered" ranking as plain rows: one per element whose removal changes something, in words.

:func:`mattered_rows` is pure: it takes an :class:`~sim.explain.Explanation` and the view it was
computed for, and returns dicts of text (names and statements, never ids) with, for each row, the
link (a query string) that opens the compare view of that removal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.explain import KIND_WORDS, basis, label, sources

from ..state import PANELS, ViewState, encode
from ..whatif import duration_words
from .common import local_label

if TYPE_CHECKING:
    from sim.explain import Explanation, Row

MAX_ROWS = 40  # rows listed; the rest are counted
STATUS_WORDS = {"necessary": "necessary", "delaying": "delays it", "redundant": "redundant",
                "earlier": "hastens it", "unchanged": "no change"}
STATUS_COLORS = {"necessary": "#b71c1c", "delaying": "#e65100", "redundant": "#00838f", "earlier": "#2e7d32",
                 "unchanged": "#757575"}
NOT_SOURCED = "not in the reports (a modelling choice)"


def effect_words(r: Row, tz: str) -> str:
    """What removing the element does to the outcome, in words."""
    if r.status == "necessary":
        return "never learns it" if r.known_at is None else f"learns it only {local_label(r.known_at, tz, long=False)}, too late"
    if r.status == "delaying":
        return "never learns it" if r.delay is None else f"learns it {duration_words(r.delay)} later"
    if r.status == "earlier":
        if r.delay is None or r.delay >= 0:
            return f"learns it, {local_label(r.known_at, tz, long=False)}" if r.known_at is not None else "learns it"
        return f"learns it {duration_words(r.delay)} earlier"
    if r.status == "redundant":
        return "no change: another path carries it in time"
    return "no change"


def compare_link(state: ViewState, target: str) -> str:
    """The query string of the compare view of this run without ``target``."""
    panels = tuple(p for p in PANELS if p in set(state.panels) | {"compare"})
    return encode(state.with_(remove=(target,), compare="", calt="", panels=panels))


def mattered_rows(x: Explanation, state: ViewState, limit: int = MAX_ROWS) -> tuple[list[dict[str, Any]], int]:
    """Rows for every element whose removal changes something (at most ``limit``), and how many more
    elements change nothing. Each row: ``rank``, ``status``, ``effect``, ``element``, ``kind``,
    ``on_path``, ``instead`` (names along the path that carries the news instead), ``sources``, ``href``."""
    s = x.result.scenario
    tz = s.meta.timezone
    names = {a.id: a.name for a in s.actors}
    shown = [r for r in x.rows if r.status != "unchanged"]
    out = []
    for rank, r in enumerate(shown[:limit], 1):
        cited = sources(s, r.kind, r.id)
        how = basis(s, r.kind, r.id)
        if r.kind in ("event", "rule") and not cited:
            src = NOT_SOURCED
        else:
            src = "; ".join(cited)
        if how:
            src = f"{how}" + (f" — {src}" if src else "")
        instead = ""
        if r.known_at is not None and r.path:
            instead = " → ".join(names.get(a, a) for a in r.path)
        out.append({"rank": rank, "status": r.status, "status_words": STATUS_WORDS[r.status],
                    "color": STATUS_COLORS[r.status], "effect": effect_words(r, tz),
                    "kind": KIND_WORDS[r.kind], "element": label(s, r.kind, r.id), "on_path": r.on_path,
                    "instead": instead, "sources": src, "href": compare_link(state, r.removal.target)})
    return out, len(x.rows) - len(shown) + max(0, len(shown) - limit)


def path_words(x: Explanation) -> str:
    """The replay's own path in words: ``Hamas leadership in Doha (22:00) → … → Steve Witkoff (23:10)``."""
    s = x.result.scenario
    names = {a.id: a.name for a in s.actors}
    tz = s.meta.timezone
    return " → ".join(f"{names.get(k.actor, k.actor)} ({local_label(k.time, tz, long=False)}"
                      f"{', intercepted' if k.how == 'intercepted' else ''})" for k in x.path)
