"""Spreadsheet import and TimelineJS / GEXF / GraphML export (sim/interchange.py and the CLI)."""

from __future__ import annotations

import io
import json

import jsonschema
import networkx as nx
import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from sim import ScenarioError, load_scenario, load_text, run
from sim.interchange import import_timeline_csv, scenario_yaml, to_gexf_text, to_graphml_text, to_timelinejs

from .conftest import DATA, ROOT

SHEET = DATA / "timeline.csv"
EXAMPLE = ROOT / "scenarios" / "examples" / "harbour_strike.yaml"

# TimelineJS's JSON format as documented (timeline.knightlab.com/docs/json-format.html): a timeline has
# events (slides), an optional title slide, eras and scale; a slide has a start_date (not the title),
# text {headline, text}, media {url required; caption, credit, ...}, group, display_date, background,
# autolink and unique_id; a date has a year and optional month … millisecond and display_date.
_DATE = {"type": "object", "required": ["year"], "additionalProperties": False,
         "properties": {**{k: {"type": ["integer", "string"]} for k in
                           ("year", "month", "day", "hour", "minute", "second", "millisecond")},
                        "display_date": {"type": "string"}, "format": {"type": "string"}}}
_SLIDE = {"type": "object", "additionalProperties": False, "properties": {
    "start_date": _DATE, "end_date": _DATE,
    "text": {"type": "object", "additionalProperties": False,
             "properties": {"headline": {"type": "string"}, "text": {"type": "string"}}},
    "media": {"type": "object", "required": ["url"], "additionalProperties": False,
              "properties": {k: {"type": "string"} for k in
                             ("url", "caption", "credit", "thumbnail", "alt", "title", "link", "link_target")}},
    "group": {"type": "string"}, "display_date": {"type": "string"}, "background": {"type": "object"},
    "autolink": {"type": "boolean"}, "unique_id": {"type": "string"}}}
TIMELINEJS = {"type": "object", "required": ["events"], "additionalProperties": False, "properties": {
    "events": {"type": "array", "items": {**_SLIDE, "required": ["start_date"]}},
    "title": _SLIDE, "eras": {"type": "array"}, "scale": {"enum": ["human", "cosmological"]}}}


def test_import_makes_a_scenario_that_loads_and_lists_what_it_could_not_map():
    imported = import_timeline_csv(SHEET.read_text(), str(SHEET), "Europe/Lisbon")
    s = load_text(scenario_yaml(imported.scenario), "imported.yaml")
    assert s.meta.title == "Harbour strike" and s.meta.timezone == "Europe/Lisbon"
    assert [a.name for a in s.actors] == ["Port operator", "Ana Costa", "Dockworkers' union"]
    by_id = {e.id: e for e in s.events}
    offer = by_id["the_operator_makes_an_offer"]
    assert offer.time.isoformat() == "2025-03-04T09:30:00+00:00" and offer.kind == "message"
    assert offer.to == ["ana_costa"] and offer.channel == "meeting"
    # a day without a time, a month without a day, and a start with an end become windows
    call = by_id["the_mediator_calls_the_union"].time
    assert (call.earliest.isoformat(), call.latest.isoformat()) == ("2025-03-04T00:00:00+00:00", "2025-03-04T23:59:00+00:00")
    vote = by_id["the_union_votes"]
    assert vote.kind == "decision" and vote.time.latest.isoformat() == "2025-03-31T23:59:00+01:00"
    hears = by_id["the_operator_hears_the_news"]
    assert hears.time.earliest.hour == 18 and hears.time.latest.day == 6 and set(hears.to) == {"port_operator", "dockworkers_union"}
    assert {c.id: c.medium for c in s.channels} == {"meeting": "meeting", "phone_line": "other"}
    notes = [str(p) for p in imported.unmapped]
    assert any(":4:21: channel: medium of channel 'phone line' not given" in n for n in notes)
    assert any(":7:1:" in n and "left out" in n for n in notes)  # the row without a date
    assert any("no source" in n and ":6:1:" in n for n in notes)
    assert all(x.reliability == "F" for x in s.sources)


def test_import_refuses_a_sheet_without_the_columns(tmp_path):
    with pytest.raises(ScenarioError, match="expected a 'Headline' column"):
        import_timeline_csv("Name,When\nx,2025\n", "bad.csv")


