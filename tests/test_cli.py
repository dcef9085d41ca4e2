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
    assert f"{bad}:21:14: channels[ab].latency: duration '-10m' is negative" in r.output
    assert "Traceback" not in r.output


def test_validate_reports_every_problem_in_alternatives(tmp_path):
    bad = tmp_path / "alt.yaml"
    bad.write_text(TINY.read_text().replace('remove: ["tap:ab/e"]', 'remove: ["tap:ab/zz"]'))
    r = invoke("validate", str(bad))
    assert r.exit_code == 2 and "alternatives[no_tap].remove.0: no tap on 'ab'" in r.output


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
    assert "A → B → C" in r.output and "Did not know" in r.output and "E" in r.output.split("Did not know")[1]
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


def test_a_run_past_its_cap_is_a_message_and_exit_code_2():
    r = invoke("run", str(TINY), "--max-events", "3")
    assert r.exit_code == 2 and "Traceback" not in r.output
    assert "run stopped: more than 3 events (cap max_events); raise it with --max-events" in r.output
    assert invoke("who-knew", str(TINY), "offer", "--max-events", "9").exit_code == 0  # the tiny run has 9


# -- help, version, defaults ------------------------------------------------------------------------
def test_bare_command_prints_help_and_exits_0():
    r = invoke()
    assert r.exit_code == 0 and "Usage:" in r.output and "validate" in r.output and "who-knew" in r.output


def test_version_and_short_help():
    r = invoke("--version")
    assert r.exit_code == 0 and r.output.startswith("backchannel ")
    assert invoke("-h").output == invoke("--help").output
    r = invoke("run", "-h")
    assert r.exit_code == 0 and "--all-skips" in r.output


def test_help_renders_plainly():
    """No '<bool>' after --help, no '{file}' placeholders, no box drawing: it reads the same in a pipe."""
    for args in ([], ["run"], ["who-knew"], ["validate"], ["timeline"], ["import"]):
        text = invoke(*args, "--help").output
        assert "<bool>" not in text and "{" not in text and "╭" not in text, args
    assert "Usage: backchannel run [OPTIONS] [FILE]" in invoke("run", "--help").output.replace("root ", "")


