"""The scenario format: frozen pydantic models for one negotiation's actors, channels and messages.

Field-level checks live here; checks that relate one part of a file to another (an event naming
an unknown actor, a duplicate id) live in :mod:`sim.references`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal, Union

from pydantic import (BaseModel, BeforeValidator, ConfigDict, Discriminator, Field, PlainSerializer, Tag,
                      model_validator)

from .timeparse import check_year, parse_duration, parse_instant, zone

Id = Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_-]*$", min_length=1, max_length=80,
                          description="An identifier: letters, digits, _ and -; starts with a letter or _")]


def _duration(v: object) -> float:
    return parse_duration(v)  # type: ignore[arg-type]  # a number is read alike, whole or not: 0, else a unit


def _instant(v: object) -> datetime:
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError(f"time {v.isoformat()} has no UTC offset or zone")
        return check_year(v, None)
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
Probability = Annotated[float, Field(ge=0.0, le=1.0, allow_inf_nan=False)]


class Strict(BaseModel):
    """Base for every format model: unknown keys are errors and loaded scenarios are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Span(Strict):
    """The stretch of time the scenario covers."""

    start: Instant
    end: Instant

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end <= self.start:
            raise ValueError("span end must come after span start")
        return self


class Meta(Strict):
    """Title, description and display settings of a scenario."""

    title: str = Field(min_length=1)
    description: str = ""
    timezone: ZoneName = Field(description="Time zone used to display times")
    span: Span


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
    sigma: float = Field(gt=0.0, le=5.0, allow_inf_nan=False)  # unbounded above: see docs/scenario-format.md


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


class Tap(Strict):
    """An actor who intercepts the traffic on a channel."""

    by: Id
    probability: Probability = Field(1.0, description="Chance that one message is intercepted; "
                                                      "replay intercepts when it is at least 0.5")
    delay: Latency = Field(0.0, description="Time from sending to the interceptor knowing")


class Channel(Strict):
    """A way messages travel between actors."""

    id: Id
    between: list[Id] = Field(min_length=2, description="Endpoints; for one-way, the first sends to the rest")
    medium: Medium
    direction: Literal["one-way", "two-way"] = "two-way"
    latency: Latency = 0.0
    reliability: Probability = Field(1.0, description="Delivery probability in stochastic runs")
    taps: list[Tap] = Field(default_factory=list)
    description: str = ""


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


class Event(Strict):
    """A scripted message (``kind: message``) or decision (``kind: decision``, originates facts)."""

    id: Id
    kind: Literal["message", "decision"] = "message"
    time: Annotated[Union[Annotated[Instant, Tag("instant")], Annotated[Window, Tag("window")]],
                    Discriminator(_time_kind)]
    summary: str = Field(min_length=1, description="One line for timelines")
    actor: Id = Field(description="Sender of a message, or the actor who decides")
    to: list[Id] = Field(default_factory=list, description="Recipients of a message")
    channel: Id | None = None
    facts: list[Id] = Field(min_length=1)
    requires: list[Id] = Field(default_factory=list, description="Facts the actor must know at that moment, else the event is skipped")
    sources: list[Citation] = Field(min_length=1)

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


class Rule(Strict):
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
