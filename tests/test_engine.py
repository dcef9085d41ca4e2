"""Engine: exact event traces on the tiny scenario, rules, taps, skips, modes and seeds."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim import compile_scenario, load_scenario, load_text, run
from sim.errors import RunLimitError
from sim.limits import RunLimits
from sim.timeparse import to_utc_iso

from .test_loader import EVENT, HEAD


# A one-day scenario in UTC with actors a, b and c; tests append the rest.
UTC_ABC = """\
meta: {title: T, timezone: UTC, span: {start: "2025-05-01T00:00Z", end: "2025-05-02T00:00Z"}}
sources: [{id: s, outlet: O, title: T, published: 2025-05-01, reference: r, reliability: C}]
actors:
  - {id: a, name: A, affiliation: X, timezone: UTC}
  - {id: b, name: B, affiliation: X, timezone: UTC}
  - {id: c, name: C, affiliation: X, timezone: UTC}
"""


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
    # 'a' is the offer's origin: it originates the offer when the record first has it send it
    assert r.events[0].cause == "e1" and r.known_at("a", "offer") == r.events[1].time > r.compiled.start
    assert not r.knows("a", "offer", r.events[1].time - 1)


def test_rule_fires_once_per_fact_and_respects_from(tiny):
    r = run(tiny)
    relays = [e for e in r.events if e.cause == "relay" and e.kind == "send"]
    assert len(relays) == 1


def test_rule_from_filter_blocks_other_senders():
    # B learns the offer from E (not A): the rule 'when b learns offer from a' must not fire.
    text = UTC_ABC + """\
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


ORIGIN_AND_DECIDE = """\
meta: {title: T, timezone: UTC, span: {start: "2025-05-01T00:00Z", end: "2025-05-03T00:00Z"}}
sources: [{id: s, outlet: O, title: T, published: 2025-05-01, reference: r, reliability: C}]
actors:
  - {id: a, name: A, affiliation: X, timezone: UTC}
  - {id: b, name: B, affiliation: X, timezone: UTC}
  - {id: c, name: C, affiliation: Y, timezone: UTC}
facts:
  - {id: position, statement: A's position, origin: a}
  - {id: plan, statement: B's plan}
  - {id: go, statement: B goes ahead}
channels:
  - {id: abc, between: [a, b, c], medium: meeting, latency: 0s}
events:
  - {id: b_plans, kind: decision, time: "2025-05-01T08:00Z", summary: B plans, actor: b, facts: [plan],
     requires: [plan], sources: [{source: s, claim: c, grade: 3}]}
  - {id: a_briefs, time: "2025-05-01T10:00Z", summary: A briefs B and C, actor: a, to: [b, c], channel: abc,
     facts: [position], requires: [position], sources: [{source: s, claim: c, grade: 3}]}
rules:
  - {id: b_decides, when: {actor: b, learns: [position]}, decide: {facts: [go], delay: 2h, summary: B decides to go}}
  - {id: b_tells_c, when: {actor: b, learns: [go]}, send: {to: [c], channel: abc}}
"""


def test_origin_is_originated_at_first_use_and_rules_can_decide():
    r = run(load_text(ORIGIN_AND_DECIDE))
    assert trace(r) == [
        ("08:00", "skip", "b", None, ("plan",), "b_plans"),  # b is not the plan's origin: requires fails
        ("10:00", "originate", "a", None, ("position",), "a_briefs"),  # a's own fact, first needed now
        ("10:00", "send", "a", "b;c", ("position",), "a_briefs"),  # several recipients, ';'-separated
        ("10:00", "deliver", "a", "b", ("position",), "a_briefs"),
        ("10:00", "deliver", "a", "c", ("position",), "a_briefs"),
        ("12:00", "originate", "b", None, ("go",), "b_decides"),  # a decision taken 2h after the news
        ("12:00", "send", "b", "c", ("go",), "b_tells_c"),
        ("12:00", "deliver", "b", "c", ("go",), "b_tells_c"),
    ]
    assert r.skipped()[0].reason == "b did not yet know plan"
    assert r.events[1].reason == "a is the origin of position" and r.events[5].reason == ""
    assert not r.knows("a", "position", "2025-05-01T09:59Z") and r.how("c", "go")[0].via_event == "b_decides"
    # a meeting is synchronous: a knows that both b and c know its position
    assert r.knows_that("a", "b", "position") and r.knows_that("a", "c", "position")


