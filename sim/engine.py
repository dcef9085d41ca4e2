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

What a run costs follows what is learned, not what a message could carry: a delivery whose
facts the receiver knows already is one set comparison (plus a look at the rules still
waiting for a particular sender), and second-order knowledge (who knew that whom knew) is
derived from the log when asked (:func:`~sim.ledger.second_order`), not written during the
run. A run stops with :class:`~sim.errors.RunLimitError` when it passes one of its
:class:`~sim.limits.RunLimits`.
"""

from __future__ import annotations

import gc
import math
import random
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from heapq import heappop, heappush
from typing import Any, Literal

import simpy
from simpy.events import Event

from .compiled import CEvent, Compiled, CRule, CTap, LatencySpec, compile_scenario, sample
from .errors import RunLimitError
from .ledger import Ledger
from .limits import UNLIMITED, RunLimits, limit_message
from .model import Scenario
from .records import CODE, KIND, EventLog, Knowledge
from .result import RunResult

Mode = Literal["replay", "stochastic"]
MODES: tuple[str, ...] = ("replay", "stochastic")

URGENT, NORMAL = 0, 1  # SimPy's priorities: a process starting, and everything else
WAITING, HANDED, BUSY = 0, 1, 2  # an actor waits for mail; a message is being handed over; it has one
CHECK_CLOCK_EVERY = 4096  # SimPy events between two looks at the wall clock
SEND, DELIVER, INTERCEPT, WITHHELD = KIND["send"], KIND["deliver"], KIND["intercept"], CODE["withheld"]


class _Due(Event):
    """An event that is already triggered and falls due after ``delay``, calling ``callback``.

    Like :class:`simpy.events.Timeout`, but with a priority and its one callback given at once.
    """

    def __init__(self, env: simpy.Environment, delay: float, priority: int, callback: Callable[[Any], None]):
        self.env = env
        self.callbacks = [callback]
        self._value = None
        self._ok = True
        heappush(env._queue, (env._now + delay, priority, next(env._eid), self))  # as env.schedule does


def _revealed(tap: CTap, facts: tuple[str, ...]) -> tuple[str, ...]:
    """What an interception by ``tap`` of a message carrying ``facts`` passes on (none: no interception)."""
    return facts if tap.reveals is None else tuple([f for f in facts if f in tap.reveals])


class _Run:
    """State of one run; created and thrown away by :func:`run`."""

    def __init__(self, c: Compiled, mode: Mode, seed: int | None, limits: RunLimits = UNLIMITED):
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}: use 'replay' or 'stochastic'")
        self.c = c
        self.stochastic = mode == "stochastic"
        self.rng = random.Random(seed)
        self.env = simpy.Environment(initial_time=c.start)
        self.ledger = Ledger(c.actors)
        self.known = self.ledger.known_by
        self.waiting = c.waiting
        self.origins = c.origins  # actor -> the facts it is the origin of
        self.log = EventLog(media={ch: c.channels[ch].medium for ch in c.channels})
        self.fired: set[tuple[str, str]] = set()
        self.limits = limits
        self.max_firings = limits.max_rule_firings if limits.max_rule_firings is not None else math.inf
        self.messages = 0
        self.events: Sequence[CEvent] = ()  # the script in this run's order, and each event's time
        self.event_times: Sequence[float] = ()
        self.next_event = 0
        self.one = {a: (a,) for a in c.actors}  # each actor as a one-recipient tuple, made once
        # the facts of partial sends, one object per distinct tuple: a run that passes on "all the
        # sender knows" makes the same few thousand subsets again and again
        self.partial_facts: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.inbox: dict[str, deque[tuple]] = {a: deque() for a in c.actors}
        self.state: dict[str, int] = dict.fromkeys(c.actors, WAITING)

    # -- recording -------------------------------------------------------------------------
    def _record(self, kind: str, actor: str, to: tuple[str, ...], channel: str | None, facts: tuple[str, ...],
                sources: tuple[str, ...], cause: str, message: int | None = None, code: str = "",
                missing: tuple[str, ...] = (), send: int | None = None) -> int:
        return self.log.add(self.env.now, KIND[kind], actor, to, channel, facts, sources, cause,
                            -1 if message is None else message, CODE[code], missing, -1 if send is None else send)

    def _draw(self, spec: LatencySpec, what: str) -> float:
        """A sampled delay; a stochastic run never goes back in time nor gets a NaN or infinite time."""
        d = sample(spec, self.rng)
        if not 0.0 <= d < math.inf:
            raise AssertionError(f"{what} drew a delay of {d!r} s from {spec!r}: a run cannot go back in time "
                                 "or reach a time that is not a finite number")
        return d

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

    def _learn(self, me: str, kind: str, sender: str, recipient: tuple[str, ...], channel: str, medium: str,
               facts: tuple[str, ...], sources: tuple[str, ...], cause: str, msg: int, send: int) -> None:
        """``me`` takes a delivery (``kind == "deliver"``) or an intercept from its inbox.

        Logs it, lets the :class:`~sim.ledger.Ledger` record what is new to ``me``, and fires
        ``me``'s rules for each new fact and, for facts known already, only the rules that wait
        for a particular sender.
        """
        now = self.env.now
        intercept = kind == "intercept"
        rid = self.log.add(now, INTERCEPT if intercept else DELIVER, me if intercept else sender, recipient, channel,
                           facts, sources, cause, msg, 0, (), send)
        new = self.ledger.hear(me, facts, now, "intercepted" if intercept else "told", cause, rid, sender,
                               channel, medium)
        waiting = self.waiting.get(me)
        if new:
            rules = self.c.rules
            for f in (new if waiting is None else facts):  # rules fire in the order the message lists facts
                if f in new or f in waiting:  # type: ignore[operator]
                    if (me, f) in rules:
                        self._fire(me, f, sender)
        elif waiting is not None and not waiting.isdisjoint(facts):
            for f in facts:
                if f in waiting:
                    self._fire(me, f, sender)

    def _own(self, actor: str, facts: Iterable[str], cause: str, sources: tuple[str, ...]) -> None:
        """``actor`` originates, now, the facts among ``facts`` that come from it and it does not know yet.

        A fact's ``origin`` actor knows it from the first moment the record has it send or need it.
        """
        origin_of, mine = self.c.origin_of, self.known[actor]
        own = tuple(dict.fromkeys(f for f in facts if f not in mine and origin_of.get(f) == actor))
        if own:
            self._originate(actor, own, cause, sources, code="origin")

    def _originate(self, actor: str, facts: Iterable[str], cause: str, sources: tuple[str, ...],
                   code: str = "") -> None:
        facts = tuple(facts)
        rid = self._record("originate", actor, (), None, facts, sources, cause, code=code)
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
            if len(self.fired) > self.max_firings:
                raise RunLimitError(limit_message("max_rule_firings", self.max_firings))
            delay = self._draw(rule.delay, f"rule {rule.id}") if self.stochastic else rule.replay_delay
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
        own = self.origins.get(sender)
        if own is not None and not (own.isdisjoint(facts) and own.isdisjoint(requires)):
            self._own(sender, requires + facts, cause, sources)
        if requires and not mine.issuperset(requires):
            self._record("skip", sender, to, channel, facts, sources, cause, code="not_known",
                         missing=tuple([f for f in requires if f not in mine]))
            return
        if mine.issuperset(facts):
            known, withheld = facts, ()
        else:
            known = tuple([f for f in facts if f in mine])
            if not known:
                self._record("skip", sender, to, channel, facts, sources, cause, code="knew_none", missing=facts)
                return
            known = self.partial_facts.setdefault(known, known)
            withheld = tuple([f for f in facts if f not in mine])
        ch = self.c.channels[channel]
        medium = ch.medium
        msg = self.messages
        self.messages += 1
        now = self.env.now
        rid = self.log.add(now, SEND, sender, to, channel, known, sources, cause, msg, WITHHELD if withheld else 0,
                           withheld)
        env, arrive, one = self.env, self._arrive, self.one
        if not self.stochastic:
            latency, taps = ch.replay_latency, ch.replay_taps
            for r in to:
                _Due(env, latency, NORMAL,
                     partial(arrive, r, ("deliver", sender, one[r], channel, medium, known, sources, cause, msg,
                                         rid)))
                for (by, delay), tap in zip(taps, ch.replay_tap_of):
                    if (revealed := _revealed(tap, known)):
                        _Due(env, delay, NORMAL,
                             partial(arrive, by, ("intercept", sender, one[r], channel, medium, revealed,
                                                  tap.sources, cause, msg, rid)))
            return
        rng = self.rng
        for r in to:
            if ch.reliability < 1.0 and rng.random() >= ch.reliability:
                self._record("lost", sender, one[r], channel, known, sources, cause, msg, code="lost", send=rid)
                continue
            _Due(env, self._draw(ch.latency, f"channel {channel}"), NORMAL,
                 partial(arrive, r, ("deliver", sender, one[r], channel, medium, known, sources, cause, msg,
                                     rid)))
            for tap in ch.taps:
                if rng.random() < tap.probability and (revealed := _revealed(tap, known)):
                    _Due(env, self._draw(tap.delay, f"the tap by {tap.by} on channel {channel}"), NORMAL,
                         partial(arrive, tap.by, ("intercept", sender, one[r], channel, medium, revealed,
                                                  tap.sources, cause, msg, rid)))

    # -- script ----------------------------------------------------------------------------
    def _script(self, _event: Any = None) -> None:
        """Run every scripted event due now, then schedule the next one."""
        events, times, env = self.events, self.event_times, self.env
        n = self.next_event
        while n < len(events) and times[n] <= env.now:
            ev = events[n]
            n += 1
            if ev.kind == "decision":
                if ev.requires and ev.actor in self.origins:
                    self._own(ev.actor, ev.requires, ev.id, ev.sources)
                mine = self.known[ev.actor]
                missing = tuple([f for f in ev.requires if f not in mine])
                if missing:
                    self._record("skip", ev.actor, (), None, ev.facts, ev.sources, ev.id, code="not_known",
                                 missing=missing)
                else:
                    self._originate(ev.actor, ev.facts, ev.id, ev.sources)
            else:
                assert ev.channel is not None
                self._send(ev.actor, ev.to, ev.channel, ev.facts, ev.sources, ev.id, ev.requires)
        self.next_event = n
        if n < len(events):
            _Due(env, times[n] - env.now, NORMAL, self._script)

    def times(self) -> tuple[Sequence[float], Sequence[CEvent]]:
        """This run's event times and the events in that order: replay points, or samples from each window."""
        if not self.stochastic:
            return [ev.time for ev in self.c.script], self.c.script  # compiled in this order
        out = []
        drawn: dict[str, float] = {}
        for ev in self.c.script:
            if ev.after is not None:
                continue  # drawn below, once the event it follows has its time
            t = ev.time
            if ev.window is not None and ev.window[1] > ev.window[0]:
                t = self.rng.triangular(ev.window[0], ev.window[1], ev.time)
                if not ev.window[0] <= t <= ev.window[1]:
                    raise AssertionError(f"event {ev.id} drew the time {t!r} outside its window {ev.window!r}")
            drawn[ev.id] = t
            out.append((t, ev.order, ev))
        for ev in self.c.relative:  # each after the event it follows, so the order holds in every run
            t = drawn[ev.after] + self._draw(ev.after_delay, f"the delay of event {ev.id}")  # type: ignore[arg-type]
            drawn[ev.id] = t
            out.append((t, ev.order, ev))
        out.sort(key=lambda x: (x[0], x[1]))
        return [t for t, _, _ in out], [ev for _, _, ev in out]

    def _start(self) -> None:
        """Draw this run's event times and schedule the script's first step."""
        self.event_times, self.events = self.times()
        env = self.env
        if self.events:
            first = self.event_times[0]
            now = env.now  # a script starting at the span's start runs first, as a starting process
            _Due(env, max(0.0, first - now), URGENT if first <= now else NORMAL, self._script)

    def execute(self) -> None:
        self._start()
        self._loop()

    def execute_until(self, key: tuple[str, str], deadline: float) -> float | None:
        """Run only until ``key`` (actor, fact) is first known or the clock passes ``deadline``.

        Returns the time it was first known, or None if not by ``deadline`` (or not at all).
        Exact for that outcome: the steps it skips all fall after the moment that decides it.
        """
        self._start()
        self._loop(key, deadline)
        k = self.ledger.first.get(key)
        return k.time if k is not None and k.time <= deadline else None

    def _loop(self, key: tuple[str, str] | None = None, deadline: float = math.inf) -> None:
        """``env.run()`` for events that always succeed and have one callback, with the run's caps.

        The same steps as :meth:`simpy.Environment.step` (pop the earliest event, set the clock,
        call its callback), without its per-step checks for failed events and interrupts, which
        no event of a run can raise. With ``key``, it stops once that (actor, fact) is known or
        the next step falls after ``deadline``.
        """
        env, limits = self.env, self.limits
        queue, pop = env._queue, heappop  # SimPy's event heap: (time, priority, id, event)
        if key is None and limits.max_events is None and limits.max_seconds is None:
            while queue:
                env._now, _, _, event = pop(queue)
                callbacks, event.callbacks = event.callbacks, None
                callbacks[0](event)
            return
        known = self.ledger.first
        max_events = limits.max_events if limits.max_events is not None else math.inf
        stop = time.monotonic() + limits.max_seconds if limits.max_seconds is not None else math.inf
        log, clock = self.log.times, CHECK_CLOCK_EVERY  # one time per record
        while queue and key not in known and queue[0][0] <= deadline:
            env._now, _, _, event = pop(queue)
            callbacks, event.callbacks = event.callbacks, None
            callbacks[0](event)
            if len(log) > max_events:
                raise RunLimitError(limit_message("max_events", max_events))
            clock -= 1
            if not clock:
                clock = CHECK_CLOCK_EVERY
                if time.monotonic() > stop:
                    raise RunLimitError(limit_message("max_seconds", limits.max_seconds))  # type: ignore[arg-type]


