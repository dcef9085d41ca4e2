"""The knowledge ledger: who first knew what, when and how, and who knew that whom knew.

:class:`Ledger` is the one writer of first-order knowledge: the engine tells it what each
actor hears or originates, and it keeps the first time only, so it stays one dict whatever the
run's length. Second-order knowledge follows from the event log by the rules of
:func:`second_order` and is derived when a reader asks (:attr:`sim.result.RunResult.meta`),
so a run pays nothing for it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .model import SYNCHRONOUS_MEDIA
from .records import EventRecord, How, Knowledge, MetaKnowledge


class Ledger:
    """First-knowledge tracker for one run."""

    __slots__ = ("first", "known_by")

    def __init__(self, actors: tuple[str, ...] = ()) -> None:
        self.first: dict[tuple[str, str], Knowledge] = {}
        self.known_by: dict[str, set[str]] = {a: set() for a in actors}

    def learn(self, actor: str, fact: str, time: float, how: How, via: str, record: int,
              from_actor: str | None = None, channel: str | None = None, medium: str | None = None) -> bool:
        """Record that ``actor`` learned ``fact``; return True if this is the first time."""
        key = (actor, fact)
        if key in self.first:
            return False
        self.first[key] = Knowledge(actor, fact, time, how, via, record, from_actor, channel, medium)
        self.known_by.setdefault(actor, set()).add(fact)
        return True

    def hear(self, actor: str, facts: tuple[str, ...], time: float, how: How, via: str, record: int,
             from_actor: str, channel: str, medium: str) -> tuple[str, ...]:
        """Record that ``actor`` was told (or intercepted) ``facts``; return those new to it, in order.

        A message whose facts the actor knows already costs one set comparison.
        """
        mine = self.known_by.setdefault(actor, set())
        if mine.issuperset(facts):
            return ()
        new = tuple([f for f in facts if f not in mine])
        first = self.first
        for f in new:
            first[(actor, f)] = Knowledge(actor, f, time, how, via, record, from_actor, channel, medium)
        mine.update(new)
        return new


def second_order(events: Sequence[EventRecord]) -> dict[tuple[str, str, str], MetaKnowledge]:
    """Who first knew that whom knew what, keyed ``(knower, subject, fact)``, from a run's log.

    A recipient knows that the sender knows each fact it is told; over a synchronous medium
    (a call, a meeting) the sender also knows that the recipient now knows (``confirmed``); an
    interceptor knows that both the sender and the intended recipient know (``intercepted``).
    Only the first time counts; entries are made in log order.
    """
    meta: dict[tuple[str, str, str], MetaKnowledge] = {}
    for e in events:
        kind = e.kind
        if kind == "deliver":
            sender, me = e.actor, e.recipients[0]
            confirmed = e.medium in SYNCHRONOUS_MEDIA
            for f in e.facts:
                key = (me, sender, f)
                if key not in meta:
                    meta[key] = MetaKnowledge(me, sender, f, e.time, "told", e.id)
                if confirmed:
                    key = (sender, me, f)
                    if key not in meta:
                        meta[key] = MetaKnowledge(sender, me, f, e.time, "confirmed", e.id)
        elif kind == "intercept":
            me, recipient = e.actor, e.recipients[0]
            sender = events[e.send].actor  # type: ignore[index]
            for f in e.facts:
                key = (me, sender, f)
                if key not in meta:
                    meta[key] = MetaKnowledge(me, sender, f, e.time, "intercepted", e.id)
                key = (me, recipient, f)
                if key not in meta:
                    meta[key] = MetaKnowledge(me, recipient, f, e.time, "intercepted", e.id)
    return meta
