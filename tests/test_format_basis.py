"""The format's record of how things are known: basis and note, tap reveals, relative times,
derived sources, fact labels and key moments — each accepted when right and located when wrong."""

from __future__ import annotations

import pytest

from sim import ScenarioError, load_text
from sim.references import event_bounds

HEAD = """\
meta:
  title: T
  timezone: Asia/Qatar
  span: {start: "2025-05-01T00:00+03:00", end: "2025-05-09T00:00+03:00"}
sources:
  - {id: wire, outlet: Wire, title: Report, published: 2025-05-02, reference: wire.txt, reliability: B}
  - {id: paper, outlet: Paper, title: Retold, published: 2025-05-03, reference: paper.txt, reliability: C}
actors:
  - {id: a, name: A, affiliation: Red, timezone: Asia/Qatar}
  - {id: b, name: B, affiliation: Blue, timezone: Asia/Qatar}
  - {id: e, name: E, affiliation: Green, timezone: Asia/Qatar}
facts:
  - {id: offer, statement: An offer}
  - {id: talks, statement: A and B are talking}
channels:
  - id: ab
    between: [a, b]
    medium: text
    latency: 10m
    taps: [{by: e, reveals: [talks], basis: reported, sources: [{source: wire, claim: E listened in., grade: 3}]}]
events:
  - id: e1
    kind: decision
    time: "2025-05-01T09:00+03:00"
    summary: A decides
    actor: a
    facts: [offer]
    sources: [{source: wire, claim: A decided., grade: 2}]
    basis: reported
  - id: e2
    after: {event: e1, between: [1d, 3d]}
    summary: A tells B
    actor: a
    to: [b]
    channel: ab
    facts: [offer, talks]
    sources: [{source: wire, claim: Days later A told B., grade: 3}]
    basis: inferred
    note: the report says days later
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        load_text(text, "s.yaml")
    return [str(p) for p in exc.value.problems]


def test_the_new_fields_load():
    s = load_text(HEAD, "s.yaml")
    assert s.events[0].basis == "reported" and s.events[1].basis == "inferred"
    assert s.events[1].time is None and s.events[1].after.between == (86400.0, 3 * 86400.0)
    assert s.channels[0].taps[0].reveals == ["talks"]
    assert s.channels[0].basis is None and s.channels[0].note == ""  # omitted: treated as assumed
    e1 = s.events[0].time.timestamp()
    assert event_bounds(s)["e2"] == (e1 + 86400.0, e1 + 3 * 86400.0)


@pytest.mark.parametrize("basis", ["inferred", "assumed"])
def test_note_is_required_unless_reported(basis):
    (p,) = problems(HEAD.replace("    basis: reported\n", f"    basis: {basis}\n"))
    assert p.startswith("s.yaml:22:5: events.0: ") and f"basis {basis!r} needs a 'note'" in p


def test_bad_basis_is_located():
    (p,) = problems(HEAD.replace("    basis: reported\n", "    basis: rumoured\n"))
    assert p.startswith("s.yaml:29:12: events.0.basis: must be 'reported', 'inferred' or 'assumed'")


def test_tap_and_rule_need_a_note_too():
    (p,) = problems(HEAD.replace("reveals: [talks], basis: reported", "reveals: [talks], basis: assumed"))
    assert p.startswith("s.yaml:20:12: channels.0.taps.0: basis 'assumed' needs a 'note'")


def test_reveals_unknown_fact_has_a_suggestion():
    (p,) = problems(HEAD.replace("reveals: [talks]", "reveals: [talk]"))
    assert p == "s.yaml:20:30: channels.0.taps.0.reveals.0: unknown fact 'talk' (did you mean 'talks'?)"


def test_reveals_a_fact_the_channel_never_carries():
    text = HEAD.replace("facts: [offer, talks]", "facts: [offer]")
    (p,) = problems(text)
    assert p.startswith("s.yaml:20:30: channels.0.taps.0.reveals.0: no event or rule sends 'talks' "
                        "over channel 'ab'")


def test_after_needs_an_existing_event():
    (p,) = problems(HEAD.replace("{event: e1, between", "{event: e_1, between"))
    assert p == "s.yaml:31:20: events.1.after.event: unknown event 'e_1' (did you mean 'e1'?)"


def test_after_cycle_is_an_error():
    text = HEAD.replace('    time: "2025-05-01T09:00+03:00"\n', "    after: {event: e2, delay: 1h}\n")
    ps = problems(text)
    assert "s.yaml:24:20: events.0.after.event: 'after' forms a cycle: e1 → e2 → e1" in ps
    assert "s.yaml:31:20: events.1.after.event: 'after' forms a cycle: e2 → e1 → e2" in ps


def test_after_and_time_together_or_neither():
    (p,) = problems(HEAD.replace("    after: {event: e1, between: [1d, 3d]}\n",
                                 '    after: {event: e1, between: [1d, 3d]}\n    time: "2025-05-02T09:00+03:00"\n'))
    assert p.startswith("s.yaml:30:5: events.1: an event needs exactly one of 'time' or 'after'")
    (p,) = problems(HEAD.replace("    after: {event: e1, between: [1d, 3d]}\n", ""))
    assert p.startswith("s.yaml:30:5: events.1: an event needs exactly one of 'time' or 'after'")


def test_after_between_must_be_ordered_and_delay_exclusive():
    (p,) = problems(HEAD.replace("between: [1d, 3d]", "between: [3d, 1d]"))
    assert p.startswith("s.yaml:31:12: events.1.after: 'between' needs [shortest, longest]")
    (p,) = problems(HEAD.replace("between: [1d, 3d]", "between: [1d, 3d], delay: 2h"))
    assert p.startswith("s.yaml:31:12: events.1.after: 'after' needs exactly one of 'delay' or 'between'")
    (p,) = problems(HEAD.replace("between: [1d, 3d]", "delay: -2h"))
    assert p == "s.yaml:31:31: events.1.after.delay: duration '-2h' is negative"


def test_relative_time_must_stay_in_the_span():
    (p,) = problems(HEAD.replace("between: [1d, 3d]", "between: [1d, 9d]"))
    assert p.startswith("s.yaml:31:12: events.1.after: time lies outside the scenario span")


def test_derived_from_unknown_self_and_cycle():
    base = "reference: paper.txt, reliability: C}"
    (p,) = problems(HEAD.replace(base, base[:-1] + ", derived_from: wir}"))
    assert p == "s.yaml:7:122: sources.1.derived_from: unknown source 'wir' (did you mean 'wire'?)"
    (p,) = problems(HEAD.replace(base, base[:-1] + ", derived_from: paper}"))
    assert p == "s.yaml:7:122: sources.1.derived_from: source 'paper' cannot retell itself"
    text = HEAD.replace(base, base[:-1] + ", derived_from: wire}").replace(
        "reference: wire.txt, reliability: B}", "reference: wire.txt, reliability: B, derived_from: paper}")
    ps = problems(text)
    assert ps == ["s.yaml:6:119: sources.0.derived_from: 'derived_from' forms a cycle: wire → paper → wire",
                  "s.yaml:7:122: sources.1.derived_from: 'derived_from' forms a cycle: paper → wire → paper"]


def test_fact_label_is_short():
    s = load_text(HEAD.replace("statement: An offer}", "statement: An offer, label: Offer}"), "s.yaml")
    assert s.facts[0].label == "Offer" and s.facts[0].short_label == "Offer"
    assert s.facts[1].short_label == "A and B are talking"  # no label: the statement, when it is short
    long = load_text(HEAD.replace("statement: An offer}", "statement: 'An offer that is made, in writing, over "
                                                          "the course of a long week'}"), "s.yaml")
    assert long.facts[0].short_label == "An offer that is made, in writing, over…"
    (p,) = problems(HEAD.replace("statement: An offer}", f"statement: An offer, label: {'x' * 41}}}"))
    assert p.startswith("s.yaml:13:45: facts.0.label: String should have at most 40 characters")


KEY = """\
  key_moments:
    - {id: told, event: e2, headline: B hears of the offer, fact: offer}
  opens_at: told
"""


def test_key_moments_load_and_are_checked():
    text = HEAD.replace('  span: {start', KEY + '  span: {start')
    s = load_text(text, "s.yaml")
    assert s.meta.opens_at == "told" and s.meta.key_moments[0].fact == "offer"
    ps = problems(text.replace("event: e2,", "event: e22,").replace("fact: offer}", "fact: ofer}")
                  .replace("opens_at: told", "opens_at: tol"))
    assert ps == ["s.yaml:5:25: meta.key_moments.0.event: unknown event 'e22' (did you mean 'e2'?)",
                  "s.yaml:5:68: meta.key_moments.0.fact: unknown fact 'ofer' (did you mean 'offer'?)",
                  "s.yaml:6:13: meta.opens_at: unknown key moment 'tol' (did you mean 'told'?)"]


def test_unknown_field_in_after_is_an_error():
    (p,) = problems(HEAD.replace("between: [1d, 3d]", "between: [1d, 3d], within: 2d"))
    assert p.startswith("s.yaml:31:51: events.1.after.within: unknown field 'within'")


def test_shipped_scenario_still_validates():
    from sim import load_scenario

    s = load_scenario("scenarios/alexander_release.yaml")
    assert s.events and all(e.time is not None or e.after is not None for e in s.events)
