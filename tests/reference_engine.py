"""A plain reference engine: every actor a SimPy process reading a ``Store`` inbox.

This is the textbook design (SimPy's ``process_communication`` example): a script process
walks the scenario's events, a send schedules one timeout per delivery and tap whose callback
puts the message into the recipient's ``Store``, and each actor's process takes messages one at
a time and learns from them. It writes first and second-order knowledge as it goes, tries
every rule for every fact of every message, and formats nothing. It is slow and obviously
right; ``sim/engine.py`` must give exactly the same log and ledgers
(``tests/test_engine_reference.py``).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import simpy

from sim.compiled import Compiled, point, sample
from sim.model import SYNCHRONOUS_MEDIA
from sim.records import EventRecord, Knowledge, MetaKnowledge


class ReferenceRun:
    """One run of ``c``; ``log``, ``first`` and ``meta`` hold the result after :meth:`run`."""

    def __init__(self, c: Compiled, mode: str = "replay", seed: int | None = 0):
        self.c = c
        self.stochastic = mode == "stochastic"
        self.rng = random.Random(seed)
        self.env = simpy.Environment(initial_time=c.start)
        self.log: list[EventRecord] = []
        self.first: dict[tuple[str, str], Knowledge] = {}
        self.meta: dict[tuple[str, str, str], MetaKnowledge] = {}
        self.known: dict[str, set[str]] = {a: set() for a in c.actors}
        self.fired: set[tuple[str, str]] = set()
        self.messages = 0
        self.inbox = {a: simpy.Store(self.env) for a in c.actors}
        for a in c.actors:
            self.env.process(self.actor(a))

    def record(self, kind: str, actor: str, to: tuple[str, ...], channel: str | None, facts: tuple[str, ...],
               sources: tuple[str, ...], cause: str, message: int | None = None, code: str = "",
               missing: tuple[str, ...] = (), send: int | None = None, sent_at: float | None = None) -> int:
        self.log.append(EventRecord(
            id=len(self.log), time=self.env.now, kind=kind, actor=actor, recipients=to, channel=channel,  # type: ignore[arg-type]
            medium=self.c.channels[channel].medium if channel else None, facts=facts, sources=sources, cause=cause,
            message=message, reason_code=code, missing=missing, send=send, sent_at=sent_at))  # type: ignore[arg-type]
        return len(self.log) - 1

    def delay(self, spec: tuple) -> float:
        return sample(spec, self.rng) if self.stochastic else point(spec)

    def learn(self, actor: str, fact: str, how: str, via: str, rid: int, sender: str | None = None,
              channel: str | None = None, medium: str | None = None) -> None:
        if fact not in self.known[actor]:
            self.known[actor].add(fact)
            self.first[(actor, fact)] = Knowledge(actor, fact, self.env.now, how, via, rid,  # type: ignore[arg-type]
                                                  sender, channel, medium)

    def learn_that(self, knower: str, subject: str, fact: str, how: str, rid: int) -> None:
        self.meta.setdefault((knower, subject, fact),
                             MetaKnowledge(knower, subject, fact, self.env.now, how, rid))  # type: ignore[arg-type]

    # -- actors ------------------------------------------------------------------------------
    def actor(self, me: str) -> Iterator[Any]:
        inbox = self.inbox[me]
        while True:
            kind, sender, recipient, channel, facts, sources, cause, msg, send, sent_at = yield inbox.get()
            intercept = kind == "intercept"
            medium = self.c.channels[channel].medium
            rid = self.record(kind, me if intercept else sender, (recipient,), channel, facts, sources, cause, msg,
                              send=send, sent_at=sent_at)
            how = "intercepted" if intercept else "told"
            for f in facts:
                self.learn(me, f, how, cause, rid, sender, channel, medium)
                self.learn_that(me, sender, f, how, rid)
                if intercept:
                    self.learn_that(me, recipient, f, "intercepted", rid)
                elif medium in SYNCHRONOUS_MEDIA:
                    self.learn_that(sender, me, f, "confirmed", rid)
                self.fire(me, f, sender)  # every rule, every fact, every message

    def originate(self, actor: str, facts: tuple[str, ...], cause: str, sources: tuple[str, ...],
                  code: str = "") -> None:
        rid = self.record("originate", actor, (), None, facts, sources, cause, code=code)
        for f in facts:
            if f not in self.known[actor]:
                self.learn(actor, f, "origin", cause, rid)
                self.fire(actor, f, None)

    def own(self, actor: str, facts: tuple[str, ...], cause: str, sources: tuple[str, ...]) -> None:
        own: list[str] = []
        for f in facts:
            if f not in self.known[actor] and self.c.origin_of.get(f) == actor and f not in own:
                own.append(f)
        if own:
            self.originate(actor, tuple(own), cause, sources, code="origin")

    def fire(self, actor: str, fact: str, sender: str | None) -> None:
        for rule in self.c.rules.get((actor, fact), ()):
            if (rule.from_actor is None or rule.from_actor == sender) and (rule.id, fact) not in self.fired:
                self.fired.add((rule.id, fact))
                t = self.env.timeout(self.delay(rule.delay))
                t.callbacks.append(lambda _e, r=rule, f=fact: self.rule_acts(r, f))

    def rule_acts(self, rule: Any, fact: str) -> None:
        if rule.channel is None:
            self.originate(rule.actor, rule.facts, rule.id, rule.sources)
        else:
            self.send(rule.actor, rule.to, rule.channel, rule.facts or (fact,), rule.sources, rule.id, ())

    # -- messages ----------------------------------------------------------------------------
    def send(self, sender: str, to: tuple[str, ...], channel: str, facts: tuple[str, ...],
             sources: tuple[str, ...], cause: str, requires: tuple[str, ...]) -> None:
        if self.c.origin_of:
            self.own(sender, requires + facts, cause, sources)
        mine = self.known[sender]
        missing = tuple(f for f in requires if f not in mine)
        if missing:
            self.record("skip", sender, to, channel, facts, sources, cause, code="not_known", missing=missing)
            return
        known = tuple(f for f in facts if f in mine)
        if not known:
            self.record("skip", sender, to, channel, facts, sources, cause, code="knew_none", missing=facts)
            return
        withheld = tuple(f for f in facts if f not in mine)
        ch = self.c.channels[channel]
        msg = self.messages
        self.messages += 1
        rid = self.record("send", sender, to, channel, known, sources, cause, msg,
                          code="withheld" if withheld else "", missing=withheld)
        now = self.env.now
        for r in to:
            if self.stochastic and ch.reliability < 1.0 and self.rng.random() >= ch.reliability:
                self.record("lost", sender, (r,), channel, known, sources, cause, msg, code="lost", send=rid,
                            sent_at=now)
                continue
            item = ("deliver", sender, r, channel, known, sources, cause, msg, rid, now)
            self.env.timeout(self.delay(ch.latency)).callbacks.append(
                lambda _e, box=self.inbox[r], it=item: box.put(it))
            for tap in ch.taps:
                hit = self.rng.random() < tap.probability if self.stochastic else tap.probability >= 0.5
                revealed = known if tap.reveals is None else tuple(f for f in known if f in tap.reveals)
                if hit and revealed:  # an interception passes on what the tap reveals, citing the tap's sources
                    copy = ("intercept", sender, r, channel, revealed, tap.sources, cause, msg, rid, now)
                    self.env.timeout(self.delay(tap.delay)).callbacks.append(
                        lambda _e, box=self.inbox[tap.by], it=copy: box.put(it))

    # -- script ------------------------------------------------------------------------------
    def script(self) -> Iterator[Any]:
        events = []
        drawn: dict[str, float] = {}
        for ev in self.c.script:
            if self.stochastic and ev.after is not None:
                continue  # drawn below, after the event it follows
            t = ev.time
            if self.stochastic and ev.window is not None and ev.window[1] > ev.window[0]:
                t = self.rng.triangular(ev.window[0], ev.window[1], ev.time)
            drawn[ev.id] = t
            events.append((t, ev.order, ev))
        if self.stochastic:
            for ev in self.c.relative:
                t = drawn[ev.after] + self.delay(ev.after_delay)
                drawn[ev.id] = t
                events.append((t, ev.order, ev))
        events.sort(key=lambda x: (x[0], x[1]))
        for t, _order, ev in events:
            if t > self.env.now:
                yield self.env.timeout(t - self.env.now)
            if ev.kind == "decision":
                if ev.requires and self.c.origin_of:
                    self.own(ev.actor, ev.requires, ev.id, ev.sources)
                missing = tuple(f for f in ev.requires if f not in self.known[ev.actor])
                if missing:
                    self.record("skip", ev.actor, (), None, ev.facts, ev.sources, ev.id, code="not_known",
                                missing=missing)
                else:
                    self.originate(ev.actor, ev.facts, ev.id, ev.sources)
            else:
                self.send(ev.actor, ev.to, ev.channel, ev.facts, ev.sources, ev.id, ev.requires)  # type: ignore[arg-type]

    def run(self) -> ReferenceRun:
        self.env.process(self.script())
        self.env.run()
        return self
