"""The result of one run: the event log, the knowledge ledger and the queries over them.

:class:`RunResult` is the one reader of a run: the CLI, the dashboard and the comparison ask it
questions (who knew what when, which messages were in the air at a moment, which scripted
events had uncertain times) instead of reading the ledger's dicts or the compiled input. Its
mappings are read-only views, its sequences tuples, and its event log a frozen
:class:`~sim.records.EventLog`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from .errors import QueryError
from .ledger import second_order
from .records import EventRecord, Knowledge, MetaKnowledge
from .references import _suggest
from .timeparse import BareTimeError, as_timestamp, bare_time_message, to_local

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from .certainty import Certainty, Chains, HowStep
    from .compiled import Compiled
    from .model import Scenario

TimeLike = datetime | str | float | int | None


class ScriptWindow(NamedTuple):
    """A scripted event whose time the sources give only as a window (POSIX seconds)."""

    event: str  # the scenario event id
    actor: str
    earliest: float
    latest: float
    estimate: float  # the replay time: the window's estimate, or its midpoint


@dataclass(frozen=True)
class RunResult:
    """Event log and knowledge ledger of one run, with who-knew-what-when queries.

    Times are POSIX seconds; query methods accept aware datetimes, instant strings
    (``2025-05-11T22:00+03:00``) or POSIX seconds for ``at`` (``None`` means the end of the run).
    ``first`` maps ``(actor, fact)`` to the first :class:`~sim.records.Knowledge`; ``meta``
    maps ``(knower, subject, fact)`` to the first :class:`~sim.records.MetaKnowledge`, derived
    from the log on first use. Both are read-only.
    """

    compiled: Compiled
    mode: str
    seed: int | None
    label: str
    events: Sequence[EventRecord]  # an EventLog from the engine
    first: Mapping[tuple[str, str], Knowledge]
    _by_fact: dict[str, tuple[Knowledge, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.first, MappingProxyType):
            first = self.first if type(self.first) is dict else dict(self.first)  # the engine hands its own over
            object.__setattr__(self, "first", MappingProxyType(first))
        by_fact: dict[str, list[Knowledge]] = {}
        for k in sorted(self.first.values(), key=lambda k: (k.time, k.record)):
            by_fact.setdefault(k.fact, []).append(k)
        object.__setattr__(self, "_by_fact", {f: tuple(ks) for f, ks in by_fact.items()})

    def __getstate__(self) -> dict[str, Any]:
        state = {k: v for k, v in self.__dict__.items() if k != "meta"}  # derived again when asked
        state["first"] = dict(self.first)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, first=MappingProxyType(state["first"]))

    @cached_property
    def meta(self) -> Mapping[tuple[str, str, str], MetaKnowledge]:
        """Second-order knowledge, derived from the log (:func:`~sim.ledger.second_order`) once."""
        return MappingProxyType(second_order(self.events))

    @property
    def scenario(self) -> Scenario:
        """The scenario that was run."""
        return self.compiled.scenario

    @property
    def actors(self) -> tuple[str, ...]:
        """Actor ids, in file order."""
        return self.compiled.actors

    @property
    def facts(self) -> tuple[str, ...]:
        """Fact ids, in file order."""
        return self.compiled.facts

    @property
    def start(self) -> float:
        """The scenario span's start (POSIX seconds)."""
        return self.compiled.start

    @property
    def end(self) -> float:
        """The scenario span's end (POSIX seconds)."""
        return self.compiled.end

    # -- argument checks -------------------------------------------------------------------
    def _actor(self, actor: str) -> str:
        if actor not in self.compiled.actors:
            raise QueryError(f"unknown actor {actor!r}{_suggest(actor, self.compiled.actors)}")
        return actor

    def _fact(self, fact: str) -> str:
        if fact not in self.compiled.facts:
            raise QueryError(f"unknown fact {fact!r}{_suggest(fact, self.compiled.facts)}")
        return fact

    def _at(self, at: TimeLike) -> float:
        if at is None:
            return float("inf")
        try:
            return as_timestamp(at)
        except BareTimeError as e:
            raise QueryError(bare_time_message(e.text, self.scenario.meta.timezone)) from None
        except ValueError as e:
            raise QueryError(str(e)) from None

    # -- queries ---------------------------------------------------------------------------
    def known_at(self, actor: str, fact: str) -> float | None:
        """POSIX time when ``actor`` first knew ``fact``, or None if it never did."""
        k = self.first.get((self._actor(actor), self._fact(fact)))
        return k.time if k else None

    def knows(self, actor: str, fact: str, at: TimeLike = None) -> bool:
        """Whether ``actor`` knew ``fact`` at time ``at``."""
        k = self.first.get((self._actor(actor), self._fact(fact)))
        return k is not None and k.time <= self._at(at)

    def knowers(self, fact: str, at: TimeLike = None) -> list[Knowledge]:
        """Everyone who knew ``fact`` at ``at``, earliest first."""
        t = self._at(at)
        return [k for k in self._by_fact.get(self._fact(fact), ()) if k.time <= t]

    @cached_property
    def certainties(self) -> Chains:
        """Basis and bounds of every record and knowledge row (computed on first use)."""
        from .certainty import chains

        return chains(self)

    def record_certainty(self, record_id: int) -> Certainty:
        """How well event record ``record_id`` is known: ``Certainty(basis, earliest, latest)``."""
        if not 0 <= record_id < len(self.events):
            raise QueryError(f"no event record {record_id!r}: this run has records 0 to {len(self.events) - 1}")
        return self.certainties.record(record_id)

    def knowledge_certainty(self, actor: str, fact: str) -> Certainty | None:
        """How well it is known when ``actor`` first knew ``fact`` (None if it never did)."""
        return self.certainties.knowledge.get((self._actor(actor), self._fact(fact)))

    def how(self, actor: str, fact: str) -> list[HowStep]:
        """The provenance chain by which ``actor`` first knew ``fact``, origin first.

        Empty if the actor never knew it. Each link's ``from_actor`` is the previous link's actor;
        each link's ``time`` is an aware ``datetime`` in the scenario's zone (the ledger's own
        records, in :attr:`first`, keep POSIX seconds); each also carries ``basis``, ``earliest``
        and ``latest`` (the certainty of that link's knowledge, as :meth:`knowledge_certainty`).
        """
        from .certainty import HowStep
        chain: list[Knowledge] = []
        k = self.first.get((self._actor(actor), self._fact(fact)))
        seen: set[str] = set()
        tz = self.scenario.meta.timezone
        while k is not None and k.actor not in seen:
            chain.append(k._replace(time=to_local(k.time, tz)))
            seen.add(k.actor)
            k = self.first.get((k.from_actor, fact)) if k.from_actor else None
        known = self.certainties.knowledge
        return [HowStep(k, known[(k.actor, k.fact)]) for k in chain[::-1]]

    def path(self, actor: str, fact: str) -> list[str]:
        """Actor ids along :meth:`how`, e.g. ``['hamas_leadership', 'bahbah', 'witkoff']``."""
        return [k.actor for k in self.how(actor, fact)]

    def knows_that(self, knower: str, subject: str, fact: str, at: TimeLike = None) -> bool:
        """Whether ``knower`` knew at ``at`` that ``subject`` knew ``fact``.

        Knowing a fact yourself counts as knowing that you know it.
        """
        if self._actor(knower) == self._actor(subject):
            return self.knows(knower, fact, at)
        m = self.meta.get((knower, subject, self._fact(fact)))
        return m is not None and m.time <= self._at(at)

    def beliefs_about(self, knower: str, at: TimeLike = None) -> list[MetaKnowledge]:
        """What ``knower`` knew about others' knowledge at ``at``, earliest first."""
        t = self._at(at)
        self._actor(knower)
        return sorted((m for m in self.meta.values() if m.knower == knower and m.time <= t),
                      key=lambda m: (m.time, m.record))

    def skipped(self) -> list[EventRecord]:
        """Scripted events and rule sends that did not happen, with their reasons."""
        return [e for e in self.events if e.kind == "skip"]

    def learned(self, actor: str, fact: str) -> Knowledge | None:
        """How and when ``actor`` first knew ``fact``, or None if it never did."""
        return self.first.get((self._actor(actor), self._fact(fact)))

    def learned_by(self, actor: str, at: TimeLike = None) -> list[Knowledge]:
        """Everything ``actor`` knew at ``at``, earliest first."""
        t = self._at(at)
        self._actor(actor)
        return sorted((k for k in self.first.values() if k.actor == actor and k.time <= t),
                      key=lambda k: (k.time, k.record))

    def reach(self, fact: str, at: TimeLike = None) -> int:
        """How many actors knew ``fact`` at ``at``."""
        ks = self._by_fact.get(self._fact(fact), ())
        return len(ks) if at is None else bisect.bisect_right([k.time for k in ks], self._at(at))

    def sender(self, record: EventRecord) -> str:
        """Who sent the message a record is about (an intercept's ``actor`` is the interceptor)."""
        if record.kind == "intercept" and record.send is not None:
            return self.events[record.send].actor
        return record.actor

    def flights(self) -> list[EventRecord]:
        """Every delivery and intercept, in log order; each carries ``sent_at`` and ``send``."""
        return [e for e in self.events if e.kind == "deliver" or e.kind == "intercept"]

    def in_flight(self, at: TimeLike) -> list[EventRecord]:
        """Deliveries and intercepts under way at ``at``: sent at or before it, arriving at or after it."""
        t = self._at(at)
        return [e for e in self.flights() if e.sent_at is not None and e.sent_at <= t <= e.time]

    def windows(self) -> list[ScriptWindow]:
        """Scripted events whose time is a window of some width, in the order the script runs them."""
        return [ScriptWindow(ev.id, ev.actor, ev.window[0], ev.window[1], ev.time)
                for ev in self.compiled.script if ev.window is not None and ev.window[1] > ev.window[0]]

    def to_dict(self) -> dict[str, Any]:
        """Everything in the run as JSON-ready data (times as ISO 8601 UTC)."""
        from .output import run_to_dict

        return run_to_dict(self)