def test_run_without_a_file_runs_the_documented_scenario():
    r = invoke("run", "--format", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["title"] == "The release of Edan Alexander (May 2025)"


# -- output formats ---------------------------------------------------------------------------------
def test_run_csv_and_json_parse_back():
    r = invoke("run", str(TINY), "--format", "csv")
    rows = list(csv.DictReader(r.stdout.splitlines()))
    assert [row["fact"] for row in rows] == ["offer", "reply"]
    assert rows[0] | {} == {"fact": "offer", "first": "a", "first_at": "2025-05-01T09:00:00+03:00", "last": "e",
                            "last_at": "2025-05-01T11:00:00+03:00", "knowers": "4", "actors": "4"}
    data = json.loads(invoke("run", str(TINY), "-a", "slow_relay", "-f", "json").stdout)
    assert data["skipped_count"] == 2 and [s["event"] for s in data["skipped"]] == ["c_decides", "answer"]
    assert data["facts"][1]["first"] is None  # the skipped decision leaves 'reply' unknown


def test_who_knew_csv_json_and_out(tmp_path):
    rows = list(csv.DictReader(invoke("who-knew", str(TINY), "offer", "-f", "csv").stdout.splitlines()))
    assert [(x["actor"], x["how"], x["chain"]) for x in rows] == [
        ("a", "origin", "a"), ("b", "told", "a;b"), ("c", "told", "a;b;c"), ("e", "intercepted", "a;e")]
    data = json.loads(invoke("who-knew", str(TINY), "offer", "--at", "2025-05-01T10:30+03:00", "-f", "json").stdout)
    assert data["did_not_know"] == ["e"] and data["knew"][2]["chain"] == ["a", "b", "c"]
    out = tmp_path / "knew.csv"
    r = invoke("who-knew", str(TINY), "offer", "--out", str(out))
    assert r.exit_code == 0 and list(csv.DictReader(out.open()))[1]["since"] == "2025-05-01T10:10:00+03:00"
    out = tmp_path / "knew.txt"
    assert invoke("who-knew", str(TINY), "offer", "--out", str(out)).exit_code == 0
    assert "A → B → C" in out.read_text()


def test_timeline_formats_and_out(tmp_path):
    rows = list(csv.DictReader(invoke("timeline", str(TINY), "-f", "csv").stdout.splitlines()))
    assert [r["kind"] for r in rows] == ["originate", "deliver", "deliver", "intercept", "originate", "deliver"]
    intercept = rows[3]
    assert (intercept["actor"], intercept["sender"], intercept["to"]) == ("e", "a", "b")
    out = tmp_path / "timeline.json"
    assert invoke("timeline", str(TINY), "--out", str(out)).exit_code == 0
    assert json.loads(out.read_text())[0]["summary"] == "A decides to make an offer"
    assert invoke("timeline", str(TINY), "-f", "xml").exit_code == 2


def test_intercept_rows_do_not_read_as_if_the_interceptor_told_the_recipient():
    r = invoke("timeline", str(TINY))
    line = next(x for x in r.output.splitlines() if "intercept" in x and "│" in x)
    cells = [c.strip() for c in line.strip("│").split("│")]
    assert cells[2] == "E" and cells[3] == ""  # who: the interceptor; to: nobody
    assert cells[-1] == "intercepted A's message to B: A texts the offer to B"


def test_compare_and_sweep_formats():
    from .conftest import ROOT

    alt = ROOT / "scenarios" / "alternatives" / "no_intercepts.yaml"
    base = ROOT / "scenarios" / "alexander_release.yaml"
    rows = list(csv.DictReader(invoke("compare", str(base), str(alt), "-f", "csv").stdout.splitlines()))
    assert rows and {r["status"] for r in rows} <= {"earlier", "later", "only_base", "only_alt"}
    data = json.loads(invoke("compare", str(TINY), str(TINY), "-a", "no_tap", "-f", "json").stdout)
    assert [(k["actor"], k["fact"], k["status"]) for k in data["knowledge"]] == [("e", "offer", "only_base")]
    data = json.loads(invoke("sweep", str(TINY), "--runs", "20", "-f", "json").stdout)
    assert data["runs"] == 20 and {r["actor"] for r in data["rows"]} == {"a", "b", "c", "e"}
    rows = list(csv.DictReader(invoke("sweep", str(TINY), "--runs", "20", "-f", "csv").stdout.splitlines()))
    assert len(rows) == 8 and float(rows[0]["p_known"]) == 1.0


def test_tables_off_a_terminal_never_cut_ids():
    from .conftest import ROOT

    r = invoke("run", str(ROOT / "scenarios" / "alexander_release.yaml"))
    from sim import load_scenario

    for f in load_scenario(ROOT / "scenarios" / "alexander_release.yaml").facts:
        assert f"│ {f.id} " in r.output
    assert "…" not in r.output


def test_tables_at_a_narrow_terminal_fold_text_but_keep_ids_whole():
    from sim.cli.tables import Column, table_text

    row = {"fact": "hamas_demands_250_prisoners_released", "who": "Israeli intelligence services", "n": "5/16"}
    text = table_text([row], [Column("fact", no_wrap=True), Column("who"), Column("n")], "t", terminal=True, width=50)
    assert "hamas_demands_250_prisoners_released" in text and "…" not in text
    assert "Israeli" in text and "services" in text and "5/16" in text


def test_run_summarises_skips(write):
    many = TINY.read_text().replace("rules:\n", "".join(
        f"  - id: nag{i}\n    time: \"2025-05-01T1{i}:30+03:00\"\n    summary: B nags C ({i})\n    actor: b\n"
        f"    to: [c]\n    channel: bc\n    facts: [offer]\n    requires: [reply]\n"
        f"    sources: [{{source: wire, claim: B kept asking., grade: 3}}]\n" for i in range(8)) + "rules:\n")
    p = write(many)
    r = invoke("run", str(p))
    assert r.exit_code == 0 and "Skipped events: 8, the first 5 shown" in r.output
    assert "nag4" in r.output and "nag5" not in r.output
    assert "… and 3 more skipped events: --all-skips lists them all" in r.output
    r = invoke("run", str(p), "--all-skips")
    assert "nag7" in r.output and "more skipped" not in r.output
    data = json.loads(invoke("run", str(p), "-f", "json").stdout)
    assert data["skipped_count"] == 8 and len(data["skipped"]) == 5


# -- small items --------------------------------------------------------------------------------------
def test_bare_time_suggests_the_scenarios_own_zone(write):
    from .conftest import ROOT

    r = invoke("who-knew", str(TINY), "offer", "--at", "2025-05-01 10:30")
    assert r.exit_code == 2 and "add +03:00 or the zone name Asia/Qatar (the scenario's zone)" in r.output
    r = invoke("who-knew", str(ROOT / "scenarios" / "examples" / "harbour_strike.yaml"), "wage_offer",
               "--at", "2025-03-04 10:00")
    assert r.exit_code == 2 and "add +00:00 or the zone name Europe/Lisbon" in r.output
    p = write(TINY.read_text().replace('time: "2025-05-01T14:00+03:00"', 'time: "2025-05-01T14:00"')
              .replace("timezone: Asia/Qatar\n  span", "timezone: America/New_York\n  span"))
    r = invoke("validate", str(p))
    assert r.exit_code == 2 and "add -04:00 or the zone name America/New_York (the scenario's zone)" in r.output


def test_readme_variant_example_writes_outside_the_shipped_folder():
    """A variant made by following the README must not join the shipped alternatives list."""
    import re
    import shlex

    from .conftest import ROOT

    readme = (ROOT / "README.md").read_text()
    command = re.search(r"backchannel variant .*?(?=\n(?!\s))", readme, re.S).group(0).replace("\\\n", " ")
    args = shlex.split(command)
    out = args[args.index("-o") + 1]
    assert not out.startswith("scenarios/"), out


def test_write_error_names_the_file(tmp_path, monkeypatch):
    import errno

    import sim.fileio

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(sim.fileio.os, "fsync", full)
    out = tmp_path / "out"
    r = invoke("run", str(TINY), "--out", str(out))
    assert r.exit_code == 1
    assert f"cannot write {out / 'events.csv'}: No space left on device" in r.output
    assert not out.exists() and not [p for p in tmp_path.iterdir()]  # nothing half-written left behind


def test_format_reference_is_current():
    from .conftest import ROOT

    r = invoke("schema", "--reference")
    assert r.exit_code == 0
    committed = (ROOT / "docs" / "format-reference.md").read_text()
    assert committed == r.stdout, "run `make reference` to refresh docs/format-reference.md"
    from sim.model import Scenario, Tap

    for field in (*Scenario.model_fields, *Tap.model_fields):  # every field has a row, with an example
        assert f"| `{field}` |" in committed, field
    assert "| `latency` | duration or [Fixed](#fixed)" in committed and "| `reliability` | number (0.0–1.0) | no | `1.0` |" in committed


def test_example_scenario_validates_and_is_in_the_docs():
    from .conftest import ROOT

    example = ROOT / "scenarios" / "examples" / "harbour_strike.yaml"
    assert invoke("validate", "--strict", str(example)).exit_code == 0
    text = example.read_text()
    tutorial = (ROOT / "docs" / "tutorial.md").read_text()
    body = text.split("\n", 2)[2]  # the file without its schema and comment lines
    assert body in tutorial, "docs/tutorial.md must show scenarios/examples/harbour_strike.yaml in full"


def test_sim_never_imports_the_dashboard():
    """The library stands alone: no module under sim/ imports dashboard/, Dash or Plotly."""
    import ast

    from .conftest import ROOT

    for path in (ROOT / "sim").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
            for name in names:
                assert name.split(".")[0] not in ("dashboard", "dash", "plotly"), f"{path}: imports {name}"
