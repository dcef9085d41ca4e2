"""Output integrity (sim/fileio.py, sim/output.py): whole folders, no planted links followed, named errors."""

from __future__ import annotations

import errno
import json

import pytest

import sim.fileio
from sim import write_run
from sim.fileio import WriteError, atomic_folder, atomic_write
from sim.output import check_run


def test_run_folder_has_a_manifest_that_readers_can_check(tiny_run, tmp_path):
    out = tmp_path / "out"
    paths = write_run(tiny_run, out)
    assert [p.name for p in paths] == ["events.csv", "knowledge.csv", "run.json", "manifest.json"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert set(manifest["files"]) == {"events.csv", "knowledge.csv", "run.json"}
    assert json.loads((out / "run.json").read_text())["run_id"] == manifest["run_id"]
    assert check_run(out) == []
    (out / "knowledge.csv").write_text("actor,fact\n")
    assert check_run(out) == [f"{out / 'knowledge.csv'}: not the file of run {manifest['run_id']} (its checksum differs)"]


def test_an_interrupted_write_leaves_the_previous_run_whole(tiny_run, tmp_path, monkeypatch):
    out = tmp_path / "out"
    write_run(tiny_run, out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    calls = []
    real = sim.fileio.os.fsync

    def fail_on_second(fd):
        calls.append(fd)
        if len(calls) == 2:  # events.csv is written, knowledge.csv fails
            raise OSError(errno.EIO, "Input/output error")
        real(fd)

    monkeypatch.setattr(sim.fileio.os, "fsync", fail_on_second)
    with pytest.raises(WriteError, match="knowledge.csv: Input/output error"):
        write_run(tiny_run, out)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before and check_run(out) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no temporary folder left


def test_a_planted_symlink_is_never_followed(tiny_run, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    for name in ("events.csv", "events.csv.tmp", ".events.csv.tmp", "run.json.tmp"):
        (out / name).symlink_to(victim)
    write_run(tiny_run, out)
    assert victim.read_text() == "keep me"
    assert (out / "events.csv").is_file() and not (out / "events.csv").is_symlink()
    single = tmp_path / "view.html"
    (tmp_path / "view.html.tmp").symlink_to(victim)
    atomic_write(single, "<html></html>")
    assert victim.read_text() == "keep me" and single.read_text() == "<html></html>"


def test_files_of_the_users_own_are_kept(tiny_run, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "notes.md").write_text("mine")
    write_run(tiny_run, out)
    assert (out / "notes.md").read_text() == "mine" and check_run(out) == []


def test_errors_name_the_file_asked_for(tmp_path):
    (tmp_path / "file").write_text("x")
    with pytest.raises(WriteError) as e:
        atomic_write(tmp_path / "file" / "inside.txt", "y")
    assert str(e.value).startswith(f"cannot write {tmp_path / 'file' / 'inside.txt'}:")
    with pytest.raises(WriteError) as e:
        atomic_folder(tmp_path / "file", lambda tmp: [])
    assert str(e.value) == f"cannot write {tmp_path / 'file'}: Not a directory"
