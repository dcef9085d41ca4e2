"""Flat records of a run: the event log and the knowledge ledger's entries.

Records are named tuples. A run's event log is an :class:`EventLog`: the same records kept by
column (times in an ``array``, kinds and reason codes as small integers, the rest as references
to tuples and strings the records share), so that a run of 100k messages holds about a hundred
bytes per record instead of a tuple with its boxed numbers; indexing or iterating it gives
:class:`EventRecord` tuples. Records carry ids and codes only; :func:`reason_text` makes the
sentence a reader sees (the CSV's ``reason`` column, the CLI, the dashboard), with the reader's
own names for actors and facts.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple, overload

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


KINDS: tuple[EventKind, ...] = ("originate", "send", "deliver", "intercept", "skip", "lost")
CODES: tuple[ReasonCode, ...] = ("", "not_known", "knew_none", "withheld", "origin", "lost")
#: The integer an :class:`EventLog` stores for each kind and reason code.
KIND: dict[str, int] = {k: i for i, k in enumerate(KINDS)}
CODE: dict[str, int] = {c: i for i, c in enumerate(CODES)}
_NO_ID = -1  # no message or send
_COLUMNS = ("times", "_kind", "_actor", "_recipients", "_channel", "_facts", "_sources", "_cause", "_message",
            "_code", "_missing", "_send")
_STATE = (*_COLUMNS, "_missing_table", "_media")


class EventLog(Sequence[EventRecord]):
    """A run's event log, kept by column; reads as a sequence of :class:`EventRecord`.

    Record ``i`` has id ``i``. :meth:`add` is the engine's append (kinds and codes as their
    :data:`KIND` and :data:`CODE` integers); :meth:`append` takes a record. What follows from
    other columns is not stored: a record's ``sent_at`` is the time of its ``send`` record and its
    ``medium`` its channel's (``media``); each distinct ``missing`` tuple is kept once.
    ``times`` is the column of record times (POSIX seconds), for readers that need only those.
    Two logs are equal when their records are, and a log equals any sequence of the same records.
    """

    __slots__ = (*_STATE, "_missing_index")

    def __init__(self, records: Iterable[EventRecord] = (), media: Mapping[str, str] | None = None) -> None:
        self.times = array("d")
        self._kind = array("b")
        self._message = array("i")
        self._code = array("b")
        self._send = array("i")
        self._actor: list[str] = []
        self._recipients: list[tuple[str, ...]] = []
        self._channel: list[str | None] = []
        self._facts: list[tuple[str, ...]] = []
        self._sources: list[tuple[str, ...]] = []
        self._cause: list[str] = []
        self._missing = array("i")  # index into _missing_table
        self._missing_table: list[tuple[str, ...]] = [()]
        self._missing_index: dict[tuple[str, ...], int] = {(): 0}
        self._media: dict[str, str] = dict(media or {})  # channel -> medium
        for r in records:
            self.append(r)

    def add(self, time: float, kind: int, actor: str, recipients: tuple[str, ...], channel: str | None,
            facts: tuple[str, ...], sources: tuple[str, ...], cause: str, message: int = _NO_ID, code: int = 0,
            missing: tuple[str, ...] = (), send: int = _NO_ID) -> int:
        """Append one record (``message`` and ``send`` -1 for none); return its id.

        ``channel`` must be one of the log's ``media`` (or None), and a record with a ``send``
        is sent at that record's time.
        """
        rid = len(self.times)
        self.times.append(time)
        self._kind.append(kind)
        self._actor.append(actor)
        self._recipients.append(recipients)
        self._channel.append(channel)
        self._facts.append(facts)
        self._sources.append(sources)
        self._cause.append(cause)
        self._message.append(message)
        self._code.append(code)
        self._send.append(send)
        if missing:
            j = self._missing_index.get(missing)
            if j is None:
                j = self._missing_index[missing] = len(self._missing_table)
                self._missing_table.append(missing)
            self._missing.append(j)
        else:
            self._missing.append(0)
        return rid

    def append(self, r: EventRecord) -> int:
        """Append record ``r``; return its id.

        Raises ValueError if ``r`` does not fit the log: its id is not the next one, its
        ``sent_at`` is not its ``send``'s time, or its channel had another medium before.
        """
        if r.id != len(self.times):
            raise ValueError(f"record {r.id} appended as record {len(self.times)}")
        if (r.send is None) != (r.sent_at is None) or (r.send is not None and (
                not 0 <= r.send < r.id or self.times[r.send] != r.sent_at)):
            raise ValueError(f"record {r.id}: sent_at {r.sent_at!r} is not the time of its send {r.send!r}")
        if r.channel is not None:
            if self._media.setdefault(r.channel, r.medium) != r.medium:  # type: ignore[arg-type]
                raise ValueError(f"record {r.id}: channel {r.channel!r} has medium {self._media[r.channel]!r}, "
                                 f"not {r.medium!r}")
        elif r.medium is not None:
            raise ValueError(f"record {r.id}: a medium without a channel")
        return self.add(r.time, KIND[r.kind], r.actor, r.recipients, r.channel, r.facts, r.sources, r.cause,
                        _NO_ID if r.message is None else r.message, CODE[r.reason_code], r.missing,
                        _NO_ID if r.send is None else r.send)

    def __len__(self) -> int:
        return len(self.times)

    @overload
    def __getitem__(self, i: int) -> EventRecord: ...

    @overload
    def __getitem__(self, i: slice) -> tuple[EventRecord, ...]: ...

    def __getitem__(self, i: int | slice) -> EventRecord | tuple[EventRecord, ...]:
        if isinstance(i, slice):
            return tuple(map(self.__getitem__, range(*i.indices(len(self.times)))))
        if i < 0:
            i += len(self.times)
        if not 0 <= i < len(self.times):
            raise IndexError("event log index out of range")
        ch, m, s = self._channel[i], self._message[i], self._send[i]
        return EventRecord(i, self.times[i], KINDS[self._kind[i]], self._actor[i], self._recipients[i], ch,
                           None if ch is None else self._media[ch], self._facts[i], self._sources[i], self._cause[i],
                           None if m < 0 else m, CODES[self._code[i]], self._missing_table[self._missing[i]],
                           None if s < 0 else s, None if s < 0 else self.times[s])

    def __iter__(self) -> Iterator[EventRecord]:
        times, media, missing = self.times, self._media, self._missing_table
        for i, (t, k, a, r, ch, f, so, ca, m, c, mi, s) in enumerate(zip(*(getattr(self, n) for n in _COLUMNS))):
            yield EventRecord(i, t, KINDS[k], a, r, ch, None if ch is None else media[ch], f, so, ca,
                              None if m < 0 else m, CODES[c], missing[mi], None if s < 0 else s,
                              None if s < 0 else times[s])

    def __eq__(self, other: object) -> bool:
        if isinstance(other, EventLog):
            return (all(getattr(self, n) == getattr(other, n) for n in _COLUMNS if n != "_missing")
                    and all(self._missing_table[a] == other._missing_table[b]
                            for a, b in zip(self._missing, other._missing))
                    and all(self._media[c] == other._media[c] for c in set(self._channel) - {None}))
        if isinstance(other, Sequence) and not isinstance(other, str):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"EventLog({len(self.times):,} records)"

    def freeze(self) -> EventLog:
        """Refuse any further record (a finished run's log); return the log itself."""
        self.__class__ = _FrozenEventLog
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return _rebuild, (type(self) is _FrozenEventLog, *(getattr(self, n) for n in _STATE))


class _FrozenEventLog(EventLog):
    """An :class:`EventLog` that takes no more records."""

    __slots__ = ()

    def add(self, *args: Any, **kwargs: Any) -> int:
        raise TypeError("a finished run's event log takes no more records")


def _rebuild(frozen: bool, *state: Any) -> EventLog:
    log = EventLog()
    for n, value in zip(_STATE, state):
        setattr(log, n, value)
    log._missing_index = {t: j for j, t in enumerate(log._missing_table)}
    return log.freeze() if frozen else log


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
