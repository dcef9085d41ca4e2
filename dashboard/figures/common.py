"""Shared vocabulary of the dashboard figures: colours, labels, names, local times and time steps."""

from __future__ import annotations

import bisect
import functools
import json
import re
from datetime import datetime, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sim.records import reason_text

if TYPE_CHECKING:
    from sim.records import EventRecord
    from sim.result import RunResult

KNOW_ORDER: tuple[str, ...] = ("origin", "told", "intercepted", "unknown")
KNOW_COLORS = {"origin": "#1b7837", "told": "#7fbf7b", "intercepted": "#f4a422", "unknown": "#f2f2f2"}
KNOW_LABELS = {"origin": "knows (originated)", "told": "told", "intercepted": "intercepted",
               "unknown": "doesn't know yet"}
KNOW_CODE = {k: i for i, k in enumerate(("unknown", "origin", "told", "intercepted"))}
# Shape as well as colour (readable in greyscale): a pale circle = not known yet, star = originated it,
# a green circle = told, diamond = intercepted. ``KNOW_GLYPHS`` are the same shapes as text.
KNOW_SYMBOLS = {"origin": "star", "told": "circle", "intercepted": "diamond", "unknown": "circle"}
KNOW_GLYPHS = {"origin": "★", "told": "●", "intercepted": "◆", "unknown": "○"}
# What a text trace's point shows where it has nothing to show: plotly.js drops the text of a point whose text
# is empty and, drawing the trace again, binds its texts to the points by their order in the page, so that a
# point whose text comes back draws none, or another point's (plotly.js issue 5360). A zero-width space is a
# text that shows nothing, and every point keeps its own.
NO_TEXT = "\u200b"
TAP_COLOR = "#d62728"
FLIGHT_COLOR = "#111111"
CURSOR_COLOR = "#c2185b"
SKIP_COLOR = "#9e9e9e"
BELIEF_COLOR = "#6a3d9a"

# Affiliation colours: deliberately not green or orange, which mean knowledge.
# Each reads at a contrast of at least 4.5:1 as text on white (tested).
AFFILIATION_PALETTE = ("#1f5fa8", "#8e44ad", "#8c564b", "#0b7476", "#c2185b", "#5d6d7e", "#8a6508", "#34495e",
                       "#b0307f", "#0e7490")
MEDIUM_STYLE: dict[str, tuple[str, str, float]] = {  # colour, dash, width
    "call": ("#616161", "solid", 2.0),
    "meeting": ("#424242", "solid", 3.0),
    "text": ("#6d8fb3", "dot", 2.5),
    "intermediary": ("#8d6e63", "dashdot", 2.5),
    "public_statement": ("#9e9e9e", "longdash", 1.5),
    "press": ("#9e9e9e", "longdash", 1.5),
    "briefing": ("#546e7a", "solid", 2.0),
    "letter": ("#9e9e9e", "dot", 1.5),
    "intercept": (TAP_COLOR, "dash", 1.5),
    "other": ("#bdbdbd", "solid", 1.5),
}
MEDIUM_LABELS = {"public_statement": "public statement"}
CALENDAR_STEPS = 240
STAGE_HEIGHT = 456  # px: the dashboard's network, and at least its timeline beside it


class Same:
    """A run as a cache key, by identity: a result is immutable, and a cache holding this key holds the
    result with it, so that its ``id`` is not reused while cached."""

    __slots__ = ("result",)

    def __init__(self, result: RunResult) -> None:
        self.result = result

    def __hash__(self) -> int:
        return id(self.result)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Same) and other.result is self.result


@functools.lru_cache(maxsize=1)
def _template_json() -> str:
    import plotly.io as pio
    from plotly.utils import PlotlyJSONEncoder

    return json.dumps(pio.templates[pio.templates.default].to_plotly_json(), cls=PlotlyJSONEncoder)


def template() -> dict:
    """plotly's default template as a plain dict (a fresh copy), for figures built as dicts: a validated
    ``go.Figure`` carries the same one, so both look alike in the browser."""
    return json.loads(_template_json())


def names(result: RunResult) -> dict[str, str]:
    """Actor id → display name."""
    return {a.id: a.name for a in result.scenario.actors}


