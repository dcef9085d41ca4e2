"""CLI: exit codes, messages without tracebacks, and the CSV/JSON contract of ``run --out``."""

from __future__ import annotations

import csv
import json
import subprocess
import sys

from typer.testing import CliRunner

from sim.cli import app

from .conftest import TINY

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_validate_ok_and_bad(tmp_path):
    assert invoke("validate", str(TINY)).exit_code == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(TINY.read_text().replace("latency: 10m", "latency: -10m").replace("actor: c\n", "actor: cc\n"))
    r = invoke("validate", str(TINY), str(bad))
    assert r.exit_code == 2
    assert f"{bad}:21:14: channels.0.latency: duration '-10m' is negative" in r.output
    assert "Traceback" not in r.output


def test_validate_reports_every_problem_in_alternatives(tmp_path):
    bad = tmp_path / "alt.yaml"
    bad.write_text(TINY.read_text().replace('remove: ["tap:ab/e"]', 'remove: ["tap:ab/zz"]'))
    r = invoke("validate", str(bad))
    assert r.exit_code == 2 and "alternatives.0.remove.0: no tap on 'ab'" in r.output


def test_run_writes_the_three_files(tmp_path):
    out = tmp_path / "out"
    r = invoke("run", str(TINY), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "No event was skipped." in r.output
    with (out / "events.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:9] == ["id", "time", "kind", "actor", "to", "channel", "medium", "facts", "sources"]
    assert {row["kind"] for row in rows} <= {"originate", "send", "deliver", "intercept", "skip", "lost"}
    intercept = next(row for row in rows if row["kind"] == "intercept")
    # an interception cites the sources that report it: the tiny tap cites none (not the message's wire)
    assert (intercept["actor"], intercept["to"], intercept["time"], intercept["sources"]) == \
        ("e", "b", "2025-05-01T08:00:00+00:00", "")
    with (out / "knowledge.csv").open() as fh:
        k = list(csv.DictReader(fh))
    assert list(k[0]) == ["actor", "fact", "known_at", "how", "via_event", "from_actor", "channel", "medium",
                          "basis", "earliest", "latest"]
    # the offer's send window (09:00–11:00 +03) moves C's knowledge with it; nothing in tiny.yaml has a basis
    assert {"actor": "c", "fact": "offer", "known_at": "2025-05-01T07:15:00+00:00", "how": "told",
            "via_event": "relay", "from_actor": "b", "channel": "bc", "medium": "call", "basis": "assumed",
            "earliest": "2025-05-01T06:15:00+00:00", "latest": "2025-05-01T08:15:00+00:00"} in k
    data = json.loads((out / "run.json").read_text())
    assert data["mode"] == "replay" and len(data["events"]) == len(rows) and data["knows_that"]


def test_run_skips_are_reported():
    r = invoke("run", str(TINY), "--alternative", "slow_relay")
    assert r.exit_code == 0 and "Skipped events" in r.output and "c did not yet know offer" in r.output


def test_run_bad_input_exit_codes(tmp_path):
    r = invoke("run", str(tmp_path / "missing.yaml"))
    assert r.exit_code == 2 and "file not found" in r.output
    r = invoke("run", str(TINY), "--mode", "chaos")
    assert r.exit_code == 2 and "unknown mode" in r.output
    r = invoke("run", str(TINY), "--alternative", "nope")
    assert r.exit_code == 2 and "no alternative 'nope'" in r.output


def test_who_knew():
    r = invoke("who-knew", str(TINY), "offer", "--at", "2025-05-01T10:30+03:00")
    assert r.exit_code == 0
    assert "a → b → c" in r.output and "Did not know" in r.output and "E" in r.output.split("Did not know")[1]
    r = invoke("who-knew", str(TINY), "ofer")
    assert r.exit_code == 2 and "did you mean 'offer'" in r.output
    r = invoke("who-knew", str(TINY), "offer", "--at", "2025-05-01 10:30")
    assert r.exit_code == 2 and "no UTC offset" in r.output


def test_timeline_local_times():
    r = runner.invoke(app, ["timeline", str(TINY), "--tz", "Asia/Jerusalem"], env={"COLUMNS": "160"})
    assert r.exit_code == 0 and "Thu 01 May 2025 09:00 IDT · assumed decision" in r.output and "intercept" in r.output
    # the send window of 09:00–11:00 +03 carries over to the delivery ten minutes later
    assert "about Thu 01 May 2025 10:10 IDT (between 09:10 and 11:10) · assumed message" in r.output
    assert invoke("timeline", str(TINY), "--tz", "Nowhere/City").exit_code == 2


def test_schema_matches_committed_file():
    from pathlib import Path

    r = invoke("schema")
    schema = json.loads(r.output)
    assert {"meta", "actors", "channels", "events", "rules", "alternatives"} <= set(schema["$defs"]["Scenario"]["properties"])
    assert {"extends", "remove", "set", "add"} <= set(schema["$defs"]["VariantFile"]["properties"])
    committed = Path(__file__).parent.parent / "docs" / "scenario.schema.json"
    assert json.loads(committed.read_text()) == schema, "run `make schema` to refresh docs/scenario.schema.json"


def test_no_traceback_in_a_real_process(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("meta: [unclosed\n")
    p = subprocess.run([sys.executable, "-c", "from sim.cli import main; main()", "run", str(bad)],
                       capture_output=True, text=True)
    assert p.returncode == 2 and "Traceback" not in p.stderr and f"{bad}:2:1" in p.stderr


def test_help_does_not_import_dash_or_plotly():
    code = ("import sys\nfrom sim.cli import app\nfrom typer.testing import CliRunner\n"
            "CliRunner().invoke(app, ['--help']); CliRunner().invoke(app, ['run', 'tests/data/tiny.yaml'])\n"
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dash', 'plotly')))")
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert p.stdout.strip() == "[]", p.stderr


def test_errors_are_printed_verbatim(tmp_path):
    """Text in brackets or between colons must not vanish as markup or turn into emoji."""
    bad = tmp_path / "v.yaml"
    bad.write_text(f"extends: {TINY}\nremove: ['channel:abc:', 'tap:[x]/y']\n")
    r = invoke("validate", str(bad))
    assert r.exit_code == 2
    assert "no channel 'abc:'" in r.output and "no channel '[x]'" in r.output


def test_shipped_files_satisfy_the_json_schema():
    """Editors lint with the schema: every shipped scenario and variant must pass it, and a typo must not."""
    from pathlib import Path

    import jsonschema
    import yaml

    class Loader(yaml.SafeLoader):
        """YAML as an editor's language server sees it: timestamps stay text."""

    Loader.yaml_implicit_resolvers = {k: [r for r in v if r[0] != "tag:yaml.org,2002:timestamp"]
                                      for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()}
    root = Path(__file__).parent.parent
    validator = jsonschema.Draft202012Validator(json.loads((root / "docs" / "scenario.schema.json").read_text()))
    files = sorted((root / "scenarios").rglob("*.yaml")) + [TINY]
    assert len(files) >= 6
    for f in files:
        errors = [e.message for e in validator.iter_errors(yaml.load(f.read_text(), Loader))]
        assert errors == [], f
    typo = yaml.load(TINY.read_text().replace("medium: text", "medum: text", 1), Loader)
    assert list(validator.iter_errors(typo))


def test_public_names_resolve():
    """Every name in ``sim.__all__`` imports, lazily, from the module that defines it."""
    import sim

    for name in sim.__all__:
        assert getattr(sim, name) is not None
    assert not hasattr(sim, "no_such_name")
