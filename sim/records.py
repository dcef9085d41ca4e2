"""Flat records of a run: the event log and the knowledge ledger's entries.

Named tuples: a run creates hundreds of thousands of them, and a tuple is the cheapest
immutable record Python builds. Records carry ids and codes only; :func:`reason_text` makes
the sentence a reader sees (the CSV's ``reason`` column, the CLI, the dashboard), with the
reader's own names for actors and facts.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Literal, NamedTuple

EventKind = Literal["originate", "send", "deliver", "intercept", "skip", "lost"]
How = Literal["origin", "told", "intercepted"]
MetaHow = Literal["told", "confirmed", "intercepted", "self"]
ReasonCode = Literal["", "not_known", "knew_none", "withheld", "origin", "lost"]

#: What each reason code means, for documentation and for readers that list them.
REASONS: dict[str, str] = {
    "not_known": "a skip: the actor did not yet know the facts in ``missing`` that the event requires",
    "knew_none": "a skip: the actor knew none of the facts the message would carry (``missing``)",
    "withheld": "a send that carries only part of its facts: ``missing`` were not yet known to the sender",
    "origin": "an originate at first use: the actor is the origin of the facts it originates",
    "lost": "a message the channel did not deliver (stochastic runs)",
}


class EventRecord(NamedTuple):
    """One thing that happened in a run.

    ``actor`` is the one acting: the originator, the sender of a send, delivery or loss, the
    interceptor of an intercept, the would-be sender of a skip. ``recipients`` are the send's
    recipients (one for a delivery, intercept or loss: the intended recipient). ``cause`` is
    the scenario event or rule id behind it; ``message`` links a send to its deliveries and
    intercepts, whose ``send`` is the send's record id and ``sent_at`` its time.
    ``reason_code`` (see :data:`REASONS`) and ``missing`` (fact ids) say why a skip, a
    partial send, a first-use originate or a loss happened.
    """

    id: int
    time: float  # POSIX seconds
    kind: EventKind
    actor: str
    recipients: tuple[str, ...]
    channel: str | None
    medium: str | None
    facts: tuple[str, ...]
    sources: tuple[str, ...]
    cause: str
    message: int | None = None
    reason_code: ReasonCode = ""
    missing: tuple[str, ...] = ()
    send: int | None = None  # record id of the send behind a deliver, intercept or lost
    sent_at: float | None = None  # POSIX seconds of that send

    @property
    def to(self) -> str | None:
        """The recipients as the CSV's ``to`` column writes them (``b;c``), or None."""
        return ";".join(self.recipients) if self.recipients else None

    @property
    def reason(self) -> str:
        """The reason as text with ids (the CSV's ``reason`` column); empty if there is none."""
        return reason_text(self) if self.reason_code else ""


def reason_text(record: EventRecord, actor_names: Mapping[str, str] | None = None,
                fact_name: Callable[[str], str] | None = None) -> str:
    """The sentence for ``record``'s reason, e.g. ``dermer did not yet know us_informs_israel``.

    ``actor_names`` maps actor ids to the names to show, ``fact_name`` turns a fact id into its
    text; by default ids are shown as they are. Empty if the record has no reason.
    """
    code = record.reason_code
    if not code:
        return ""
    if code == "lost":
        return "not delivered"
    who = actor_names.get(record.actor, record.actor) if actor_names is not None else record.actor
    ids = record.facts if code == "origin" else record.missing
    facts = ", ".join(map(fact_name, ids) if fact_name else ids)
    if code == "not_known":
        return f"{who} did not yet know {facts}"
    if code == "knew_none":
        return f"{who} knew none of {facts}"
    if code == "withheld":
        return f"not yet known to {who}: {facts}"
    return f"{who} is the origin of {facts}"


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
