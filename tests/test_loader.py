"""Loader: valid files load; every class of error is reported with its file, line and column."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sim import ScenarioError, load_scenario, load_text
from sim.model import Window

from .mutations import mutations

HEAD = """\
meta:
  title: T
  timezone: Asia/Qatar
  span: {start: "2025-05-01T00:00+03:00", end: "2025-05-03T00:00+03:00"}
sources:
  - {id: wire, outlet: Wire, title: Report, published: 2025-05-02, reference: wire.txt, reliability: B}
actors:
  - {id: a, name: A, affiliation: Red, timezone: Asia/Qatar}
  - {id: b, name: B, affiliation: Blue, timezone: Asia/Qatar}
facts:
  - {id: offer, statement: An offer}
channels:
  - {id: ab, between: [a, b], medium: text, latency: 10m}
"""
EVENT = """\
events:
  - id: e1
    kind: decision
    time: "2025-05-01T09:00+03:00"
    summary: A decides
    actor: a
    facts: [offer]
    sources: [{source: wire, claim: A decided., grade: 2}]
"""


def problems(text: str) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        load_text(text, "s.yaml")
    return [str(p) for p in exc.value.problems]


def test_tiny_loads(tiny):
    assert [a.id for a in tiny.actors] == ["a", "b", "c", "e"]
    assert tiny.channels[0].latency == 600.0
    assert tiny.channels[0].taps[0].delay == 3600.0
    assert isinstance(tiny.events[1].time, Window)
    assert tiny.events[1].time.estimate.utcoffset() == timedelta(hours=3)
    assert tiny.rules[0].when.from_ == "a"
    assert [alt.id for alt in tiny.alternatives] == ["no_tap", "slow_relay"]


def test_scenario_is_frozen(tiny):
    with pytest.raises(Exception):
        tiny.meta.title = "changed"  # type: ignore[misc]


def test_minimal_text_loads():
    s = load_text(HEAD + EVENT)
    assert s.events[0].kind == "decision"


def test_yaml_syntax_error_has_position():
    assert problems(HEAD + "events: [\n") == ["s.yaml:15:1: YAML syntax error: expected the node content in a flow node"] \
        or problems(HEAD + "events: [\n")[0].startswith("s.yaml:1")


def test_duplicate_yaml_key():
    (p,) = problems(HEAD + "meta: {}\n")
    assert p.startswith("s.yaml:14:1:") and "duplicate key" in p


def test_custom_tags_are_refused():
    (p,) = problems(HEAD.replace("title: T", "title: !!python/object/apply:os.system ['echo hi']"))
    assert p.startswith("s.yaml:2:10:") and "not allowed" in p


def test_unknown_field_and_missing_field_both_reported():
    ps = problems(HEAD.replace("affiliation: Red,", "afiliation: Red,"))
    assert any("actors[a].afiliation: unknown field 'afiliation' (did you mean 'affiliation'?)" in p for p in ps)
    assert any("actors[a].affiliation: required field is missing" in p for p in ps)


def test_bare_time_is_an_error():
    (p,) = problems(HEAD + EVENT.replace('"2025-05-01T09:00+03:00"', '"2025-05-01T09:00"'))
    assert p.startswith("s.yaml:17:11: events[e1].time: ") and "no UTC offset" in p


def test_latest_before_earliest():
    text = HEAD + EVENT.replace('time: "2025-05-01T09:00+03:00"',
                                'time: {earliest: "2025-05-02T09:00+03:00", latest: "2025-05-01T09:00+03:00"}')
    (p,) = problems(text)
    assert p.startswith("s.yaml:17:11: events[e1].time:") and "latest is before earliest" in p


def test_negative_duration():
    (p,) = problems(HEAD.replace("latency: 10m", "latency: -10m"))
    assert p == "s.yaml:13:54: channels[ab].latency: duration '-10m' is negative"


def test_unknown_references_with_suggestions():
    text = HEAD + EVENT.replace("actor: a", "actor: aa").replace("facts: [offer]", "facts: [ofer]") \
        .replace("source: wire", "source: wir")
    ps = problems(text)
    assert "s.yaml:19:12: events[e1].actor: unknown actor 'aa' (did you mean 'a'?)" in ps[0]
    assert any(p.startswith("s.yaml:20:13: events[e1].facts.0: unknown fact 'ofer' (did you mean 'offer'?)")
               for p in ps)
    assert any("events[e1].sources.0.source: unknown source 'wir' (did you mean 'wire'?)" in p for p in ps)
    assert len(ps) == 3


def test_duplicate_ids():
    text = HEAD.replace("  - {id: b, name: B,", "  - {id: a, name: B,")
    ps = problems(text)
    assert any(p.startswith("s.yaml:9:") and "actors.1.id: duplicate id 'a'" in p for p in ps)


def test_channel_must_connect_sender_and_recipient():
    text = HEAD.replace("  - {id: b, name: B, affiliation: Blue, timezone: Asia/Qatar}",
                        "  - {id: b, name: B, affiliation: Blue, timezone: Asia/Qatar}\n"
                        "  - {id: c, name: C, affiliation: Blue, timezone: Asia/Qatar}") + EVENT.replace(
        "kind: decision", "kind: message").replace("    facts: [offer]", "    to: [c]\n    channel: ab\n    facts: [offer]")
    (p,) = problems(text)
    assert "events[e1].channel: 'c' is not an endpoint of channel 'ab'" in p


def test_decision_with_recipients_is_an_error():
    text = HEAD + EVENT.replace("    facts: [offer]", "    to: [b]\n    facts: [offer]")
    (p,) = problems(text)
    assert "events[e1]: a decision has no 'to' or 'channel'" in p


def test_event_outside_span():
    (p,) = problems(HEAD + EVENT.replace("2025-05-01T09:00", "2025-06-01T09:00"))
    assert "events[e1].time: time lies outside the scenario span" in p


def test_bad_zone_and_literal():
    ps = problems(HEAD.replace("timezone: Asia/Qatar\n", "timezone: Mars/Olympus\n", 1)
                  .replace("medium: text", "medium: pigeon"))
    assert ps[0].startswith("s.yaml:3:13: meta.timezone: unknown time zone 'Mars/Olympus'")
    assert ps[1].startswith("s.yaml:13:39: channels[ab].medium: must be 'call'")


def test_top_level_must_be_mapping():
    (p,) = problems("- just\n- a list\n")
    assert p.startswith("s.yaml:1:1:") and "expected a mapping" in p


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="file not found"):
        load_scenario(tmp_path / "nope.yaml")


def test_named_alternatives(tiny):
    s = load_scenario("tests/data/tiny.yaml", "no_tap")
    assert s.channels[0].taps == [] and s.meta.title == "Tiny relay — No tap"
    assert s.alternatives == []
    assert load_scenario("tests/data/tiny.yaml", "slow_relay").rules[0].send.delay == 6 * 3600
    with pytest.raises(ScenarioError, match="no alternative 'no_taps' \\(did you mean 'no_tap'\\?\\)"):
        load_scenario("tests/data/tiny.yaml", "no_taps")


def test_bad_named_alternative_is_located(write):
    bad = write(HEAD + EVENT + "alternatives:\n  - id: slow\n    title: Slow\n    set:\n"
                "      channels.ab.latency: -2h\n")
    assert load_scenario(bad).alternatives[0].id == "slow"  # the file itself is valid
    with pytest.raises(ScenarioError) as exc:
        load_scenario(bad, "slow")
    (p,) = exc.value.problems
    assert p.file == str(bad) and (p.line, p.col) == (26, 28) and "negative" in p.message


def test_variant_file_chain_and_positions(write, tmp_path):
    (tmp_path / "base.yaml").write_text(HEAD + EVENT, encoding="utf-8")
    write("extends: base.yaml\ntitle: Slow\nset:\n  channels.ab.latency: 2h\n", "v1.yaml")
    v2 = write("extends: v1.yaml\nremove: [event:e1]\n", "v2.yaml")
    s = load_scenario(v2)
    assert s.channels[0].latency == 7200 and s.events == [] and s.meta.title == "T — Slow"
    bad = write("extends: base.yaml\nset:\n  channels.ab.latency: -2h\n", "v3.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(bad)
    (p,) = exc.value.problems
    assert p.file.endswith("v3.yaml") and (p.line, p.col) == (3, 24) and "negative" in p.message


def test_variant_errors(write, tmp_path):
    (tmp_path / "base.yaml").write_text(HEAD + EVENT, encoding="utf-8")
    v = write("extends: base.yaml\nremove: [event:e2, tap:ab/x, widget:q]\nset:\n  channels.zz.latency: 1h\n", "v.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(v)
    msgs = [str(p) for p in exc.value.problems]
    assert msgs[0].startswith(f"{v}:2:10: remove.0: no event 'e2'")
    assert "no tap on 'ab' by with by 'x'" in msgs[1] or "no tap on 'ab' by" in msgs[1]
    assert "cannot read 'widget:q'" in msgs[2]
    assert msgs[3].startswith(f"{v}:4:24:") and "no channel with id 'zz'" in msgs[3]


def test_variant_removal_leaving_dangling_reference(write, tmp_path):
    base = tmp_path / "base.yaml"
    base.write_text(HEAD + EVENT, encoding="utf-8")
    v = write("extends: base.yaml\nremove: [actor:a]\n", "v.yaml")
    with pytest.raises(ScenarioError) as exc:
        load_scenario(v)
    ps = exc.value.problems
    assert len(ps) == 2  # the channel endpoint and the decision's actor
    where = {(p.file, p.line, p.col, p.path) for p in ps}
    assert (str(base), 13, 24, "channels[ab].between.0") in where
    assert (str(base), 19, 12, "events[e1].actor") in where
    assert all("unknown actor 'a'" in p.message and f"(as changed by {v})" in p.message for p in ps)


def test_extends_cycle(write):
    write("extends: b.yaml\n", "a.yaml")
    b = write("extends: a.yaml\n", "b.yaml")
    with pytest.raises(ScenarioError, match="'extends' forms a cycle"):
        load_scenario(b)


# -- one reader: the same text loads alike through every entry point --------------------------------
def test_explicit_tags_are_refused_alike():
    for tagged, col in (('!!str X', 10), ('!!int "5"', 10), ("!local X", 10)):
        (p,) = problems(HEAD.replace("title: T", f"title: {tagged}"))
        assert p.startswith(f"s.yaml:2:{col}: tag ") and "is not allowed" in p


def test_whole_and_fractional_numbers_are_durations_alike():
    whole, fractional = (problems(HEAD.replace("latency: 10m", f"latency: {n}")) for n in ("600", "600.0"))
    assert whole == fractional == ["s.yaml:13:54: channels[ab].latency: duration 600 has no unit: "
                                   "write it as 600s, 600m, 600h or 600d"]
    assert load_text(HEAD.replace("latency: 10m", "latency: 0.0")).channels[0].latency == 0


def test_hints_name_the_fields_of_the_model_that_holds_the_typo():
    (p,) = problems(HEAD + EVENT.replace("claim: A decided.", "claim: A decided., title: X"))
    assert p == "s.yaml:21:56: events[e1].sources.0.title: unknown field 'title'"
    (p,) = problems(HEAD + EVENT.replace("grade: 2", "grade: 2, grad: 3"))
    assert p.endswith("events[e1].sources.0.grad: unknown field 'grad' (did you mean 'grade'?)")


def test_union_tags_never_appear_in_paths():
    ps = problems(HEAD.replace("latency: 10m", "latency: {uniform: [1h, 2h], unifrm: 3}"))
    assert ps == ["s.yaml:13:82: channels[ab].latency.unifrm: unknown field 'unifrm' (did you mean 'uniform'?)"]
    ps = problems(HEAD.replace("latency: 10m", "latency: {uniform: [1h, -2h]}"))
    assert ps == ["s.yaml:13:69: channels[ab].latency.uniform.1: duration '-2h' is negative"]


def test_items_are_named_by_id_with_their_line_and_by_index_when_the_id_is_shared():
    (p,) = problems(HEAD + EVENT.replace("actor: a", "actor: zz"))
    assert p.startswith("s.yaml:19:12: events[e1].actor: unknown actor 'zz'")
    ps = problems(HEAD.replace("  - {id: b, name: B,", "  - {id: a, name: B,"))
    assert any(p.startswith("s.yaml:9:10: actors.1.id: duplicate id 'a'") for p in ps)


def test_open_base_supplies_the_text_of_a_base():
    store = {"saved:1": (HEAD + EVENT, "saved scenario 1")}
    s = load_text("extends: saved:1\ntitle: Slow\nset:\n  channels.ab.latency: 2h\n", "edit",
                  open_base=store.get)
    assert s.meta.title == "T — Slow" and s.channels[0].latency == 7200
    with pytest.raises(ScenarioError) as exc:
        load_text("extends: saved:1\nremove: [actor:a]\n", "edit", open_base=store.get)
    assert {(p.file, p.line, p.path) for p in exc.value.problems} == {
        ("saved scenario 1", 13, "channels[ab].between.0"), ("saved scenario 1", 19, "events[e1].actor")}
    with pytest.raises(ScenarioError, match="can extend a file only when a root folder is given"):
        load_text("extends: base.yaml\n", "edit")


def test_text_extends_a_file_inside_its_root(tmp_path):
    (tmp_path / "base.yaml").write_text(HEAD + EVENT, encoding="utf-8")
    assert load_text("extends: base.yaml\n", "edit", root=tmp_path).events[0].id == "e1"
    with pytest.raises(ScenarioError, match="lies outside the folders"):
        load_text("extends: ../base.yaml\n", "edit", root=tmp_path / "sub")



TINY_TEXT = (Path(__file__).parent / "data" / "tiny.yaml").read_text(encoding="utf-8")
BASE_TEXT = TINY_TEXT[: TINY_TEXT.index("alternatives:")]  # variants drop the base's alternatives
SAME = "alternatives:\n  - id: same\n    title: Same\n"
PIECES = ["", " ", "  ", "\n", ":", "- ", "[", "]", "{", "}", ",", '"', "'", "#", "&x ", "*x", "!!int ", "0", "1.5",
          "-1h", "~", "true", "zz", "id", "e1", "2h", "\t", "é", "\x00", "---\n"]


def _outcome(load, *args, **kw):
    try:
        return load(*args, **kw)
    except ScenarioError as e:
        return [(p.file, p.line, p.col, p.path, p.message.replace(" (as changed by ", "\x00").split("\x00")[0])
                for p in e.problems]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(mutations(BASE_TEXT, PIECES, edits=3, span=12))
def test_any_text_loads_alike_as_text_file_base_and_alternative(tmp_path, text):
    """The same text as a text, a file, the base of a variant and (with an alternative that changes
    nothing) a named alternative: the same scenario, or the same located problems."""
    path = tmp_path / "s.yaml"
    path.write_bytes(text.encode("utf-8"))
    variant = tmp_path / "v.yaml"
    variant.write_text("extends: s.yaml\n", encoding="utf-8")
    as_text = _outcome(load_text, text, str(path))
    assert _outcome(load_scenario, path) == as_text
    assert _outcome(load_scenario, variant) == as_text
    path.write_bytes((text + "\n" + SAME).encode("utf-8"))
    with_alt = _outcome(load_text, text + "\n" + SAME, str(path))
    named = _outcome(load_scenario, path, "same")
    if isinstance(with_alt, list):
        assert named == with_alt
    elif [a.id for a in with_alt.alternatives] == ["same"]:
        meta = with_alt.meta.model_copy(update={"title": f"{with_alt.meta.title} — Same"})
        assert named == with_alt.model_copy(update={"alternatives": [], "meta": meta})


def test_loader_benchmark_checks_hold():
    """The loader benchmark's correctness checks (its timings are only in ``python -m benchmarks``)."""
    from benchmarks.loader_bench import documented

    out = documented(reps=1)
    assert out["same_as_text"] is True and out["variant_removes_only"] is True


