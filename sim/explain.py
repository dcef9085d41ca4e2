"""What mattered for one outcome: remove each element of a scenario in turn, replay, and rank.

For the outcome "ACTOR learns FACT" (optionally "by TIME"), :func:`explain` removes every event,
rule, channel, tap and actor (other than ACTOR and the fact's origin) one at a time, replays the
scenario without it and classifies the element:

- ``necessary``: without it, ACTOR never learns FACT (or not by TIME);
- ``delaying``: without it, ACTOR learns later (ranked by how much);
- ``redundant``: on the replay's path, yet without it nothing changes: another path carries the news;
- ``unchanged``: off the path, and without it nothing changes;
- ``earlier``: without it, ACTOR learns sooner (or learns at all, or in time).

A removal propagates as in a variant file: an element's :class:`Removal` is the ``--remove`` (and,
for an actor, ``--set``) options of ``backchannel variant`` that take it out together with what
cannot exist without it (a channel's messages and reactions; an actor's channels, taps, messages
and rules), so that the variant loads; then the run skips what lacks its ``requires`` and rules fire
at their new times. :func:`without` applies a removal to the validated scenario directly — the same
scenario a variant file would load to (``tests/test_explain.py`` checks this for every element of
the documented scenario) — and each variant is compiled once.

With ``runs``, :func:`explain` also runs the base and every variant ``runs`` times in stochastic
mode with the same seeds on both sides (run ``i`` uses :func:`sim.sweep.run_seed` of ``(seed, i)``),
so the comparison is paired; counts are summed, so the result is the same whatever the number of
workers.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from collections import deque
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from .compare import SAME_WITHIN
from .compiled import Compiled, compile_scenario
from .engine import first_time, run
from .errors import QueryError
from .model import Scenario
from .references import _suggest
from .result import RunResult
from .sweep import run_seed
from .timeparse import as_timestamp

Kind = Literal["event", "rule", "channel", "tap", "actor"]
KINDS: tuple[str, ...] = ("event", "rule", "channel", "tap", "actor")
Status = Literal["necessary", "delaying", "redundant", "unchanged", "earlier"]
STATUSES: tuple[str, ...] = ("necessary", "delaying", "redundant", "earlier", "unchanged")
CHUNK = 8  # stochastic runs per task (each task replays the base and every variant with these seeds)
MAX_RUNS = 1_000_000


class ExplainError(ValueError):
    """An outcome that cannot be explained: an unknown actor or fact, a bad time or number of runs."""


# -- removals -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Removal:
    """Taking one element out of a scenario, as ``backchannel variant`` options.

    ``removes`` are ``KIND:ID`` targets (the element first, then what cannot exist without it);
    ``sets`` are ``(PATH, VALUE)`` pairs for entries that stay but lose the removed actor (a
    channel's endpoints, a message's recipients, a fact's origin).
    """

    kind: Kind
    id: str
    removes: tuple[str, ...]
    sets: tuple[tuple[str, Any], ...] = ()

    @property
    def target(self) -> str:
        """``KIND:ID`` of the element itself (``tap:CHANNEL/ACTOR`` for a tap)."""
        return f"{self.kind}:{self.id}"

    def options(self) -> list[str]:
        """The ``backchannel variant`` options that write this removal: ``--remove X`` and ``--set P=V``."""
        out = []
        for r in self.removes:
            out += ["--remove", r]
        for path, value in self.sets:
            out += ["--set", f"{path}={_yaml_value(value)}"]
        return out


def _yaml_value(value: Any) -> str:
    """A value as ``--set`` reads it (flow YAML): ``[a, b]``, ``null``."""
    if value is None:
        return "null"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def origins(s: Scenario, fact: str) -> tuple[str, ...]:
    """The actors ``fact`` comes from: its ``origin``, else every actor whose decision originates it."""
    f = next(x for x in s.facts if x.id == fact)
    if f.origin is not None:
        return (f.origin,)
    out = [e.actor for e in s.events if e.kind == "decision" and fact in e.facts]
    out += [r.when.actor for r in s.rules if r.decide is not None and fact in r.decide.facts]
    return tuple(dict.fromkeys(out))


def elements(s: Scenario, actor: str, fact: str) -> list[tuple[Kind, str]]:
    """Every element :func:`explain` removes, in file order by kind: events, rules, channels, taps, actors
    (all but ``actor`` and the fact's origins)."""
    keep = {actor, *origins(s, fact)}
    out: list[tuple[Kind, str]] = [("event", e.id) for e in s.events]
    out += [("rule", r.id) for r in s.rules]
    out += [("channel", c.id) for c in s.channels]
    out += [("tap", f"{c.id}/{t.by}") for c in s.channels for t in c.taps]
    out += [("actor", a.id) for a in s.actors if a.id not in keep]
    return out


def _after(e: Any) -> str | None:
    """The event an event's relative time (``after:``) refers to, if it has one."""
    after = getattr(e, "after", None)
    return getattr(after, "event", None) if after is not None else None


def removal(s: Scenario, kind: Kind, id: str) -> Removal:
    """The removal of one element with everything that cannot exist without it (see the module docs)."""
    events: list[str] = []
    rules: list[str] = []
    channels: list[str] = []
    taps: list[str] = []
    sets: list[tuple[str, Any]] = []
    gone_channels: set[str] = set()
    if kind == "event":
        events.append(id)
    elif kind == "rule":
        rules.append(id)
    elif kind == "tap":
        taps.append(id)
    elif kind == "channel":
        channels.append(id)
        gone_channels.add(id)
    elif kind == "actor":
        for c in s.channels:
            if id in c.between:
                rest = [a for a in c.between if a != id]
                if len(rest) < 2 or (c.direction == "one-way" and c.between[0] == id):
                    channels.append(c.id)
                    gone_channels.add(c.id)
                else:
                    sets.append((f"channels.{c.id}.between", rest))
            elif any(t.by == id for t in c.taps):
                taps.append(f"{c.id}/{id}")
        for f in s.facts:
            if f.origin == id:
                sets.append((f"facts.{f.id}.origin", None))
    else:
        raise ExplainError(f"cannot remove a {kind!r}: one of {', '.join(KINDS)}")
    gone_events = set(events)
    for e in s.events:
        if e.id in gone_events:
            continue
        if e.channel in gone_channels or (kind == "actor" and e.actor == id):
            gone_events.add(e.id)
        elif kind == "actor" and id in e.to:
            rest = [a for a in e.to if a != id]
            if rest:
                sets.append((f"events.{e.id}.to", rest))
            else:
                gone_events.add(e.id)
    grown = True
    while grown:  # events timed after a removed event go too
        grown = False
        for e in s.events:
            if e.id not in gone_events and _after(e) in gone_events:
                gone_events.add(e.id)
                grown = True
    events = [e.id for e in s.events if e.id in gone_events]
    sets = [(p, v) for p, v in sets if not (p.startswith("events.") and p.split(".")[1] in gone_events)]
    for r in s.rules:
        if r.id in rules:
            continue
        channel = r.send.channel if r.send is not None else None
        if channel in gone_channels:
            rules.append(r.id)
        elif kind == "actor" and (r.when.actor == id or r.when.from_ == id):
            rules.append(r.id)
        elif kind == "actor" and r.send is not None and id in r.send.to:
            rest = [a for a in r.send.to if a != id]
            if rest:
                sets.append((f"rules.{r.id}.send.to", rest))
            else:
                rules.append(r.id)
    removes = [f"{kind}:{id}"]
    removes += [f"channel:{c}" for c in channels if f"channel:{c}" not in removes]
    removes += [f"tap:{t}" for t in taps if f"tap:{t}" not in removes]
    removes += [f"event:{e}" for e in events if f"event:{e}" not in removes]
    removes += [f"rule:{r}" for r in rules if f"rule:{r}" not in removes]
    return Removal(kind, id, tuple(removes), tuple(sets))


def _set(model: Any, fields: list[str], value: Any) -> Any:
    if len(fields) == 1:
        return model.model_copy(update={fields[0]: value})
    return model.model_copy(update={fields[0]: _set(getattr(model, fields[0]), fields[1:], value)})


def without(s: Scenario, r: Removal) -> Scenario:
    """``s`` with removal ``r`` applied: the scenario ``backchannel variant`` with ``r.options()`` loads to.

    Works on the validated scenario (nothing is re-validated: a removal only drops entries and
    the references to them). Named alternatives are dropped, as a variant file drops them.
    """
    gone: dict[str, set[str]] = {k: set() for k in KINDS}
    for target in r.removes:
        k, _, name = target.partition(":")
        gone[k].add(name)
    taps: dict[str, set[str]] = {}
    for t in gone["tap"]:
        c, _, by = t.partition("/")
        taps.setdefault(c, set()).add(by)
    channels = []
    for c in s.channels:
        if c.id in gone["channel"]:
            continue
        if c.id in taps:
            c = c.model_copy(update={"taps": [t for t in c.taps if t.by not in taps[c.id]]})
        channels.append(c)
    moments = [m for m in s.meta.key_moments if m.event not in gone["event"]]
    opens_at = s.meta.opens_at if s.meta.opens_at in {m.id for m in moments} else None
    update: dict[str, Any] = {
        "meta": s.meta.model_copy(update={"key_moments": moments, "opens_at": opens_at}),
        "actors": [a for a in s.actors if a.id not in gone["actor"]],
        "channels": channels,
        "events": [e for e in s.events if e.id not in gone["event"]],
        "rules": [x for x in s.rules if x.id not in gone["rule"]],
        "facts": list(s.facts),
        "alternatives": [],
    }
    for path, value in r.sets:
        section, name, *fields = path.split(".")
        items = update[section]
        i = next(i for i, x in enumerate(items) if x.id == name)
        items[i] = _set(items[i], fields, value)
    return s.model_copy(update=update)


# -- the analysis -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Row:
    """What removing one element does to the outcome (replay), and in stochastic runs if asked.

    ``known_at`` is when ACTOR first knew FACT without the element (None: never); ``delay`` is
    ``known_at`` minus the replay's time (None unless both knew it). ``path`` and ``via`` are the
    actors and the scenario events or rules the news travelled by instead. ``on_path``: the
    element is on the replay's own path. The ``p_*`` fields are None without stochastic runs.
    """

    removal: Removal
    status: Status
    on_path: bool
    known_at: float | None
    delay: float | None
    path: tuple[str, ...]
    via: tuple[str, ...]
    p_with: float | None = None
    p_without: float | None = None
    lost: int = 0  # runs in which ACTOR learned (by TIME) with the element, and not without it
    gained: int = 0  # runs in which it learned without the element, and not with it

    @property
    def kind(self) -> str:
        return self.removal.kind

    @property
    def id(self) -> str:
        return self.removal.id

    @property
    def difference(self) -> float | None:
        """``p_with - p_without``: how much more likely the outcome is with the element."""
        return None if self.p_with is None or self.p_without is None else self.p_with - self.p_without


@dataclass(frozen=True)
class Explanation:
    """The outcome "``actor`` learns ``fact`` (by ``by``)", the replay's path to it, and every removal's effect.

    ``rows`` are ranked: necessary elements (those on the path first), delaying ones (largest
    delay first), redundant ones, earlier ones, then unchanged ones. With stochastic runs,
    ``runs`` and ``seed`` say how many and which; ``p_base`` is the outcome's probability.
    """

    result: RunResult
    actor: str
    fact: str
    by: float | None
    known_at: float | None
    path: tuple[Any, ...]  # the replay's Knowledge links, origin first
    on_path: tuple[str, ...]  # KIND:ID of the elements on that path, in path order
    rows: tuple[Row, ...]
    runs: int = 0
    seed: int = 0
    p_base: float | None = None
    variants: dict[str, RunResult] = field(default_factory=dict, repr=False, compare=False)

    @property
    def learned(self) -> bool:
        """Whether the replay has ACTOR learn FACT (by TIME, if given)."""
        return _ok(self.known_at, self.by)

    def row(self, target: str) -> Row:
        """The row of element ``KIND:ID``; ``KeyError`` if it was not removed."""
        for r in self.rows:
            if r.removal.target == target:
                return r
        raise KeyError(target)

    def by_status(self, status: str) -> list[Row]:
        """Rows with ``status``, in rank order."""
        return [r for r in self.rows if r.status == status]


def _ok(t: float | None, by: float | None) -> bool:
    return t is not None and (by is None or t <= by)


def _status(base: float | None, alt: float | None, by: float | None, on_path: bool) -> Status:
    b, a = _ok(base, by), _ok(alt, by)
    if b != a:
        return "necessary" if b else "earlier"
    if by is not None and not b:  # too late (or never) either way: the outcome does not change
        return "unchanged"
    tb = math.inf if base is None else base
    ta = math.inf if alt is None else alt
    if tb == ta or abs(ta - tb) < SAME_WITHIN:
        return "redundant" if on_path else "unchanged"
    return "delaying" if ta > tb else "earlier"


def path_elements(result: RunResult, actor: str, fact: str) -> tuple[str, ...]:
    """``KIND:ID`` of every element on the replay's path to ``actor`` knowing ``fact``, in path order:
    each link's event or rule, channel, tap and actor."""
    s = result.scenario
    events, rules = {e.id for e in s.events}, {r.id for r in s.rules}
    out: list[str] = []
    for k in result.how(actor, fact):
        if k.via_event in events:
            out.append(f"event:{k.via_event}")
        elif k.via_event in rules:
            out.append(f"rule:{k.via_event}")
        if k.channel:
            out.append(f"channel:{k.channel}")
            if k.how == "intercepted":
                out.append(f"tap:{k.channel}/{k.actor}")
        if k.from_actor:
            out.append(f"actor:{k.from_actor}")
        out.append(f"actor:{k.actor}")
    return tuple(dict.fromkeys(out))


def check_outcome(s: Scenario, actor: str, fact: str) -> None:
    """Raise :class:`ExplainError` for an actor or fact the scenario does not have."""
    actors, facts = [a.id for a in s.actors], [f.id for f in s.facts]
    if actor not in actors:
        raise ExplainError(f"unknown actor {actor!r}{_suggest(actor, actors)}")
    if fact not in facts:
        raise ExplainError(f"unknown fact {fact!r}{_suggest(fact, facts)}")


def _by(by: Any) -> float | None:
    if by is None or by == "":
        return None
    try:
        return as_timestamp(by)
    except (ValueError, QueryError) as e:
        raise ExplainError(f"cannot read --by {by!r}: {e}") from None


def removals(s: Scenario, actor: str, fact: str) -> list[Removal]:
    """The removal of every element :func:`elements` lists."""
    return [removal(s, k, i) for k, i in elements(s, actor, fact)]


def explain(scenario: Scenario, actor: str, fact: str, by: Any = None, *, runs: int = 0, seed: int = 0,
            workers: int = 1, keep_runs: bool = False) -> Explanation:
    """Remove each element in turn and classify its effect on "``actor`` learns ``fact`` (by ``by``)".

    ``by`` is an instant (string, datetime or POSIX seconds) or None. With ``runs`` > 0, also
    ``runs`` paired stochastic runs of the base and every variant (``workers`` processes).
    ``keep_runs`` keeps each variant's replay in :attr:`Explanation.variants` (by ``KIND:ID``).
    """
    check_outcome(scenario, actor, fact)
    deadline = _by(by)
    if runs < 0 or runs > MAX_RUNS:
        raise ExplainError(f"--runs must be from 0 to {MAX_RUNS:,}")
    if workers < 1:
        raise ExplainError("--workers must be at least 1")
    base = run(compile_scenario(scenario))
    k0 = base.first.get((actor, fact))
    t0 = k0.time if k0 else None
    on_path = path_elements(base, actor, fact)
    rms = removals(scenario, actor, fact)
    compiled = [compile_scenario(without(scenario, r)) for r in rms]
    rows: list[Row] = []
    kept: dict[str, RunResult] = {}
    for r, c in zip(rms, compiled):
        res = run(c)
        k = res.first.get((actor, fact))
        t = k.time if k else None
        here = r.target in on_path
        rows.append(Row(r, _status(t0, t, deadline, here), here, t,
                        None if t is None or t0 is None else t - t0,
                        tuple(res.path(actor, fact)) if k else (),
                        tuple(x.via_event for x in res.how(actor, fact)) if k else ()))
        if keep_runs:
            kept[r.target] = res
    p_base = None
    if runs:
        with_, counts = paired(scenario, rms, actor, fact, deadline, runs, seed, workers)
        p_base = with_ / runs
        rows = [replace(row, p_with=with_ / runs, p_without=n / runs, lost=lost, gained=gained)
                for row, (n, lost, gained) in zip(rows, counts)]
    order = {p: i for i, p in enumerate(on_path)}
    rank = {s: i for i, s in enumerate(STATUSES)}
    index = {r.target: i for i, r in enumerate(rms)}

    def key(row: Row) -> tuple:
        t = row.removal.target
        if row.status == "delaying":
            second = -(row.delay if row.delay is not None else math.inf)
        elif row.status == "earlier":
            second = row.delay if row.delay is not None else -math.inf
        else:
            second = 0.0
        return (rank[row.status], second, order.get(t, len(order)), index[t])

    rows.sort(key=key)
    path = tuple(base.learned(k.actor, fact) for k in base.how(actor, fact))  # the ledger's rows: POSIX times
    return Explanation(base, actor, fact, deadline, t0, path, on_path, tuple(rows), runs, seed, p_base, kept)


# -- paired stochastic runs ---------------------------------------------------------------------
def _outcome(c: Compiled, actor: str, fact: str, deadline: float | None, seed: int) -> bool:
    return first_time(c, actor, fact, deadline, "stochastic", seed) is not None


def paired_chunk(base: Compiled, variants: list[Compiled], actor: str, fact: str, deadline: float | None,
                 seed: int, lo: int, hi: int) -> tuple[int, list[tuple[int, int, int]]]:
    """Runs ``lo .. hi-1`` of the base and of every variant, run ``i`` with ``run_seed(seed, i)`` on both sides.

    Returns the base's count of runs with the outcome, and per variant ``(count, lost, gained)``.
    """
    seeds = [run_seed(seed, i) for i in range(lo, hi)]
    with_ = [_outcome(base, actor, fact, deadline, s) for s in seeds]
    counts = []
    for c in variants:
        n = lost = gained = 0
        for s, b in zip(seeds, with_):
            v = _outcome(c, actor, fact, deadline, s)
            n += v
            lost += b and not v
            gained += v and not b
        counts.append((n, lost, gained))
    return sum(with_), counts


_worker: tuple[Compiled, list[Compiled]] | None = None  # set once per pool process by _init


def _init(scenario: Scenario, rms: list[Removal]) -> None:
    global _worker
    _worker = (compile_scenario(scenario), [compile_scenario(without(scenario, r)) for r in rms])


def _pool_chunk(actor: str, fact: str, deadline: float | None, seed: int, lo: int,
                hi: int) -> tuple[int, list[tuple[int, int, int]]]:
    assert _worker is not None, "worker was not initialised"
    return paired_chunk(_worker[0], _worker[1], actor, fact, deadline, seed, lo, hi)


def _chunks(runs: int, size: int) -> Iterator[tuple[int, int]]:
    for lo in range(0, runs, size):
        yield lo, min(lo + size, runs)


def paired(scenario: Scenario, rms: list[Removal], actor: str, fact: str, deadline: float | None, runs: int,
           seed: int, workers: int = 1) -> tuple[int, list[tuple[int, int, int]]]:
    """Paired stochastic runs of ``scenario`` and of it without each removal: the base's count of runs
    with the outcome and per removal ``(count, lost, gained)``; sums of per-run results, so the same
    whatever ``workers``."""
    total = 0
    counts = [[0, 0, 0] for _ in rms]

    def add(part: tuple[int, list[tuple[int, int, int]]]) -> None:
        nonlocal total
        total += part[0]
        for acc, c in zip(counts, part[1]):
            for j in range(3):
                acc[j] += c[j]

    if workers == 1:
        base = compile_scenario(scenario)
        variants = [compile_scenario(without(scenario, r)) for r in rms]
        for lo, hi in _chunks(runs, CHUNK):
            add(paired_chunk(base, variants, actor, fact, deadline, seed, lo, hi))
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init, initargs=(scenario, rms)) as pool:
            pending: deque[Any] = deque()
            for lo, hi in _chunks(runs, CHUNK):  # a few tasks in flight at a time: memory stays flat
                pending.append(pool.submit(_pool_chunk, actor, fact, deadline, seed, lo, hi))
                if len(pending) > 2 * workers + 2:
                    add(pending.popleft().result())
            while pending:
                add(pending.popleft().result())
    return total, [(a, b, c) for a, b, c in counts]


def interval(row: Row, runs: int, z: float = 1.96) -> tuple[float, float] | None:
    """An approximate 95 % interval for ``row.difference`` from the paired runs (normal approximation)."""
    if row.difference is None or runs < 2:
        return None
    d = row.difference
    var = max(0.0, (row.lost + row.gained) / runs - d * d)
    half = z * math.sqrt(var / runs)
    return d - half, d + half


# -- words for readers --------------------------------------------------------------------------
KIND_WORDS = {"event": "event", "rule": "reaction", "channel": "channel", "tap": "intercept", "actor": "actor"}


def _channel_label(s: Scenario, channel: str) -> str:
    names = {a.id: a.name for a in s.actors}
    c = next((x for x in s.channels if x.id == channel), None)
    if c is None:
        return channel
    return f"{' – '.join(names.get(a, a) for a in c.between)} ({c.medium.replace('_', ' ')})"


def label(s: Scenario, kind: str, id: str) -> str:
    """The element in words: an event's or reaction's summary, a channel's endpoints and medium,
    who intercepts what, an actor's name and affiliation."""
    if kind == "event":
        return next((e.summary for e in s.events if e.id == id), id)
    if kind == "rule":
        return next((r.summary for r in s.rules if r.id == id), id)
    if kind == "channel":
        return _channel_label(s, id)
    if kind == "tap":
        channel, _, by = id.partition("/")
        name = next((a.name for a in s.actors if a.id == by), by)
        return f"{name} listening in on {_channel_label(s, channel)}"
    a = next((a for a in s.actors if a.id == id), None)
    return f"{a.name} ({a.affiliation})" if a is not None else id


def sources(s: Scenario, kind: str, id: str) -> tuple[str, ...]:
    """The outlets an event or reaction cites (none for channels, taps and actors)."""
    items: list[Any] = s.events if kind == "event" else s.rules if kind == "rule" else []
    entry = next((x for x in items if x.id == id), None)
    if entry is None:
        return ()
    outlets = {src.id: src.outlet for src in s.sources}
    return tuple(dict.fromkeys(outlets.get(c.source, c.source) for c in entry.sources))


def basis(s: Scenario, kind: str, id: str) -> str:
    """How the element is known (``reported``, ``inferred``, ``assumed``) where the format records it, else ""."""
    if kind == "actor":
        return ""
    if kind == "tap":
        channel, _, by = id.partition("/")
        c = next((x for x in s.channels if x.id == channel), None)
        entry = next((t for t in c.taps if t.by == by), None) if c is not None else None
    else:
        items: list[Any] = {"event": s.events, "rule": s.rules, "channel": s.channels}[kind]
        entry = next((x for x in items if x.id == id), None)
    value = getattr(entry, "basis", None)
    return str(value) if value else ""


COLUMNS = ("rank", "status", "on_path", "kind", "id", "element", "sources", "basis", "known_at", "delay_seconds",
           "delay", "path", "via", "variant", "p_with", "p_without", "difference", "difference_low",
           "difference_high", "lost", "gained")


def table_rows(x: Explanation) -> list[dict[str, Any]]:
    """One row per removed element, in rank order, for CSV: times in ISO 8601 UTC, paths as ``a > b``,
    ``variant`` the ``backchannel variant`` options that reproduce the row."""
    from .compare import format_delta
    from .timeparse import to_utc_iso

    s = x.result.scenario
    out = []
    for i, r in enumerate(x.rows, 1):
        ci = interval(r, x.runs) if x.runs else None
        out.append({
            "rank": i, "status": r.status, "on_path": r.on_path, "kind": r.kind, "id": r.id,
            "element": label(s, r.kind, r.id), "sources": "; ".join(sources(s, r.kind, r.id)),
            "basis": basis(s, r.kind, r.id),
            "known_at": to_utc_iso(r.known_at) if r.known_at is not None else "",
            "delay_seconds": "" if r.delay is None else round(r.delay, 3),
            "delay": "" if r.delay is None else format_delta(r.delay),
            "path": " > ".join(r.path), "via": " > ".join(r.via),
            "variant": " ".join(_quoted(o) for o in r.removal.options()),
            "p_with": "" if r.p_with is None else r.p_with, "p_without": "" if r.p_without is None else r.p_without,
            "difference": "" if r.difference is None else round(r.difference, 6),
            "difference_low": "" if ci is None else round(ci[0], 6),
            "difference_high": "" if ci is None else round(ci[1], 6),
            "lost": r.lost if x.runs else "", "gained": r.gained if x.runs else "",
        })
    return out


def _quoted(option: str) -> str:
    import shlex

    return shlex.quote(option)


def to_dict(x: Explanation) -> dict[str, Any]:
    """Everything as JSON-ready data: the outcome, the replay's path, and every row with its removal."""
    from .timeparse import to_utc_iso

    s = x.result.scenario
    rows = table_rows(x)
    for d, r in zip(rows, x.rows):
        d["path"], d["via"] = list(r.path), list(r.via)
        d["removes"], d["sets"] = list(r.removal.removes), [{"path": p, "value": v} for p, v in r.removal.sets]
        d["variant"] = r.removal.options()
        d["known_at"] = d["known_at"] or None
        d["delay_seconds"] = r.delay
        for k in ("p_with", "p_without", "difference", "difference_low", "difference_high", "lost", "gained"):
            d[k] = None if d[k] == "" else d[k]
    return {
        "scenario": s.meta.title, "timezone": s.meta.timezone, "actor": x.actor, "fact": x.fact,
        "by": to_utc_iso(x.by) if x.by is not None else None,
        "known_at": to_utc_iso(x.known_at) if x.known_at is not None else None, "learned": x.learned,
        "path": [{"actor": k.actor, "time": to_utc_iso(k.time), "how": k.how, "from": k.from_actor,
                  "channel": k.channel, "via": k.via_event} for k in x.path],
        "on_path": list(x.on_path), "runs": x.runs, "seed": x.seed if x.runs else None, "p_base": x.p_base,
        "counts": {st: len(x.by_status(st)) for st in STATUSES}, "rows": rows,
    }


def write_explanation(x: Explanation, out: str | Path) -> list[Path]:
    """Write ``explain.csv`` (one row per element, ranked) and ``explain.json`` (everything) into ``out``.

    Each file is written to a temporary name and renamed, so a failure never leaves half a file.
    """
    import json

    from .output import _write_csv

    folder = Path(out)
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / "explain.csv", folder / "explain.json"]
    _write_csv(paths[0], COLUMNS, table_rows(x))
    tmp = paths[1].with_suffix(".json.tmp")
    tmp.write_text(json.dumps(to_dict(x), indent=1, ensure_ascii=False), encoding="utf-8")
    tmp.replace(paths[1])
    return paths
