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


def times_within_span(s: Scenario) -> Iterator[Issue]:
    """Every event time lies inside ``meta.span``."""
    start, end = s.meta.span.start, s.meta.span.end
    for i, e in enumerate(s.events):
        t = e.time
        lo, hi = (t, t) if not hasattr(t, "earliest") else (t.earliest, t.latest)  # type: ignore[union-attr]
        if lo < start or hi > end:
            yield ("events", i, "time"), (f"time lies outside the scenario span "
                                          f"{start.isoformat()} .. {end.isoformat()}")


CHECKS = (duplicate_ids, actor_references, fact_references, source_references, channel_references,
          times_within_span)


def check(s: Scenario) -> list[Issue]:
    """Run every cross-reference check; return all problems found."""
    return [issue for c in CHECKS for issue in c(s)]
