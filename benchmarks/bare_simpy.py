"""The engine's message workload in bare SimPy: no event log, no ledger records, no provenance.

Idiomatic fast SimPy (timeouts with callbacks, the script walked by one process) with the
engine's semantics for first-known times; the floor the engine is measured against.
:func:`first_known` returns ``{(actor, fact): time}``.
"""

from __future__ import annotations

from typing import Any

import simpy

from sim.compiled import Compiled

from .workload import refire, workload


def first_known(c: Compiled) -> dict[tuple[str, str], float]:
    """Replay ``c`` and return when each actor first knew each fact."""
    w = workload(c)
    env = simpy.Environment(initial_time=w.start)
    known: dict[str, set[str]] = {a: set() for a in w.actors}
    first: dict[tuple[str, str], float] = {}
    fired: set[tuple[str, str]] = set()
    rules, latency, taps, waiting = w.rules, w.latency, w.taps, w.waiting

    def fire(actor: str, fact: str, sender: str | None) -> None:
        for rid, frm, _a, to, ch, facts, delay in rules[(actor, fact)]:
            if (frm is not None and frm != sender) or (rid, fact) in fired:
                continue
            fired.add((rid, fact))
            env.timeout(delay).callbacks.append(
                lambda _e, a=actor, to=to, ch=ch, fs=facts or (fact,): send(a, to, ch, fs, ()))

    def arrive(me: str, sender: str, facts: tuple[str, ...]) -> None:
        k = known[me]
        if k.issuperset(facts):  # nothing new: only rules waiting for this sender can fire
            refire(waiting, me, facts, sender, fire)
            return
        now = env.now
        for f in facts:
            if f not in k:
                k.add(f)
                first[(me, f)] = now
            if (me, f) in rules:
                fire(me, f, sender)

    def send(sender: str, to: tuple[str, ...], ch: str, facts: tuple[str, ...], requires: tuple[str, ...]) -> None:
        k = known[sender]
        if any(f not in k for f in requires):
            return
        kn = facts if k.issuperset(facts) else tuple([f for f in facts if f in k])
        if not kn:
            return
        lat = latency[ch]
        for r in to:
            env.timeout(lat).callbacks.append(lambda _e, r=r: arrive(r, sender, kn))
            for by, delay in taps[ch]:
                env.timeout(delay).callbacks.append(lambda _e, by=by: arrive(by, sender, kn))

    def originate(actor: str, facts: tuple[str, ...]) -> None:
        k = known[actor]
        for f in facts:
            if f not in k:
                k.add(f)
                first[(actor, f)] = env.now
                if (actor, f) in rules:
                    fire(actor, f, None)

    def script() -> Any:
        for t, decision, actor, to, ch, facts, requires in w.script:
            if t > env.now:
                yield env.timeout(t - env.now)
            if decision:
                if all(f in known[actor] for f in requires):
                    originate(actor, facts)
            else:
                send(actor, to, ch, facts, requires)

    for actor, fact in w.origins:
        originate(actor, (fact,))
    env.process(script())
    env.run()
    return first
