"""A validated scenario compiled once into plain tuples, so that thousands of runs reuse it.

Nothing here validates: :func:`compile_scenario` takes a :class:`~sim.model.Scenario` that the
loader has already checked and turns times into POSIX seconds and latencies into samplers.
"""

from __future__ import annotations

import gc
import math
import random
from dataclasses import dataclass
from typing import Any

from .model import Fixed, LogNormal, Scenario, Triangular, Uniform, Window

# A latency as a tuple: ("fixed", s) | ("uniform", lo, hi) | ("triangular", lo, mode, hi)
# | ("lognormal", median, sigma). Seconds throughout.
LatencySpec = tuple[Any, ...]


def latency_spec(value: Any) -> LatencySpec:
    """Turn a format latency (a number of seconds or a distribution model) into a spec tuple."""
    if isinstance(value, (int, float)):
        return ("fixed", float(value))
    if isinstance(value, Fixed):
        return ("fixed", value.fixed)
    if isinstance(value, Uniform):
        return ("uniform", *value.uniform)
    if isinstance(value, Triangular):
        return ("triangular", *value.triangular)
    if isinstance(value, LogNormal):
        return ("lognormal", value.lognormal.median, value.lognormal.sigma)
    raise TypeError(f"not a latency: {value!r}")


def point(spec: LatencySpec) -> float:
    """The replay value of a latency: fixed value, uniform midpoint, triangular mode, lognormal median."""
    kind = spec[0]
    if kind == "fixed":
        return spec[1]
    if kind == "uniform":
        return (spec[1] + spec[2]) / 2.0
    if kind == "triangular":
        return spec[2]
    return spec[1]


def sample(spec: LatencySpec, rng: random.Random) -> float:
    """Draw one latency from ``spec`` with ``rng``."""
    kind = spec[0]
    if kind == "fixed":
        return spec[1]
    if kind == "uniform":
        return rng.uniform(spec[1], spec[2])
    if kind == "triangular":
        return rng.triangular(spec[1], spec[3], spec[2])
    return spec[1] * math.exp(rng.gauss(0.0, spec[2]))


@dataclass(frozen=True, slots=True)
class CTap:
    by: str
    probability: float
    delay: LatencySpec
    reveals: frozenset[str] | None = None  # facts an interception passes on; None: all the message carries
    sources: tuple[str, ...] = ()  # the sources that report the interception


@dataclass(frozen=True, slots=True)
class CChannel:
    id: str
    medium: str
    latency: LatencySpec
    reliability: float
    taps: tuple[CTap, ...]
    replay_latency: float = 0.0  # point(latency), precomputed for replay runs
    replay_taps: tuple[tuple[str, float], ...] = ()  # (by, point(delay)) of the taps replay intercepts with
    replay_tap_of: tuple[CTap, ...] = ()  # the taps behind replay_taps, in the same order


@dataclass(frozen=True, slots=True)
class CEvent:
    """One scripted event: ``time`` is the replay point; ``window`` is (earliest, latest) or None."""

    order: int
    id: str
    kind: str  # "message" | "decision"
    time: float
    window: tuple[float, float] | None
    actor: str
    to: tuple[str, ...]
    channel: str | None
    facts: tuple[str, ...]
    requires: tuple[str, ...]
    sources: tuple[str, ...]
    summary: str
    after: str | None = None  # the event this one's time is relative to
    after_delay: LatencySpec = ("fixed", 0.0)  # how long after it: fixed, or triangular over 'between'


@dataclass(frozen=True, slots=True)
class CRule:
    """A compiled rule: ``channel`` is None for a decision (originate ``facts``), else a send."""

    id: str
    actor: str
    learns: tuple[str, ...]
    from_actor: str | None
    to: tuple[str, ...]
    channel: str | None
    facts: tuple[str, ...]
    delay: LatencySpec
    sources: tuple[str, ...]
    summary: str
    replay_delay: float = 0.0  # point(delay)


@dataclass(frozen=True, slots=True)
class Compiled:
    """Everything a run needs, as plain immutable values."""

    scenario: Scenario
    start: float
    end: float
    actors: tuple[str, ...]
    facts: tuple[str, ...]
    channels: dict[str, CChannel]
    script: tuple[CEvent, ...]  # sorted by replay time, then file order
    rules: dict[tuple[str, str], tuple[CRule, ...]]  # (actor, fact) -> rules it may fire
    origin_of: dict[str, str]  # fact -> the actor it comes from (originated on first use)
    relative: tuple[CEvent, ...] = ()  # events timed 'after' another, each after the one it follows