def test_rule_needs_exactly_one_action():
    from sim import ScenarioError

    both = ORIGIN_AND_DECIDE.replace("decide: {facts: [go], delay: 2h, summary: B decides to go}",
                                     "decide: {facts: [go]}, send: {to: [c], channel: abc}")
    with pytest.raises(ScenarioError, match="exactly one of 'send'"):
        load_text(both)
    with pytest.raises(ScenarioError, match=r"rules\[b_decides\]\.decide\.facts\.0: unknown fact 'gone'"):
        load_text(ORIGIN_AND_DECIDE.replace("facts: [go], delay", "facts: [gone], delay"))


def test_simultaneous_arrivals_keep_their_order():
    """Zero-delay rules and several arrivals at one instant: each actor takes its mail in arrival order."""
    text = UTC_ABC + """\
facts: [{id: f1, statement: F1}, {id: f2, statement: F2}]
channels:
  - {id: ab, between: [a, b], medium: call}
  - {id: ac, between: [a, c], medium: call}
  - {id: bc, between: [b, c], medium: text}
events:
  - {id: d, kind: decision, time: "2025-05-01T01:00Z", summary: d, actor: a, facts: [f1, f2], sources: [{source: s, claim: c, grade: 3}]}
  - {id: m1, time: "2025-05-01T01:00Z", summary: m1, actor: a, to: [b], channel: ab, facts: [f1], sources: [{source: s, claim: c, grade: 3}]}
  - {id: m2, time: "2025-05-01T01:00Z", summary: m2, actor: a, to: [c], channel: ac, facts: [f2], sources: [{source: s, claim: c, grade: 3}]}
rules:
  - {id: r1, when: {actor: b, learns: [f1]}, send: {to: [c], channel: bc}}
  - {id: r2, when: {actor: c, learns: [f1]}, send: {to: [b], channel: bc, facts: [f1, f2]}}
"""
    r = run(load_text(text))
    assert [(e.kind, e.actor, e.to, e.facts, e.cause) for e in r.events] == [
        ("originate", "a", None, ("f1", "f2"), "d"),
        ("send", "a", "b", ("f1",), "m1"),
        ("send", "a", "c", ("f2",), "m2"),
        ("deliver", "a", "b", ("f1",), "m1"),
        ("deliver", "a", "c", ("f2",), "m2"),
        ("send", "b", "c", ("f1",), "r1"),
        ("deliver", "b", "c", ("f1",), "r1"),
        ("send", "c", "b", ("f1", "f2"), "r2"),
        ("deliver", "c", "b", ("f1", "f2"), "r2"),
    ]
    assert all(e.time == r.events[0].time for e in r.events)
    assert r.how("b", "f2")[-1].via_event == "r2" and r.path("b", "f2") == ["a", "c", "b"]


# -- bounded runs ----------------------------------------------------------------------------

FAN_OUT = UTC_ABC + """\
facts: [{id: f, statement: F}]
channels:
  - {id: abc, between: [a, b, c], medium: call}
events:
  - {id: d, kind: decision, time: "2025-05-01T01:00Z", summary: d, actor: a, facts: [f], sources: [{source: s, claim: c, grade: 3}]}
""" + "".join(f"""  - {{id: m{i}, time: "2025-05-01T{2 + i // 60:02d}:{i % 60:02d}Z", summary: m, actor: a, to: [b, c], channel: abc,
     facts: [f], sources: [{{source: s, claim: c, grade: 3}}]}}
""" for i in range(40)) + """\
rules:
  - {id: rb, when: {actor: b, learns: [f]}, send: {to: [c], channel: abc}}
  - {id: rc, when: {actor: c, learns: [f]}, send: {to: [a], channel: abc}}
"""


def test_event_cap_stops_the_run_and_says_how_to_raise_it():
    s = load_text(FAN_OUT)
    assert len(run(s).events) == 1 + 40 * 3 + 2 + 2  # the originate, 40 sends of two deliveries, two relays
    with pytest.raises(RunLimitError, match=r"more than 50 events \(cap max_events\); raise it with "
                                            r"--max-events .* RunLimits\(max_events=\.\.\.\)"):
        run(s, limits=RunLimits(max_events=50))
    assert len(run(s, limits=RunLimits(max_events=125)).events) == 125  # exactly at the cap is fine


