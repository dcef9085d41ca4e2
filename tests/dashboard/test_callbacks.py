"""The server callbacks through Dash's HTTP endpoint, as the browser calls them."""

from __future__ import annotations

import json

import pytest

from dashboard.state import decode

from .conftest import applied


@pytest.fixture(scope="module")
def client(env):
    from dashboard.app import create_app

    app = create_app()
    c = app.server.test_client()
    deps = c.get("/_dash-dependencies").get_json()
    return c, deps


def call(client, search, controls=None, current=None, changed="url.search", view=None):
    c, deps = client
    dep = next(d for d in deps if d["output"].startswith("..url.search"))
    values = {"url.search": search, "current.data": current, "view.data": view} | (controls or {})
    inputs = [dict(i, value=values.get(f"{i['id']}.{i['property']}")) for i in dep["inputs"]]
    state = [dict(s, value=values.get(f"{s['id']}.{s['property']}")) for s in dep["state"]]
    outputs = [dict(zip(("id", "property"), o.split("."))) for o in dep["output"].strip(".").split("...")]
    body = {"output": dep["output"], "outputs": outputs, "inputs": inputs, "state": state,
            "changedPropIds": [changed]}
    r = c.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert r.status_code == 200, r.data[:500]
    return r.get_json()["response"]


def test_initial_load_fills_everything(client):
    out = call(client, "")
    assert out["bundle"]["data"]["steps"]
    assert out["scenario"]["value"] == "tiny"
    assert out["fact"]["value"] == "offer"
    assert out["notice"]["style"] == {"display": "none"}
    state, notices = decode(out["url"]["search"])
    assert notices == [] and state.scenario == "tiny" and state.t is not None


def test_bad_url_gives_notice_not_error(client):
    out = call(client, "?scenario=../../etc/passwd&fact=nope&mode=warp&t=never")
    assert out["notice"]["style"] == {"display": "block"}
    assert "not a scenario name" in out["notice"]["children"]
    assert out["scenario"]["value"] == "tiny"


def test_control_change_keeps_time_and_rewrites_url(client):
    first = call(client, "?fact=offer&t=2025-05-01T07:10:00Z")
    t = first["bundle"]["data"]["steps"][first["bundle"]["data"]["step"]]
    controls = {"scenario.value": "tiny", "alternative.value": "", "mode.value": "event", "fact.value": "reply",
                "actor.value": "c", "panels.value": ["network", "log"], "group.value": "affiliations"}
    out = call(client, first["url"]["search"], controls, {"t": t}, changed="fact.value")
    state, _ = decode(out["url"]["search"])
    assert (state.fact, state.actor, state.t, state.panels, state.group) == ("reply", "c", t, ("network", "log"),
                                                                              "affiliations")
    assert out["panel-timeline"]["style"] == {"display": "none"}


def test_a_view_change_on_the_same_run_leaves_the_log_alone(client):
    """The event log and option lists go only with a different run (file, alternative or file version)."""
    first = call(client, "?scenario=tiny&fact=offer")
    assert first["log"]["rowData"] and first["fact"]["options"]
    view = first["view"]["data"]
    controls = {"scenario.value": "tiny", "alternative.value": "", "mode.value": "event", "fact.value": "reply",
                "actor.value": None, "panels.value": ["network", "log"], "group.value": "actors"}
    same = call(client, first["url"]["search"], controls, None, "fact.value", view)
    assert "log" not in same and "options" not in same["fact"] and same["fact"]["value"] == "reply"
    patched = applied(first["bundle"]["data"], same["bundle"]["data"])  # only what differs is sent
    assert "__dash_patch_update" in same["bundle"]["data"]
    assert patched["headlines"] != first["bundle"]["data"]["headlines"]
    other = call(client, first["url"]["search"], controls | {"alternative.value": "no_tap"}, None,
                 "alternative.value", same["view"]["data"])
    assert other["log"]["rowData"] and other["view"]["data"]["run"] != view["run"]
    stale = dict(view, run=view["run"] + "0")  # the file changed on disk since the page loaded it
    assert call(client, first["url"]["search"], controls, None, "fact.value", stale)["log"]["rowData"]


