"""The SimPy replay: actors are processes reading their inboxes; channels carry messages.

A script process walks the scenario's events in time order (so the event heap holds only what
is in flight), channels turn a send into timed deliveries and intercepts, and each actor's
process records what it receives in the :class:`~sim.ledger.Ledger` and fires its rules.

Two modes: ``replay`` uses point estimates and delivers every message; ``stochastic`` samples
event windows, latencies, reliabilities and taps from a ``random.Random`` seeded per run.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from typing import Literal

import simpy

from .compiled import CEvent, Compiled, CRule, compile_scenario, point, sample
from .ledger import Ledger
from .model import SYNCHRONOUS_MEDIA, Scenario
from .records import EventRecord
from .result import RunResult

Mode = Literal["replay", "stochastic"]
MODES: tuple[str, ...] = ("replay", "stochastic")


class _Run:
    """State of one run; created and thrown away by :func:`run`."""

    def __init__(self, c: Compiled, mode: Mode, seed: int | None):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use 'replay' or 'stochastic'")
        self.c = c
        self.stochastic = mode == "stochastic"
        self.rng = random.Random(seed)
        self.env = simpy.Environment(initial_time=c.start)
        self.ledger = Ledger()
        self.log: list[EventRecord] = []
        self.fired: set[tuple[str, str]] = set()
        self.messages = 0
        self.inbox = {a: simpy.Store(self.env) for a in c.actors}
        for a in c.actors:
            self.env.process(self._actor(a))

    # -- recording -------------------------------------------------------------------------
    def _record(self, kind: str, actor: str, to: str | None, channel: str | None, facts: tuple[str, ...],
                sources: tuple[str, ...], cause: str, message: int | None = None, reason: str = "") -> int:
        medium = self.c.channels[channel].medium if channel else None
        rid = len(self.log)
        self.log.append(EventRecord(rid, self.env.now, kind, actor, to, channel, medium, facts, sources,  # type: ignore[arg-type]
                                    cause, message, reason))
        return rid

    def _latency(self, spec: tuple) -> float:
        return sample(spec, self.rng) if self.stochastic else point(spec)

    # -- actors ----------------------------------------------------------------------------
    def _actor(self, me: str):
        """An actor's process: take each arriving message from the inbox and learn from it."""
        inbox = self.inbox[me]
        while True:
            kind, sender, recipient, channel, facts, sources, cause, msg = yield inbox.get()
            rid = self._record(kind, me if kind == "intercept" else sender, recipient, channel, facts, sources,
                               cause, msg)
            how = "intercepted" if kind == "intercept" else "told"
            medium = self.c.channels[channel].medium
            now = self.env.now
            for f in facts:
                first = self.ledger.learn(me, f, now, how, cause, rid, sender, channel, medium)
                self.ledger.learn_that(me, sender, f, now, "intercepted" if kind == "intercept" else "told", rid)
                if kind == "intercept":
                    self.ledger.learn_that(me, recipient, f, now, "intercepted", rid)
                elif medium in SYNCHRONOUS_MEDIA:
                    self.ledger.learn_that(sender, me, f, now, "confirmed", rid)
                if first or (me, f) in self.c.rules:
                    self._fire(me, f, sender)

    def _originate(self, actor: str, facts: Iterable[str], cause: str, sources: tuple[str, ...]) -> None:
        facts = tuple(facts)
        rid = self._record("originate", actor, None, None, facts, sources, cause)
        for f in facts:
            if self.ledger.learn(actor, f, self.env.now, "origin", cause, rid):
                self._fire(actor, f, None)

    def _fire(self, actor: str, fact: str, sender: str | None) -> None:
        for rule in self.c.rules.get((actor, fact), ()):
            if rule.from_actor is not None and rule.from_actor != sender:
                continue
            if (rule.id, fact) in self.fired:
                continue
            self.fired.add((rule.id, fact))
            delay = self._latency(rule.delay)
            t = self.env.timeout(delay)
            t.callbacks.append(lambda _e, r=rule, f=fact: self._rule_send(r, f))

    def _rule_send(self, rule: CRule, fact: str) -> None:
        self._send(rule.actor, rule.to, rule.channel, rule.facts or (fact,), rule.sources, rule.id, ())

    # -- messages --------------------------------------------------------------------------
    def _send(self, sender: str, to: tuple[str, ...], channel: str, facts: tuple[str, ...],
              sources: tuple[str, ...], cause: str, requires: tuple[str, ...]) -> None:
        missing = [f for f in requires if not self.ledger.knows(sender, f)]
        if missing:
            self._record("skip", sender, ",".join(to), channel, facts, sources, cause,
                         reason=f"{sender} did not yet know {', '.join(missing)}")
            return
        known = tuple(f for f in facts if self.ledger.knows(sender, f))
        if not known:
            self._record("skip", sender, ",".join(to), channel, facts, sources, cause,
                         reason=f"{sender} knew none of {', '.join(facts)}")
            return
        withheld = [f for f in facts if f not in known]
        ch = self.c.channels[channel]
        msg = self.messages
        self.messages += 1
        self._record("send", sender, ",".join(to), channel, known, sources, cause, msg,
                     reason=f"not yet known to {sender}: {', '.join(withheld)}" if withheld else "")
        env = self.env
        for r in to:
            if self.stochastic and ch.reliability < 1.0 and self.rng.random() >= ch.reliability:
                self._record("lost", sender, r, channel, known, sources, cause, msg, reason="not delivered")
                continue
            item = ("deliver", sender, r, channel, known, sources, cause, msg)
            t = env.timeout(self._latency(ch.latency))
            t.callbacks.append(lambda _e, box=self.inbox[r], it=item: box.put(it))
            for tap in ch.taps:
                hit = self.rng.random() < tap.probability if self.stochastic else tap.probability >= 0.5
                if hit:
                    copy = ("intercept", sender, r, channel, known, sources, cause, msg)
                    t = env.timeout(self._latency(tap.delay))
                    t.callbacks.append(lambda _e, box=self.inbox[tap.by], it=copy: box.put(it))

    # -- script ----------------------------------------------------------------------------
    def _script(self, events: list[tuple[float, int, CEvent]]):
        env = self.env
        for t, _order, ev in events:
            if t > env.now:
                yield env.timeout(t - env.now)
            if ev.kind == "decision":
                missing = [f for f in ev.requires if not self.ledger.knows(ev.actor, f)]
                if missing:
                    self._record("skip", ev.actor, None, None, ev.facts, ev.sources, ev.id,
                                 reason=f"{ev.actor} did not yet know {', '.join(missing)}")
                else:
                    self._originate(ev.actor, ev.facts, ev.id, ev.sources)
            else:
                assert ev.channel is not None
                self._send(ev.actor, ev.to, ev.channel, ev.facts, ev.sources, ev.id, ev.requires)

    def times(self) -> list[tuple[float, int, CEvent]]:
        """Event times for this run: replay points, or samples from each window."""
        out = []
        for ev in self.c.script:
            t = ev.time
            if self.stochastic and ev.window is not None and ev.window[1] > ev.window[0]:
                t = self.rng.triangular(ev.window[0], ev.window[1], ev.time)
            out.append((t, ev.order, ev))
        out.sort(key=lambda x: (x[0], x[1]))
        return out

    def execute(self) -> None:
        for actor, fact in self.c.origins:
            self._originate(actor, (fact,), "start", ())
        self.env.process(self._script(self.times()))
        self.env.run()


def run(scenario: Scenario | Compiled, mode: Mode = "replay", seed: int | None = 0,
        label: str = "") -> RunResult:
    """Run a scenario once and return its event log and knowledge ledger.

    The same scenario, mode and seed always give the same result. ``seed`` only matters in
    ``stochastic`` mode; pass a compiled scenario (:func:`~sim.compiled.compile_scenario`) to
    skip compiling in repeated runs.
    """
    c = scenario if isinstance(scenario, Compiled) else compile_scenario(scenario)
    r = _Run(c, mode, seed)
    r.execute()
    return RunResult(compiled=c, mode=mode, seed=seed, label=label, events=tuple(r.log),
                     first=r.ledger.first, meta=r.ledger.meta)
