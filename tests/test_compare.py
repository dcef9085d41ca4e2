"""compare(): per (actor, fact) differences and event differences between two runs; the CLI."""

from __future__ import annotations

import csv
import json

import pytest
from typer.testing import CliRunner

from sim import load_scenario, run
from sim.cli import app
from sim.compare import compare, format_delta

from .conftest import TINY

runner = CliRunner()


@pytest.fixture(scope="module")
def base():
    return run(load_scenario(TINY))


@pytest.fixture(scope="module")
def slow(base):
    return compare(base, run(load_scenario(TINY, "slow_relay")))


def test_later_same_only_base_and_never(slow):
    # B relays to C after 6h instead of 5m: C learns the offer 5h55m later ...
    c = slow.row("c", "offer")
    assert c.status == "later" and c.delta == pytest.approx(6 * 3600 - 5 * 60)
    assert c.alt_path == ("a", "b", "c") and c.alt_via == "relay"
    # ... which is after C's 13:00 decision, so the reply never exists in the alternative
    assert slow.row("c", "reply").status == "only_base"
    assert slow.row("a", "reply").status == "only_base"
    assert slow.row("b", "offer").status == "same" and slow.row("b", "offer").delta == 0
    assert slow.row("b", "reply").status == "never"
    assert slow.counts() == {"same": 3, "earlier": 0, "later": 1, "only_base": 2, "only_alt": 0, "never": 2}
    assert {(k.actor, k.fact) for k in slow.changed()} == {("c", "offer"), ("c", "reply"), ("a", "reply")}


def test_events_skipped_and_moved(slow):
    assert slow.event("c_decides").change == "skipped" and "did not yet know offer" in slow.event("c_decides").reason
    assert slow.event("answer").change == "skipped"
    relay = slow.event("relay")
    assert relay.kind == "rule" and relay.change == "moved"
    assert relay.alt_time - relay.base_time == pytest.approx(6 * 3600 - 5 * 60)
    assert slow.event("send_offer") is None  # behaved the same
    assert slow.event("decide") is None


def test_reversed_comparison_mirrors(base):
    alt = run(load_scenario(TINY, "slow_relay"))
    back = compare(alt, base)
    assert back.row("c", "offer").status == "earlier"
    assert back.row("c", "offer").delta == pytest.approx(-(6 * 3600 - 5 * 60))
    assert back.row("c", "reply").status == "only_alt"
    assert back.event("c_decides").change == "restored"


def test_removed_tap_and_added_rule(base, write, tmp_path):
    no_tap = compare(base, run(load_scenario(TINY, "no_tap")))
    assert no_tap.row("e", "offer").status == "only_base"
    assert no_tap.row("e", "offer").base_via == "send_offer"
    variant = write(f"""
extends: {TINY}
remove: [event:answer]
add:
  rules:
    - id: e_tells_c
      when: {{actor: c, learns: [offer]}}
      send: {{to: [a], channel: ca, delay: 1h, summary: C acknowledges to A}}
""", "v.yaml")
    cmp = compare(base, run(load_scenario(variant)))
    added = cmp.event("e_tells_c")
    assert added is not None and added.change == "added" and added.kind == "rule" and added.base_time is None
    assert cmp.event("answer").change == "removed"
    # A now hears back about the offer through the new rule, no longer the reply
    assert cmp.row("a", "reply").status == "only_base"


def test_same_run_has_no_differences(base):
    cmp = compare(base, run(load_scenario(TINY)))
    assert cmp.changed() == [] and cmp.events == ()


def test_format_delta():
    assert format_delta(12 * 3600 + 5 * 60) == "+12h 5m"
    assert format_delta(-30 * 60) == "-30m"
    assert format_delta(0) == "0s"
    assert format_delta(86400 + 7200) == "+1d 2h"


def test_rows_and_json_are_complete(slow):
    rows = slow.knowledge_rows()
    assert len(rows) == 4 * 2
    c = next(r for r in rows if r["actor"] == "c" and r["fact"] == "offer")
    assert c["delta"] == "+5h 55m" and c["delta_seconds"] == 21300 and c["base"].endswith("+00:00")
    d = json.loads(json.dumps(slow.to_dict()))
    assert d["counts"]["later"] == 1
    assert {e["id"]: e["change"] for e in d["events"]} == {"c_decides": "skipped", "answer": "skipped", "relay": "moved"}


def test_cli_compare_named_alternative_writes_csv_and_json(tmp_path):
    r = runner.invoke(app, ["compare", str(TINY), str(TINY), "--alternative", "slow_relay", "--out", str(tmp_path)],
                      catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert "+5h 55m" in r.output and "c_decides" in r.output
    rows = list(csv.DictReader((tmp_path / "compare.csv").open()))
    assert {(x["actor"], x["fact"]): x["status"] for x in rows}[("c", "offer")] == "later"
    data = json.loads((tmp_path / "compare.json").read_text())
    assert data["alternative"].endswith("Slow relay")


def test_cli_compare_two_alternatives_of_one_file(tmp_path):
    r = runner.invoke(app, ["compare", str(TINY), str(TINY), "--alternative-base", "no_tap", "-a", "slow_relay",
                            "--out", str(tmp_path)], catch_exceptions=False)
    assert r.exit_code == 0
    rows = {(x["actor"], x["fact"]): x["status"] for x in csv.DictReader((tmp_path / "compare.csv").open())}
    assert rows[("e", "offer")] == "only_alt"  # the base has no tap, the alternative keeps it


def test_cli_compare_errors_exit_2():
    r = runner.invoke(app, ["compare", str(TINY), str(TINY), "--alternative", "slo_relay"])
    assert r.exit_code == 2 and "did you mean 'slow_relay'" in r.output
    r = runner.invoke(app, ["compare", str(TINY), str(TINY), "--fact", "ofer"])
    assert r.exit_code == 2 and "unknown fact 'ofer'" in r.output


def test_cli_compare_prints_text_verbatim(write):
    # brackets and :name: in scenario text are not rich markup or emoji codes
    odd = write(TINY.read_text().replace("summary: C answers A", 'summary: "[draft] C answers :abc: A"'), "odd.yaml")
    variant = write("extends: odd.yaml\nremove: [event:answer]\n", "v.yaml")
    r = runner.invoke(app, ["compare", str(odd), str(variant)], catch_exceptions=False, env={"COLUMNS": "200"})
    assert r.exit_code == 0 and "[draft] C answers :abc: A" in r.output