def short_name(name: str) -> str:
    """A label-sized name: the part before any parenthesis (``Benjamin Netanyahu (and his office)``
    → ``Benjamin Netanyahu``)."""
    head = name.split(" (", 1)[0].strip()
    return head or name


def short_names(result: RunResult) -> dict[str, str]:
    """Actor id → :func:`short_name`."""
    return {a.id: short_name(a.name) for a in result.scenario.actors}


def wrap(text: str, width: int = 18) -> str:
    """Break ``text`` into lines of about ``width`` characters with ``<br>`` (for node labels)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "<br>".join(lines)


def affiliations(result: RunResult) -> list[str]:
    """Affiliations in order of first appearance among the actors."""
    return list(dict.fromkeys(a.affiliation for a in result.scenario.actors))


def affiliation_colors(result: RunResult) -> dict[str, str]:
    """Affiliation → colour, stable for a scenario."""
    return {f: AFFILIATION_PALETTE[i % len(AFFILIATION_PALETTE)] for i, f in enumerate(affiliations(result))}


def actor_order(result: RunResult) -> list[str]:
    """Actors grouped by affiliation (first appearance), file order within a group."""
    order = affiliations(result)
    actors = list(result.scenario.actors)
    return [a.id for a in sorted(actors, key=lambda a: (order.index(a.affiliation), actors.index(a)))]


def fact_statements(result: RunResult) -> dict[str, str]:
    return {f.id: f.statement for f in result.scenario.facts}


def shorten(text: str, limit: int = 40) -> str:
    """``text`` cut before a parenthesis, a colon or a semicolon, then at a word boundary within
    ``limit`` characters (with an ellipsis when cut)."""
    head = re.split(r" \(|: |; |\. ", text.strip(), maxsplit=1)[0].strip() or text.strip()
    if len(head) <= limit:
        return head
    cut = head[:limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return (cut or head[:limit - 1]) + "…"


def fact_labels(result: RunResult) -> dict[str, str]:
    """Fact id → its short human label: the file's ``label``, else its statement shortened."""
    return {f.id: f.short_label for f in result.scenario.facts}


def channel_labels(result: RunResult) -> dict[str, str]:
    """Channel id → words for it: its description shortened, else ``call between A and B``."""
    nm = short_names(result)
    out = {}
    for ch in result.scenario.channels:
        if ch.description:
            out[ch.id] = shorten(ch.description, 60)
        else:
            ends = [nm.get(a, a) for a in ch.between]
            medium = MEDIUM_LABELS.get(ch.medium, ch.medium)
            out[ch.id] = f"{medium} between {', '.join(ends[:-1])} and {ends[-1]}"
    return out


def medium_label(medium: str | None) -> str:
    """A medium in words (``public_statement`` → ``public statement``)."""
    return MEDIUM_LABELS.get(medium or "", (medium or "").replace("_", " "))


def key_moments(result: RunResult) -> list[dict]:
    """The scenario's key moments that happened in this run, in time order: ``id``, ``t`` (when the
    moment's event happened), ``headline``, ``fact`` (or ``""``), ``event``."""
    wanted = list(getattr(result.scenario.meta, "key_moments", None) or [])
    if not wanted:
        return []
    first: dict[str, float] = {}
    for e in result.events:
        if e.kind != "skip":
            first.setdefault(e.cause, e.time)
    out = []
    for m in wanted:
        event = getattr(m, "event", None)
        if event in first:
            out.append({"id": m.id, "t": first[event], "headline": m.headline, "fact": getattr(m, "fact", None) or "",
                        "event": event})
    return sorted(out, key=lambda m: m["t"])


def opening_moment(result: RunResult) -> dict | None:
    """The key moment a view opens at: ``meta.opens_at``, else the first key moment (None without any)."""
    moments = key_moments(result)
    wanted = getattr(result.scenario.meta, "opens_at", None)
    return next((m for m in moments if m["id"] == wanted), moments[0] if moments else None)


def opening_time(result: RunResult) -> float | None:
    """When a view without a time opens: at its opening key moment (None: at the last step)."""
    m = opening_moment(result)
    return m["t"] if m else None


def readable_reason(record: EventRecord, actor_names: dict[str, str], statements: dict[str, str]) -> str:
    """A record's reason (a skip, a partial send, a first-use originate, a loss) with the actor's name
    and each fact's statement in quotes, e.g. ``Dermer did not yet know “…”``; empty if it has none."""
    return reason_text(record, actor_names, lambda f: f"“{statements[f]}”" if f in statements else f)