def compile_scenario(s: Scenario) -> Compiled:
    """Compile a validated scenario for the engine."""
    collecting = gc.isenabled()
    gc.disable()  # many objects, no garbage cycles: automatic collections would only rescan them
    try:
        return _compile(s)
    finally:
        if collecting:
            gc.enable()


def _compile(s: Scenario) -> Compiled:
    channels = {}
    for ch in s.channels:
        taps = tuple(CTap(t.by, t.probability, latency_spec(t.delay),
                          None if t.reveals is None else frozenset(t.reveals), tuple(c.source for c in t.sources))
                     for t in ch.taps)
        latency = latency_spec(ch.latency)
        replayed = tuple(t for t in taps if t.probability >= 0.5)
        channels[ch.id] = CChannel(ch.id, ch.medium, latency, ch.reliability, taps, point(latency),
                                   tuple((t.by, point(t.delay)) for t in replayed), replayed)
    script, relative = _events(s)
    rules: dict[tuple[str, str], list[CRule]] = {}
    for r in s.rules:
        if r.send is not None:
            delay = latency_spec(r.send.delay)
            to, channel, facts = tuple(r.send.to), r.send.channel, tuple(r.send.facts)
        else:
            assert r.decide is not None
            delay = latency_spec(r.decide.delay)
            to, channel, facts = (), None, tuple(r.decide.facts)
        cr = CRule(r.id, r.when.actor, tuple(r.when.learns), r.when.from_, to, channel, facts, delay,
                   tuple(c.source for c in r.sources), r.summary, point(delay))
        for f in cr.learns:
            rules.setdefault((cr.actor, f), []).append(cr)
    return Compiled(
        scenario=s,
        start=s.meta.span.start.timestamp(),
        end=s.meta.span.end.timestamp(),
        actors=tuple(a.id for a in s.actors),
        facts=tuple(f.id for f in s.facts),
        channels=channels,
        script=tuple(script),
        rules={k: tuple(v) for k, v in rules.items()},
        origin_of={f.id: f.origin for f in s.facts if f.origin is not None},
        relative=relative,
    )


def after_spec(e: Any) -> LatencySpec:
    """The delay of an ``after`` time as a latency: fixed, or triangular over ``between`` peaking midway."""
    if e.after.between is None:
        return ("fixed", e.after.delay)
    lo, hi = e.after.between
    return ("triangular", lo, (lo + hi) / 2.0, hi)


def _events(s: Scenario) -> tuple[list[CEvent], tuple[CEvent, ...]]:
    """The script sorted by replay time, and its relative events in an order where each follows its base.

    A relative event's replay time is its base's replay time plus the delay's replay point.
    """
    script: list[CEvent] = []
    relative: list[CEvent] = []
    times: dict[str, float] = {}
    pending = []
    for i, e in enumerate(s.events):
        sources = tuple(c.source for c in e.sources)
        if e.after is not None:
            pending.append((i, e, sources))
            continue
        if isinstance(e.time, Window):
            lo, hi = e.time.earliest.timestamp(), e.time.latest.timestamp()
            t = e.time.estimate.timestamp() if e.time.estimate else (lo + hi) / 2.0
            window: tuple[float, float] | None = (lo, hi)
        else:
            t, window = e.time.timestamp(), None  # type: ignore[union-attr]
        times[e.id] = t
        script.append(CEvent(i, e.id, e.kind, t, window, e.actor, tuple(e.to), e.channel, tuple(e.facts),
                             tuple(e.requires), sources, e.summary))
    while pending:  # the loader has refused unknown bases and cycles, so each pass places at least one
        waiting = []
        for i, e, sources in pending:
            if e.after.event not in times:
                waiting.append((i, e, sources))
                continue
            spec = after_spec(e)
            t = times[e.after.event] + point(spec)
            times[e.id] = t
            ev = CEvent(i, e.id, e.kind, t, None, e.actor, tuple(e.to), e.channel, tuple(e.facts),
                        tuple(e.requires), sources, e.summary, e.after.event, spec)
            script.append(ev)
            relative.append(ev)
        if len(waiting) == len(pending):
            raise ValueError(f"events {', '.join(e.id for _, e, _ in waiting)} are timed after events "
                             "that are missing or form a cycle")
        pending = waiting
    script.sort(key=lambda ev: (ev.time, ev.order))
    return script, tuple(relative)
