"""The knowledge ledger: who first knew what, when and how, and who knew that whom knew.

Written only on first learning, so it stays a pair of dicts whatever the run's length. The
engine's hot path reads and writes ``first``, ``meta`` and ``known_by`` directly, with the same
first-time-only rule as :meth:`Ledger.learn` and :meth:`Ledger.learn_that`.
"""

from __future__ import annotations

from .records import How, Knowledge, MetaHow, MetaKnowledge


class Ledger:
    """First-knowledge tracker for one run."""

    __slots__ = ("first", "meta", "known_by")

    def __init__(self, actors: tuple[str, ...] = ()) -> None:
        self.first: dict[tuple[str, str], Knowledge] = {}
        self.meta: dict[tuple[str, str, str], MetaKnowledge] = {}
        self.known_by: dict[str, set[str]] = {a: set() for a in actors}

    def knows(self, actor: str, fact: str) -> bool:
        """Whether ``actor`` knows ``fact`` now (during a run)."""
        facts = self.known_by.get(actor)
        return facts is not None and fact in facts

    def learn(self, actor: str, fact: str, time: float, how: How, via: str, record: int,
              from_actor: str | None = None, channel: str | None = None, medium: str | None = None) -> bool:
        """Record that ``actor`` learned ``fact``; return True if this is the first time."""
        key = (actor, fact)
        if key in self.first:
            return False
        self.first[key] = Knowledge(actor, fact, time, how, via, record, from_actor, channel, medium)
        self.known_by.setdefault(actor, set()).add(fact)
        return True

    def learn_that(self, knower: str, subject: str, fact: str, time: float, how: MetaHow, record: int) -> None:
        """Record that ``knower`` learned that ``subject`` knows ``fact`` (first time only)."""
        key = (knower, subject, fact)
        if key not in self.meta:
            self.meta[key] = MetaKnowledge(knower, subject, fact, time, how, record)