def test_a_compare_view_is_patched_too_and_its_outline_stays_out_of_the_cache(client):
    """With the compare panel on, a change of fact is a patch that gives the page the bundle a fresh page
    gets, outline included, and the cached bundle of the view holds no outline."""
    from dashboard.bundle import build_bundle, bundle_for
    from dashboard.data import load_run

    link = "?scenario=tiny&fact=offer&compare=alternatives/no_relay&panels=network,compare"
    first = call(client, link)
    controls = {"scenario.value": "tiny", "alternative.value": "", "mode.value": "event", "fact.value": "reply",
                "actor.value": None, "panels.value": ["network", "compare"], "group.value": "actors",
                "compare-with.value": "alternatives/no_relay", "compare-alt.value": ""}
    same = call(client, first["url"]["search"], controls, None, "fact.value", first["view"]["data"])
    assert "__dash_patch_update" in same["bundle"]["data"]
    fresh = call(client, same["url"]["search"])
    assert applied(first["bundle"]["data"], same["bundle"]["data"]) == fresh["bundle"]["data"]
    assert fresh["bundle"]["data"]["net"]["data"][-1]["name"].startswith("differs in")
    state = decode(same["url"]["search"])[0]
    result = load_run("tiny")
    cached = bundle_for(result, state.with_(t=None))
    assert not cached["net"]["data"][-1]["name"].startswith("differs in")


def test_export_callback_sends_html(client):
    c, deps = client
    dep = next(d for d in deps if d["output"] == "download.data")
    values = {"export.n_clicks": 1, "scenario.value": "tiny", "alternative.value": "no_tap", "mode.value": "event",
              "fact.value": "offer", "actor.value": None, "current.data": None}
    body = {"output": dep["output"], "outputs": {"id": "download", "property": "data"},
            "inputs": [dict(i, value=values[f"{i['id']}.{i['property']}"]) for i in dep["inputs"]],
            "state": [dict(s, value=values[f"{s['id']}.{s['property']}"]) for s in dep["state"]],
            "changedPropIds": ["export.n_clicks"]}
    r = c.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    out = r.get_json()["response"]["download"]["data"]
    assert out["filename"] == "tiny-no_tap.html"
    assert out["content"].startswith("<!DOCTYPE html>") and 'id="backchannel-plotlyjs"' in out["content"]
    assert "Tiny relay — No tap" in out["content"]


def test_empty_folder_gives_a_notice(client, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(tmp_path))
    out = call(client, "")
    assert "no scenario could be loaded" in out["notice"]["children"]
    assert out["notice"]["style"] == {"display": "block"}


def test_broken_scenario_falls_back_with_a_notice(client, tmp_path, monkeypatch):
    from .conftest import make_scenarios

    make_scenarios(tmp_path)
    (tmp_path / "broken.yaml").write_text("meta: {title: x}\n", encoding="utf-8")
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(tmp_path))
    out = call(client, "?scenario=broken")
    assert "could not be loaded" in out["notice"]["children"]
    assert out["scenario"]["value"] == "tiny"
    assert {"label": "broken", "value": "broken"} in out["scenario"]["options"]  # a file that does not load
    assert {"label": "Tiny relay", "value": "tiny"} in out["scenario"]["options"]  # the others by their titles


def test_choosing_a_variant_file_keeps_time_and_fact_and_drops_the_alternative(client):
    controls = {"scenario.value": "alternatives/no_relay", "alternative.value": "slow_relay", "mode.value": "event",
                "fact.value": "reply", "actor.value": "c", "panels.value": ["network"], "group.value": "actors"}
    out = call(client, "?scenario=tiny&alt=slow_relay", controls, {"t": 1746083400.0}, changed="scenario.value")
    state, _ = decode(out["url"]["search"])
    assert (state.scenario, state.alt, state.fact, state.actor) == ("alternatives/no_relay", "", "reply", "c")
    data = out["bundle"]["data"]
    assert data["steps"][data["step"]] == 1746083400.0
    assert "No relay" in out["title"]["children"]
    assert out["notice"]["style"] == {"display": "none"}


