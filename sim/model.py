"""The scenario format: frozen pydantic models for one negotiation's actors, channels and messages.

Field-level checks live here; checks that relate one part of a file to another (an event naming
an unknown actor, a duplicate id) live in :mod:`sim.references`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PlainSerializer, Tag,
                      model_validator)

from .timeparse import parse_duration, parse_instant, zone

Id = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", min_length=1, max_length=80,
                          description="An identifier: letters, digits, _ and -; starts with a letter or _")]


def _duration(v: object) -> float:
    if isinstance(v, float) and v >= 0:  # already parsed (model_copy / re-validation)
        return v
    return parse_duration(v)  # type: ignore[arg-type]


def _instant(v: object) -> datetime:
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError(f"time {v.isoformat()} has no UTC offset or zone")
        return v
    if not isinstance(v, str):
        raise ValueError("a time is a string like 2025-05-11T22:00+03:00 or 2025-05-11 22:00 Asia/Qatar")
    return parse_instant(v)


def _zone_name(v: object) -> str:
    if not isinstance(v, str):
        raise ValueError("a time zone is an IANA name like Asia/Qatar")
    zone(v)
    return v


Duration = Annotated[float, BeforeValidator(_duration),
                     Field(json_schema_extra={"type": "string", "examples": ["15m", "2h", "1d", "1h30m"]},
                           description="A duration with a unit: 30s, 15m, 2h, 1d, 1h30m")]
Instant = Annotated[datetime, BeforeValidator(_instant),
                    PlainSerializer(lambda d: d.isoformat(), return_type=str),
                    Field(json_schema_extra={"type": "string", "examples": ["2025-05-11T22:00+03:00"]},
                          description="An instant with a UTC offset or a trailing IANA zone name")]
ZoneName = Annotated[str, BeforeValidator(_zone_name), Field(description="An IANA time zone, e.g. Asia/Qatar")]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Basis = Literal["reported", "inferred", "assumed"]
BASES: tuple[str, ...] = ("reported", "inferred", "assumed")  # strongest first
UNSTATED_NOTE = "the file does not say how this is known"

_BASIS_DESCRIPTION = ("How this is known: reported (a cited source says it happened so), inferred (it follows from "
                      "what a source says; say how in note) or assumed (a modelling choice no source states; say "
                      "why in note). Omitted: treated as assumed, with the note '" + UNSTATED_NOTE + "'")
_NOTE_DESCRIPTION = "How an inferred step follows from the sources, or why an assumed one was chosen"


class Strict(BaseModel):
    """Base for every format model: unknown keys are errors and loaded scenarios are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Noted(Strict):
    """Base for the steps of a record (events, rules, channels, taps): how each is known."""

    basis: Basis | None = Field(None, description=_BASIS_DESCRIPTION)
    note: str = Field("", description=_NOTE_DESCRIPTION)

    @model_validator(mode="after")
    def _noted(self) -> Noted:
        if self.basis in ("inferred", "assumed") and not self.note.strip():
            how = "how it follows from the sources" if self.basis == "inferred" else "why it was chosen"
            raise ValueError(f"basis {self.basis!r} needs a 'note' saying {how}")
        return self


class Span(Strict):
    """The stretch of time the scenario covers."""

    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError("span end must come after span start")
        return self


class KeyMoment(Strict):
    """A moment worth opening at: when ``event`` happens in the run."""

    id: Id
    event: Id = Field(description="The event whose time is the moment")
    headline: str = Field(min_length=1, max_length=200, description="One line saying what happens")
    fact: Id | None = Field(None, description="The fact to show at that moment")


class Meta(Strict):
    """Title, description and display settings of a scenario."""

    title: str = Field(min_length=1)
    description: str = ""
    timezone: ZoneName = Field(description="Time zone used to display times")
    span: Span
    key_moments: list[KeyMoment] = Field(default_factory=list, description="Moments a reader can jump to")
    opens_at: Id | None = Field(None, description="The key moment the dashboard opens at")


class Source(Strict):
    """A published report the scenario draws on."""

    id: Id
    outlet: str = Field(min_length=1)
    title: str = Field(min_length=1)
    published: date
    reference: str = Field(min_length=1, description="A file name or URL")
    reliability: Literal["A", "B", "C", "D", "E", "F"] = Field(
        description="Admiralty source reliability: A completely reliable … E unreliable, F cannot be judged")
    notes: str = ""
    derived_from: Id | None = Field(None, description="The source this one retells (e.g. a report of another "
                                                      "outlet's scoop): the two count as one independent source")


class Actor(Strict):
    """A person, group or service that sends, receives or intercepts messages."""

    id: Id
    name: str = Field(min_length=1)
    affiliation: str = Field(min_length=1, description="e.g. Hamas, United States, Qatar, Israel, private")
    role: str = ""
    timezone: ZoneName


