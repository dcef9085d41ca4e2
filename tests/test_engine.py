"""Engine: exact event traces on the tiny scenario, rules, taps, skips, modes and seeds."""

from __future__ import annotations

import pytest

from sim import compile_scenario, load_scenario, load_text, run
from sim.timeparse import to_utc_iso

from .test_loader import EVENT, HEAD


def trace(result):
    return [(to_utc_iso(e.time)[11:16], e.kind, e.actor, e.to, e.facts, e.cause) for e in result.events]


def test_exact_replay_trace(tiny_run):
    assert trace(tiny_run) == [
        ("06:00", "originate", "a", None, ("offer",), "decide"),
        ("07:00", "send", "a", "b", ("offer",), "send_offer"),  # window estimate 10:00 Doha
        ("07:10", "deliver", "a", "b", ("offer",), "send_offer"),  # 10m latency
        ("07:15", "send", "b", "c", ("offer",), "relay"),  # rule: 5m after learning from a
        ("07:15", "deliver", "b", "c", ("offer",), "relay"),  # 0s call
        ("08:00", "intercept", "e", "b", ("offer",), "send_offer"),  # tap delay 1h after sending
        ("10:00", "originate", "c", None, ("reply",), "c_decides"),
        ("11:00", "send", "c", "a", ("reply",), "answer"),
        ("13:00", "deliver", "c", "a", ("reply",), "answer"),  # uniform 1h..3h: midpoint
    ]


def test_messages_link_send_delivery_and_intercept(tiny_run):
    by_msg = {}
    for e in tiny_run.events:
        if e.message is not None:
            by_msg.setdefault(e.message, []).append(e.kind)
    assert by_msg == {0: ["send", "deliver", "intercept"], 1: ["send", "deliver"], 2: ["send", "deliver"]}


def test_ledger_how(tiny_run):
    k = tiny_run.first[("e", "offer")]
    assert (k.how, k.from_actor, k.channel, k.medium, k.via_event) == ("intercepted", "a", "ab", "text", "send_offer")
    k = tiny_run.first[("c", "offer")]
    assert (k.how, k.from_actor, k.via_event) == ("told", "b", "relay")
    assert tiny_run.first[("a", "offer")].how == "origin"
    assert ("b", "reply") not in tiny_run.first


def test_slow_relay_alternative_moves_downstream_events():
    r = run(load_scenario("tests/data/tiny.yaml", "slow_relay"))
    # The relay now reaches C at 13:10 UTC, after C's decision time (10:00 UTC), so C's decision is skipped
    # for lack of the offer and the answer that requires it is skipped too.
    assert to_utc_iso(r.known_at("c", "offer")) == "2025-05-01T13:10:00+00:00"
    skipped = {e.cause: e.reason for e in r.skipped()}
    assert skipped == {"c_decides": "c did not yet know offer", "answer": "c did not yet know offer"}
    assert not r.knows("a", "reply")


def test_no_tap_alternative():
    r = run(load_scenario("tests/data/tiny.yaml", "no_tap"))
    assert not r.knows("e", "offer")
    assert [e.kind for e in r.events].count("intercept") == 0


def test_message_without_known_facts_is_skipped():
    text = HEAD + EVENT.replace("kind: decision", "kind: message").replace(
        "    facts: [offer]", "    to: [b]\n    channel: ab\n    facts: [offer]")
    r = run(load_text(text))
    (e,) = r.events
    assert (e.kind, e.actor, e.to, e.reason) == ("skip", "a", "b", "a knew none of offer")


def test_unknown_facts_are_withheld():
    text = HEAD.replace("  - {id: offer, statement: An offer}",
                        "  - {id: offer, statement: An offer, origin: a}\n  - {id: secret, statement: S}") + EVENT.replace(
        "kind: decision", "kind: message").replace("    facts: [offer]", "    to: [b]\n    channel: ab\n    facts: [offer, secret]")
    r = run(load_text(text))
    assert [(e.kind, e.facts) for e in r.events] == [("originate", ("offer",)), ("send", ("offer",)),
                                                      ("deliver", ("offer",))]
    assert r.events[1].reason == "not yet known to a: secret"
    assert r.events[0].cause == "start" and r.known_at("a", "offer") == r.compiled.start


def test_rule_fires_once_per_fact_and_respects_from(tiny):
    r = run(tiny)
    relays = [e for e in r.events if e.cause == "relay" and e.kind == "send"]
    assert len(relays) == 1


