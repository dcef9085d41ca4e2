"""Flat records of a run: the event log and the knowledge ledger's entries.

Named tuples: a run creates hundreds of thousands of them, and a tuple is the cheapest
immutable record Python builds.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

EventKind = Literal["originate", "send", "deliver", "intercept", "skip", "lost"]
How = Literal["origin", "told", "intercepted"]
MetaHow = Literal["told", "confirmed", "intercepted", "self"]


class EventRecord(NamedTuple):
    """One thing that happened in a run.

    ``actor`` is the one acting: the originator, the sender of a send, delivery or loss, the
    interceptor of an intercept, the would-be sender of a skip. ``to`` is the recipient.
    ``cause`` is the scenario event or rule id behind it; ``message`` links a send to its
    deliveries and intercepts.
    """

    id: int
    time: float  # POSIX seconds
    kind: EventKind
    actor: str
    to: str | None
    channel: str | None
    medium: str | None
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    cause: str
    message: int | None = None
    reason: str = ""


class Knowledge(NamedTuple):
    """When ``actor`` first knew ``fact``, and how."""

    actor: str
    fact: str
    time: float
    how: How
    via_event: str
    record: int  # EventRecord.id of the originate, deliver or intercept
    from_actor: str | None = None
    channel: str | None = None
    medium: str | None = None


class MetaKnowledge(NamedTuple):
    """When ``knower`` first knew that ``subject`` knew ``fact``."""

    knower: str
    subject: str
    fact: str
    time: float
    how: MetaHow
    record: int
