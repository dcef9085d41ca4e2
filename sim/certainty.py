"""How well each thing in a run is known: its basis and the bounds of its time.

A post-pass over one run's own causal chain, reading the compiled scenario and the event log:

- **basis**: the weakest (``reported`` > ``inferred`` > ``assumed``) of the steps on a record's
  chain — the scripted event or rule behind it, the events an ``after`` time follows, the
  learning that triggered a rule, the channel a delivery crossed, the tap of an interception. An
  actor's knowledge of a fact is as strong as the weakest link of its provenance chain. A step
  whose file gives no basis counts as ``assumed``.
- **bounds**: the earliest and latest time the record could have happened along that chain. A
  scripted window contributes its earliest and latest, an ``after`` delay its range, a latency,
  tap delay or rule delay the range of its distribution: fixed — the value; uniform and
  triangular — low to high; lognormal — its 1st to 99th percentile (``LOGNORMAL_QUANTILES``).
  Bounds always include the run's own time (a stochastic draw can fall outside a lognormal's
  1st–99th percentile).

:func:`describe_when` is the one place that turns a time and its certainty into words, for the
command line and the dashboard alike; :func:`independent_sources` counts citations that are not
retellings of one another.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from statistics import NormalDist
from typing import TYPE_CHECKING, NamedTuple
from zoneinfo import ZoneInfo

from .compiled import LatencySpec
from .model import BASES, Scenario
from .records import Knowledge

if TYPE_CHECKING:
    from .records import MetaKnowledge
    from .result import RunResult

LOGNORMAL_QUANTILES = (0.01, 0.99)  # the range that stands for a lognormal latency or delay
_Z = NormalDist().inv_cdf(LOGNORMAL_QUANTILES[1])
_RANK = {b: len(BASES) - 1 - i for i, b in enumerate(BASES)}  # reported 2, inferred 1, assumed 0


class Certainty(NamedTuple):
    """How well a record or a piece of knowledge is known: its basis, and its earliest and latest time."""

    basis: str  # "reported" | "inferred" | "assumed"
    earliest: float  # POSIX seconds
    latest: float

    @property
    def exact(self) -> bool:
        """Whether the time is known to the second along the whole chain."""
        return self.earliest == self.latest


Step = str  # the step that sets a chain's basis: ``event:ID``, ``rule:ID``, ``channel:ID`` or ``tap:CHANNEL/ACTOR``


class HowStep(Knowledge):
    """One link of :meth:`RunResult.how`: a :class:`~sim.records.Knowledge` (equal to it, field for field)
    that also carries the link's certainty as ``basis``, ``earliest`` and ``latest``."""

    basis: str
    earliest: float
    latest: float

    def __new__(cls, k: Knowledge, certainty: Certainty) -> HowStep:
        self = super().__new__(cls, *k)
        self.basis, self.earliest, self.latest = certainty
        return self

    def __getnewargs__(self) -> tuple:  # type: ignore[override]
        return (Knowledge(*self), Certainty(self.basis, self.earliest, self.latest))

    def as_dict(self) -> dict[str, object]:
        """The link as JSON-ready data, its times (``time``, ``earliest``, ``latest``) in ISO 8601 UTC."""
        from .timeparse import to_utc_iso

        t = self.time.timestamp() if hasattr(self.time, "timestamp") else self.time  # how() gives local datetimes
        return self._asdict() | {"time": to_utc_iso(t), "basis": self.basis,
                                 "earliest": to_utc_iso(self.earliest), "latest": to_utc_iso(self.latest)}


def spread(spec: LatencySpec) -> tuple[float, float]:
    """The range a latency or delay stands for: see the module docstring for each distribution."""
    kind = spec[0]
    if kind == "fixed":
        return spec[1], spec[1]
    if kind == "uniform":
        return spec[1], spec[2]
    if kind == "triangular":
        return spec[1], spec[3]
    median, sigma = spec[1], spec[2]
    return median * math.exp(-_Z * sigma), median * math.exp(_Z * sigma)


# A link under construction: (basis, earliest, latest, weakest step)
_Link = tuple[str, float, float, Step]


