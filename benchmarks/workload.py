"""The message workload of a compiled scenario as plain tuples, shared by the bare baselines.

Replay mode only: point latencies, taps that intercept when their probability is at least 0.5.
The baselines keep what the engine's semantics need for first-known times (who knows what,
which rules fired) and nothing else: no event log, no provenance, no second-order knowledge.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sim.compiled import Compiled, point

# a rule as (id, from_actor or None, actor, to, channel, facts or (), delay)
Rule = tuple[str, "str | None", str, tuple[str, ...], str, tuple[str, ...], float]


@dataclass(frozen=True, slots=True)
class Workload:
    start: float
    actors: tuple[str, ...]
    origins: tuple[tuple[str, str], ...]
    script: tuple[tuple[float, bool, str, tuple[str, ...], str, tuple[str, ...], tuple[str, ...]], ...]
    """(time, is_decision, actor, to, channel, facts, requires), in time order."""
    latency: dict[str, float]
    taps: dict[str, tuple[tuple[str, float], ...]]
    rules: dict[tuple[str, str], tuple[Rule, ...]]
    waiting: dict[str, frozenset[str]]
    """actor -> facts with a rule that waits for a particular sender (the only ones a known fact can fire)."""


def workload(c: Compiled) -> Workload:
    """Extract the replay workload of ``c`` (facts must be originated by decisions, not ``origin``)."""
    if c.origin_of:
        raise ValueError("the baselines model facts originated by decisions; this scenario names fact origins")
    return Workload(
        start=c.start,
        actors=c.actors,
        origins=(),
        script=tuple((e.time, e.kind == "decision", e.actor, e.to, e.channel or "", e.facts, e.requires)
                     for e in c.script),
        latency={k: point(ch.latency) for k, ch in c.channels.items()},
        taps={k: tuple((t.by, point(t.delay)) for t in ch.taps if t.probability >= 0.5) for k, ch in c.channels.items()},
        rules={k: tuple((r.id, r.from_actor, r.actor, r.to, r.channel, r.facts, point(r.delay)) for r in v)
               for k, v in c.rules.items()},
        waiting=dict(c.waiting),
    )


def refire(waiting: dict[str, frozenset[str]], me: str, facts: tuple[str, ...], sender: str,
           fire: Callable[[str, str, str], None]) -> None:
    """A message whose facts ``me`` knew already: only rules waiting for a particular sender can fire."""
    w = waiting.get(me)
    if w is not None and not w.isdisjoint(facts):
        for f in facts:
            if f in w:
                fire(me, f, sender)
