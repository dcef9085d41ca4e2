"""The SimPy replay: scripted events, channels and rules as timed SimPy events with callbacks.

The script is walked in time order, one pending event at a time (so SimPy's event heap holds
only what is in flight); a send schedules one arrival per recipient, and one per tap; an
arriving message joins its actor's inbox, and the actor takes messages from the inbox one at a
time: it records each, learns from it through the :class:`~sim.ledger.Ledger` and fires its
rules, which schedule sends of their own.

Each of these steps is a SimPy event whose callback does the work (no generator process per
actor). Simultaneous events are ordered as SimPy orders a process per actor reading a
``Store`` inbox: an arrival is handed over two scheduling rounds after it falls due, and an
actor takes its next message only after reacting to the previous one. Those two rounds are
scheduled only when something else is due at the same instant; otherwise the actor learns at
once, which gives the same order at one heap push and pop per arrival.

Two modes: ``replay`` uses point estimates and delivers every message; ``stochastic`` samples
event windows, latencies, reliabilities and taps from a ``random.Random`` seeded per run.
"""

from __future__ import annotations

import gc
import random
from collections import deque
from collections.abc import Callable, Iterable
from functools import partial
from typing import Any, Literal

import simpy
from simpy.events import Event

from .compiled import CEvent, Compiled, CRule, CTap, compile_scenario, sample
from .ledger import Ledger
from .model import SYNCHRONOUS_MEDIA, Scenario
from .records import EventRecord, Knowledge, MetaKnowledge
from .result import RunResult

Mode = Literal["replay", "stochastic"]
MODES: tuple[str, ...] = ("replay", "stochastic")

URGENT, NORMAL = 0, 1  # SimPy's priorities: a process starting, and everything else
WAITING, HANDED, BUSY = 0, 1, 2  # an actor waits for mail; a message is being handed over; it has one


class _Due(Event):
    """An event that is already triggered and falls due after ``delay``, calling ``callback``.

    Like :class:`simpy.events.Timeout`, but with a priority and its one callback given at once.
    """

    def __init__(self, env: simpy.Environment, delay: float, priority: int, callback: Callable[[Any], None]):
        self.env = env
        self.callbacks = [callback]
        self._value = None
        self._ok = True
        env.schedule(self, priority, delay)  # type: ignore[arg-type]


def _revealed(tap: CTap, facts: tuple[str, ...]) -> tuple[str, ...]:
    """What an interception by ``tap`` of a message carrying ``facts`` passes on (none: no interception)."""
    return facts if tap.reveals is None else tuple([f for f in facts if f in tap.reveals])