def test_choosing_an_alternative_keeps_time_and_shows_its_description(client):
    controls = {"scenario.value": "tiny", "alternative.value": "slow_relay", "mode.value": "event",
                "fact.value": "reply", "actor.value": None, "panels.value": ["network"], "group.value": "actors"}
    out = call(client, "?scenario=tiny", controls, {"t": 1746083400.0}, changed="alternative.value")
    state, _ = decode(out["url"]["search"])
    assert (state.alt, state.fact, state.t) == ("slow_relay", "reply", 1746083400.0)
    assert out["alt-note"]["children"].startswith("Alternative “Slow relay”")


def test_switching_to_a_scenario_without_the_fact_or_time_says_so(client, tmp_path, monkeypatch):
    from .conftest import make_scenarios

    make_scenarios(tmp_path)
    (tmp_path / "tiny.yaml").read_text(encoding="utf-8")
    text = (tmp_path / "tiny.yaml").read_text(encoding="utf-8").replace("2025-05-", "2025-07-")
    (tmp_path / "later.yaml").write_text(text.replace("id: reply", "id: answer_given").replace("[reply]", "[answer_given]"),
                                         encoding="utf-8")
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(tmp_path))
    controls = {"scenario.value": "later", "alternative.value": "", "mode.value": "event", "fact.value": "reply",
                "actor.value": None, "panels.value": ["network"], "group.value": "actors"}
    out = call(client, "?scenario=tiny", controls, {"t": 1746083400.0}, changed="scenario.value")
    notice = out["notice"]["children"]
    assert "There is no fact “reply”" in notice and "lies outside this story" in notice


def call_by_output(client, output: str, values: dict, changed: str):
    """Call the callback whose outputs start with ``output`` (``id.property``) with ``values`` by ``id.property``."""
    c, deps = client
    dep = next(d for d in deps if d["output"].lstrip(".").startswith(output))
    multi = dep["output"].startswith("..")
    outputs = [dict(zip(("id", "property"), o.split("."))) for o in dep["output"].strip(".").split("...")]
    body = {"output": dep["output"], "outputs": outputs if multi else outputs[0],
            "inputs": [dict(i, value=values.get(f"{i['id']}.{i['property']}")) for i in dep["inputs"]],
            "state": [dict(s, value=values.get(f"{s['id']}.{s['property']}")) for s in dep["state"]],
            "changedPropIds": [changed]}
    r = c.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert r.status_code in (200, 204), r.data[:500]
    return r.get_json()["response"] if r.status_code == 200 else {}


def test_compare_link_shows_the_panel_and_the_differences(client):
    out = call(client, "?compare=alternatives/no_relay&fact=offer")
    assert out["panel-compare"]["style"] is None and out["panel-sweep"]["style"] == {"display": "none"}
    assert out["compare-with"]["value"] == "alternatives/no_relay" and out["compare-alt"]["value"] == ""
    assert {"label": "Tiny relay — No relay", "value": "alternatives/no_relay"} in out["compare-with"]["options"]
    view = out["view"]["data"]
    assert decode(view["search"])[0].compare == "alternatives/no_relay"
    outline = out["bundle"]["data"]["net"]["data"][-1]  # squares around who differs, on the network
    assert outline["name"] == "differs in “No relay”" and len(outline["x"]) == 1
    panel = call_by_output(client, "compare-text.children", {"shown-view.data": view}, "shown-view.data")
    text = panel["compare-text"]["children"]
    assert "In “No relay”" in text and "**C** never knew it" in text
    assert panel["compare-figure"]["style"] is None
    assert any(tr.get("name") == "No relay" for tr in panel["compare-figure"]["figure"]["data"])
    assert panel["compare-heatmap"]["figure"]["data"]


