"""The engine's message workload as a plain ``heapq`` event loop, with no simulation library.

The sorted script is merged into the loop, so the heap holds only messages in flight and rule
sends pending. Same semantics and tie order as the engine (scripted events first at one
instant). :func:`first_known` returns ``{(actor, fact): time}``.
"""

from __future__ import annotations

from heapq import heappop, heappush
from itertools import count

from sim.compiled import Compiled

from .workload import refire, workload

_RULE, _ARRIVAL = 1, 2


def first_known(c: Compiled) -> dict[tuple[str, str], float]:
    """Replay ``c`` and return when each actor first knew each fact."""
    w = workload(c)
    known: dict[str, set[str]] = {a: set() for a in w.actors}
    first: dict[tuple[str, str], float] = {}
    fired: set[tuple[str, str]] = set()
    rules, latency, taps, waiting = w.rules, w.latency, w.taps, w.waiting
    heap: list[tuple] = []
    seq = count()
    now = w.start

    def fire(actor: str, fact: str, sender: str | None) -> None:
        for rid, frm, _a, to, ch, facts, delay in rules[(actor, fact)]:
            if (frm is not None and frm != sender) or (rid, fact) in fired:
                continue
            fired.add((rid, fact))
            heappush(heap, (now + delay, _RULE, next(seq), actor, to, ch, facts or (fact,)))

    def send(sender: str, to: tuple[str, ...], ch: str, facts: tuple[str, ...], requires: tuple[str, ...]) -> None:
        k = known[sender]
        if any(f not in k for f in requires):
            return
        kn = facts if k.issuperset(facts) else tuple([f for f in facts if f in k])
        if not kn:
            return
        t = now + latency[ch]
        for r in to:
            heappush(heap, (t, _ARRIVAL, next(seq), r, sender, kn, None))
            for by, delay in taps[ch]:
                heappush(heap, (now + delay, _ARRIVAL, next(seq), by, sender, kn, None))

    def arrive(me: str, sender: str, facts: tuple[str, ...]) -> None:
        k = known[me]
        if k.issuperset(facts):  # nothing new: only rules waiting for this sender can fire
            refire(waiting, me, facts, sender, fire)
            return
        for f in facts:
            if f not in k:
                k.add(f)
                first[(me, f)] = now
            if (me, f) in rules:
                fire(me, f, sender)

    def originate(actor: str, facts: tuple[str, ...]) -> None:
        k = known[actor]
        for f in facts:
            if f not in k:
                k.add(f)
                first[(actor, f)] = now
                if (actor, f) in rules:
                    fire(actor, f, None)

    for actor, fact in w.origins:
        originate(actor, (fact,))
    script, i, n = w.script, 0, len(w.script)
    while i < n or heap:
        if i < n and (not heap or script[i][0] <= heap[0][0]):
            t, decision, actor, to, ch, facts, requires = script[i]
            i += 1
            now = max(now, t)
            if decision:
                if all(f in known[actor] for f in requires):
                    originate(actor, facts)
            else:
                send(actor, to, ch, facts, requires)
            continue
        item = heappop(heap)
        now = item[0]
        if item[6] is None:
            arrive(item[3], item[4], item[5])
        else:
            send(item[3], item[4], item[5], item[6], ())
    return first