def test_rule_firing_cap():
    with pytest.raises(RunLimitError, match=r"more than 1 rule firings \(cap max_rule_firings\); raise it with "
                                            r"--max-rule-firings"):
        run(load_text(FAN_OUT), limits=RunLimits(max_events=None, max_rule_firings=1))
    run(load_text(FAN_OUT), limits=RunLimits(max_rule_firings=2))  # the two relays


def test_wall_clock_cap(monkeypatch):
    import sim.engine

    monkeypatch.setattr(sim.engine, "CHECK_CLOCK_EVERY", 1)
    with pytest.raises(RunLimitError, match=r"more than 1e-09 s of wall-clock time \(cap max_seconds\)"):
        run(load_text(FAN_OUT), limits=RunLimits(max_events=None, max_seconds=1e-9))


def test_limits_are_checked():
    with pytest.raises(ValueError, match="max_events must be positive"):
        RunLimits(max_events=0)


def test_a_sampled_delay_that_goes_back_in_time_stops_the_run(tiny):
    import dataclasses

    from sim.compiled import CChannel

    c = compile_scenario(tiny)
    bad = {k: dataclasses.replace(ch, latency=("triangular", 0.0, float("nan"), float("inf")))
           if isinstance(ch, CChannel) else ch for k, ch in c.channels.items()}
    with pytest.raises(AssertionError, match="cannot go back in time"):
        run(dataclasses.replace(c, channels=bad), "stochastic", seed=1)
    neg = {k: dataclasses.replace(ch, latency=("uniform", -10.0, -5.0)) for k, ch in c.channels.items()}
    with pytest.raises(AssertionError, match="drew a delay of -"):
        run(dataclasses.replace(c, channels=neg), "stochastic", seed=1)


latency_specs = st.one_of(
    st.tuples(st.just("fixed"), st.floats(0, 1e7)),
    st.tuples(st.just("uniform"), st.floats(0, 1e7), st.floats(0, 1e7)).map(lambda t: ("uniform", *sorted(t[1:]))),
    st.tuples(st.just("triangular"), st.floats(0, 1e7), st.floats(0, 1e7), st.floats(0, 1e7)).map(
        lambda t: ("triangular", *sorted(t[1:]))),
    st.tuples(st.just("lognormal"), st.floats(0, 1e6), st.floats(0, 3)),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(latency=latency_specs, tap=latency_specs, delay=latency_specs, seed=st.integers(0, 2**32))
def test_stochastic_runs_never_go_back_in_time(tiny, latency, tap, delay, seed):
    """Whatever finite latencies, tap delays and rule delays a scenario has, a stochastic run's log
    moves forward in time and every time is a finite number."""
    import dataclasses
    import math

    c = compile_scenario(tiny)
    channels = {k: dataclasses.replace(ch, latency=latency, taps=tuple(dataclasses.replace(t, delay=tap)
                                                                      for t in ch.taps))
                for k, ch in c.channels.items()}
    rules = {k: tuple(dataclasses.replace(r, delay=delay) for r in rs) for k, rs in c.rules.items()}
    r = run(dataclasses.replace(c, channels=channels, rules=rules), "stochastic", seed=seed)
    times = [e.time for e in r.events]
    assert all(math.isfinite(t) for t in times)
    assert times == sorted(times)
    assert all(e.sent_at <= e.time for e in r.events if e.sent_at is not None)


@pytest.mark.parametrize("mode", ["replay", "stochastic"])
def test_first_time_stops_early_with_the_full_runs_answer(mode):
    """An outcome's run stops once decided, and answers as the full run's ledger does."""
    from sim.engine import first_time

    from .conftest import ROOT

    c = compile_scenario(load_scenario(ROOT / "scenarios" / "alexander_release.yaml"))
    for seed in range(6):
        full = run(c, mode, seed)
        times = sorted({k.time for k in full.first.values()})
        cut = times[len(times) // 2]  # a deadline in the middle of the run: some facts in time, some not
        for (actor, fact), k in list(full.first.items())[::7]:
            assert first_time(c, actor, fact, None, mode, seed) == k.time
            assert first_time(c, actor, fact, cut, mode, seed) == (k.time if k.time <= cut else None)
    never = next((a, f) for a in c.actors for f in c.facts if (a, f) not in full.first)
    assert first_time(c, *never, None, mode, 5) is None


def test_first_time_keeps_the_event_cap(tiny):
    from sim.engine import first_time

    with pytest.raises(RunLimitError, match="max_events"):
        first_time(compile_scenario(tiny), "c", "offer", None, "replay", 0, RunLimits(max_events=1))