def test_compare_with_a_named_alternative_of_the_same_file(client):
    out = call(client, "?calt=slow_relay&fact=offer")
    assert out["compare-alt"]["value"] == "slow_relay"
    assert {"label": "Slow relay", "value": "slow_relay"} in out["compare-alt"]["options"]
    panel = call_by_output(client, "compare-text.children", {"shown-view.data": out["view"]["data"]}, "shown-view.data")
    assert "**C** first knew it 5 hours 55 minutes later" in panel["compare-text"]["children"]


def test_bad_compare_values_give_notices(client):
    out = call(client, "?compare=nothing_here&fact=offer")
    assert "no scenario “nothing_here” to compare with" in out["notice"]["children"]
    assert "compare=" not in out["url"]["search"]
    assert out["panel-compare"]["style"] is None  # the panel stays, asking for a run
    panel = call_by_output(client, "compare-text.children", {"shown-view.data": out["view"]["data"]}, "shown-view.data")
    assert "Pick a second run" in panel["compare-text"]["children"]
    out = call(client, "?compare=tiny&calt=nope")
    assert "has no alternative “nope”" in out["notice"]["children"] and "calt=" not in out["url"]["search"]


def test_choosing_a_compare_file_resets_its_alternative(client):
    first = call(client, "?calt=slow_relay&fact=offer")
    controls = {"scenario.value": "tiny", "alternative.value": "", "mode.value": "event", "fact.value": "offer",
                "actor.value": None, "panels.value": ["network", "compare"], "group.value": "actors",
                "compare-with.value": "alternatives/no_relay", "compare-alt.value": "slow_relay",
                "sweep-runs.value": 500, "sweep-seed.value": 0}
    out = call(client, first["url"]["search"], controls, {"t": 1746083400.0}, changed="compare-with.value")
    state, _ = decode(out["url"]["search"])
    assert (state.compare, state.calt, state.panels) == ("alternatives/no_relay", "", ("network", "compare"))
    controls["panels.value"] = ["network"]  # hiding the panel drops the comparison from the link
    out = call(client, out["url"]["search"], controls, {"t": 1746083400.0}, changed="panels.value")
    assert decode(out["url"]["search"])[0].comparing is False


def test_sweep_link_shows_the_panel_and_its_figures(client):
    out = call(client, "?sweep=100&seed=3&fact=offer")
    assert out["panel-sweep"]["style"] is None
    assert out["sweep-runs"]["value"] == 100 and out["sweep-seed"]["value"] == 3
    assert {"label": "100 replays", "value": 100} in out["sweep-runs"]["options"]
    view = out["view"]["data"]
    panel = call_by_output(client, "sweep-text.children", {"shown-view.data": view}, "shown-view.data")
    assert "replays the scenario 100 times with sampled timings, latencies and intercepts" in \
        panel["sweep-text"]["children"]
    names = {tr["name"] for tr in panel["sweep-cdf"]["figure"]["data"] if tr.get("name")}
    assert {"A", "B", "C"} <= names
    assert panel["sweep-sources"]["figure"]["data"]
    t = decode(view["search"])[0].t
    known = call_by_output(client, "sweep-known.figure", {"shown-view.data": view, "sweep-at.data": {"t": t}},
                           "sweep-at.data")
    heat = known["sweep-known"]["figure"]["data"][0]
    assert heat["type"] == "heatmap" and len(heat["z"]) == 4
    early = call_by_output(client, "sweep-known.figure",
                           {"shown-view.data": view, "sweep-at.data": {"t": 1746050000.0}}, "sweep-at.data")
    assert sum(map(sum, early["sweep-known"]["figure"]["data"][0]["z"])) == 0


