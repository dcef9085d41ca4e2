"""Warnings about a valid scenario: parts that can never take part in a run, and runs that may not fit.

A scenario can validate and still hold a fact that no one can ever know, a channel nothing uses, an
actor who never sends or receives, an event whose ``requires`` no run can meet, or rules whose
relays multiply beyond the events a run may simulate. Each check is a named function yielding
``(loc, message)`` like :mod:`sim.references`; :func:`lint_file` turns them into located
:class:`~sim.errors.Problem` s. ``backchannel validate`` prints them as warnings (exit 0 unless
``--strict``).

What "can" happen is over-approximated: times, probabilities and the order of messages are ignored,
so a warning that something can never happen is always true; something that can happen may still
not happen in a given run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from .errors import Problem
from .model import Scenario
from .references import uncarried_reveals

Loc = tuple[Any, ...]
Issue = tuple[Loc, str]

try:  # the engine's cap on simulated events per run, where it has one
    from .engine import RunLimits  # type: ignore[attr-defined]

    MAX_EVENTS: int = int(RunLimits().max_events)
except (ImportError, AttributeError, TypeError):
    MAX_EVENTS = 1_000_000


def reachable(s: Scenario) -> set[tuple[str, str]]:
    """Every (actor, fact) that some run could produce, ignoring times and chance.

    A worklist: each newly possible (actor, fact) is passed along the events and rules of that
    actor once, so the cost follows what can be known, not the number of passes.
    """
    taps = {c.id: [t.by for t in c.taps] for c in s.channels}
    events_of: dict[str, list[Any]] = {}
    for e in s.events:
        events_of.setdefault(e.actor, []).append(e)
    rules_of: dict[str, list[Any]] = {}
    for r in s.rules:
        rules_of.setdefault(r.when.actor, []).append(r)
    has_by: dict[str, set[str]] = {}
    todo: list[tuple[str, str]] = []

    def give(who: str, fact: str) -> None:
        has = has_by.setdefault(who, set())
        if fact not in has:
            has.add(fact)
            todo.append((who, fact))

    def deliver(targets: list[str], facts: Any) -> None:
        for f in facts:
            for who in targets:
                give(who, f)

    for f in s.facts:
        if f.origin:
            give(f.origin, f.id)
    for e in s.events:
        if not e.requires and e.kind == "decision":
            for f in e.facts:
                give(e.actor, f)
    while todo:
        actor, fact = todo.pop()
        has = has_by[actor]
        for e in events_of.get(actor, ()):
            if not all(f in has for f in e.requires):
                continue
            opened = fact in e.requires  # the event has just become possible: everything it can carry goes
            if e.kind == "decision":
                if opened:
                    deliver([actor], e.facts)
                continue
            targets = [*e.to, *taps.get(e.channel or "", ())]
            deliver(targets, [f for f in e.facts if f in has] if opened else [fact] if fact in e.facts else [])
        for r in rules_of.get(actor, ()):
            learned = [f for f in r.when.learns if f in has]
            if not learned:
                continue
            opened = fact in r.when.learns
            if r.decide is not None:
                if opened:
                    deliver([actor], r.decide.facts)
                continue
            if r.send is None:
                continue
            targets = [*r.send.to, *taps.get(r.send.channel, ())]
            if not r.send.facts:  # the fact just learned
                deliver(targets, [fact] if opened else [])
            elif opened:  # a firing: every listed fact the actor has
                deliver(targets, [f for f in r.send.facts if f in has])
            elif fact in r.send.facts:
                deliver(targets, [fact])
    return {(a, f) for a, facts in has_by.items() for f in facts}


def _names(s: Scenario) -> dict[str, str]:
    return {a.id: a.name for a in s.actors}


def unknowable_facts(s: Scenario, known: set[tuple[str, str]] | None = None) -> Iterator[Issue]:
    """A fact that no one can originate, or that no one but its originators can receive."""
    known = reachable(s) if known is None else known
    names = _names(s)
    origins: dict[str, set[str]] = {}
    for f in s.facts:
        if f.origin:
            origins.setdefault(f.id, set()).add(f.origin)
    for e in s.events:
        if e.kind == "decision":
            for f in e.facts:
                origins.setdefault(f, set()).add(e.actor)
    for r in s.rules:
        if r.decide is not None:
            for f in r.decide.facts:
                origins.setdefault(f, set()).add(r.when.actor)
    for i, f in enumerate(s.facts):
        knowers = {a for a, g in known if g == f.id}
        if not knowers:
            yield ("facts", i, "id"), (f"no one can ever know fact {f.id!r}: nothing originates it (give it an "
                                       f"'origin', or a decision that states it), so every message carrying it "
                                       f"is skipped")
        elif not knowers - origins.get(f.id, set()):
            who = ", ".join(sorted(names[a] for a in knowers))
            yield ("facts", i, "id"), (f"no one can receive fact {f.id!r}: only {who} can know it "
                                       f"(no message or rule that can happen passes it on)")


def unused_channels(s: Scenario) -> Iterator[Issue]:
    """A channel that no event or rule sends on."""
    used = {e.channel for e in s.events if e.channel} | {r.send.channel for r in s.rules if r.send}
    for i, c in enumerate(s.channels):
        if c.id not in used:
            yield ("channels", i, "id"), f"channel {c.id!r} is not used by any event or rule"


def idle_actors(s: Scenario) -> Iterator[Issue]:
    """An actor who never sends, receives, intercepts, decides or originates anything."""
    active: set[str] = {f.origin for f in s.facts if f.origin}
    for e in s.events:
        active.add(e.actor)
        active.update(e.to)
    for r in s.rules:
        active.add(r.when.actor)
        active.update(r.send.to if r.send else ())
    active.update(t.by for c in s.channels for t in c.taps)
    for i, a in enumerate(s.actors):
        if a.id not in active:
            yield ("actors", i, "id"), f"actor {a.id!r} ({a.name}) never sends or receives anything"


def unmeetable_requires(s: Scenario, known: set[tuple[str, str]] | None = None) -> Iterator[Issue]:
    """An event whose ``requires`` names a fact its actor can never know: it is skipped in every run."""
    known = reachable(s) if known is None else known
    names = _names(s)
    for i, e in enumerate(s.events):
        for j, f in enumerate(e.requires):
            if (e.actor, f) not in known:
                yield ("events", i, "requires", j), (f"event {e.id!r} can never happen: {names.get(e.actor, e.actor)} "
                                                     f"can never know {f!r}, which it requires")


def fan_out(s: Scenario, limit: int = MAX_EVENTS) -> Iterator[Issue]:
    """Scripted events plus rule firings whose records could exceed the run's event cap (an upper
    bound: a rule fires at most once per fact it learns, each firing a send, its deliveries and
    its intercepts)."""
    taps = {c.id: len(c.taps) for c in s.channels}
    scripted = sum(1 + len(e.to) + taps.get(e.channel or "", 0) for e in s.events)
    ruled = sum(len(r.when.learns) * ((2 + len(r.send.to) + taps.get(r.send.channel, 0)) if r.send else 1)
                for r in s.rules)
    if scripted + ruled > limit:
        yield ("rules",), (f"these rules can make up to {scripted + ruled:,} event records in one run, more "
                           f"than the cap of {limit:,} events a run may simulate: a run may stop at the cap "
                           f"(narrow the rules' 'learns' or 'to', or raise the cap)")


def lint(s: Scenario) -> list[Issue]:
    """Every warning for ``s``, in section order."""
    known = reachable(s)
    issues = [*unknowable_facts(s, known), *unused_channels(s), *idle_actors(s), *unmeetable_requires(s, known),
              *uncarried_reveals(s), *fan_out(s)]
    order = {k: i for i, k in enumerate(("meta", "sources", "actors", "facts", "channels", "events", "rules"))}
    return sorted(issues, key=lambda x: (order.get(x[0][0], 99), x[0][1:2]))


def lint_file(path: str | Path, alternative: str | None = None) -> list[Problem]:
    """Warnings for a file that loads (and for one of its named alternatives), located in the file."""
    from .loader import load_data, load_scenario
    from .located import dotted, locate

    scenario = load_scenario(path, alternative)
    issues = lint(scenario)
    if not issues:
        return []
    try:
        data: Any = load_data(path)
    except Exception:  # positions are a courtesy: the file loaded above
        data = None
    out = []
    for loc, message in issues:
        file, line, col = locate(data, loc) if data is not None else ("", 0, 0)
        out.append(Problem(file or str(path), line, col, dotted(loc, data), message))
    return out
