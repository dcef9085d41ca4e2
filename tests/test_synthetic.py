"""Synthetic scenarios: valid by the loader, deterministic by seed, of the size asked for."""

from __future__ import annotations

import io

import pytest

from sim import load_scenario, load_text, run
from sim.model import LogNormal, Triangular, Uniform
from sim.synthetic import duration, synth, to_yaml, write_yaml


@pytest.mark.parametrize("actors,facts,messages,seed", [(3, 1, 0, 0), (10, 4, 50, 1), (60, 12, 600, 7)])
def test_valid_by_the_loader_and_sized_as_asked(actors, facts, messages, seed):
    data = synth(actors, facts, messages, seed)
    s = load_text(to_yaml(data), "synthetic.yaml")
    assert len(s.actors) == actors
    assert len(s.facts) == facts
    assert sum(e.kind == "message" for e in s.events) == messages
    assert run(s).events  # runs


def test_uses_every_costly_part_of_the_format():
    s = load_text(to_yaml(synth(200, 20, 2000, 3)))
    latencies = [type(c.latency) for c in s.channels]
    assert {float, Uniform, Triangular, LogNormal} <= set(latencies)
    assert any(c.taps for c in s.channels)
    assert any(c.direction == "one-way" for c in s.channels)
    assert any(len(c.between) == 3 for c in s.channels)
    assert any(e.requires for e in s.events if e.kind == "message")
    assert any(e.kind == "decision" for e in s.events)
    assert any(not isinstance(e.time, type(s.meta.span.start)) for e in s.events)  # windows
    assert s.rules and any(r.when.from_ for r in s.rules)


def test_deterministic_by_seed():
    assert to_yaml(synth(30, 5, 300, 11)) == to_yaml(synth(30, 5, 300, 11))
    assert to_yaml(synth(30, 5, 300, 11)) != to_yaml(synth(30, 5, 300, 12))


def test_json_subset_loads_to_the_same_scenario():
    data = synth(20, 6, 120, 5)
    assert load_text(to_yaml(data, json_subset=True)) == load_text(to_yaml(data))


def test_writer_to_path_and_stream(tmp_path):
    data = synth(8, 3, 20, 2)
    path = tmp_path / "s.yaml"
    write_yaml(data, path)
    buf = io.StringIO()
    write_yaml(data, buf)
    assert path.read_text(encoding="utf-8") == buf.getvalue()
    assert load_scenario(path) == load_text(buf.getvalue())


def test_duration_text():
    assert duration(0) == "0s"
    assert duration(4_033_125) == "1h7m13.125s"
    assert duration(120_000) == "2m"


def test_too_small():
    with pytest.raises(ValueError):
        synth(2, 1, 1)


def test_synth_command_writes_a_valid_file(tmp_path):
    from typer.testing import CliRunner

    from sim.cli import app

    out = tmp_path / "s.yaml"
    res = CliRunner().invoke(app, ["synth", "--actors", "9", "--facts", "3", "--messages", "40", "--seed", "4",
                                   "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert load_scenario(out) == load_text(to_yaml(synth(9, 3, 40, 4)))
    res = CliRunner().invoke(app, ["synth", "--actors", "9", "--messages", "5", "--json", "-o", str(out)])
    assert res.exit_code == 0 and out.read_text(encoding="utf-8").startswith("{")


def test_every_fact_shape_shares_the_ordinary_shapes_draws():
    plain, every = synth(30, 6, 200, 9), synth(30, 6, 200, 9, all_facts=True)
    strip = lambda d: [(e["id"], e["time"], e["actor"], e.get("to")) for e in d["events"]]  # noqa: E731
    assert strip(plain) == strip(every) and plain["channels"] == every["channels"]
    facts = [f"f{i}" for i in range(6)]
    assert all(e["facts"] == facts for e in every["events"] if e.get("channel"))
    assert all(r["send"]["facts"] == facts for r in every["rules"])
    assert "every fact listed" in every["meta"]["title"]
    load_text(to_yaml(every))  # valid


def test_a_file_above_the_default_caps_says_how_to_load_it(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from sim import LoadLimits, ScenarioError
    from sim.cli import app
    from sim.synthetic import values

    data = synth(9, 3, 40, 4)
    out = tmp_path / "s.yaml"
    write_yaml(data, out)
    n = values(data)
    assert load_scenario(out, limits=LoadLimits(max_nodes=n)) == load_text(to_yaml(data))  # a bound the loader accepts
    with pytest.raises(ScenarioError, match="values"):
        load_scenario(out, limits=LoadLimits(max_nodes=n // 2))
    monkeypatch.setenv("BACKCHANNEL_MAX_NODES", str(n // 2))
    res = CliRunner().invoke(app, ["synth", "--actors", "9", "--facts", "3", "--messages", "40", "--seed", "4",
                                   "-o", str(out)])
    assert res.exit_code == 0 and f"BACKCHANNEL_MAX_NODES={n}" in res.output.replace("\n", " ")
    monkeypatch.setenv("BACKCHANNEL_MAX_NODES", str(n))
    res = CliRunner().invoke(app, ["synth", "--actors", "9", "--facts", "3", "--messages", "40", "--seed", "4",
                                   "-o", str(out)])
    assert res.exit_code == 0 and "note:" not in res.output