class _Run:
    """State of one run; created and thrown away by :func:`run`."""

    def __init__(self, c: Compiled, mode: Mode, seed: int | None):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use 'replay' or 'stochastic'")
        self.c = c
        self.stochastic = mode == "stochastic"
        self.rng = random.Random(seed)
        self.env = simpy.Environment(initial_time=c.start)
        self.ledger = Ledger(c.actors)
        self.first, self.meta, self.known = self.ledger.first, self.ledger.meta, self.ledger.known_by
        self.log: list[EventRecord] = []
        self.fired: set[tuple[str, str]] = set()
        self.messages = 0
        self.events: list[tuple[float, int, CEvent]] = []
        self.next_event = 0
        self.inbox: dict[str, deque[tuple]] = {a: deque() for a in c.actors}
        self.state: dict[str, int] = dict.fromkeys(c.actors, WAITING)

    # -- recording -------------------------------------------------------------------------
    def _record(self, kind: str, actor: str, to: str | None, channel: str | None, facts: tuple[str, ...],
                sources: tuple[str, ...], cause: str, message: int | None = None, reason: str = "") -> int:
        medium = self.c.channels[channel].medium if channel else None
        rid = len(self.log)
        self.log.append(EventRecord(rid, self.env.now, kind, actor, to, channel, medium, facts, sources,  # type: ignore[arg-type]
                                    cause, message, reason))
        return rid

    # -- arrivals --------------------------------------------------------------------------
    def _arrive(self, me: str, item: tuple, _event: Any) -> None:
        """A message for ``me`` falls due: it joins the inbox, and is handed over if ``me`` waits."""
        if self.state[me] != WAITING:
            self.inbox[me].append(item)
            return  # the actor will take it after the messages before it
        env = self.env
        if env.peek() > env.now:  # nothing else at this instant: the hand-over could not be overtaken
            self._learn(me, *item)  # (its inbox is empty, and stays so while it reacts)
        else:
            self.inbox[me].append(item)
            self.state[me] = HANDED
            _Due(env, 0.0, NORMAL, partial(self._handed, me))

    def _handed(self, me: str, _event: Any) -> None:
        """The inbox has the message: the waiting actor's request for mail succeeds (one more round)."""
        env = self.env
        self.state[me] = BUSY
        if env.peek() > env.now:
            self._take(me)
        else:
            _Due(env, 0.0, NORMAL, partial(self._taken, me))

    def _taken(self, me: str, _event: Any) -> None:
        self._take(me)

    def _take(self, me: str) -> None:
        """``me`` reacts to the next message in its inbox, then asks for the one after."""
        inbox, env = self.inbox[me], self.env
        while True:
            self._learn(me, *inbox.popleft())
            if not inbox:
                self.state[me] = WAITING
                return
            if env.peek() <= env.now:  # something else is due now: the next message waits its turn
                _Due(env, 0.0, NORMAL, partial(self._taken, me))
                return

    def _learn(self, me: str, kind: str, sender: str, recipient: str, channel: str, medium: str,
               facts: tuple[str, ...], sources: tuple[str, ...], cause: str, msg: int) -> None:
        """``me`` takes a delivery (``kind == "deliver"``) or an intercept from its inbox.

        Writes the ledger as :meth:`Ledger.learn` and :meth:`Ledger.learn_that` would, inline.
        """
        now = self.env.now
        log = self.log
        rid = len(log)
        intercept = kind == "intercept"
        log.append(EventRecord(rid, now, kind, me if intercept else sender, recipient, channel, medium,  # type: ignore[arg-type]
                               facts, sources, cause, msg))
        first, meta, rules = self.first, self.meta, self.c.rules
        mine = self.known[me]
        how = "intercepted" if intercept else "told"
        confirmed = not intercept and medium in SYNCHRONOUS_MEDIA
        for f in facts:
            if f not in mine:
                mine.add(f)
                first[(me, f)] = Knowledge(me, f, now, how, cause, rid, sender, channel, medium)  # type: ignore[arg-type]
            key = (me, sender, f)
            if key not in meta:
                meta[key] = MetaKnowledge(me, sender, f, now, how, rid)  # type: ignore[arg-type]
            if intercept:
                key = (me, recipient, f)
                if key not in meta:
                    meta[key] = MetaKnowledge(me, recipient, f, now, "intercepted", rid)
            elif confirmed:
                key = (sender, me, f)
                if key not in meta:
                    meta[key] = MetaKnowledge(sender, me, f, now, "confirmed", rid)
            if (me, f) in rules:  # rules fire on a first learning, or on a later one they were waiting for
                self._fire(me, f, sender)

    def _own(self, actor: str, facts: Iterable[str], cause: str, sources: tuple[str, ...]) -> None:
        """``actor`` originates, now, the facts among ``facts`` that come from it and it does not know yet.

        A fact's ``origin`` actor knows it from the first moment the record has it send or need it.
        """
        origin_of, mine = self.c.origin_of, self.known[actor]
        own = tuple(dict.fromkeys(f for f in facts if f not in mine and origin_of.get(f) == actor))
        if own:
            self._originate(actor, own, cause, sources, reason=f"{actor} is the origin of {', '.join(own)}")

    def _originate(self, actor: str, facts: Iterable[str], cause: str, sources: tuple[str, ...],
                   reason: str = "") -> None:
        facts = tuple(facts)
        rid = self._record("originate", actor, None, None, facts, sources, cause, reason=reason)
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
            delay = sample(rule.delay, self.rng) if self.stochastic else rule.replay_delay
            _Due(self.env, delay, NORMAL, partial(self._rule_send, rule, fact))

    def _rule_send(self, rule: CRule, fact: str, _event: Any) -> None:
        if rule.channel is None:  # a decision taken in reaction
            self._originate(rule.actor, rule.facts, rule.id, rule.sources)
        else:
            self._send(rule.actor, rule.to, rule.channel, rule.facts or (fact,), rule.sources, rule.id, ())

    # -- messages --------------------------------------------------------------------------
    def _send(self, sender: str, to: tuple[str, ...], channel: str, facts: tuple[str, ...],
              sources: tuple[str, ...], cause: str, requires: tuple[str, ...]) -> None:
        mine = self.known[sender]
        if self.c.origin_of:
            self._own(sender, requires + facts, cause, sources)
        for f in requires:
            if f not in mine:
                missing = [f for f in requires if f not in mine]
                self._record("skip", sender, ";".join(to), channel, facts, sources, cause,
                             reason=f"{sender} did not yet know {', '.join(missing)}")
                return
        known = tuple([f for f in facts if f in mine])
        if not known:
            self._record("skip", sender, ";".join(to), channel, facts, sources, cause,
                         reason=f"{sender} knew none of {', '.join(facts)}")
            return
        ch = self.c.channels[channel]
        medium = ch.medium
        msg = self.messages
        self.messages += 1
        log = self.log
        log.append(EventRecord(len(log), self.env.now, "send", sender, ";".join(to), channel, medium, known,
                               sources, cause, msg,
                               "" if len(known) == len(facts) else
                               f"not yet known to {sender}: {', '.join(f for f in facts if f not in known)}"))
        env, arrive = self.env, self._arrive
        if not self.stochastic:
            latency, taps = ch.replay_latency, ch.replay_taps
            for r in to:
                _Due(env, latency, NORMAL,
                     partial(arrive, r, ("deliver", sender, r, channel, medium, known, sources, cause, msg)))
                for (by, delay), tap in zip(taps, ch.replay_tap_of):
                    if (revealed := _revealed(tap, known)):
                        _Due(env, delay, NORMAL, partial(arrive, by, ("intercept", sender, r, channel, medium,
                                                                      revealed, tap.sources, cause, msg)))
            return
        rng = self.rng
        for r in to:
            if ch.reliability < 1.0 and rng.random() >= ch.reliability:
                self._record("lost", sender, r, channel, known, sources, cause, msg, reason="not delivered")
                continue
            _Due(env, sample(ch.latency, rng), NORMAL,
                 partial(arrive, r, ("deliver", sender, r, channel, medium, known, sources, cause, msg)))
            for tap in ch.taps:
                if rng.random() < tap.probability and (revealed := _revealed(tap, known)):
                    _Due(env, sample(tap.delay, rng), NORMAL, partial(arrive, tap.by, (
                        "intercept", sender, r, channel, medium, revealed, tap.sources, cause, msg)))

    # -- script ----------------------------------------------------------------------------
    def _script(self, _event: Any = None) -> None:
        """Run every scripted event due now, then schedule the next one."""
        events, env = self.events, self.env
        n = self.next_event
        while n < len(events) and events[n][0] <= env.now:
            ev = events[n][2]
            n += 1
            if ev.kind == "decision":
                if ev.requires and self.c.origin_of:
                    self._own(ev.actor, ev.requires, ev.id, ev.sources)
                missing = [f for f in ev.requires if f not in self.known[ev.actor]]
                if missing:
                    self._record("skip", ev.actor, None, None, ev.facts, ev.sources, ev.id,
                                 reason=f"{ev.actor} did not yet know {', '.join(missing)}")
                else:
                    self._originate(ev.actor, ev.facts, ev.id, ev.sources)
            else:
                assert ev.channel is not None
                self._send(ev.actor, ev.to, ev.channel, ev.facts, ev.sources, ev.id, ev.requires)
        self.next_event = n
        if n < len(events):
            _Due(env, events[n][0] - env.now, NORMAL, self._script)

    def times(self) -> list[tuple[float, int, CEvent]]:
        """Event times for this run: replay points, or samples from each window."""
        if not self.stochastic:
            return [(ev.time, ev.order, ev) for ev in self.c.script]  # compiled in this order
        out = []
        drawn: dict[str, float] = {}
        for ev in self.c.script:
            if ev.after is not None:
                continue  # drawn below, once the event it follows has its time
            t = ev.time
            if ev.window is not None and ev.window[1] > ev.window[0]:
                t = self.rng.triangular(ev.window[0], ev.window[1], ev.time)
            drawn[ev.id] = t
            out.append((t, ev.order, ev))
        for ev in self.c.relative:  # each after the event it follows, so the order holds in every run
            t = drawn[ev.after] + sample(ev.after_delay, self.rng)  # type: ignore[index]
            drawn[ev.id] = t
            out.append((t, ev.order, ev))
        out.sort(key=lambda x: (x[0], x[1]))
        return out

    def execute(self) -> None:
        self.events = self.times()
        if self.events:
            first = self.events[0][0]
            now = self.env.now  # a script starting at the span's start runs first, as a starting process
            _Due(self.env, max(0.0, first - now), URGENT if first <= now else NORMAL, self._script)
        self.env.run()


def run(scenario: Scenario | Compiled, mode: Mode = "replay", seed: int | None = 0,
        label: str = "") -> RunResult:
    """Run a scenario once and return its event log and knowledge ledger.

    The same scenario, mode and seed always give the same result. ``seed`` only matters in
    ``stochastic`` mode; pass a compiled scenario (:func:`~sim.compiled.compile_scenario`) to
    skip compiling in repeated runs.
    """
    c = scenario if isinstance(scenario, Compiled) else compile_scenario(scenario)
    # A run allocates many small objects that live until the end and frees the rest by reference
    # counting; the cyclic collector would only rescan the growing log and ledger again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        r = _Run(c, mode, seed)
        r.execute()
        return RunResult(compiled=c, mode=mode, seed=seed, label=label, events=tuple(r.log),
                         first=r.ledger.first, meta=r.ledger.meta)
    finally:
        if collecting:
            gc.enable()
