"""Differential test: the engine against a plain SimPy reference (processes reading ``Store`` inboxes).

Hundreds of random scenarios made to tie — zero or whole-hour latencies and delays, events on
the hour, times after other events, meetings and calls, taps (some revealing only part of a
message), rules waiting for a particular sender, requirements, fact
origins and decisions taken by rules — must give exactly the same event log, first-knowledge
ledger and second-order knowledge (entries and their order) in replay and stochastic runs.
"""

from __future__ import annotations

import random
from typing import Any

import pytest

from sim import compile_scenario, load_text, run
from sim.synthetic import to_yaml

from .reference_engine import ReferenceRun

SCENARIOS = 240
MEDIA = ("call", "meeting", "text", "letter")
DELAYS = ("0s", "0s", "0s", "1h", "2h")
CITE = [{"source": "s", "claim": "c", "grade": 3}]


def _hour(h: int) -> str:
    return f"2025-05-01T{h:02d}:00Z"


def tie_heavy(seed: int) -> dict[str, Any]:
    """A small random valid scenario in which many things happen at the same instant."""
    rng = random.Random(seed)
    n_actors, n_facts = rng.randint(3, 6), rng.randint(1, 4)
    actors = [f"a{i}" for i in range(n_actors)]
    facts = [f"f{i}" for i in range(n_facts)]
    fact_rows: list[dict[str, Any]] = [{"id": f, "statement": f"Fact {f}"} for f in facts]
    for row in fact_rows:
        if rng.random() < 0.3:
            row["origin"] = rng.choice(actors)
    channels: list[dict[str, Any]] = []
    for k in range(rng.randint(2, 5)):
        between = rng.sample(actors, 3 if rng.random() < 0.3 else 2)
        ch: dict[str, Any] = {"id": f"c{k}", "between": between, "medium": rng.choice(MEDIA),
                              "latency": rng.choice(DELAYS)}
        if rng.random() < 0.3:
            ch["latency"] = rng.choice(({"uniform": ["0s", "1h"]}, {"triangular": ["0s", "0s", "1h"]},
                                        {"lognormal": {"median": "30m", "sigma": 0.5}}))
        if rng.random() < 0.3:
            ch["reliability"] = 0.7
        outsiders = [a for a in actors if a not in between]
        if outsiders and rng.random() < 0.5:
            ch["taps"] = [{"by": rng.choice(outsiders), "probability": rng.choice((0.3, 0.5, 1.0)),
                           "delay": rng.choice(DELAYS)}]
            if rng.random() < 0.4:  # an interception that passes on only some of what it overhears
                ch["taps"][0]["reveals"] = rng.sample(facts, 1)
        channels.append(ch)
    events: list[dict[str, Any]] = []
    for k, f in enumerate(facts):
        if rng.random() < 0.8:
            events.append({"id": f"d{k}", "kind": "decision", "time": _hour(rng.randint(0, 3)), "summary": "d",
                           "actor": rng.choice(actors), "facts": [f], "sources": CITE})
    for k in range(rng.randint(3, 12)):
        ch = rng.choice(channels)
        sender = rng.choice(ch["between"])
        ev: dict[str, Any] = {"id": f"m{k}", "time": _hour(rng.randint(0, 5)), "summary": "m", "actor": sender,
                              "to": [a for a in ch["between"] if a != sender], "channel": ch["id"],
                              "facts": rng.sample(facts, rng.randint(1, n_facts)), "sources": CITE}
        if rng.random() < 0.2:
            ev["requires"] = [rng.choice(facts)]
        if rng.random() < 0.2:
            h = rng.randint(0, 4)
            ev["time"] = {"earliest": _hour(h), "latest": _hour(h + 2)}
        elif k and rng.random() < 0.2:  # timed after an earlier message
            del ev["time"]
            ev["after"] = {"event": f"m{rng.randrange(k)}", "between": ["0s", "2h"]} if rng.random() < 0.5 \
                else {"event": f"m{rng.randrange(k)}", "delay": rng.choice(DELAYS)}
        events.append(ev)
    rules: list[dict[str, Any]] = []
    for k in range(rng.randint(0, 5)):
        ch = rng.choice(channels)
        actor = rng.choice(ch["between"])
        rule: dict[str, Any] = {"id": f"r{k}", "when": {"actor": actor, "learns": rng.sample(facts, 1)}}
        if rng.random() < 0.3:
            rule["when"]["from"] = rng.choice([a for a in actors if a != actor])
        if rng.random() < 0.2:
            rule["decide"] = {"facts": [rng.choice(facts)], "delay": rng.choice(DELAYS)}
        else:
            rule["send"] = {"to": [a for a in ch["between"] if a != actor], "channel": ch["id"],
                            "delay": rng.choice(DELAYS)}
            if rng.random() < 0.4:
                rule["send"]["facts"] = rng.sample(facts, rng.randint(1, n_facts))
        rules.append(rule)
    return {
        "meta": {"title": f"Ties {seed}", "timezone": "UTC", "span": {"start": _hour(0), "end": "2025-05-02T00:00Z"}},
        "sources": [{"id": "s", "outlet": "O", "title": "T", "published": "2025-05-01", "reference": "r",
                     "reliability": "C"}],
        "actors": [{"id": a, "name": a.upper(), "affiliation": "X", "timezone": "UTC"} for a in actors],
        "facts": fact_rows,
        "channels": channels,
        "events": events,
        "rules": rules,
    }


def _same(c: Any, mode: str, seed: int) -> None:
    got = run(c, mode, seed)
    ref = ReferenceRun(c, mode, seed).run()
    assert list(got.events) == ref.log
    assert list(got.first.items()) == list(ref.first.items())
    assert list(got.meta.items()) == list(ref.meta.items())


@pytest.mark.parametrize("chunk", range(8))
def test_engine_matches_the_process_and_store_reference(chunk):
    ties = 0
    for seed in range(chunk, SCENARIOS, 8):
        c = compile_scenario(load_text(to_yaml(tie_heavy(seed)), f"ties-{seed}.yaml"))
        _same(c, "replay", 0)
        for s in range(2):
            _same(c, "stochastic", seed * 10 + s)
        times = [e.time for e in run(c).events]
        ties += len(times) - len(set(times))
    assert ties > 5 * (SCENARIOS // 8)  # the scenarios really tie: many records share an instant


def test_reference_agrees_on_the_shipped_scenarios(tiny):
    c = compile_scenario(tiny)
    _same(c, "replay", 0)
    for s in range(5):
        _same(c, "stochastic", s)