def test_import_command_writes_the_file_and_reports(tmp_path):
    out = tmp_path / "imported.yaml"
    r = CliRunner().invoke(app, ["import", str(SHEET), "-o", str(out), "--timezone", "Europe/Lisbon"])
    assert r.exit_code == 0, r.output
    assert "wrote" in r.output and "warning" in r.output and "left out" in r.output
    assert load_scenario(out).events
    r = CliRunner().invoke(app, ["import", str(tmp_path / "missing.csv"), "-o", str(out)])
    assert r.exit_code == 2 and "cannot read file" in r.output


def test_round_trip_to_timelinejs_follows_the_documented_format():
    imported = import_timeline_csv(SHEET.read_text(), str(SHEET), "Europe/Lisbon")
    result = run(load_text(scenario_yaml(imported.scenario), "imported.yaml"))
    data = to_timelinejs(result)
    jsonschema.validate(data, TIMELINEJS)
    headlines = [slide["text"]["headline"] for slide in data["events"]]
    for h in ("The operator makes an offer", "The mediator calls the union", "The union votes"):
        assert h in headlines
    assert data["title"]["text"]["headline"] == "Harbour strike"
    offer = next(x for x in data["events"] if x["text"]["headline"] == "The operator makes an offer"
                 and "to Ana Costa" in x["text"]["text"])
    d = offer["start_date"]
    assert (d["year"], d["month"], d["day"], d["hour"], d["minute"]) == (2025, 3, 4, 9, 30)
    assert offer["media"]["credit"] == "Sources: Port Gazette, “Port Gazette” (2025-03-04)"


def test_timelinejs_intercepts_and_reactions_say_what_they_are():
    data = to_timelinejs(run(load_scenario(EXAMPLE)))
    jsonschema.validate(data, TIMELINEJS)
    intercepts = [x for x in data["events"] if "intercepts" in x["text"]["text"]]
    assert intercepts and intercepts[0]["group"] == "Rival firm's informant"
    assert "intercepts Ana Costa's message to Dockworkers' union" in intercepts[0]["text"]["text"]
    assert "A modelled reaction" in intercepts[0]["text"]["text"]  # a rule's message, not a reported one
    assert all("Coast Radio" in x["media"]["credit"] or "Port Gazette" in x["media"]["credit"]
               for x in data["events"] if "media" in x)


def test_gexf_is_readable_by_networkx_with_time_intervals():
    result = run(load_scenario(EXAMPLE))
    g = nx.read_gexf(io.StringIO(to_gexf_text(result)))
    assert set(g.nodes) == {"union", "mediator", "operator", "informant"}
    assert g.nodes["mediator"]["label"] == "Ana Costa"
    edges = list(g.edges(data=True))
    deliveries = [e for e in result.events if e.kind == "deliver"]
    intercepts = [e for e in result.events if e.kind == "intercept"]
    assert len(edges) == len(deliveries) + len(intercepts)
    tapped = [d for u, v, d in edges if v == "informant"]
    assert tapped and all(d["kind"] == "intercept" and d["start"] < d["end"] for d in tapped)
    assert 'mode="dynamic"' in to_gexf_text(result)


def test_graphml_has_the_same_graph():
    result = run(load_scenario(EXAMPLE))
    g = nx.read_graphml(io.StringIO(to_graphml_text(result)))
    assert g.number_of_edges() == nx.read_gexf(io.StringIO(to_gexf_text(result))).number_of_edges()
    assert {d["channel"] for _, _, d in g.edges(data=True)} == {"union_mediator", "mediator_operator", "press_release"}


@pytest.mark.parametrize("fmt", ["timelinejs", "gexf", "graphml"])
def test_export_command_formats(tmp_path, fmt):
    out = tmp_path / f"x.{fmt}"
    r = CliRunner().invoke(app, ["export", str(EXAMPLE), "--format", fmt, "-o", str(out)])
    assert r.exit_code == 0, r.output
    text = out.read_text()
    if fmt == "timelinejs":
        jsonschema.validate(json.loads(text), TIMELINEJS)
    elif fmt == "gexf":
        assert nx.read_gexf(out).number_of_nodes() == 4
    else:
        assert nx.read_graphml(out).number_of_nodes() == 4


def test_export_unknown_format_is_an_input_error(tmp_path):
    r = CliRunner().invoke(app, ["export", str(EXAMPLE), "--format", "pdf", "-o", str(tmp_path / "x")])
    assert r.exit_code == 2 and "unknown format 'pdf'" in r.output and not (tmp_path / "x").exists()