def test_benchmark_report_lists_the_loading_targets():
    from benchmarks.__main__ import report

    loader = {"documented": {"base_s": 0.02, "variant_s": 0.03, "variant_ratio": 1.5, "same_as_text": True},
              "large": {"load": {"seconds": 4.0, "cpu_seconds": 3.9, "peak_mib": 700.0}, "fail": {"seconds": 4.1}}}
    res = {"sizes": [], "documented": {"error": "-"}, "sweep": {"error": "-"}, "cli_help": {"median_s": 0.2},
           "dashboard": {"error": "-"}, "loader": loader}
    _, checks = report(res)
    assert ("a variant of the documented scenario loads in ≤ 2× its base", "1.50×", "PASS") in checks
    assert ("100k messages from block YAML load in ≤ 3 s", "4.000 s", "FAIL") in checks


def test_an_item_that_is_not_a_mapping_says_so_in_words(tmp_path):
    """A list item or section that should be a mapping gets a sentence, not pydantic's class names."""
    p = tmp_path / "s.yaml"
    p.write_text("meta: 5\nevents:\n- a\n- [x]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    got = {(x.line, x.col, x.path): x.message for x in e.value.problems}
    want = "expected a mapping of fields here (key: value), not a single value or a list"
    assert got[(1, 7, "meta")] == got[(3, 3, "events.0")] == got[(4, 3, "events.1")] == want
    assert not any("instance of" in m or "dictionary" in m for m in got.values())