def _join(link: _Link, basis: str, step: Step, lo: float = 0.0, hi: float = 0.0) -> _Link:
    """``link`` followed by a step of ``basis`` that adds ``lo``..``hi``.

    The weakest step names the basis; on a tie the later step does, unless it is a channel (the
    message or relay it carries says more).
    """
    b, e, l_, s = link
    later = _RANK[basis] < _RANK[b] or (_RANK[basis] == _RANK[b] and not step.startswith("channel:"))
    return (basis, e + lo, l_ + hi, step) if later else (b, e + lo, l_ + hi, s)


@dataclass(frozen=True)
class Chains:
    """Certainty of every record and every knowledge row of one run, with the step that sets each basis.

    Records are kept as parallel lists (no object per record): :meth:`record` builds a
    :class:`Certainty` on demand.
    """

    basis: list[str]  # by EventRecord.id
    earliest: list[float]
    latest: list[float]
    record_steps: list[Step]
    knowledge: dict[tuple[str, str], Certainty]
    knowledge_steps: dict[tuple[str, str], Step]
    words: dict[Step, str]  # each step's kind in a word: message, decision, relay, reaction, channel, interception

    def record(self, record_id: int) -> Certainty:
        """The certainty of event record ``record_id``."""
        return Certainty(self.basis[record_id], self.earliest[record_id], self.latest[record_id])

    def meta(self, m: MetaKnowledge) -> Certainty:
        """The certainty of a second-order row: its record's, no stronger than the subject's own knowledge."""
        b = self.basis[m.record]
        known = self.knowledge.get((m.subject, m.fact))
        if known is not None and _RANK[known.basis] < _RANK[b]:
            b = known.basis
        return Certainty(b, self.earliest[m.record], self.latest[m.record])


STEP_WORDS = {("event", "message"): "message", ("event", "decision"): "decision", ("rule", "send"): "relay",
              ("rule", "decide"): "reaction", ("channel", ""): "channel", ("tap", ""): "interception"}


class _Steps:
    """Every step of a scenario built once (a run's records share them), with its basis."""

    def __init__(self, s: Scenario) -> None:
        self.events = {e.id: f"event:{e.id}" for e in s.events}
        self.rules = {r.id: f"rule:{r.id}" for r in s.rules}
        self.channels = {c.id: f"channel:{c.id}" for c in s.channels}
        self.taps = {(c.id, t.by): f"tap:{c.id}/{t.by}" for c in s.channels for t in c.taps}
        self.basis: dict[Step, str] = {}
        for e in s.events:
            self.basis[self.events[e.id]] = e.basis or "assumed"
        for r in s.rules:
            self.basis[self.rules[r.id]] = r.basis or "assumed"
        for c in s.channels:
            self.basis[self.channels[c.id]] = c.basis or "assumed"
            for t in c.taps:
                self.basis.setdefault(self.taps[(c.id, t.by)], t.basis or "assumed")
        self.words = {st: STEP_WORDS[("event", e.kind)] for e in s.events for st in [self.events[e.id]]}
        self.words |= {self.rules[r.id]: STEP_WORDS[("rule", "send" if r.send is not None else "decide")]
                       for r in s.rules}
        self.words |= dict.fromkeys(self.channels.values(), STEP_WORDS[("channel", "")])
        self.words |= dict.fromkeys(self.taps.values(), STEP_WORDS[("tap", "")])


def _event_links(result: RunResult, steps: _Steps) -> dict[str, _Link]:
    """Each scripted event's link: its own window or time, after the events its ``after`` follows."""
    out: dict[str, _Link] = {}
    relative = {ev.id: ev for ev in result.compiled.relative}
    for ev in result.compiled.script:
        if ev.id in relative:
            continue
        lo, hi = ev.window if ev.window is not None else (ev.time, ev.time)
        step = steps.events[ev.id]
        out[ev.id] = (steps.basis[step], lo, hi, step)
    for ev in result.compiled.relative:  # each after the event it follows
        lo, hi = spread(ev.after_delay)
        step = steps.events[ev.id]
        out[ev.id] = _join(out[ev.after], steps.basis[step], step, lo, hi)  # type: ignore[index]
    return out


