"""Files from strangers: every hostile input ends in a located problem and exit code 2, never a hang,
a traceback, unbounded memory or a read outside the allowed folders.

Small files are written here; the big ones (a file over the size cap, deep nesting, many keys) are
generated in ``tmp_path``. The command line runs in a subprocess with a memory cap (``RLIMIT_AS``) and
a generous timeout that only guards against a hang; nothing here is timed.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from sim import Scenario, ScenarioError, load_scenario, load_text
from sim.loader import LoadLimits

from .mutations import mutations

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scenarios" / "alexander_release.yaml"
TINY = ROOT / "tests" / "data" / "tiny.yaml"
LOCATED = re.compile(r"^error (?P<file>\S+?):(?P<line>\d+):(?P<col>\d+): ", re.M)
MEMORY_CAP = 1536 * 2**20  # address space, not resident memory: the interpreter and its libraries take ~0.5 GB

CLI = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap})); "
       "from sim.cli import main; sys.argv[0] = 'backchannel'; main()")


def cli(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``backchannel ARGS`` in a fresh interpreter under the memory cap; the timeout only guards a hang."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-c", CLI.format(cap=MEMORY_CAP), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, check=False)


def problems(path: Path, **kw) -> list[str]:
    with pytest.raises(ScenarioError) as exc:
        load_scenario(path, **kw)
    return [str(p) for p in exc.value.problems]


def laughs(levels: int = 9) -> str:
    lines = ['l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


@pytest.fixture
def corpus(tmp_path: Path) -> dict[str, Path]:
    """One file per class of hostile input, each with the problem it must be reported with."""
    base = TINY.read_text(encoding="utf-8")
    files: dict[str, str | bytes] = {
        "billion_laughs": laughs(),
        "one_string_many_aliases": "big: &s " + "x" * 1_000_000 + "\nall: [" + ", ".join(["*s"] * 5000) + "]\n",
        "many_aliases": "a: &a 1\nall: [" + ", ".join(["*a"] * 2000) + "]\n",
        "deep_flow": "[" * 100_000 + "]" * 100_000 + "\n",
        "deep_block": "- " * 100_000 + "x\n",
        "deep_json": '{"a": ' * 10_000 + "1" + "}" * 10_000 + "\n",
        "python_tag": "meta: !!python/object/apply:os.system ['echo hi']\n",
        "str_tag": base.replace("title: Tiny relay", "title: !!str Tiny relay"),
        "int_tag": base.replace("grade: 2", 'grade: !!int "2"', 1),
        "local_tag": base.replace("title: Tiny relay", "title: !secret Tiny relay"),
        "not_utf8": b"meta:\n  title: caf\xe9\n",
        "nul_char": "meta:\n  title: a\x00b\n",
        "top_level_list": "- a\n- b\n",
        "two_documents": "a: 1\n---\nb: 2\n",
        "duration_without_unit_float": base.replace("latency: 10m", "latency: 600.0"),
        "duration_1e308": base.replace("latency: 10m", "latency: 1e308"),
        "duration_inf": base.replace("latency: 10m", "latency: .inf"),
        "duration_23_digit_days": base.replace("latency: 10m", "latency: 12345678901234567890123d"),
        "probability_nan": base.replace("probability: 0.9", "probability: .nan"),
        "triangular_infinite": base.replace("latency: 10m", "latency: {triangular: [1m, 2m, .inf]}"),
        "year_1": base.replace("2025-05-01T00:00+03:00", "0001-01-01T00:00+03:00"),
        "year_9999": base.replace("2025-05-03T00:00+03:00", "9999-12-31T23:00+03:00"),
        "zone_folder": base.replace("timezone: Asia/Qatar", "timezone: America", 1),
        "zone_256": base.replace("timezone: Asia/Qatar", "timezone: " + "A" * 256, 1),
        "extends_dev_zero": "extends: /dev/zero\n",
        "extends_proc": "extends: /proc/self/environ\n",
        "extends_outside": "extends: /etc/passwd\n",
        "extends_nul": 'extends: "base\\0.yaml"\n',
        "extends_long": "extends: " + "b" * 300 + ".yaml\n",
        "extends_folder": "extends: sub\n",
        "extends_list": "extends: list.yaml\n",
        "extends_fifo": "extends: fifo.yaml\n",
        "extends_symlink_out": "extends: link.yaml\n",
    }
    paths = {}
    for name, text in files.items():
        p = tmp_path / f"{name}.yaml"
        p.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
        paths[name] = p
    (tmp_path / "sub").mkdir()
    (tmp_path / "list.yaml").write_text("- not\n- a mapping\n", encoding="utf-8")
    os.mkfifo(tmp_path / "fifo.yaml")
    (tmp_path / "link.yaml").symlink_to("/etc/passwd")
    big = tmp_path / "too_big.yaml"
    with big.open("w", encoding="utf-8") as fh:  # just over the default cap, written in chunks
        line = "# " + "x" * 97 + "\n"
        fh.write(line * (LoadLimits().max_bytes // len(line) + 1))
    paths["too_big"] = big
    keys = tmp_path / "many_unknown_keys.yaml"
    keys.write_text(base.replace("meta:\n", "meta:\n" + "".join(f"  k{i}: 1\n" for i in range(40_000)), 1),
                    encoding="utf-8")
    paths["many_unknown_keys"] = keys
    values = tmp_path / "too_many_values.yaml"  # small in bytes, past the cap on values
    values.write_text("events:\n" + "- a\n" * LoadLimits().max_nodes, encoding="utf-8")
    paths["too_many_values"] = values
    return paths


# what each file is reported with: a fragment of the message
EXPECTED = {
    "billion_laughs": "cap on alias expansion",
    "one_string_many_aliases": "cap on alias expansion",
    "many_aliases": "more than 1000 aliases",
    "deep_flow": "nesting is deeper than 64 levels",
    "deep_block": "nesting is deeper than 64 levels",
    "deep_json": "nesting is deeper than 64 levels",
    "python_tag": "tag '!!python/object/apply:os.system' is not allowed",
    "str_tag": "tag '!!str' is not allowed",
    "int_tag": "tag '!!int' is not allowed",
    "local_tag": "tag '!secret' is not allowed",
    "not_utf8": "not UTF-8 text",
    "nul_char": "#x0000 is not allowed",
    "top_level_list": "expected a mapping of sections",
    "two_documents": "a second YAML document",
    "duration_without_unit_float": "duration 600 has no unit",
    "duration_1e308": "a duration is a number with a unit",
    "duration_inf": "a duration is a number with a unit",
    "duration_23_digit_days": "longer than 100 years",
    "probability_nan": "probability: Input should be a finite number",
    "triangular_infinite": "a duration is a number with a unit",
    "year_1": "outside the years 1900–2200",
    "year_9999": "outside the years 1900–2200",
    "zone_folder": "unknown time zone 'America'",
    "zone_256": "unknown time zone 'AAAA",
    "extends_dev_zero": "a system path",
    "extends_proc": "a system path",
    "extends_outside": "lies outside the folders it may read from",
    "extends_nul": "the path contains a NUL byte",
    "extends_long": "the path is too long",
    "extends_folder": "is a folder, not a regular file",
    "extends_list": "expected a mapping of sections at the top of the file, got a list",
    "extends_fifo": "is a device, FIFO or socket",
    "extends_symlink_out": "lies outside the folders it may read from",
    "too_big": f"more than the cap of {LoadLimits().max_bytes:,} bytes; to raise it, set the environment "
               "variable BACKCHANNEL_MAX_BYTES",
    "too_many_values": f"more than {LoadLimits().max_nodes:,} values (mappings, lists and scalars) in one file, "
                       "the loader's cap; to raise it, set the environment variable BACKCHANNEL_MAX_NODES",
    "many_unknown_keys": "meta.k0: unknown field 'k0'",
}
UNLOCATED = {"too_big"}  # refused before it is read: no line to point at


def test_corpus_covers_every_expectation(corpus):
    assert set(corpus) == set(EXPECTED)


def test_every_hostile_file_is_a_located_error_with_exit_code_2(corpus, tmp_path):
    """``validate`` on the whole corpus at once: one line per problem, each file located, exit 2."""
    r = cli("validate", *corpus.values(), cwd=tmp_path)
    assert r.returncode == 2, r.stderr[-2000:]
    assert "Traceback" not in r.stderr and "Traceback" not in r.stdout
    for name, path in corpus.items():
        mine = [line for line in r.stderr.splitlines() if str(path) in line or
                (name == "extends_list" and str(tmp_path / "list.yaml") in line)]
        assert any(EXPECTED[name] in line for line in mine), (name, mine[:3])
        if name not in UNLOCATED:
            assert any(m and int(m["line"]) > 0 for m in map(LOCATED.match, mine)), (name, mine[:3])
    assert f"{len(corpus)} of {len(corpus)} files with problems" in r.stderr


def test_run_refuses_a_fifo_and_a_device_without_opening_them(tmp_path):
    fifo = tmp_path / "scenario.yaml"
    os.mkfifo(fifo)
    for target in (fifo, Path("/dev/zero")):
        r = cli("run", target, cwd=tmp_path)
        assert r.returncode == 2 and "not a regular file" in r.stderr and "Traceback" not in r.stderr


def test_invalid_large_file_fails_in_one_pass(corpus):
    ps = problems(corpus["many_unknown_keys"])
    assert len(ps) == 1_001 and ps[-1].endswith(": and 39,000 more problems not shown (the first 1,000 are listed)")
    assert ps[0].startswith(f"{corpus['many_unknown_keys']}:3:7: meta.k0: unknown field 'k0'")


def test_no_message_echoes_another_file(tmp_path):
    """A duplicate key in a base names the key and its lines, never the values."""
    secret = "s3cr3t-value"
    (tmp_path / "base.yaml").write_text(f"password: {secret}\npassword: {secret}-2\n", encoding="utf-8")
    v = tmp_path / "v.yaml"
    v.write_text("extends: base.yaml\n", encoding="utf-8")
    (p,) = problems(v)
    assert p == f"{tmp_path / 'base.yaml'}:2:1: duplicate key 'password' (first given at line 1, column 11)"
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "base.yaml").write_text(f"{secret}: 1\n", encoding="utf-8")
    inner = tmp_path / "inner"
    inner.mkdir()
    (inner / "v.yaml").write_text("extends: ../outside/base.yaml\n", encoding="utf-8")
    (p,) = problems(inner / "v.yaml", root=inner)
    assert "lies outside the folders" in p and secret not in p


def test_root_and_limits_are_the_callers(tmp_path):
    (tmp_path / "base.yaml").write_text(TINY.read_text(encoding="utf-8"), encoding="utf-8")
    sub = tmp_path / "sub"
    sub.mkdir()
    (sub / "v.yaml").write_text("extends: ../base.yaml\n", encoding="utf-8")
    assert load_scenario(sub / "v.yaml", root=tmp_path).meta.title == "Tiny relay"
    (p,) = problems(sub / "v.yaml", root=sub)
    assert p.startswith(f"{sub / 'v.yaml'}:1:10: extends: 'extends' names '../base.yaml', which lies outside")
    (p,) = problems(tmp_path / "base.yaml", limits=LoadLimits(max_bytes=100))
    assert "more than the cap of 100 bytes; to raise it" in p
    with pytest.raises(ScenarioError, match="nesting is deeper than 3 levels"):
        load_text(TINY.read_text(encoding="utf-8"), limits=LoadLimits(max_depth=3))
    with pytest.raises(ScenarioError, match="more than 20 values"):
        load_text(TINY.read_text(encoding="utf-8"), limits=LoadLimits(max_nodes=20))


def test_the_environment_raises_the_caps(corpus, monkeypatch, tmp_path):
    """``BACKCHANNEL_MAX_BYTES`` and ``BACKCHANNEL_MAX_NODES`` raise the caps the CLI (and any load
    without explicit limits) uses; a bad value is an error that names the variable."""
    assert LoadLimits.from_env({"BACKCHANNEL_MAX_NODES": "2_000_000", "BACKCHANNEL_MAX_BYTES": "64,000,000"}) == \
        LoadLimits(max_bytes=64_000_000, max_nodes=2_000_000)
    assert LoadLimits.from_env({}) == LoadLimits()
    with pytest.raises(ScenarioError, match="BACKCHANNEL_MAX_NODES must be a positive whole number, not '1e5'"):
        LoadLimits.from_env({"BACKCHANNEL_MAX_NODES": "1e5"})
    big = corpus["too_many_values"]
    monkeypatch.setenv("BACKCHANNEL_MAX_NODES", str(LoadLimits().max_nodes + 10))
    ps = problems(big)  # read: now it is its items that are wrong
    assert not any("values (mappings" in p for p in ps)
    assert f"{big}:2:3: events.0: expected a mapping of fields here" in ps[4]
    r = cli("validate", big, cwd=tmp_path)
    assert r.returncode == 2 and f"{big}:2:3: events.0" in r.stdout + r.stderr
    monkeypatch.setenv("BACKCHANNEL_MAX_NODES", "zero")
    r = cli("validate", big, cwd=tmp_path)
    assert r.returncode == 2 and "BACKCHANNEL_MAX_NODES must be a positive whole number" in r.stdout + r.stderr
    assert "Traceback" not in r.stderr


# -- mutations of the shipped scenario ------------------------------------------------------------
SHIPPED_TEXT = SHIPPED.read_text(encoding="utf-8")
PIECES = ["", " ", "\n", "\t", ":", "- ", "[", "]", "{", "}", ",", "'", '"', "&a ", "*a", "!!str ", "#", "?",
          "0", "1.5", ".inf", "1e308", "-", "~", "null", "true", "<<: *a", "\x00", "é", "9999-01-01", "id",
          "extends: x", "\\", "%YAML 1.2\n---\n", "---\n"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutations(SHIPPED_TEXT, PIECES))
def test_mutations_of_the_shipped_scenario_end_in_a_scenario_or_a_scenario_error(text):
    try:
        result = load_text(text, "alexander_release.yaml")
    except ScenarioError as e:
        assert e.problems and all(p.message for p in e.problems)
    else:
        assert isinstance(result, Scenario)


def test_commands_that_explain_removals_never_read_a_device_or_fifo(tmp_path):
    """``compare`` and ``sweep`` look along the extends chain for removals after an error: the same
    checked reading applies there."""
    os.mkfifo(tmp_path / "fifo.yaml")
    for target in ("/dev/zero", "fifo.yaml"):
        v = tmp_path / "v.yaml"
        v.write_text(f"extends: {target}\nremove: [actor:a]\n", encoding="utf-8")
        r = cli("compare", TINY, v, cwd=tmp_path)
        assert r.returncode == 2 and f"{v}:1:10:" in r.stderr and "Traceback" not in r.stderr
        r = cli("sweep", v, "--runs", "2", cwd=tmp_path)
        assert r.returncode == 2 and f"{v}:1:10:" in r.stderr
