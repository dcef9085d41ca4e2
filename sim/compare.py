"""Comparing two runs: who learned each fact earlier or later, and which events came or went.

:func:`compare` is pure: it takes two :class:`~sim.result.RunResult` values (typically the
documented scenario and one of its variants) and returns a :class:`Comparison` of plain rows
that turn into a table, CSV or JSON without further work.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .records import reason_text
from .timeparse import format_duration, to_utc_iso

if TYPE_CHECKING:
    from .records import EventRecord
    from .result import RunResult

Status = Literal["same", "earlier", "later", "only_base", "only_alt", "never"]
STATUSES: tuple[str, ...] = ("same", "earlier", "later", "only_base", "only_alt", "never")
Change = Literal["skipped", "removed", "added", "restored", "moved"]

# Two first-knowledge times closer than this (seconds) count as the same.
SAME_WITHIN = 0.5


@dataclass(frozen=True, slots=True)
class KnowledgeDiff:
    """When ``actor`` first knew ``fact`` in the base run and in the alternative run.

    ``delta`` is ``alt - base`` in seconds (positive: the alternative learned later); None
    unless both runs knew it. ``base_via``/``alt_via`` are the scenario event or rule ids that
    brought the knowledge, ``base_path``/``alt_path`` the chains of actors it travelled.
    """

    actor: str
    fact: str
    base: float | None
    alt: float | None
    delta: float | None
    status: Status
    base_via: str = ""
    alt_via: str = ""
    base_path: tuple[str, ...] = ()
    alt_path: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class EventDiff:
    """A scripted event (``kind='event'``) or rule (``kind='rule'``) that differs between runs.

    ``change`` is ``skipped`` (happened in the base run, skipped in the alternative),
    ``removed`` (happened in the base, absent from the alternative scenario), ``added``
    (absent from the base scenario, happens in the alternative), ``restored`` (skipped or not
    fired in the base, happens in the alternative), or ``moved`` (happens in both, first at
    different times). ``base_sends``/``alt_sends`` count how often it acted in each run.
    ``reason`` says why in words with ids; ``why`` is the skip record it comes from, for
    readers that word it themselves (:func:`~sim.records.reason_text`).
    """

    id: str
    kind: Literal["event", "rule"]
    change: Change
    base_time: float | None
    alt_time: float | None
    base_sends: int
    alt_sends: int
    reason: str = ""
    summary: str = ""
    why: EventRecord | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Comparison:
    """The differences between a base run and an alternative run."""

    base_title: str
    alt_title: str
    timezone: str
    knowledge: tuple[KnowledgeDiff, ...]
    events: tuple[EventDiff, ...]

    def changed(self) -> list[KnowledgeDiff]:
        """Rows whose status is neither ``same`` nor ``never``."""
        return [k for k in self.knowledge if k.status not in ("same", "never")]

    def row(self, actor: str, fact: str) -> KnowledgeDiff:
        """The row for ``actor`` and ``fact``; ``KeyError`` if neither scenario has the pair."""
        for k in self.knowledge:
            if k.actor == actor and k.fact == fact:
                return k
        raise KeyError((actor, fact))

    def event(self, id: str) -> EventDiff | None:
        """The difference for scenario event or rule ``id``, or None if it behaved the same."""
        return next((e for e in self.events if e.id == id), None)

    def counts(self) -> dict[str, int]:
        """How many (actor, fact) rows have each status."""
        out = dict.fromkeys(STATUSES, 0)
        for k in self.knowledge:
            out[k.status] += 1
        return out

    def knowledge_rows(self) -> list[dict[str, Any]]:
        """Rows for CSV: times as ISO 8601 UTC, the difference in seconds and as text."""
        return [{"actor": k.actor, "fact": k.fact, "status": k.status,
                 "base": to_utc_iso(k.base) if k.base is not None else "",
                 "alt": to_utc_iso(k.alt) if k.alt is not None else "",
                 "delta_seconds": "" if k.delta is None else round(k.delta, 3),
                 "delta": "" if k.delta is None else format_delta(k.delta),
                 "base_via": k.base_via, "alt_via": k.alt_via,
                 "base_path": " > ".join(k.base_path), "alt_path": " > ".join(k.alt_path)}
                for k in self.knowledge]

    def to_dict(self) -> dict[str, Any]:
        """Everything as JSON-ready data."""
        events = []
        for e in self.events:
            d = asdict(e)
            del d["why"]
            d["base_time"] = to_utc_iso(e.base_time) if e.base_time is not None else None
            d["alt_time"] = to_utc_iso(e.alt_time) if e.alt_time is not None else None
            events.append(d)
        rows = self.knowledge_rows()
        for r, k in zip(rows, self.knowledge):
            r["base_path"], r["alt_path"] = list(k.base_path), list(k.alt_path)
            r["delta_seconds"] = k.delta
            r["base"], r["alt"] = r["base"] or None, r["alt"] or None
        return {"base": self.base_title, "alternative": self.alt_title, "timezone": self.timezone,
                "counts": self.counts(), "knowledge": rows, "events": events}


KNOWLEDGE_COLUMNS = ("actor", "fact", "status", "base", "alt", "delta_seconds", "delta", "base_via", "alt_via",
                     "base_path", "alt_path")


def format_delta(seconds: float) -> str:
    """A signed difference for people: ``+12h 5m``, ``-30m``, ``0s``."""
    text = format_duration(seconds)
    return text if text.startswith("-") or text == "0s" else "+" + text


def _status(base: float | None, alt: float | None) -> Status:
    if base is None and alt is None:
        return "never"
    if alt is None:
        return "only_base"
    if base is None:
        return "only_alt"
    if abs(alt - base) < SAME_WITHIN:
        return "same"
    return "earlier" if alt < base else "later"


def _union(a: tuple[str, ...], b: tuple[str, ...]) -> list[str]:
    return list(a) + [x for x in b if x not in set(a)]


@dataclass
class _Activity:
    sends: int = 0
    skips: int = 0
    first: float | None = None
    skip: EventRecord | None = None  # the first skip


def _activity(result: RunResult) -> dict[str, _Activity]:
    """Per scenario event or rule id: how often it acted, was skipped, and when it first acted."""
    out: dict[str, _Activity] = {}
    for e in result.events:
        if e.kind not in ("send", "originate", "skip") or (e.kind == "originate" and e.reason_code):
            continue
        a = out.setdefault(e.cause, _Activity())
        if e.kind == "skip":
            a.skips += 1
            a.skip = a.skip or e
        else:
            a.sends += 1
            if a.first is None:
                a.first = e.time
    return out


def _event_diffs(base: RunResult, alt: RunResult) -> list[EventDiff]:
    sb, sa = base.scenario, alt.scenario
    kinds: dict[str, Literal["event", "rule"]] = {}
    summaries: dict[str, str] = {}
    for s in (sb, sa):
        for ev in s.events:
            kinds.setdefault(ev.id, "event")
            summaries.setdefault(ev.id, ev.summary)
        for r in s.rules:
            kinds.setdefault(r.id, "rule")
            summaries.setdefault(r.id, r.summary)
    in_base = {e.id for e in sb.events} | {r.id for r in sb.rules}
    in_alt = {e.id for e in sa.events} | {r.id for r in sa.rules}
    ab, aa = _activity(base), _activity(alt)
    out: list[EventDiff] = []
    for id_, kind in kinds.items():
        b, a = ab.get(id_, _Activity()), aa.get(id_, _Activity())
        change: Change | None = None
        why: EventRecord | None = None
        reason = ""
        if b.sends and not a.sends:
            change = "skipped" if id_ in in_alt else "removed"
            why = a.skip
            reason = reason_text(why) if why else ("not in the alternative scenario" if id_ not in in_alt
                                                  else "never fired")
        elif a.sends and not b.sends:
            change = "added" if id_ not in in_base else "restored"
            why = b.skip if id_ in in_base else None
            reason = reason_text(why) if why else ""
        elif b.sends and a.sends and b.first is not None and a.first is not None \
                and abs(a.first - b.first) >= SAME_WITHIN:
            change = "moved"
        if change is not None:
            out.append(EventDiff(id_, kind, change, b.first, a.first, b.sends, a.sends, reason, summaries[id_], why))
    order = {"removed": 0, "skipped": 1, "added": 2, "restored": 3, "moved": 4}
    out.sort(key=lambda d: (order[d.change], d.base_time if d.base_time is not None else d.alt_time or 0.0, d.id))
    return out


def compare(base: RunResult, alt: RunResult) -> Comparison:
    """Compare two runs pair by pair (every actor × fact of either scenario) and event by event."""
    actors = _union(base.compiled.actors, alt.compiled.actors)
    facts = _union(base.compiled.facts, alt.compiled.facts)
    rows = []
    for f in facts:
        for a in actors:
            kb, ka = base.first.get((a, f)), alt.first.get((a, f))
            tb, ta = (kb.time if kb else None), (ka.time if ka else None)
            rows.append(KnowledgeDiff(
                a, f, tb, ta, None if tb is None or ta is None else ta - tb, _status(tb, ta),
                kb.via_event if kb else "", ka.via_event if ka else "",
                tuple(base.path(a, f)) if kb else (), tuple(alt.path(a, f)) if ka else ()))
    return Comparison(base.scenario.meta.title, alt.scenario.meta.title, base.scenario.meta.timezone,
                      tuple(rows), tuple(_event_diffs(base, alt)))
