"""The scenario store: round trip, content-addressed ids, parents, extends confinement, concurrent saves,
and the ``backchannel scenarios`` commands together with ``saved:ID`` as a file argument."""

from __future__ import annotations

import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim import ScenarioError
from dashboard.cli import app  # the whole command line, serve and export included
from sim.store import Store, default_path, load_saved, normalise, open_scenario, parse_ref, text_id

from .conftest import DATA, ROOT, TINY

VARIANT = 'extends: {base}\ntitle: No relay\nremove: ["rule:relay"]\n'
runner = CliRunner()


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "store.sqlite3")


def test_round_trip_keeps_text_title_parent_and_time(store):
    text = TINY.read_text(encoding="utf-8")
    row = store.put(text, "  Tiny  ", "tiny")
    got = store.get(row.ref)
    assert got == row
    assert (got.text, got.title, got.parent, got.kind) == (text, "Tiny", "tiny", "saved")
    assert got.ref == f"saved:{got.id}" and len(got.id) == 16
    assert store.get(got.id) == got  # a bare id works too
    assert got.created > 0


def test_same_text_same_id_and_first_row_kept(store):
    text = TINY.read_text(encoding="utf-8")
    first = store.put(text, "first", "tiny")
    again = store.put(text.replace("\n", "  \r\n") + "\n\n", "second", None)  # the same text, normalised
    assert again == first
    assert store.count() == 1
    assert store.put(text + "# changed\n", "other").id != first.id
    assert text_id(text) == first.id == text_id(normalise(text))


def test_draft_and_saved_rows_of_one_text(store):
    draft = store.put("a: 1\n", "draft", kind="draft")
    assert store.count("saved") == 0 and store.list() == []
    saved = store.put("a: 1\n", "saved")
    assert saved.id == draft.id and store.get(draft.ref).kind == "saved"  # the saved row comes first
    assert [r.id for r in store.list("draft")] == [draft.id]


def test_rows_are_immutable_and_the_file_is_in_wal_mode(store):
    row = store.put("a: 1\n", "t")
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        with pytest.raises(sqlite3.DatabaseError, match="immutable"):
            db.execute("UPDATE scenarios SET title = 'x'")
        with pytest.raises(sqlite3.DatabaseError, match="immutable"):
            db.execute("DELETE FROM scenarios")
    assert store.get(row.ref) == row


def test_ids_are_checked():
    assert parse_ref("saved:0123456789abcdef") == "0123456789abcdef"
    for bad in ("saved:0123", "saved:../../etc", "0123456789ABCDEF", "saved:0123456789abcdef0"):
        assert parse_ref(bad) is None


def test_unknown_id_is_a_clear_error(store):
    assert store.get("saved:0123456789abcdef") is None
    with pytest.raises(ScenarioError, match="there is no saved scenario 'saved:0123456789abcdef'"):
        load_saved("saved:0123456789abcdef", store=store, root=DATA)


def test_parents_and_extends_chains(store):
    base = store.put(TINY.read_text(encoding="utf-8"), "Tiny", "tiny")
    variant = store.put(VARIANT.format(base=base.ref), "No relay", base.ref)
    assert store.get(variant.ref).parent == base.ref
    s = load_saved(variant.ref, store=store, root=DATA)
    assert s.meta.title == "Tiny relay — No relay" and not s.rules
    on_file = store.put(VARIANT.format(base="tiny.yaml"), "No relay", "tiny")
    assert not open_scenario(on_file.ref, store=store, root=DATA).rules
    assert open_scenario(TINY).meta.title == "Tiny relay"  # a plain path is a file


@pytest.mark.parametrize("target, message", [
    ("../data/../../pyproject.toml", "'extends' names '../data/../../pyproject.toml', which lies outside the folders"),
    ("/etc/passwd", "'extends' names '/etc/passwd', which lies outside the folders"),
    ("saved:0123456789abcdef", "base scenario 'saved:0123456789abcdef' not found"),
])
def test_a_stored_variant_never_extends_a_path_outside_the_folder(store, target, message):
    row = store.put(f"extends: {target}\ntitle: x\n", "x")
    with pytest.raises(ScenarioError) as e:
        load_saved(row.ref, store=store, root=DATA)
    (p,) = e.value.problems
    assert (p.file, p.line, p.col, p.path) == (row.ref, 1, 10, "extends") and message in p.message