def chains(result: RunResult) -> Chains:
    """Compute the certainty of every record and knowledge row of ``result`` in one pass over its log.

    Few objects survive the pass (floats, strings and shared steps in lists), so that it does not
    make the cyclic garbage collector rescan a large run again and again.
    """
    c = result.compiled
    steps = _Steps(c.scenario)
    basis = steps.basis
    taps = {(ch_id, t.by): t for ch_id, ch in c.channels.items() for t in ch.taps}
    events = _event_links(result, steps)
    rule_of = {r.id: r for rs in c.rules.values() for r in rs}
    learnt = sorted(result.first.items(), key=lambda kv: kv[1].record)
    next_learnt = 0

    bases: list[str] = []
    earliest: list[float] = []
    latest: list[float] = []
    record_steps: list[Step] = []
    knowledge: dict[tuple[str, str], Certainty] = {}
    knowledge_steps: dict[tuple[str, str], Step] = {}
    sends: dict[int, int] = {}  # message -> its send record
    fired: set[tuple[str, str]] = set()
    pending: dict[str, list[tuple[float, _Link]]] = {}  # rule -> firings not yet matched to a record
    held: dict[str, _Link | None] = {}  # rule -> the firing an origin-on-first-use record opened for its send

    def learned(link: _Link, fact: str, sender: str | None) -> _Link:
        """The link by which a record's learner knows ``fact``: the record, after the sender's knowledge."""
        known = knowledge.get((sender, fact)) if sender is not None else None  # type: ignore[arg-type]
        if known is None or _RANK[known.basis] >= _RANK[link[0]]:
            return link
        return (known.basis, link[1], link[2], knowledge_steps[(sender, fact)])  # type: ignore[index]

    def firing(rule_id: str, t: float) -> _Link | None:
        queue = pending.get(rule_id, [])
        delay = rule_of[rule_id].delay
        lo, hi = spread(delay)
        for i, (at, _link) in enumerate(queue):
            if at + lo - 1e-6 <= t <= at + hi + 1e-6 or delay[0] == "lognormal":
                return queue.pop(i)[1]
        return queue.pop(0)[1] if queue else None

    for rec in result.events:
        link: _Link
        sender: str | None = None
        if rec.kind in ("deliver", "intercept", "lost"):
            i = sends[rec.message]  # type: ignore[index]
            sender = result.events[i].actor
            send_link = (bases[i], earliest[i], latest[i], record_steps[i])
            if rec.kind == "intercept":
                step = steps.taps[(rec.channel, rec.actor)]  # type: ignore[index]
                lo, hi = spread(taps[(rec.channel, rec.actor)].delay)
            else:
                step = steps.channels[rec.channel]  # type: ignore[index]
                latency = c.channels[rec.channel].latency  # type: ignore[index]
                lo, hi = spread(latency) if rec.kind == "deliver" else (0.0, 0.0)
            link = _join(send_link, basis[step], step, lo, hi)
        elif rec.cause in events:
            link = events[rec.cause]
        else:
            rule = rule_of[rec.cause]
            trig = held.pop(rule.id) if rule.id in held else firing(rule.id, rec.time)
            step = steps.rules[rule.id]
            if trig is None:
                link = (basis[step], rec.time, rec.time, step)
            else:
                lo, hi = spread(rule.delay)
                link = _join(trig, basis[step], step, lo, hi)
            if rule.channel is not None and rec.kind == "originate":
                held[rule.id] = trig  # the send or skip that follows shares the firing
        b, lo, hi, st = link
        lo, hi = min(lo, rec.time), max(hi, rec.time)  # bounds always hold the run's own time
        bases.append(b)
        earliest.append(lo)
        latest.append(hi)
        record_steps.append(st)
        if rec.kind == "send":
            sends[rec.message] = rec.id  # type: ignore[index]
        # what this record teaches: the ledger's first learnings, and triggers of rules
        learner = rec.to if rec.kind == "deliver" else rec.actor if rec.kind in ("intercept", "originate") else None
        if learner is None:
            continue
        link = (b, lo, hi, st)
        while next_learnt < len(learnt) and learnt[next_learnt][1].record == rec.id:
            key, k = learnt[next_learnt]
            next_learnt += 1
            kb, klo, khi, kst = learned(link, k.fact, k.from_actor)
            knowledge[key] = Certainty(kb, klo, khi)
            knowledge_steps[key] = kst
        for f in rec.facts:
            for rule in c.rules.get((learner, f), ()):
                if rule.from_actor is not None and rule.from_actor != sender:
                    continue
                if (rule.id, f) in fired:
                    continue
                fired.add((rule.id, f))
                pending.setdefault(rule.id, []).append((rec.time, learned(link, f, sender)))
    return Chains(bases, earliest, latest, record_steps, knowledge, knowledge_steps, steps.words)


