"""Validation warnings (sim/lint.py): parts of a valid scenario that can never take part in a run."""

from __future__ import annotations

from typer.testing import CliRunner

from sim.cli import app
from sim.lint import MAX_EVENTS, lint, lint_file

from .conftest import ROOT, TINY

BASE = TINY.read_text()


def messages(path) -> list[str]:
    return [str(p) for p in lint_file(path)]


def test_shipped_scenarios_have_no_warnings():
    for f in [ROOT / "scenarios" / "alexander_release.yaml", *sorted((ROOT / "scenarios" / "examples").glob("*.yaml"))]:
        assert messages(f) == [], f
    assert messages(TINY) == []


def test_a_variant_that_cuts_a_channel_warns_about_what_it_cuts_off():
    found = messages(ROOT / "scenarios" / "alternatives" / "no_bahbah_channel.yaml")
    assert any("events[dermer_raises_talks].requires.0: event 'dermer_raises_talks' can never happen: Ron Dermer can never know "
               "'backchannel_exists'" in m for m in found)
    assert any("no one can receive fact 'gobetween_warning': only Bishara Bahbah can know it" in m for m in found)


def test_a_fact_nobody_can_originate(write):
    p = write(BASE.replace("  - {id: reply, statement: C answers}",
                           "  - {id: reply, statement: C answers}\n  - {id: ghost, statement: Nobody says this}"))
    assert messages(p) == [f"{p}:17:10: facts[ghost].id: no one can ever know fact 'ghost': nothing originates it "
                           "(give it an 'origin', or a decision that states it), so every message carrying it is skipped"]


def test_a_fact_nobody_can_receive(write):
    p = write(BASE.replace("  - {id: reply, statement: C answers}",
                           "  - {id: reply, statement: C answers}\n  - {id: secret, statement: A keeps this, origin: a}"))
    assert messages(p) == [f"{p}:17:10: facts[secret].id: no one can receive fact 'secret': only A can know it "
                           "(no message or rule that can happen passes it on)"]


def test_an_unused_channel_and_an_idle_actor(write):
    p = write(BASE.replace("  - {id: e, name: E, affiliation: Green, timezone: Asia/Jerusalem}",
                           "  - {id: e, name: E, affiliation: Green, timezone: Asia/Jerusalem}\n"
                           "  - {id: z, name: Zed, affiliation: Grey, timezone: UTC}")
              .replace("  - {id: bc, between: [b, c], medium: call, latency: 0s}",
                       "  - {id: bc, between: [b, c], medium: call, latency: 0s}\n"
                       "  - {id: az, between: [a, z], medium: letter}"))
    assert messages(p) == [f"{p}:14:10: actors[z].id: actor 'z' (Zed) never sends or receives anything",
                           f"{p}:25:10: channels[az].id: channel 'az' is not used by any event or rule"]


def test_requires_that_can_never_be_met(write):
    # c needs 'reply' before deciding it: nothing but that decision gives c the fact
    p = write(BASE.replace("    facts: [reply]\n    requires: [offer]\n    sources: [{source: wire, claim: C made",
                           "    facts: [reply]\n    requires: [reply]\n    sources: [{source: wire, claim: C made"))
    found = messages(p)
    assert f"{p}:56:16: events[c_decides].requires.0: event 'c_decides' can never happen: C can never know 'reply', which it requires" in found
    assert any("no one can ever know fact 'reply'" in m for m in found)  # and so the answer is never known


def test_fan_out_beyond_the_event_cap(write, tiny):
    from sim.lint import fan_out

    assert list(fan_out(tiny)) == []
    assert [m for _, m in fan_out(tiny, limit=3)] == [
        "these rules can make up to 10 event records in one run, more than the cap of 3 events a run may simulate: "
        "a run may stop at the cap (narrow the rules' 'learns' or 'to', or raise the cap)"]
    assert MAX_EVENTS == 1_000_000 or MAX_EVENTS > 0


def test_every_actor_relays_every_fact_is_flagged():
    from sim import Scenario

    n, f = 120, 80  # 120 actors × 80 facts × 119 others: ~1.1M deliveries
    ids = [f"a{i}" for i in range(n)]
    facts = [f"f{j}" for j in range(f)]
    s = Scenario.model_validate({
        "meta": {"title": "T", "timezone": "UTC", "span": {"start": "2025-01-01T00:00Z", "end": "2025-02-01T00:00Z"}},
        "sources": [{"id": "s", "outlet": "O", "title": "T", "published": "2025-01-02", "reference": "r",
                     "reliability": "C"}],
        "actors": [{"id": a, "name": a.upper(), "affiliation": "x", "timezone": "UTC"} for a in ids],
        "facts": [{"id": x, "statement": x, "origin": "a0"} for x in facts],
        "channels": [{"id": "all", "between": ids, "medium": "other"}],
        "rules": [{"id": f"r{a}", "when": {"actor": a, "learns": facts},
                   "send": {"to": [b for b in ids if b != a], "channel": "all"}} for a in ids]})
    found = lint(s)
    assert [loc for loc, _ in found] == [("rules",)]
    assert "up to 1,161,600 event records" in found[0][1] and "more than the cap of 1,000,000 events" in found[0][1]


def test_validate_prints_warnings_and_strict_fails(write):
    p = write(BASE.replace("  - {id: bc, between: [b, c], medium: call, latency: 0s}",
                           "  - {id: bc, between: [b, c], medium: call, latency: 0s}\n"
                           "  - {id: spare, between: [a, c], medium: letter}"))
    r = CliRunner().invoke(app, ["validate", str(p)])
    assert r.exit_code == 0 and "warning" in r.output and "channel 'spare' is not used" in r.output
    assert "ok" in r.output and "(1 warning)" in r.output
    r = CliRunner().invoke(app, ["validate", "--strict", str(p)])
    assert r.exit_code == 2 and "with warnings (--strict)" in r.output
    assert CliRunner().invoke(app, ["validate", "--strict", str(TINY)]).exit_code == 0


def test_validate_one_alternative(write):
    r = CliRunner().invoke(app, ["validate", str(TINY), "--alternative", "no_tap"])
    assert r.exit_code == 0 and "actor 'e' (E) never sends or receives anything" in r.output  # the tap was E's part
    r = CliRunner().invoke(app, ["validate", str(TINY), "--alternative", "nope"])
    assert r.exit_code == 2 and "no alternative 'nope'" in r.output


def test_lint_is_pure(tiny):
    assert lint(tiny) == lint(tiny) == []
