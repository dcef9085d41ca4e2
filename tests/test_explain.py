"""What mattered: single removals on tiny scenarios with exact expectations, the documented scenario,
the equivalence of removals with variant files, paired stochastic runs and the command."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from sim import load_scenario, load_text, run
from sim.cli import app
from sim.explain import elements, explain, removal, without
from sim.loader import load_data, validate_data
from sim.timeparse import parse_instant
from sim.variants import remove, set_path

from .conftest import ROOT

DOCUMENTED = ROOT / "scenarios" / "alexander_release.yaml"
runner = CliRunner(env={"COLUMNS": "250"})

HEAD = """\
meta: {title: T, timezone: UTC, span: {start: "2025-05-01T00:00Z", end: "2025-05-02T00:00Z"}}
sources: [{id: s, outlet: Wire, title: T, published: 2025-05-01, reference: r, reliability: C}]
actors:
  - {id: a, name: Ann, affiliation: X, timezone: UTC}
  - {id: b, name: Bo, affiliation: X, timezone: UTC}
  - {id: c, name: Cy, affiliation: Y, timezone: UTC}
facts:
  - {id: f, origin: a, statement: Ann has news}
  - {id: g, origin: a, statement: Ann gives the go-ahead}
  - {id: h, origin: b, statement: Bo acts}