def run(scenario: Scenario | Compiled, mode: Mode = "replay", seed: int | None = 0,
        label: str = "", limits: RunLimits | None = None) -> RunResult:
    """Run a scenario once and return its event log and knowledge ledger.

    The same scenario, mode and seed always give the same result. ``seed`` only matters in
    ``stochastic`` mode; pass a compiled scenario (:func:`~sim.compiled.compile_scenario`) to
    skip compiling in repeated runs. ``limits`` caps the run's events, rule firings and
    wall-clock time (none by default; the CLI uses :data:`~sim.limits.CLI_LIMITS`); a run
    that passes a cap raises :class:`~sim.errors.RunLimitError`.
    """
    c = scenario if isinstance(scenario, Compiled) else compile_scenario(scenario)
    r = _execute(c, mode, seed, limits)
    return RunResult(compiled=c, mode=mode, seed=seed, label=label, events=r.log.freeze(), first=r.ledger.first)


def _execute(c: Compiled, mode: Mode, seed: int | None, limits: RunLimits | None) -> _Run:
    # A run allocates many small objects that live until the end and frees the rest by reference
    # counting; the cyclic collector would only rescan the growing log and ledger again and again.
    collecting = gc.isenabled()
    gc.disable()
    try:
        r = _Run(c, mode, seed, limits if limits is not None else UNLIMITED)
        r.execute()
        return r
    finally:
        if collecting:
            gc.enable()


def first_knowledge(c: Compiled, mode: Mode = "stochastic", seed: int | None = 0,
                    limits: RunLimits | None = None) -> dict[tuple[str, str], Knowledge]:
    """Run compiled scenario ``c`` once and keep only who first knew what (what a sweep keeps of a run).

    The same first knowledge as ``run(c, mode, seed).first``, without building the result's indexes.
    """
    return _execute(c, mode, seed, limits).ledger.first


def first_time(c: Compiled, actor: str, fact: str, deadline: float | None = None, mode: Mode = "stochastic",
               seed: int | None = 0, limits: RunLimits | None = None) -> float | None:
    """When ``actor`` first knows ``fact`` in one run of ``c`` (None: not by ``deadline``, or never).

    The same answer as ``run(c, mode, seed).first.get((actor, fact))`` (its time, if at or before
    ``deadline``), but the run stops as soon as the answer is decided: what an outcome's paired
    stochastic runs (:func:`sim.explain.paired`) need thousands of times.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        r = _Run(c, mode, seed, limits if limits is not None else UNLIMITED)
        return r.execute_until((actor, fact), math.inf if deadline is None else deadline)
    finally:
        if collecting:
            gc.enable()