class Fact(Strict):
    """One proposition that actors can come to know."""

    id: Id
    statement: str = Field(min_length=1)
    origin: Id | None = Field(None, description="Actor the fact comes from: it originates the fact the first time "
                                                "the record has it send or need it (leave empty when a decision "
                                                "originates it)")
    label: str | None = Field(None, min_length=1, max_length=40,
                              description="Short name for figures (at most 40 characters); default: the "
                                          "statement, shortened")

    @property
    def short_label(self) -> str:
        """``label``, else the statement cut at a word boundary to at most 40 characters (with an ellipsis)."""
        if self.label:
            return self.label
        text = " ".join(self.statement.split())
        if len(text) <= 40:
            return text
        head = text[:40]  # a word that ends at the 39th character is kept whole
        cut = head.rsplit(" ", 1)[0] if " " in head else text[:39]
        return cut.rstrip(" ,;:.") + "…"


class Fixed(Strict):
    """A fixed latency (same in replay and stochastic runs)."""

    fixed: Duration


class Uniform(Strict):
    """Uniform between ``low`` and ``high``; replay uses the midpoint."""

    uniform: tuple[Duration, Duration] = Field(description="[low, high]")

    @model_validator(mode="after")
    def _ordered(self) -> Uniform:
        if self.uniform[1] < self.uniform[0]:
            raise ValueError("uniform high is below low")
        return self


class Triangular(Strict):
    """Triangular with ``low``, ``mode``, ``high``; replay uses the mode."""

    triangular: tuple[Duration, Duration, Duration] = Field(description="[low, mode, high]")

    @model_validator(mode="after")
    def _ordered(self) -> Triangular:
        lo, mode, hi = self.triangular
        if not lo <= mode <= hi:
            raise ValueError("triangular needs low <= mode <= high")
        return self


class LogNormal(Strict):
    """Log-normal with the given median and shape ``sigma``; replay uses the median."""

    lognormal: LogNormalParams


class LogNormalParams(Strict):
    median: Duration
    sigma: float = Field(gt=0.0, le=5.0)


def _latency_kind(v: object) -> str:
    if isinstance(v, dict):
        for key in ("fixed", "uniform", "triangular", "lognormal"):
            if key in v:
                return key
        return "fixed"
    if isinstance(v, BaseModel):
        return type(v).__name__.lower().replace("lognormal", "lognormal")
    return "duration"


Latency = Annotated[Union[Annotated[Duration, Tag("duration")], Annotated[Fixed, Tag("fixed")],
                          Annotated[Uniform, Tag("uniform")], Annotated[Triangular, Tag("triangular")],
                          Annotated[LogNormal, Tag("lognormal")]],
                    Discriminator(_latency_kind)]

Medium = Literal["call", "text", "meeting", "intermediary", "public_statement", "press",
                 "intercept", "briefing", "letter", "other"]
SYNCHRONOUS_MEDIA: frozenset[str] = frozenset({"call", "meeting"})


class Tap(Noted):
    """An actor who intercepts the traffic on a channel."""

    by: Id
    probability: Probability = Field(1.0, description="Chance that one message is intercepted; "
                                                      "replay intercepts when it is at least 0.5")
    delay: Latency = Field(0.0, description="Time from sending to the interceptor knowing")
    reveals: list[Id] | None = Field(None, description="Facts an interception reveals (of those the message "
                                                       "carries); default: every fact the message carries")
    sources: list[Citation] = Field(default_factory=list, description="Sources that report the interception")


class Channel(Noted):
    """A way messages travel between actors."""

    id: Id
    between: list[Id] = Field(min_length=2, description="Endpoints; for one-way, the first sends to the rest")
    medium: Medium
    direction: Literal["one-way", "two-way"] = "two-way"
    latency: Latency = 0.0
    reliability: Probability = Field(1.0, description="Delivery probability in stochastic runs")
    taps: list[Tap] = Field(default_factory=list)
    description: str = ""
    sources: list[Citation] = Field(default_factory=list, description="Sources the channel is modelled from")


class Window(Strict):
    """An uncertain time: the event happened between earliest and latest."""

    earliest: Instant
    latest: Instant
    estimate: Instant | None = Field(None, description="Point used by replay; the midpoint if omitted")

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.latest < self.earliest:
            raise ValueError("latest is before earliest")
        if self.estimate is not None and not self.earliest <= self.estimate <= self.latest:
            raise ValueError("estimate lies outside earliest..latest")
        return self


def _time_kind(v: object) -> str:
    if type(v) is str or type(v) is dict:  # the common cases first: isinstance on models is slow
        return "instant" if type(v) is str else "window"
    return "window" if isinstance(v, (dict, Window)) else "instant"


class Citation(Strict):
    """A source backing an event, with the claim in the scenario author's own words."""

    source: Id
    claim: str = Field(min_length=1, description="Paraphrase of what the source reports")
    grade: int = Field(ge=1, le=6, description="Admiralty information credibility: 1 confirmed … 6 cannot be judged")