def test_the_sweep_sizes_offered_are_those_the_server_runs(client, monkeypatch):
    """The replays dropdown offers only sizes under the server's cap; a link's larger size shows, disabled."""
    out = call(client, "?sweep=100&fact=offer")
    assert [o["value"] for o in out["sweep-runs"]["options"]] == [100, 200, 500, 1000, 2000]  # the default cap
    assert not any(o.get("disabled") for o in out["sweep-runs"]["options"])
    monkeypatch.setenv("BACKCHANNEL_SWEEP_MAX_RUNS", "1500")
    out = call(client, "?sweep=5000&fact=offer")
    options = out["sweep-runs"]["options"]
    assert [o["value"] for o in options if not o.get("disabled")] == [100, 200, 500, 1000, 1500]
    assert [o for o in options if o.get("disabled")] == [
        {"label": "5,000 replays (more than this server runs)", "value": 5000, "disabled": True}]
    assert out["sweep-runs"]["value"] == 5000  # the link's value stays; the panel says to choose fewer
    monkeypatch.setenv("BACKCHANNEL_SWEEP_MAX_RUNS", "300")  # fewer than the usual default of 500
    first = call(client, "?fact=offer")
    controls = {"scenario.value": "tiny", "alternative.value": "", "mode.value": "event", "fact.value": "offer",
                "actor.value": None, "panels.value": ["network", "sweep"], "group.value": "actors",
                "compare-with.value": "", "compare-alt.value": "", "sweep-runs.value": None, "sweep-seed.value": None}
    out = call(client, first["url"]["search"], controls, None, changed="panels.value")
    assert decode(out["url"]["search"])[0].sweep == 300 and out["sweep-runs"]["value"] == 300
    assert [o["value"] for o in out["sweep-runs"]["options"]] == [100, 200, 300]


def test_ticking_the_sweep_panel_starts_a_default_sweep(client):
    first = call(client, "?fact=offer")
    controls = {"scenario.value": "tiny", "alternative.value": "", "mode.value": "event", "fact.value": "offer",
                "actor.value": None, "panels.value": ["network", "sweep"], "group.value": "actors",
                "compare-with.value": "", "compare-alt.value": "", "sweep-runs.value": 500, "sweep-seed.value": None}
    out = call(client, first["url"]["search"], controls, None, changed="panels.value")
    state, _ = decode(out["url"]["search"])
    assert (state.sweep, state.seed, state.panels) == (500, 0, ("network", "sweep"))
    assert "sweep=500" in out["url"]["search"]
    panel = call_by_output(client, "sweep-text.children", {"shown-view.data": out["view"]["data"]}, "shown-view.data")
    assert "500 times" in panel["sweep-text"]["children"]


def test_hidden_panels_compute_nothing(client):
    out = call(client, "?fact=offer")
    shown = {"shown-view.data": out["view"]["data"]}
    assert call_by_output(client, "compare-text.children", shown, "shown-view.data") == {}
    assert call_by_output(client, "sweep-text.children", shown, "shown-view.data") == {}


def test_switching_scenario_drops_an_alternative_of_the_old_file(client):
    controls = {"scenario.value": "alternatives/no_relay", "alternative.value": "", "mode.value": "event",
                "fact.value": "offer", "actor.value": None, "panels.value": ["network", "compare"],
                "group.value": "actors", "compare-with.value": "", "compare-alt.value": "slow_relay",
                "sweep-runs.value": 500, "sweep-seed.value": 0}
    out = call(client, "?calt=slow_relay", controls, None, changed="scenario.value")
    assert out["notice"]["children"] == ""
    state, _ = decode(out["url"]["search"])
    assert (state.scenario, state.calt, state.panels) == ("alternatives/no_relay", "", ("network", "compare"))
    controls |= {"compare-with.value": "tiny"}  # a named file keeps its alternative
    out = call(client, "?compare=tiny&calt=slow_relay", controls, None, changed="scenario.value")
    assert decode(out["url"]["search"])[0].calt == "slow_relay"