# -- words, for the command line and the dashboard -------------------------------------------------


def _local(ts: float, tz: str) -> datetime:
    return datetime.fromtimestamp(ts, timezone.utc).astimezone(ZoneInfo(tz))


def _day(d: datetime, year: bool = True) -> str:
    return f"{d:%a %d %b}" + (f" {d.year}" if year else "")


@functools.lru_cache(maxsize=4096)  # a pure function of hashable values: every view of a run asks again
def describe_when(time: float, certainty: Certainty | None, tz: str, what: str = "") -> str:
    """A modelled time in words, never a bare instant for a time the record does not have.

    Exact: ``Sat 26 Apr 2025 14:00 +03 · reported`` (as the command line always wrote times).
    Uncertain: ``about Sat 26 Apr 2025 (between 23 and 30 Apr) · assumed relay`` (a range within a day
    or two gives hours). ``what`` names the step that sets the basis (``Chains.words``); it is shown
    only when the basis is not ``reported``.
    """
    d = _local(time, tz)
    mark = "" if certainty is None else (" · reported" if certainty.basis == "reported" else
                                          f" · {certainty.basis}" + (f" {what}" if what else ""))
    if certainty is None or certainty.exact:
        return f"{_day(d)} {d:%H:%M %Z}{mark}"
    lo, hi = _local(certainty.earliest, tz), _local(certainty.latest, tz)
    if lo.date() == hi.date():
        return f"about {_day(d)} {d:%H:%M %Z} (between {lo:%H:%M} and {hi:%H:%M}){mark}"
    if certainty.latest - certainty.earliest < 2 * 86400:
        return (f"about {_day(d)} {d:%H:%M %Z} (between {_day(lo, False)} {lo:%H:%M} and "
                f"{_day(hi, False)} {hi:%H:%M}){mark}")
    if (lo.year, lo.month) == (hi.year, hi.month):
        span = f"{lo.day} and {hi.day} {hi:%b}"
    elif lo.year == hi.year:
        span = f"{lo.day} {lo:%b} and {hi.day} {hi:%b}"
    else:
        span = f"{lo.day} {lo:%b} {lo.year} and {hi.day} {hi:%b} {hi.year}"
    return f"about {_day(d)} (between {span}){mark}"


def describe_record_when(result: RunResult, record: int, tz: str) -> str:
    """:func:`describe_when` for one event record of ``result``."""
    ch = result.certainties
    return describe_when(result.events[record].time, ch.record(record), tz,
                         ch.words.get(ch.record_steps[record], ""))


def describe_knowledge_when(result: RunResult, actor: str, fact: str, tz: str) -> str:
    """:func:`describe_when` for the moment ``actor`` first knew ``fact`` (which it must have)."""
    ch = result.certainties
    return describe_when(result.first[(actor, fact)].time, ch.knowledge[(actor, fact)], tz,
                         ch.words.get(ch.knowledge_steps[(actor, fact)], ""))


# -- sources ---------------------------------------------------------------------------------------
def original_source(scenario: Scenario, source: str) -> str:
    """The first report a source retells, following ``derived_from`` (the source itself if it retells none)."""
    step = {s.id: s.derived_from for s in scenario.sources}
    seen = {source}
    while (nxt := step.get(source)) is not None and nxt not in seen:
        seen.add(nxt)
        source = nxt
    return source


def independent_sources(scenario: Scenario, sources: Iterable[str]) -> int:
    """How many of ``sources`` are independent: retellings of one report count once."""
    return len({original_source(scenario, s) for s in sources})


def describe_citations(scenario: Scenario, sources: Iterable[str]) -> str:
    """``1 source``, ``2 sources, both independent`` or ``3 sources, 1 independent``."""
    ids = list(dict.fromkeys(sources))
    n, k = len(ids), independent_sources(scenario, ids)
    if n == 0:
        return "no source"
    if n == 1:
        return "1 source"
    if k == n:
        return f"{n} sources, {'both' if n == 2 else 'all'} independent"
    return f"{n} sources, {k} independent"


def modelled(certainty: Certainty | None) -> bool:
    """Whether a record or knowledge row rests on a modelled (inferred or assumed) step."""
    return certainty is not None and certainty.basis != "reported"


MODELLED_MARK = "≈"  # shown next to modelled knowledge in figures, with this explanation:
MODELLED_MEANING = "≈ known through an inferred or assumed step"
