"""Synthetic scenarios of any size, for benchmarks and stress tests.

:func:`synth` builds a random but valid scenario as plain data (dicts, lists, strings and
numbers, ready to dump as scenario YAML) from a seed alone: the same arguments always give the
same data. It uses every part of the format that costs time in a run: channels with fixed and
distributed latencies, taps, reactive rules, messages gated by ``requires`` and decisions that
originate facts. :func:`to_yaml` and :func:`write_yaml` turn the data into a compact scenario
file (one flow mapping per list item), fast enough for a million events.

Times are drawn in microseconds and latencies in milliseconds so that two things practically
never happen at the same instant: runs of synthetic scenarios do not depend on how an engine
orders simultaneous events, which lets the benchmarks compare engines exactly.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

START = datetime(2025, 1, 1, tzinfo=timezone.utc)
SPAN_DAYS = 30
ZONES = ("UTC", "Asia/Qatar", "Asia/Jerusalem", "Europe/London", "America/New_York", "Africa/Cairo")
AFFILIATIONS = ("Red", "Blue", "Green", "Yellow", "private")
MEDIA = ("call", "text", "meeting", "intermediary", "public_statement", "press", "intercept", "briefing",
         "letter", "other")
CHANNELS_PER_ACTOR = 3
RULES_PER_ACTOR = 0.25

_CITE = {"source": "s0", "claim": "synthetic", "grade": 3}


def duration(ms: int) -> str:
    """Milliseconds as a format duration with units, e.g. ``1h7m13.125s``."""
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, frac = divmod(rest, 1000)
    out = (f"{h}h" if h else "") + (f"{m}m" if m else "")
    if s or frac or not out:
        out += f"{s}.{frac:03d}s" if frac else f"{s}s"
    return out


def _instant(us: int) -> str:
    return (START + timedelta(microseconds=us)).isoformat(timespec="microseconds")


def _latency(rng: random.Random) -> Any:
    """A latency between a few minutes and several hours, as any of the format's forms."""
    base = rng.randint(120_000, 4 * 3_600_000)
    kind = rng.random()
    if kind < 0.4:
        return duration(base)
    if kind < 0.55:
        return {"fixed": duration(base)}
    if kind < 0.7:
        return {"uniform": [duration(base // 2), duration(base + rng.randint(1, 3_600_000))]}
    if kind < 0.85:
        lo = base // 3
        return {"triangular": [duration(lo), duration(base), duration(base + rng.randint(1, 3_600_000))]}
    return {"lognormal": {"median": duration(base), "sigma": round(rng.uniform(0.2, 1.2), 3)}}


def synth(actors: int, facts: int, messages: int, seed: int = 0, all_facts: bool = False) -> dict[str, Any]:
    """A valid scenario with ``actors`` actors, ``facts`` facts and ``messages`` message events.

    With ``all_facts`` every message and every rule send lists all the facts: a message passes
    on all the sender knows (the engine sends the part it knows), the shape in which a run's
    cost should follow what is learned rather than what a message could carry. The random
    draws are the same either way, so both shapes share times, channels and rules.

    About half the facts are originated by a decision at the span's start; the others by a
    decision event each later on (some decisions require a fact first). Each actor has a few channels to
    random others (some one-way, some between three actors), a tenth of the channels are tapped,
    and a quarter of the actors relay what they learn by a rule. Deterministic in ``seed``.
    """
    if actors < 3 or facts < 1 or messages < 0:
        raise ValueError("synth needs at least 3 actors, 1 fact and 0 messages")
    rng = random.Random(seed)
    span_us = SPAN_DAYS * 86_400_000_000
    actor_ids = [f"a{i}" for i in range(actors)]
    fact_ids = [f"f{i}" for i in range(facts)]
    n_origin = max(1, facts // 2) if facts > 1 else 1
    out_actors = [{"id": a, "name": f"Actor {i}", "affiliation": rng.choice(AFFILIATIONS), "timezone": rng.choice(ZONES)}
                  for i, a in enumerate(actor_ids)]
    out_facts: list[dict[str, Any]] = [{"id": f, "statement": f"Synthetic fact {i}"} for i, f in enumerate(fact_ids)]
    known_at_start = [(0, {"id": f"s{i}", "kind": "decision", "time": None, "summary": f"knows {f} from the start",
                           "actor": rng.choice(actor_ids), "facts": [f], "sources": [_CITE]})
                      for i, f in enumerate(fact_ids[:n_origin])]

    channels: list[dict[str, Any]] = []
    senders: list[tuple[str, list[str]]] = []  # (channel, endpoints a sender may use: first = one-way sender)
    outgoing: dict[str, list[tuple[str, list[str]]]] = {}  # actor -> [(channel, recipients)]
    for i, a in enumerate(actor_ids):
        for _ in range(CHANNELS_PER_ACTOR):
            others = rng.sample(range(actors - 1), 2 if rng.random() < 0.1 else 1)
            between = [a] + [actor_ids[j if j < i else j + 1] for j in others]
            cid = f"c{len(channels)}"
            ch: dict[str, Any] = {"id": cid, "between": between, "medium": rng.choice(MEDIA),
                                  "latency": _latency(rng)}
            if rng.random() < 0.2:
                ch["direction"] = "one-way"
            if rng.random() < 0.1:
                outsiders = [x for x in (rng.choice(actor_ids) for _ in range(4)) if x not in between]
                if outsiders:
                    ch["taps"] = [{"by": outsiders[0], "probability": rng.choice((0.3, 0.6, 0.9, 1.0)),
                                   "delay": _latency(rng)}]
            channels.append(ch)
            who = between[:1] if ch.get("direction") == "one-way" else between
            for s in who:
                outgoing.setdefault(s, []).append((cid, [x for x in between if x != s]))
            senders.append((cid, who))

    # Decisions, then messages in time order. Senders mostly pass on facts they have heard of
    # (tracked as if every message arrived at once), so knowledge spreads as in a negotiation and
    # most sends deliver something; the rest name facts the sender cannot know yet and are skipped.
    decisions: list[tuple[int, dict[str, Any]]] = []
    for k, f in enumerate(fact_ids[n_origin:]):
        ev: dict[str, Any] = {"id": f"d{k}", "kind": "decision", "time": None, "summary": f"decides {f}",
                              "actor": rng.choice(actor_ids), "facts": [f]}
        if rng.random() < 0.3:
            ev["requires"] = [rng.choice(fact_ids[:n_origin])]
        ev["sources"] = [_CITE]
        decisions.append((rng.randrange(span_us * 6 // 10), ev))
    decisions = known_at_start + sorted(decisions, key=lambda x: x[0])
    heard: dict[str, list[str]] = {a: [] for a in actor_ids}
    heard_set: dict[str, set[str]] = {a: set() for a in actor_ids}

    def hear(actor: str, fs: list[str]) -> None:
        for f in fs:
            if f not in heard_set[actor]:
                heard_set[actor].add(f)
                heard[actor].append(f)

    recipients = {(s, c): r for s, lst in outgoing.items() for c, r in lst}
    times = sorted(rng.randrange(span_us) for _ in range(messages))
    events: list[tuple[int, dict[str, Any]]] = []
    d = 0
    for k, us in enumerate(times):
        while d < len(decisions) and decisions[d][0] <= us:
            events.append(decisions[d])
            hear(decisions[d][1]["actor"], decisions[d][1]["facts"])
            d += 1
        cid, who = senders[rng.randrange(len(senders))]
        sender = who[rng.randrange(len(who))] if len(who) > 1 else who[0]
        to = recipients[(sender, cid)]
        known = heard[sender]
        n = 1 + int(rng.random() * 3)
        passes_on = bool(known) and rng.random() < 0.9
        if passes_on:
            fs = rng.sample(known, min(n, len(known)))
        else:
            fs = rng.sample(fact_ids, min(n, len(fact_ids)))
        ev = {"id": f"m{k}", "time": None, "summary": "message", "actor": sender, "to": list(to), "channel": cid,
              "facts": list(fact_ids) if all_facts else fs}
        if rng.random() < 0.1:
            ev["requires"] = [rng.choice(known) if known and rng.random() < 0.8 else rng.choice(fact_ids)]
        ev["sources"] = [_CITE]
        if passes_on:
            for r in to:
                hear(r, fs)
        if rng.random() < 0.05:
            lo, hi = max(0, us - rng.randrange(3_600_000_000)), min(span_us, us + rng.randrange(3_600_000_000))
            window: dict[str, Any] = {"earliest": _instant(lo), "latest": _instant(hi)}
            if rng.random() < 0.5:
                window["estimate"] = _instant(us)
            ev["time"] = window
        events.append((us, ev))
    events.extend(decisions[d:])
    for us, ev in events:
        if ev["time"] is None:
            ev["time"] = _instant(us)

    rules = []
    for k, a in enumerate(rng.sample(actor_ids, max(1, int(actors * RULES_PER_ACTOR)))):
        cid, to = rng.choice(outgoing[a])
        rule: dict[str, Any] = {"id": f"r{k}",
                                "when": {"actor": a, "learns": rng.sample(fact_ids, min(len(fact_ids), 1 + (rng.random() < 0.3)))},
                                "send": {"to": to, "channel": cid, "delay": duration(rng.randint(60_000, 3_600_000))}}
        if rng.random() < 0.3:
            rule["when"]["from"] = rng.choice(actor_ids)
        if rng.random() < 0.2:
            rule["send"]["facts"] = [rng.choice(fact_ids)]
        if all_facts:
            rule["send"]["facts"] = list(fact_ids)
        rules.append(rule)

    return {
        "meta": {"title": f"Synthetic: {actors} actors, {facts} facts, {messages} messages"
                          f"{', every fact listed' if all_facts else ''} (seed {seed})",
                 "description": "Generated by backchannel synth.", "timezone": "UTC",
                 "span": {"start": _instant(0), "end": _instant(span_us)}},
        "sources": [{"id": "s0", "outlet": "Synthetic", "title": "Generated", "published": "2025-01-01",
                     "reference": "backchannel synth", "reliability": "F"}],
        "actors": out_actors,
        "facts": out_facts,
        "channels": channels,
        "events": [ev for _, ev in events],
        "rules": rules,
    }


# -- writing ------------------------------------------------------------------------------------
_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if v is None:
        return "null"
    s = str(v)
    if _PLAIN.match(s) and s.lower() not in _RESERVED:
        return s
    return json.dumps(s, ensure_ascii=False)


def _flow(v: Any) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "[" + ", ".join(_flow(x) for x in v) + "]"
    return _scalar(v)


def _lines(data: dict[str, Any]) -> Iterator[str]:
    yield "# A synthetic scenario written by `backchannel synth`.\n"
    for key, value in data.items():
        if isinstance(value, list):
            yield f"{key}:\n" if value else f"{key}: []\n"
            for item in value:
                yield f"  - {_flow(item)}\n"
        elif isinstance(value, dict):
            yield f"{key}:\n"
            for k, v in value.items():
                yield f"  {_scalar(k)}: {_flow(v)}\n"
        else:
            yield f"{key}: {_flow(value)}\n"


def _json_lines(data: dict[str, Any]) -> Iterator[str]:
    """The same data in the JSON subset of YAML: still a scenario file, parsed far faster."""
    keys = list(data)
    yield "{\n"
    for n, key in enumerate(keys):
        value = data[key]
        end = ",\n" if n < len(keys) - 1 else "\n"
        if isinstance(value, list) and value:
            yield f" {json.dumps(key)}: [\n"
            yield from (f"  {json.dumps(item, ensure_ascii=False)}{',' if i < len(value) - 1 else ''}\n"
                        for i, item in enumerate(value))
            yield " ]" + end
        else:
            yield f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}" + end
    yield "}\n"


def to_yaml(data: dict[str, Any], json_subset: bool = False) -> str:
    """Scenario data as compact YAML text: block sections, one flow mapping per list item.

    With ``json_subset`` the text is JSON, which is also YAML and which the loader reads fastest.
    """
    return "".join(_json_lines(data) if json_subset else _lines(data))


def write_yaml(data: dict[str, Any], out: str | Path | TextIO, json_subset: bool = False) -> None:
    """Write scenario data as YAML to a path (replaced atomically) or an open text stream."""
    lines = _json_lines(data) if json_subset else _lines(data)
    if not isinstance(out, (str, Path)):
        out.writelines(lines)
        return
    from .fileio import atomic_open

    with atomic_open(Path(out)) as fh:
        fh.writelines(lines)


def values(data: Any) -> int:
    """How many values (mappings, lists, keys and other scalars) ``data`` holds, as the loader counts them
    against ``LoadLimits.max_nodes``."""
    todo, n = [data], 0
    while todo:
        x = todo.pop()
        n += 1
        if isinstance(x, dict):
            n += len(x)  # the keys
            todo.extend(x.values())
        elif isinstance(x, list):
            todo.extend(x)
    return n
