"""The server callbacks through Dash's HTTP endpoint, as the browser calls them."""

from __future__ import annotations

import json

import pytest

from dashboard.state import decode


@pytest.fixture(scope="module")
def client(env):
    from dashboard.app import create_app

    app = create_app()
    c = app.server.test_client()
    deps = c.get("/_dash-dependencies").get_json()
    return c, deps


def call(client, search, controls=None, current=None, changed="url.search"):
    c, deps = client
    dep = next(d for d in deps if d["output"].startswith("..url.search"))
    values = {"url.search": search} | (controls or {})
    inputs = [dict(i, value=values.get(f"{i['id']}.{i['property']}")) for i in dep["inputs"]]
    state = [dict(s, value=current) for s in dep["state"]]
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
    assert "<html>" in out["content"] and "plotly" in out["content"].lower()


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
    assert {"label": "broken", "value": "broken"} in out["scenario"]["options"]


def test_choosing_a_variant_file_resets_alternative_and_time(client):
    controls = {"scenario.value": "alternatives/no_relay", "alternative.value": "slow_relay", "mode.value": "event",
                "fact.value": "reply", "actor.value": "c", "panels.value": ["network"], "group.value": "actors"}
    out = call(client, "?scenario=tiny&alt=slow_relay", controls, {"t": 1746083400.0}, changed="scenario.value")
    state, _ = decode(out["url"]["search"])
    assert (state.scenario, state.alt, state.fact, state.actor) == ("alternatives/no_relay", "", "offer", "c")
    data = out["bundle"]["data"]
    assert data["step"] == len(data["steps"]) - 1
    assert "No relay" in out["title"]["children"]
