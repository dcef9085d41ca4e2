"""The result of one run: the event log, the knowledge ledger and the queries over them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import datetime
from typing import TYPE_CHECKING, Any

from .errors import QueryError
from .records import EventRecord, Knowledge, MetaKnowledge
from .references import _suggest
from .timeparse import as_timestamp

if TYPE_CHECKING:
    from .certainty import Certainty, Chains, HowStep
    from .compiled import Compiled
    from .model import Scenario

TimeLike = datetime | str | float | int | None


@dataclass(frozen=True)
class RunResult:
    """Event log and knowledge ledger of one run, with who-knew-what-when queries.

    Times are POSIX seconds; query methods accept aware datetimes, instant strings
    (``2025-05-11T22:00+03:00``) or POSIX seconds for ``at`` (``None`` means the end of the run).
    """

    compiled: Compiled
    mode: str
    seed: int | None
    label: str
    events: tuple[EventRecord, ...]
    first: dict[tuple[str, str], Knowledge]
    meta: dict[tuple[str, str, str], MetaKnowledge]
    _by_fact: dict[str, list[Knowledge]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_fact: dict[str, list[Knowledge]] = {}
        for k in sorted(self.first.values(), key=lambda k: (k.time, k.record)):
            by_fact.setdefault(k.fact, []).append(k)
        object.__setattr__(self, "_by_fact", by_fact)

    @property
    def scenario(self) -> Scenario:
        """The scenario that was run."""
        return self.compiled.scenario

    # -- argument checks -------------------------------------------------------------------
    def _actor(self, actor: str) -> str:
        if actor not in self.compiled.actors:
            raise QueryError(f"unknown actor {actor!r}{_suggest(actor, self.compiled.actors)}")
        return actor

    def _fact(self, fact: str) -> str:
        if fact not in self.compiled.facts:
            raise QueryError(f"unknown fact {fact!r}{_suggest(fact, self.compiled.facts)}")
        return fact

    @staticmethod
    def _at(at: TimeLike) -> float:
        if at is None:
            return float("inf")
        try:
            return as_timestamp(at)
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
        return [k for k in self._by_fact.get(self._fact(fact), []) if k.time <= t]

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
        each is a :class:`~sim.records.Knowledge` that also carries ``basis``, ``earliest`` and
        ``latest`` (the certainty of that link's knowledge, as :meth:`knowledge_certainty`).
        """
        from .certainty import HowStep
        chain: list[Knowledge] = []
        k = self.first.get((self._actor(actor), self._fact(fact)))
        seen: set[str] = set()
        while k is not None and k.actor not in seen:
            chain.append(k)
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

    def events_until(self, at: TimeLike) -> list[EventRecord]:
        """Event records with time at or before ``at``."""
        t = self._at(at)
        return [e for e in self.events if e.time <= t]

    def to_dict(self) -> dict[str, Any]:
        """Everything in the run as JSON-ready data (times as ISO 8601 UTC)."""
        from .output import run_to_dict

        return run_to_dict(self)
