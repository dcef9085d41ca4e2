"""``backchannel variant`` and variant error reporting: what is written, and where errors point."""

from __future__ import annotations

import os

from typer.testing import CliRunner

from sim import load_scenario
from sim.cli import app
from sim.model import Fixed

from .conftest import ROOT, TINY

runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False)


def line_of(path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_variant_writes_a_loadable_file(tmp_path):
    out = tmp_path / "sub" / "alt.yaml"
    r = invoke("variant", str(TINY), "-o", str(out), "--remove", "tap:ab/e", "--set", "channels.ab.latency=12h",
               "--set", "channels.ca.reliability=0.5", "--set", "events.answer.time=2025-05-01T15:00+03:00",
               "--title", "Slow line")
    assert r.exit_code == 0, r.output
    lines = out.read_text().splitlines()
    schema = os.path.relpath(ROOT / "docs" / "scenario.schema.json", out.parent)
    assert lines[0] == f"# yaml-language-server: $schema={schema}"
    assert f"extends: {os.path.relpath(TINY, out.parent)}" in lines
    s = load_scenario(out)
    ab = next(c for c in s.channels if c.id == "ab")
    ca = next(c for c in s.channels if c.id == "ca")
    assert ab.latency == 12 * 3600 and ab.taps == [] and ca.reliability == 0.5  # 0.5 read as a number
    assert next(e for e in s.events if e.id == "answer").time.isoformat() == "2025-05-01T15:00:00+03:00"
    assert s.meta.title == "Tiny relay — Slow line"
    assert not list(out.parent.glob(".*.tmp"))


def test_variant_adds_from_a_file(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("""rules:
  - id: c_answers_b
    when: {actor: c, learns: [offer]}
    send: {to: [b], channel: bc, facts: [offer], delay: {fixed: 1h}}
""")
    out = tmp_path / "alt.yaml"
    assert invoke("variant", str(TINY), "-o", str(out), "--add-file", str(extra)).exit_code == 0
    rule = load_scenario(out).rules[-1]
    assert rule.id == "c_answers_b" and isinstance(rule.send.delay, Fixed)


def test_unknown_id_names_the_option_and_writes_nothing(tmp_path):
    out = tmp_path / "alt.yaml"
    r = invoke("variant", str(TINY), "-o", str(out), "--remove", "channel:abx", "--remove", "actor:zz")
    assert r.exit_code == 2
    assert "--remove: 'channel:abx': no channel 'abx' (did you mean 'ab'?)" in r.output
    assert "no actor 'zz'" in r.output and "2 problems found" in r.output
    assert not out.exists() and not list(tmp_path.iterdir())


def test_bad_field_path(tmp_path):
    out = tmp_path / "alt.yaml"
    r = invoke("variant", str(TINY), "-o", str(out), "--set", "channels.ab.delay.fixed=1h", "--set", "chanels.ab.x=1")
    assert r.exit_code == 2
    assert "'channels.ab.delay' does not exist" in r.output
    assert "unknown section 'chanels' (did you mean 'channels'?)" in r.output
    r = invoke("variant", str(TINY), "-o", str(out), "--set", "channels.ab.latncy=1h", "--set", "rules.relay.send.delay=-5h")
    assert r.exit_code == 2
    assert "--set channels.ab.latncy: channels[ab].latncy: unknown field 'latncy' (did you mean 'latency'?)" in r.output
    assert "--set rules.relay.send.delay: rules[relay].send.delay: duration '-5h' is negative" in r.output
    r = invoke("variant", str(TINY), "-o", str(out), "--set", "channels.ab.latency")
    assert r.exit_code == 2 and "write PATH=VALUE" in r.output
    assert not out.exists()


def test_added_entries_errors_point_into_the_added_file(tmp_path):
    extra = tmp_path / "extra.yaml"
    extra.write_text("""events:
  - id: early
    time: "2025-05-01T08:00+03:00"
    summary: Someone unknown calls
    actor: zz
    to: [b]
    channel: ab
    facts: [offer]
    sources: [{source: wire, claim: x, grade: 3}]
""")
    r = invoke("variant", str(TINY), "-o", str(tmp_path / "alt.yaml"), "--add-file", str(extra))
    assert r.exit_code == 2
    assert f"{extra}:2:5: events[early].actor: unknown actor 'zz'" in r.output
    extra.write_text("actors: {id: x}\nchannel: []\n")
    r = invoke("variant", str(TINY), "-o", str(tmp_path / "alt.yaml"), "--add-file", str(extra))
    assert r.exit_code == 2 and f"{extra}:1:9: actors: expected a list" in r.output
    assert f"{extra}:2:10: channel: cannot add to 'channel'" in r.output


def test_dangling_reference_names_both_files(tmp_path):
    # removing channel ab leaves send_offer pointing at nothing: the base line and the removal line
    variant = tmp_path / "v.yaml"
    variant.write_text(f"extends: {TINY}\ntitle: No A-B line\nremove:\n  - channel:ab\n")
    r = invoke("compare", str(TINY), str(variant))
    assert r.exit_code == 2
    base_line = line_of(TINY, "channel: ab")
    assert f"tiny.yaml:{base_line}:14: events[send_offer].channel: unknown channel 'ab'" in r.output
    assert f"channel 'ab' is removed at {variant}:4:5" in r.output
    # the same through `variant`: the removal is the command-line option
    r = invoke("variant", str(TINY), "-o", str(tmp_path / "alt.yaml"), "--remove", "channel:ab")
    assert r.exit_code == 2
    assert f"tiny.yaml:{base_line}:14" in r.output and "is removed by --remove" in r.output
    assert not (tmp_path / "alt.yaml").exists()


def test_dangling_reference_in_a_named_alternative(tmp_path, write):
    f = write(TINY.read_text().replace('remove: ["tap:ab/e"]', 'remove: ["actor:e"]'), "t.yaml")
    r = invoke("sweep", str(f), "--runs", "2", "--alternative", "no_tap")
    assert r.exit_code == 2
    assert "unknown actor 'e'" in r.output and f"actor 'e' is removed at {f}:" in r.output


def test_extends_cycle(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\nremove: [tap:ab/e]\n")
    b.write_text("extends: a.yaml\n")
    r = invoke("compare", str(TINY), str(a))
    assert r.exit_code == 2 and "'extends' forms a cycle" in r.output
    r = invoke("variant", str(a), "-o", str(tmp_path / "c.yaml"))
    assert r.exit_code == 2 and "cycle" in r.output and not (tmp_path / "c.yaml").exists()


def test_variant_of_a_variant(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # extends may read from the working directory and the file's own folder
    base = tmp_path / "tiny.yaml"
    base.write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    first = tmp_path / "first.yaml"
    assert invoke("variant", str(base), "-o", str(first), "--remove", "tap:ab/e").exit_code == 0
    second = tmp_path / "deeper" / "second.yaml"
    assert invoke("variant", str(first), "-o", str(second), "--set", "rules.relay.send.delay=1h").exit_code == 0
    assert "extends: ../first.yaml" in second.read_text()
    s = load_scenario(second)
    assert s.channels[0].taps == [] and s.rules[0].send.delay == 3600
