"""Cross-reference checks: every id a scenario names must exist, once, and fit where it is used.

Each check is a named function returning problems as ``(loc, message)`` pairs; the loader maps
``loc`` back to the YAML line and column.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from typing import Any

from .model import Scenario

Loc = tuple[Any, ...]
Issue = tuple[Loc, str]


def _suggest(name: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown(kind: str, name: str, known: Iterable[str]) -> str:
    return f"unknown {kind} {name!r}{_suggest(name, known)}"


def duplicate_ids(s: Scenario) -> Iterator[Issue]:
    """Ids are unique within each section."""
    for section in ("sources", "actors", "facts", "channels", "events", "rules", "alternatives"):
        seen: dict[str, int] = {}
        for i, item in enumerate(getattr(s, section)):
            if item.id in seen:
                yield (section, i, "id"), f"duplicate id {item.id!r} (first used at {section}.{seen[item.id]})"
            else:
                seen[item.id] = i
    event_ids = {e.id for e in s.events}
    for i, r in enumerate(s.rules):
        if r.id in event_ids:
            yield ("rules", i, "id"), f"rule id {r.id!r} is also an event id; give it another name"


def actor_references(s: Scenario) -> Iterator[Issue]:
    """Facts, channels, taps, events and rules name actors that exist."""
    actors = {a.id for a in s.actors}
    for i, f in enumerate(s.facts):
        if f.origin is not None and f.origin not in actors:
            yield ("facts", i, "origin"), _unknown("actor", f.origin, actors)
    for i, c in enumerate(s.channels):
        for j, a in enumerate(c.between):
            if a not in actors:
                yield ("channels", i, "between", j), _unknown("actor", a, actors)
        if len(set(c.between)) != len(c.between):
            yield ("channels", i, "between"), "an actor is listed twice in 'between'"
        for j, t in enumerate(c.taps):
            if t.by not in actors:
                yield ("channels", i, "taps", j, "by"), _unknown("actor", t.by, actors)
            elif t.by in c.between:
                yield ("channels", i, "taps", j, "by"), f"{t.by!r} is an endpoint of this channel and cannot tap it"
    for i, e in enumerate(s.events):
        if e.actor not in actors:
            yield ("events", i, "actor"), _unknown("actor", e.actor, actors)
        for j, a in enumerate(e.to):
            if a not in actors:
                yield ("events", i, "to", j), _unknown("actor", a, actors)
    for i, r in enumerate(s.rules):
        if r.when.actor not in actors:
            yield ("rules", i, "when", "actor"), _unknown("actor", r.when.actor, actors)
        if r.when.from_ is not None and r.when.from_ not in actors:
            yield ("rules", i, "when", "from"), _unknown("actor", r.when.from_, actors)
        for j, a in enumerate(r.send.to if r.send else ()):
            if a not in actors:
                yield ("rules", i, "send", "to", j), _unknown("actor", a, actors)


def fact_references(s: Scenario) -> Iterator[Issue]:
    """Events and rules name facts that exist."""
    facts = {f.id for f in s.facts}
    for i, e in enumerate(s.events):
        for field in ("facts", "requires"):
            for j, f in enumerate(getattr(e, field)):
                if f not in facts:
                    yield ("events", i, field, j), _unknown("fact", f, facts)
    for i, r in enumerate(s.rules):
        for j, f in enumerate(r.when.learns):
            if f not in facts:
                yield ("rules", i, "when", "learns", j), _unknown("fact", f, facts)
        for j, f in enumerate(r.send.facts if r.send else ()):
            if f not in facts:
                yield ("rules", i, "send", "facts", j), _unknown("fact", f, facts)
        for j, f in enumerate(r.decide.facts if r.decide else ()):
            if f not in facts:
                yield ("rules", i, "decide", "facts", j), _unknown("fact", f, facts)


def source_references(s: Scenario) -> Iterator[Issue]:
    """Citations name sources that exist."""
    sources = {x.id for x in s.sources}
    for section in ("events", "rules"):
        for i, item in enumerate(getattr(s, section)):
            for j, c in enumerate(item.sources):
                if c.source not in sources:
                    yield (section, i, "sources", j, "source"), _unknown("source", c.source, sources)
    for i, ch in enumerate(s.channels):
        for j, c in enumerate(ch.sources):
            if c.source not in sources:
                yield ("channels", i, "sources", j, "source"), _unknown("source", c.source, sources)
        for k, t in enumerate(ch.taps):
            for j, c in enumerate(t.sources):
                if c.source not in sources:
                    yield ("channels", i, "taps", k, "sources", j, "source"), _unknown("source", c.source, sources)


def _cycle(start: str, step: dict[str, str]) -> list[str] | None:
    """The cycle that following ``step`` from ``start`` runs into, if it returns to ``start``."""
    path, node = [start], step.get(start)
    while node is not None and node not in path:
        path.append(node)
        node = step.get(node)
    return path + [start] if node == start else None


def derived_sources(s: Scenario) -> Iterator[Issue]:
    """``derived_from`` names another source, and retellings do not go round in a circle."""
    sources = {x.id for x in s.sources}
    step = {x.id: x.derived_from for x in s.sources if x.derived_from is not None}
    for i, x in enumerate(s.sources):
        if x.derived_from is None:
            continue
        if x.derived_from == x.id:
            yield ("sources", i, "derived_from"), f"source {x.id!r} cannot retell itself"
        elif x.derived_from not in sources:
            yield ("sources", i, "derived_from"), _unknown("source", x.derived_from, sources - {x.id})
        elif (cycle := _cycle(x.id, step)) is not None:
            yield ("sources", i, "derived_from"), f"'derived_from' forms a cycle: {' → '.join(cycle)}"


def carried_on(s: Scenario, channel: str) -> set[str]:
    """Facts that some event or rule of ``s`` can send over ``channel``."""
    out: set[str] = set()
    for e in s.events:
        if e.channel == channel:
            out.update(e.facts)
    for r in s.rules:
        if r.send is not None and r.send.channel == channel:
            out.update(r.send.facts or r.when.learns)
    return out


def tap_reveals(s: Scenario) -> Iterator[Issue]:
    """What a tap ``reveals`` are facts that exist and that its channel carries."""
    facts = {f.id for f in s.facts}
    for i, ch in enumerate(s.channels):
        carried: set[str] | None = None
        for k, t in enumerate(ch.taps):
            for j, f in enumerate(t.reveals or ()):
                loc = ("channels", i, "taps", k, "reveals", j)
                if f not in facts:
                    yield loc, _unknown("fact", f, facts)
                    continue
                carried = carried_on(s, ch.id) if carried is None else carried
                if f not in carried:
                    yield loc, (f"no event or rule sends {f!r} over channel {ch.id!r}, so no interception "
                                f"can reveal it{_suggest(f, carried)}")


def relative_times(s: Scenario) -> Iterator[Issue]:
    """``after`` names an event that exists, and relative times do not go round in a circle."""
    events = {e.id for e in s.events}
    step = {e.id: e.after.event for e in s.events if e.after is not None}
    for i, e in enumerate(s.events):
        if e.after is None:
            continue
        loc = ("events", i, "after", "event")
        if e.after.event == e.id:
            yield loc, f"event {e.id!r} cannot be timed after itself"
        elif e.after.event not in events:
            yield loc, _unknown("event", e.after.event, events - {e.id})
        elif (cycle := _cycle(e.id, step)) is not None:
            yield loc, f"'after' forms a cycle: {' → '.join(cycle)}"


def key_moments(s: Scenario) -> Iterator[Issue]:
    """Key moments name events and facts that exist; ``opens_at`` names a key moment."""
    events, facts = {e.id for e in s.events}, {f.id for f in s.facts}
    seen: dict[str, int] = {}
    for i, m in enumerate(s.meta.key_moments):
        loc = ("meta", "key_moments", i)
        if m.id in seen:
            yield loc + ("id",), f"duplicate id {m.id!r} (first used at meta.key_moments.{seen[m.id]})"
        seen.setdefault(m.id, i)
        if m.event not in events:
            yield loc + ("event",), _unknown("event", m.event, events)
        if m.fact is not None and m.fact not in facts:
            yield loc + ("fact",), _unknown("fact", m.fact, facts)
    if s.meta.opens_at is not None and s.meta.opens_at not in seen:
        yield ("meta", "opens_at"), (_unknown("key moment", s.meta.opens_at, seen) if seen else
                                     f"unknown key moment {s.meta.opens_at!r}: meta.key_moments lists none")


def _route_problem(channels: dict[str, Any], channel: str, sender: str, recipients: list[str]) -> str | None:
    c = channels.get(channel)
    if c is None:
        return None
    if sender not in c.between:
        return f"{sender!r} is not an endpoint of channel {channel!r} ({', '.join(c.between)})"
    if c.direction == "one-way" and sender != c.between[0]:
        return f"channel {channel!r} is one-way from {c.between[0]!r}; {sender!r} cannot send on it"
    for r in recipients:
        if r == sender:
            return f"{sender!r} cannot send a message to itself"
        if r not in c.between:
            return f"{r!r} is not an endpoint of channel {channel!r} ({', '.join(c.between)})"
    return None


def channel_references(s: Scenario) -> Iterator[Issue]:
    """Messages and rules use channels that exist and that connect their sender and recipients."""
    channels = {c.id: c for c in s.channels}
    for i, e in enumerate(s.events):
        if e.channel is None:
            continue
        if e.channel not in channels:
            yield ("events", i, "channel"), _unknown("channel", e.channel, channels)
        elif (msg := _route_problem(channels, e.channel, e.actor, e.to)) is not None:
            yield ("events", i, "channel"), msg
    for i, r in enumerate(s.rules):
        if r.send is None:
            continue
        if r.send.channel not in channels:
            yield ("rules", i, "send", "channel"), _unknown("channel", r.send.channel, channels)
        elif (msg := _route_problem(channels, r.send.channel, r.when.actor, r.send.to)) is not None:
            yield ("rules", i, "send", "channel"), msg


def event_bounds(s: Scenario) -> dict[str, tuple[float, float]]:
    """Earliest and latest POSIX time of each event, relative times resolved through their chains.

    Events whose ``after`` chain is broken (an unknown event or a cycle) are left out.
    """
    by_id = {e.id: e for e in s.events}
    out: dict[str, tuple[float, float]] = {}

    def bounds(eid: str, seen: frozenset[str]) -> tuple[float, float] | None:
        if eid in out:
            return out[eid]
        e = by_id.get(eid)
        if e is None or eid in seen:
            return None
        if e.after is None:
            t = e.time
            lo, hi = (t.timestamp(), t.timestamp()) if not hasattr(t, "earliest") else \
                (t.earliest.timestamp(), t.latest.timestamp())  # type: ignore[union-attr]
        else:
            base = bounds(e.after.event, seen | {eid})
            if base is None:
                return None
            d_lo, d_hi = (e.after.delay, e.after.delay) if e.after.between is None else e.after.between
            lo, hi = base[0] + d_lo, base[1] + d_hi  # type: ignore[operator]
        out[eid] = (lo, hi)
        return out[eid]

    for e in s.events:
        bounds(e.id, frozenset())
    return out


def times_within_span(s: Scenario) -> Iterator[Issue]:
    """Every event time lies inside ``meta.span`` (a relative time: all of its range)."""
    start, end = s.meta.span.start, s.meta.span.end
    lo_span, hi_span = start.timestamp(), end.timestamp()
    bounds = event_bounds(s)
    for i, e in enumerate(s.events):
        if e.id not in bounds:
            continue
        lo, hi = bounds[e.id]
        if lo < lo_span or hi > hi_span:
            yield ("events", i, "time" if e.after is None else "after"), (
                f"time lies outside the scenario span {start.isoformat()} .. {end.isoformat()}")


CHECKS = (duplicate_ids, actor_references, fact_references, source_references, channel_references,
          derived_sources, tap_reveals, relative_times, key_moments, times_within_span)


def check(s: Scenario) -> list[Issue]:
    """Run every cross-reference check; return all problems found."""
    return [issue for c in CHECKS for issue in c(s)]