class After(Strict):
    """A time relative to another event: ``delay`` after it, or ``between`` two delays after it."""

    event: Id = Field(description="The event this one follows")
    delay: Duration | None = Field(None, description="Exactly this long after the event")
    between: tuple[Duration, Duration] | None = Field(
        None, description="[shortest, longest] after the event; replay uses the midpoint, stochastic runs draw "
                          "from a triangular distribution peaking there")

    @model_validator(mode="after")
    def _one(self) -> After:
        if (self.delay is None) == (self.between is None):
            raise ValueError("'after' needs exactly one of 'delay' or 'between'")
        if self.between is not None and self.between[1] < self.between[0]:
            raise ValueError("'between' needs [shortest, longest]; the second is shorter")
        return self


class Event(Noted):
    """A scripted message (``kind: message``) or decision (``kind: decision``, originates facts)."""

    id: Id
    kind: Literal["message", "decision"] = "message"
    time: Annotated[Union[Annotated[Instant, Tag("instant")], Annotated[Window, Tag("window")]],
                    Discriminator(_time_kind)] | None = Field(
        None, description="An instant or a window; give either 'time' or 'after'")
    summary: str = Field(min_length=1, description="One line for timelines")
    actor: Id = Field(description="Sender of a message, or the actor who decides")
    to: list[Id] = Field(default_factory=list, description="Recipients of a message")
    channel: Id | None = None
    facts: list[Id] = Field(min_length=1)
    requires: list[Id] = Field(default_factory=list, description="Facts the actor must know at that moment, else the event is skipped")
    sources: list[Citation] = Field(min_length=1)
    after: After | None = Field(None, description="A time relative to another event, instead of 'time'")

    @model_validator(mode="after")
    def _timed(self) -> Event:
        if (self.time is None) == (self.after is None):
            raise ValueError("an event needs exactly one of 'time' or 'after'")
        return self

    @model_validator(mode="after")
    def _shape(self) -> Event:
        if self.kind == "message":
            if not self.to:
                raise ValueError("a message needs at least one recipient in 'to'")
            if self.channel is None:
                raise ValueError("a message needs a 'channel'")
        elif self.to or self.channel:
            raise ValueError("a decision has no 'to' or 'channel'; use a message to tell someone")
        return self


class Trigger(Strict):
    """When ``actor`` learns ``learns`` (optionally from ``source_actor``)."""

    actor: Id
    learns: list[Id] = Field(min_length=1, description="Facts; learning any one of them fires the rule")
    from_: Id | None = Field(None, alias="from", description="Only when told by (or intercepted from) this actor")


class Action(Strict):
    """Send facts to actors over a channel after a delay."""

    to: list[Id] = Field(min_length=1)
    channel: Id
    facts: list[Id] = Field(default_factory=list, description="Facts to send; empty means the fact just learned")
    delay: Latency = 0.0
    summary: str = ""


class Decide(Strict):
    """Originate facts after a delay: a decision taken in reaction to news."""

    facts: list[Id] = Field(min_length=1)
    delay: Latency = 0.0
    summary: str = ""


class Rule(Noted):
    """Reactive behaviour: when an actor learns a fact, it sends a message or takes a decision.

    Fires at most once per fact it learns.
    """

    id: Id
    when: Trigger
    send: Action | None = None
    decide: Decide | None = None
    sources: list[Citation] = Field(default_factory=list)
    description: str = ""

    @model_validator(mode="after")
    def _one_action(self) -> Rule:
        if (self.send is None) == (self.decide is None):
            raise ValueError("a rule needs exactly one of 'send' (a message) or 'decide' (a decision)")
        return self

    @property
    def summary(self) -> str:
        """One line for timelines: the action's summary, else the description, else the id."""
        action = self.send if self.send is not None else self.decide
        return (action.summary if action is not None else "") or self.description or self.id


class Alternative(Strict):
    """A named variant inside a scenario file: changes applied before a run."""

    id: Id
    title: str = Field(min_length=1)
    description: str = ""
    remove: list[str] = Field(default_factory=list, description="KIND:ID, e.g. channel:bahbah_witkoff, tap:CHANNEL/ACTOR")
    set: dict[str, object] = Field({}, description="Dotted path to new value, e.g. channels.X.latency: 12h")
    add: dict[str, list[dict[str, object]]] = Field({}, description="Lists to append to: events, rules, ...")


class Scenario(Strict):
    """A complete negotiation scenario, ready to compile and run."""

    meta: Meta
    sources: list[Source] = Field(min_length=1)
    actors: list[Actor] = Field(min_length=1)
    facts: list[Fact] = Field(min_length=1)
    channels: list[Channel] = Field(default_factory=list)
    events: list[Event] = Field(default_factory=list)
    rules: list[Rule] = Field(default_factory=list)
    alternatives: list[Alternative] = Field(default_factory=list)


LogNormal.model_rebuild()
Tap.model_rebuild()
Channel.model_rebuild()