"""
SRC = "sources: [{source: s, claim: Said so., grade: 2}]"


def scenario(channels: str, events: str, rules: str = "") -> str:
    return HEAD + "channels:\n" + channels + "events:\n" + events + ("rules:\n" + rules if rules else "")


def msg(id: str, at: str, actor: str, to: str, channel: str, facts: str, requires: str = "") -> str:
    req = f", requires: [{requires}]" if requires else ""
    return (f"  - {{id: {id}, time: \"2025-05-01T{at}Z\", summary: {id} happens, actor: {actor}, to: [{to}], "
            f"channel: {channel}, facts: [{facts}]{req}, {SRC}}}\n")


def statuses(x) -> dict[str, str]:
    return {r.removal.target: r.status for r in x.rows}


def at(text: str) -> float:
    return parse_instant(f"2025-05-01T{text}Z").timestamp()


def test_the_only_path_is_necessary():
    s = load_text(scenario("  - {id: ab, between: [a, b], medium: text, latency: 10m}\n",
                           msg("tell", "07:00", "a", "b", "ab", "f")))
    x = explain(s, "b", "f")
    assert x.known_at == at("07:10")
    assert x.on_path == ("event:tell", "actor:a", "channel:ab", "actor:b")
    assert statuses(x) == {"event:tell": "necessary", "channel:ab": "necessary", "actor:c": "unchanged"}
    assert x.row("channel:ab").removal.removes == ("channel:ab", "event:tell")  # its message goes with it
    assert x.row("event:tell").known_at is None


def test_one_of_two_parallel_paths_is_redundant():
    s = load_text(scenario("  - {id: ab, between: [a, b], medium: text, latency: 10m}\n"
                           "  - {id: ab2, between: [a, b], medium: call, latency: 10m}\n",
                           msg("text", "07:00", "a", "b", "ab", "f") + msg("call", "07:00", "a", "b", "ab2", "f")))
    x = explain(s, "b", "f")
    assert x.on_path == ("event:text", "actor:a", "channel:ab", "actor:b")  # the first of two simultaneous arrivals
    assert statuses(x) == {"event:text": "redundant", "event:call": "unchanged", "channel:ab": "redundant",
                           "channel:ab2": "unchanged", "actor:c": "unchanged"}
    assert x.row("channel:ab").path == ("a", "b") and x.row("channel:ab").via == ("call", "call")


def test_removing_the_faster_path_delays_by_the_latency_difference():
    s = load_text(scenario("  - {id: ab, between: [a, b], medium: text, latency: 10m}\n"
                           "  - {id: ac, between: [a, c], medium: call, latency: 5m}\n"
                           "  - {id: cb, between: [c, b], medium: text, latency: 40m}\n",
                           msg("tell_b", "07:00", "a", "b", "ab", "f") + msg("tell_c", "07:00", "a", "c", "ac", "f"),
                           "  - {id: relay, when: {actor: c, learns: [f]}, send: {to: [b], channel: cb}}\n"))
    x = explain(s, "b", "f")
    assert x.known_at == at("07:10")
    for target in ("event:tell_b", "channel:ab"):
        row = x.row(target)
        assert (row.status, row.delay, row.path) == ("delaying", 35 * 60.0, ("a", "c", "b"))  # 5m + 40m - 10m
        assert row.via == ("tell_c", "tell_c", "relay")
    for target in ("event:tell_c", "rule:relay", "channel:ac", "channel:cb", "actor:c"):
        assert x.row(target).status == "unchanged"
    assert [r.removal.target for r in x.rows[:2]] == ["event:tell_b", "channel:ab"]  # delaying before unchanged


def test_a_requires_gate_makes_an_upstream_message_necessary():
    s = load_text(scenario("  - {id: ab, between: [a, b], medium: text, latency: 10m}\n"
                           "  - {id: bc, between: [b, c], medium: call}\n",
                           msg("go_ahead", "07:00", "a", "b", "ab", "g")
                           + msg("act", "09:00", "b", "c", "bc", "h", requires="g")))
    x = explain(s, "c", "h")
    assert x.on_path == ("event:act", "actor:b", "channel:bc", "actor:c")  # b is the origin of h, kept
    row = x.row("event:go_ahead")
    assert (row.status, row.on_path, row.known_at) == ("necessary", False, None)
    assert "actor:b" not in statuses(x) and "actor:c" not in statuses(x)
    assert statuses(x)["actor:a"] == "necessary"
    skipped = without(s, row.removal)
    assert [(e.cause, e.reason) for e in run(skipped).skipped()] == [("act", "b did not yet know g")]


def test_by_time_makes_a_delay_necessary():
    s = load_text(scenario("  - {id: ab, between: [a, b], medium: text, latency: 10m}\n"
                           "  - {id: ab2, between: [a, b], medium: call, latency: 2h}\n",
                           msg("text", "07:00", "a", "b", "ab", "f") + msg("call", "07:00", "a", "b", "ab2", "f")))
    assert explain(s, "b", "f").row("event:text").status == "delaying"
    x = explain(s, "b", "f", by="2025-05-01T08:00Z")
    row = x.row("event:text")
    assert (row.status, row.known_at) == ("necessary", at("09:00"))  # learns it, but after the deadline
    assert explain(s, "b", "f", by="2025-05-01T07:05Z").row("event:text").status == "unchanged"  # too late anyway


def test_removing_an_actor_keeps_what_does_not_need_it():
    s = load_text(scenario("  - {id: abc, between: [a, b, c], medium: call}\n",
                           msg("tell", "07:00", "a", "b,c", "abc", "f")))
    r = removal(s, "actor", "c")
    assert r.removes == ("actor:c",)
    assert r.sets == (("channels.abc.between", ["a", "b"]), ("events.tell.to", ["b"]))
    assert r.options() == ["--remove", "actor:c", "--set", "channels.abc.between=[a, b]",
                           "--set", "events.tell.to=[b]"]
    assert explain(s, "b", "f").row("actor:c").status == "unchanged"


TAPPED = scenario("  - {id: ab, between: [a, b], medium: text, latency: {uniform: [5m, 2h]}, reliability: 0.7}\n"
                  "  - {id: ac, between: [a, c], medium: call, latency: {uniform: [30m, 3h]}, reliability: 0.6,\n"
                  "     taps: [{by: b, probability: 0.5, delay: {uniform: [10m, 1h]}}]}\n",
                  msg("text", "07:00", "a", "b", "ab", "f") + msg("call", "07:00", "a", "c", "ac", "f"))


def test_paired_stochastic_runs_are_the_same_whatever_the_workers():
    s = load_text(TAPPED)
    one = explain(s, "b", "f", by="2025-05-01T08:00Z", runs=40, seed=3)
    two = explain(s, "b", "f", by="2025-05-01T08:00Z", runs=40, seed=3, workers=2)
    assert one.rows == two.rows and one.p_base == two.p_base
    assert 0 < one.p_base < 1
    for r in one.rows:  # paired: the difference is the discordant runs' balance
        assert r.p_with == one.p_base
        assert r.difference == pytest.approx((r.lost - r.gained) / 40)
    assert one.row("event:text").p_without < one.p_base  # without the text only the tap can bring it
    assert one.row("actor:c").p_without == pytest.approx(one.p_base - one.row("actor:c").lost / 40)  # no gain
    other = explain(s, "b", "f", by="2025-05-01T08:00Z", runs=40, seed=4)
    assert other.p_base != one.p_base or other.rows != one.rows  # the seed matters


# -- the documented scenario --------------------------------------------------------------------
@pytest.fixture(scope="module")
def documented():
    return load_scenario(DOCUMENTED)


def test_removals_equal_variant_files_for_every_element(documented):
    """Each removal applied to the validated scenario runs exactly as the variant it names: the base's
    located data with the same ``remove`` and ``set`` changes a variant file applies, then validated."""
    base = load_data(DOCUMENTED)
    base.pop("alternatives")
    for kind, id in elements(documented, "witkoff", "hamas_agrees_release"):
        r = removal(documented, kind, id)
        data = base
        for target in r.removes:
            data = remove(data, target, ("--remove", 0, 0), target)
        for path, value in r.sets:
            data = set_path(data, path, value, ("--set", 0, 0), path)
        via_variant = run(validate_data(data, str(DOCUMENTED)))
        direct = run(without(documented, r))
        assert direct.events == via_variant.events, r.target
        assert direct.first == via_variant.first and direct.meta == via_variant.meta, r.target


def test_documented_every_element_but_the_outcome_is_removed(documented):
    x = explain(documented, "witkoff", "hamas_agrees_release")
    kinds = {k for k, _ in elements(documented, "witkoff", "hamas_agrees_release")}
    assert kinds == {"event", "rule", "channel", "tap", "actor"}
    removed = {r.removal.target for r in x.rows}
    assert "actor:witkoff" not in removed and "actor:hamas_leadership" not in removed  # actor and origin kept
    assert len(removed) == len(documented.events) + len(documented.rules) + len(documented.channels) + 3 + 14


def test_documented_the_qatari_call_is_on_the_path_to_witkoff(documented):
    """The Times of Israel: Hamas told the Qatari PM, who phoned Witkoff to confirm the release."""
    x = explain(documented, "witkoff", "hamas_agrees_release")
    assert [k.actor for k in x.path] == ["hamas_leadership", "qatar_pm", "witkoff"]
    assert "rule:qatar_pm_calls_witkoff" in x.on_path and "channel:qatar_witkoff" in x.on_path
    row = x.row("rule:qatar_pm_calls_witkoff")
    # Bahbah hears of the formal agreement too, but in the model he passes Witkoff only the weekend's
    # messages: without the Qatari call the news does not reach Witkoff at all
    assert (row.status, row.on_path, row.known_at) == ("necessary", True, None)
    # the agreement in principle needs Witkoff's for-free pitch, which only Bahbah's line carries
    bahbah = x.row("channel:bahbah_witkoff")
    assert bahbah.status == "necessary" and not bahbah.on_path
    skipped = run(without(documented, bahbah.removal)).skipped()
    assert "hamas_agrees_in_principle" in [e.cause for e in skipped]


def test_documented_israel_still_learns_the_agreement_from_witkoff_without_intercepts(documented):
    """Axios and The Times of Israel: once Hamas agreed, Witkoff phoned Netanyahu and Dermer."""
    for actor, call in (("netanyahu", "rule:witkoff_calls_netanyahu"), ("dermer", "rule:witkoff_calls_dermer")):
        x = explain(documented, actor, "hamas_agrees_release")
        assert x.path[-2].actor == "witkoff" and call in x.on_path
        for tap in ("tap:boehler_hamas/israeli_intel", "tap:hamas_bahbah/israeli_intel",
                    "tap:hayya_bahbah/israeli_intel"):
            assert x.row(tap).status == "unchanged"
        assert x.row("actor:israeli_intel").status == "unchanged"
        # the intercepts reveal only that talks exist (no report says what Israel heard of their
        # content), so without Witkoff's call nothing else brings the agreement
        assert x.row(call).status == "necessary"
    no_taps = run(load_scenario(ROOT / "scenarios" / "alternatives" / "no_intercepts.yaml"))
    assert no_taps.path("netanyahu", "hamas_agrees_release")[-2:] == ["witkoff", "netanyahu"]


def test_documented_israel_knew_of_the_backchannel_only_through_its_intercepts(documented):
    """Axios and World Israel News: Israel learned of the May talks from its own intelligence, and
    Dermer raised them with Witkoff himself."""
    x = explain(documented, "dermer", "backchannel_exists")
    assert x.path[-1].how == "told" and x.path[-2].actor == "israeli_intel" and x.path[-2].how == "intercepted"
    row = x.row("tap:hamas_bahbah/israeli_intel")
    assert row.on_path and row.status == "delaying"
    assert row.path[-2] == "israeli_intel" and "hayya_talks_to_bahbah" in row.via  # al-Hayya's calls, tapped too
    intel = x.row("actor:israeli_intel")
    assert intel.status == "delaying" and intel.path[-2] == "witkoff"  # only Sunday night's call tells him
    no_taps = run(load_scenario(ROOT / "scenarios" / "alternatives" / "no_intercepts.yaml"))
    assert "dermer_raises_talks" in [e.cause for e in no_taps.skipped()]
    assert no_taps.first[("dermer", "backchannel_exists")].via_event == "witkoff_calls_dermer"


# -- the command --------------------------------------------------------------------------------
def test_cli_explain_writes_table_csv_and_json(tmp_path):
    r = runner.invoke(app, ["explain", str(DOCUMENTED), "witkoff", "hamas_agrees_release", "--out", str(tmp_path)],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    text = " ".join(r.output.split())
    assert "The replay's path" in text and "Mohammed bin Abdulrahman Al Thani" in text
    assert "necessary" in text and "--remove rule:qatar_pm_calls_witkoff" in text
    data = json.loads((tmp_path / "explain.json").read_text())
    assert data["learned"] and [p["actor"] for p in data["path"]] == ["hamas_leadership", "qatar_pm", "witkoff"]
    first = data["rows"][0]
    assert first["status"] == "necessary" and first["variant"][:2] == ["--remove", first["kind"] + ":" + first["id"]]
    csv_lines = (tmp_path / "explain.csv").read_text().splitlines()
    assert csv_lines[0].startswith("rank,status,on_path,kind,id,element") and len(csv_lines) == len(data["rows"]) + 1


def test_cli_explain_row_reproduces_with_variant(tmp_path):
    """The options a row names, given to ``backchannel variant``, give the row's outcome."""
    r = runner.invoke(app, ["explain", str(DOCUMENTED), "dermer", "backchannel_exists", "--out", str(tmp_path)],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    rows = json.loads((tmp_path / "explain.json").read_text())["rows"]
    row = next(x for x in rows if x["id"] == "israeli_intel")
    out = tmp_path / "v.yaml"
    w = runner.invoke(app, ["variant", str(DOCUMENTED), "-o", str(out), *row["variant"]], catch_exceptions=False)
    assert w.exit_code == 0, w.output
    k = run(load_scenario(out)).first[("dermer", "backchannel_exists")]
    assert row["status"] == "delaying" and k.time == parse_instant(row["known_at"]).timestamp()


def test_cli_explain_stochastic_and_bad_input(tmp_path, write):
    p = write(TAPPED)
    r = runner.invoke(app, ["explain", str(p), "b", "f", "--by", "2025-05-01T08:00Z", "--stochastic", "--runs", "30",
                            "--all"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "P without" in r.output and "30 paired runs" in " ".join(r.output.split())
    for args, message in ((["b", "nope"], "unknown fact 'nope'"), (["bb", "f"], "unknown actor 'bb' (did you mean 'b'?)"),
                          (["b", "f", "--by", "soon"], "cannot read --by 'soon'")):
        bad = runner.invoke(app, ["explain", str(p), *args])
        assert bad.exit_code == 2 and message in " ".join(bad.output.split()), bad.output