def test_rule_from_filter_blocks_other_senders():
    # B learns the offer from E (not A): the rule 'when b learns offer from a' must not fire.
    text = """\
meta: {title: T, timezone: UTC, span: {start: "2025-05-01T00:00Z", end: "2025-05-02T00:00Z"}}
sources: [{id: s, outlet: O, title: T, published: 2025-05-01, reference: r, reliability: C}]
actors:
  - {id: a, name: A, affiliation: X, timezone: UTC}
  - {id: b, name: B, affiliation: X, timezone: UTC}
  - {id: c, name: C, affiliation: X, timezone: UTC}
  - {id: e, name: E, affiliation: X, timezone: UTC}
facts: [{id: f, statement: F, origin: e}]
channels:
  - {id: eb, between: [e, b], medium: call}
  - {id: bc, between: [b, c], medium: call}
events:
  - {id: tell, time: "2025-05-01T01:00Z", summary: E tells B, actor: e, to: [b], channel: eb, facts: [f],
     sources: [{source: s, claim: c, grade: 3}]}
rules:
  - {id: r, when: {actor: b, learns: [f], from: a}, send: {to: [c], channel: bc}}
  - {id: r2, when: {actor: b, learns: [f]}, send: {to: [c], channel: bc, delay: 1h}}
"""
    r = run(load_text(text))
    assert [e.cause for e in r.events if e.kind == "send"] == ["tell", "r2"]
    assert r.path("c", "f") == ["e", "b", "c"]


def test_replay_taps_use_point_estimate():
    text = (HEAD.replace("  - {id: b, name: B, affiliation: Blue, timezone: Asia/Qatar}",
                         "  - {id: b, name: B, affiliation: Blue, timezone: Asia/Qatar}\n"
                         "  - {id: x, name: X, affiliation: G, timezone: Asia/Qatar}\n"
                         "  - {id: y, name: Y, affiliation: G, timezone: Asia/Qatar}")
            .replace("latency: 10m}", "latency: 10m, taps: [{by: x, probability: 0.5}, {by: y, probability: 0.49}]}")
            + EVENT + """\
  - {id: m, time: "2025-05-01T10:00+03:00", summary: tell, actor: a, to: [b], channel: ab, facts: [offer],
     sources: [{source: wire, claim: c, grade: 3}]}
""")
    r = run(load_text(text))
    assert r.knows("x", "offer") and not r.knows("y", "offer")


def test_same_seed_same_result_and_seeds_differ(tiny):
    c = compile_scenario(tiny)
    a, b = run(c, "stochastic", seed=7), run(c, "stochastic", seed=7)
    assert a.events == b.events and a.first == b.first
    times = {tuple(e.time for e in run(c, "stochastic", seed=s).events) for s in range(8)}
    assert len(times) > 1


def test_stochastic_samples_stay_in_windows(tiny):
    c = compile_scenario(tiny)
    lo, hi = c.script[1].window  # the send_offer window
    for seed in range(30):
        r = run(c, "stochastic", seed=seed)
        sends = [e for e in r.events if e.cause == "send_offer" and e.kind in ("send", "skip")]
        assert len(sends) == 1 and lo <= sends[0].time <= hi


def test_stochastic_reliability_loses_messages():
    text = HEAD.replace("latency: 10m}", "latency: 10m, reliability: 0.5}").replace(
        "{id: offer, statement: An offer}", "{id: offer, statement: An offer, origin: a}") + """\
events:
""" + "".join(f"""  - {{id: m{i}, time: "2025-05-01T1{i}:00+03:00", summary: tell, actor: a, to: [b], channel: ab,
     facts: [offer], sources: [{{source: wire, claim: c, grade: 3}}]}}
""" for i in range(6))
    c = compile_scenario(load_text(text))
    kinds = [e.kind for s in range(10) for e in run(c, "stochastic", seed=s).events]
    assert kinds.count("lost") > 0 and kinds.count("deliver") > 0
    assert kinds.count("lost") + kinds.count("deliver") == kinds.count("send") == 60
    assert "lost" not in [e.kind for e in run(c, "replay").events]


def test_unknown_mode(tiny):
    with pytest.raises(ValueError, match="unknown mode"):
        run(tiny, "chaos")  # type: ignore[arg-type]