def wall(ts: float, tz: str) -> datetime:
    """POSIX seconds as a naive wall-clock time in ``tz`` (Plotly axes have no zones)."""
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz)).replace(tzinfo=None)


def local_label(ts: float, tz: str, long: bool = True) -> str:
    """``Sun 11 May 2025, 22:30 +03`` (long) or ``11 May 22:30`` (short)."""
    d = datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz))
    if long:
        return f"{d:%a} {d.day} {d:%b %Y, %H:%M} {d:%Z}"
    return f"{d.day} {d:%b %H:%M}"


def big_label(ts: float, tz: str) -> str:
    """``Sun 11 May 2025, 22:30`` in ``tz`` (the zone is named next to it by :func:`zone_label`)."""
    d = datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz))
    return f"{d:%a} {d.day} {d:%b %Y, %H:%M}"


def zone_label(ts: float, tz: str) -> str:
    """``Qatar time (UTC+03:00)`` from the IANA name's last part."""
    d = datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz))
    off = d.strftime("%z")
    city = tz.rsplit("/", 1)[-1].replace("_", " ")
    return f"{city} time (UTC{off[:3]}:{off[3:]})"


def utc_label(ts: float) -> str:
    d = datetime.fromtimestamp(ts, timezone.utc)
    return f"{d:%Y-%m-%d %H:%M} UTC"


def event_times(result: RunResult) -> list[float]:
    """Distinct times at which something happened, sorted."""
    return sorted({e.time for e in result.events})


def steps(result: RunResult, mode: str, extra: float | None = None) -> list[float]:
    """The moments a slider steps through.

    ``event``: every distinct event time. ``calendar``: evenly spaced over the events' extent.
    ``extra`` (a time from a shared link) is added so that a link shows exactly its moment.
    """
    times = event_times(result)
    if not times:
        times = [result.start, result.end]
    if mode == "calendar":
        lo, hi = times[0], times[-1]
        if hi <= lo:
            hi = lo + 3600.0
        n = CALENDAR_STEPS
        out = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
    else:
        out = list(times)
    if extra is not None and extra not in out:
        bisect.insort(out, extra)
    return out


def step_at(steps_: list[float], t: float | None) -> int:
    """Index of the last step at or before ``t`` (the last step when ``t`` is None)."""
    if t is None:
        return len(steps_) - 1
    return max(0, bisect.bisect_right(steps_, t) - 1)


def date_marks(steps_: list[float], tz: str, count: int = 6) -> dict[int, str]:
    """A few slider marks labelled with local dates, evenly spread over the steps."""
    n = len(steps_)
    if n == 0:
        return {}
    idx = sorted({round(i * (n - 1) / max(1, count - 1)) for i in range(count)})
    return {i: local_label(steps_[i], tz, long=False) for i in idx}


def provenance(result: RunResult, actor: str, fact: str, channels: dict[str, str] | None = None) -> str:
    """One line on how ``actor`` first knew ``fact``: when, how, from whom, and the chain."""
    k = result.learned(actor, fact)
    if k is None:
        return "never knows it in this run"
    from sim.certainty import describe_knowledge_when

    tz = result.scenario.meta.timezone
    nm = names(result)
    when = describe_knowledge_when(result, actor, fact, tz)
    if k.how == "origin":
        text = f"first knows it {when} (originated)"
    else:
        verb = "told by" if k.how == "told" else "intercepted from"
        over = (channels if channels is not None else channel_labels(result)).get(k.channel or "", k.channel)
        text = (f"first knows it {when}: {verb} {nm.get(k.from_actor or '', k.from_actor)} over “{over}” "
                f"({medium_label(k.medium)})")
    chain = [nm.get(a, a) for a in result.path(actor, fact)]
    if len(chain) > 1:
        text += "<br>chain: " + " → ".join(chain)
    return text


def default_fact(result: RunResult) -> str:
    """The fact that reaches the most actors (file order breaks ties)."""
    facts = result.facts
    if not facts:
        return ""
    return max(facts, key=lambda f: (result.reach(f), -facts.index(f)))