def test_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKCHANNEL_STORE", str(tmp_path / "x.sqlite3"))
    assert default_path() == tmp_path / "x.sqlite3"
    monkeypatch.delenv("BACKCHANNEL_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_path() == tmp_path / "data" / "backchannel" / "backchannel.sqlite3"


def _save_many(args: tuple[str, int]) -> list[str]:
    """In a separate process: 200 saves, half of them texts every process saves too."""
    path, worker = args
    store = Store(path)
    ids = []
    for i in range(200):
        text = f"n: {i}\n" if i % 2 else f"worker: {worker}\nn: {i}\n"
        ids.append(store.put(text, f"w{worker} #{i}", None, "saved").id)
    return ids


def test_concurrent_saves_from_four_processes_lose_nothing(tmp_path):
    path = str(tmp_path / "store.sqlite3")
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        results = pool.map(_save_many, [(path, w) for w in range(4)])
    store = Store(path)
    expected = {text_id(f"n: {i}\n") for i in range(1, 200, 2)}
    expected |= {text_id(f"worker: {w}\nn: {i}\n") for w in range(4) for i in range(0, 200, 2)}
    assert {i for ids in results for i in ids} == expected
    assert store.count() == len(expected) == 100 + 400
    for i in range(1, 200, 2):  # every process got the same id for the same text
        assert len({ids[i] for ids in results}) == 1
    assert all(store.get(i) is not None for i in expected)
    assert store.integrity() == "ok"


SAVER = """
import sys
from sim.store import Store

store = Store(sys.argv[1])
for i in range(1_000_000):
    row = store.put(f"n: {i}\\nbody: {'x' * 200_000}\\n", f"#{i}", None, "draft" if i % 3 == 0 else "saved")
    print(row.id, flush=True)  # committed
"""


def _saved_text(i: int) -> str:
    return f"n: {i}\nbody: {'x' * 200_000}\n"


def test_a_process_killed_while_saving_leaves_every_row_intact(tmp_path):
    """A process saving 200 KB texts in a loop is killed (SIGKILL) in the middle of its saves: the file passes
    ``PRAGMA integrity_check``, every save it reported is there, and every row reads back as the text its id
    hashes; the store takes new saves."""
    path = tmp_path / "store.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", SAVER, str(path)], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    committed = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            committed.append(line.strip())
            if len(committed) == 40:
                break
        os.kill(proc.pid, signal.SIGKILL)  # saving goes on without pause: this lands in a save
        committed += proc.stdout.read().split()  # what it reported after the 40th
    finally:
        proc.kill()
        proc.wait(30)
    assert proc.returncode == -signal.SIGKILL
    store = Store(path)
    assert store.integrity() == "ok"
    rows = store.list("saved") + store.list("draft")
    assert set(committed) <= {r.id for r in rows}
    for r in rows:
        i = int(r.title.removeprefix("#"))
        assert (r.text, r.id, r.kind) == (_saved_text(i), text_id(_saved_text(i)), "draft" if i % 3 == 0 else "saved")
    assert len(rows) - len(committed) in (0, 1)  # at most one committed, but killed before it said so
    after = store.put("a: 1\n", "after the kill")
    assert store.get(after.ref) == after and store.integrity() == "ok"


# -- the command line ---------------------------------------------------------------------------

def invoke(*args: str):
    return runner.invoke(app, list(args), catch_exceptions=False, env={"COLUMNS": "200"})


def test_scenarios_import_list_show_export(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(DATA))
    db = str(tmp_path / "s.sqlite3")
    r = invoke("scenarios", "import", str(TINY), "--store", db, "--title", "<b>[bold]Tiny[/bold]</b>")
    assert r.exit_code == 0, r.output
    sid = Store(db).list()[0].id
    assert f"saved saved:{sid}: <b>[bold]Tiny[/bold]</b>" in r.output and f"/s/{sid}" in r.output
    variant = tmp_path / "v.yaml"
    variant.write_text(VARIANT.format(base=f"saved:{sid}"), encoding="utf-8")
    assert invoke("scenarios", "import", str(variant), "--store", db).exit_code == 0
    listed = invoke("scenarios", "list", "--store", db).output
    assert f"saved:{sid}" in listed and "[bold]Tiny[/bold]" in listed  # shown as written, not as markup
    assert Store(db).list()[0].parent == f"saved:{sid}"
    shown = invoke("scenarios", "show", sid, "--store", db)
    assert shown.stdout == TINY.read_text(encoding="utf-8")
    out = tmp_path / "out" / "tiny.yaml"
    assert invoke("scenarios", "export", f"saved:{sid}", "-o", str(out), "--store", db).exit_code == 0
    assert out.read_text(encoding="utf-8") == TINY.read_text(encoding="utf-8")


def test_import_refuses_what_a_stored_variant_may_not_extend(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: ../../etc/passwd\n", encoding="utf-8")
    r = invoke("scenarios", "import", str(bad), "--store", str(tmp_path / "s.sqlite3"))
    assert r.exit_code == 2 and f"{bad}:1:10: extends: 'extends' names '../../etc/passwd', which lies outside the folders" in r.output
    assert "Traceback" not in r.output and Store(tmp_path / "s.sqlite3").count() == 0


def test_unknown_ids_exit_2(tmp_path):
    db = str(tmp_path / "s.sqlite3")
    r = invoke("scenarios", "show", "saved:0123456789abcdef", "--store", db)
    assert r.exit_code == 2 and "there is no saved scenario 'saved:0123456789abcdef'" in r.output
    r = invoke("scenarios", "export", "nothex", "-o", str(tmp_path / "x.yaml"), "--store", db)
    assert r.exit_code == 2 and "'nothex' is not a saved scenario id" in r.output
    assert "No saved scenario" in invoke("scenarios", "list", "--store", db).output


def test_run_compare_export_take_saved_ids(tmp_path, monkeypatch):
    db = tmp_path / "s.sqlite3"
    monkeypatch.setenv("BACKCHANNEL_STORE", str(db))
    monkeypatch.setenv("BACKCHANNEL_SCENARIOS", str(DATA))
    store = Store(db)
    base = store.put(TINY.read_text(encoding="utf-8"), "Tiny")
    variant = store.put(VARIANT.format(base="tiny.yaml"), "No relay", "tiny")
    r = invoke("run", base.ref)
    assert r.exit_code == 0 and "Tiny relay — replay run" in r.output
    r = invoke("compare", str(TINY), variant.ref)
    assert r.exit_code == 0 and "Tiny relay  vs  Tiny relay — No relay" in r.output
    html = tmp_path / "v.html"
    assert invoke("export", variant.ref, "-o", str(html)).exit_code == 0 and html.stat().st_size > 1000
    r = invoke("run", "saved:0123456789abcdef")
    assert r.exit_code == 2 and "there is no saved scenario" in r.output
