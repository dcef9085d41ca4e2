"""Scenario names, safe resolution inside the folder, and resolving a view state with notices."""

from __future__ import annotations

import os

from dashboard import data
from dashboard.bundle import build_bundle, event_rows
from dashboard.resolve import resolve
from dashboard.state import ViewState, decode


def test_list_and_resolve(env):
    assert data.list_scenarios() == ["tiny", "alternatives/no_relay"]
    assert data.resolve("tiny") == (env / "tiny.yaml").resolve()
    assert data.resolve("alternatives/no_relay") is not None


def test_resolve_refuses_paths(env, tmp_path):
    (tmp_path / "outside.yaml").write_text("x: 1")
    for bad in ("../outside", "/etc/passwd", str(tmp_path / "outside"), "alternatives/../tiny", "", "nope"):
        assert data.resolve(bad) is None, bad


def test_resolve_view_with_bad_values(env):
    state, notices = decode("?scenario=nope&fact=zzz&actor=qq&alt=nothing")
    state, result, more = resolve(state)
    assert state.scenario == "tiny" and state.fact == "offer" and state.actor == "" and state.alt == ""
    assert len(more) == 3
    assert result.scenario.meta.title == "Tiny relay"


def test_resolve_alternative_and_variant(env):
    state, result, notices = resolve(ViewState(scenario="tiny", alt="slow_relay"))
    assert notices == [] and result.label == "slow_relay" and result.skipped()
    state, result, notices = resolve(ViewState(scenario="alternatives/no_relay"))
    assert notices == [] and not result.knows("c", "offer")


def test_time_outside_the_story(env):
    state, _, notices = resolve(ViewState(t=0.0))
    assert state.t is None and notices


def test_bundle_shapes(env, tiny_run):
    state, result, _ = resolve(ViewState(actor="c", mode="calendar"))
    b = build_bundle(result, state)
    n = len(b["steps"])
    assert b["step"] == n - 1
    assert len(b["net_frames"]) == len(b["mx_key"]) == len(b["tl_x"]) == len(b["labels"]) == n
    # a repeated frame is sent once: later steps point at it by key
    frames, keys = b["net_frames"], b["net_key"]
    assert all(frames[k] is not None and keys[k] == k for k in keys)
    assert all((f is None) == (keys[i] != i) for i, f in enumerate(frames))
    # the matrix's key counts what was learned by each step: equal keys, equal matrices
    assert b["mx_key"] == sorted(b["mx_key"]) and b["mx_key"].count(b["mx_key"][0]) > 1  # calendar steps alike
    assert b["mx_key"][-1] == len(b["mx_cells"]["times"]) == sum(len(c[1]) for row in b["mx_cells"]["cells"]
                                                                 for c in row)
    assert b["focus"]["name"] == "C"
    rows = event_rows(tiny_run)
    assert len(rows) == len(tiny_run.events)
    assert rows[0]["sources"] == "Wire, 2025-05-02, B2" and rows[0]["claim"] == "A settled on an offer."


def test_fingerprint_names_file_alternative_and_version(tmp_path):
    from .conftest import make_scenarios

    folder = make_scenarios(tmp_path)
    first = data.fingerprint("tiny", None, folder)
    assert first == data.fingerprint("tiny", "", folder) != data.fingerprint("tiny", "no_tap", folder)
    assert first != data.fingerprint("alternatives/no_relay", None, folder)
    st = (folder / "tiny.yaml").stat()
    os.utime(folder / "tiny.yaml", ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    assert data.fingerprint("tiny", None, folder) != first


def test_skip_reasons_read_as_names_and_statements():
    """A skipped event says who did not know what in words, in the log, the story and the timeline."""
    from sim import EventRecord, load_scenario, run

    from dashboard.figures.common import readable_reason, steps
    from dashboard.figures.timeline import timeline_spec
    from dashboard.story import recent_entries

    from .conftest import DATA

    result = run(load_scenario(DATA / "tiny.yaml", "slow_relay"))
    said = "C did not yet know “A makes an offer”"
    assert [r["what"] for r in event_rows(result) if r["kind"] == "skip"] == [
        f"C settles on an answer — {said}", f"C answers A — {said}"]
    assert sum(said in line for _, line in recent_entries(result)) == 2
    spec = timeline_spec(result, "event", steps(result, "event"), result.compiled.end)
    skipped = next(tr for tr in spec["data"] if tr["name"].startswith("skipped"))
    assert all(f"<i>{said}</i>" in text for text in skipped["hovertext"])
    names, statements = {"a": "A"}, {"offer": "An offer"}
    origin = EventRecord(0, 0.0, "originate", "a", (), None, None, ("offer", "other"), (), "e", None, "origin")
    assert readable_reason(origin, names, statements) == "A is the origin of “An offer”, other"
    lost = EventRecord(1, 0.0, "lost", "a", ("b",), "ab", "text", ("offer",), (), "e", 0, "lost", (), 0, 0.0)
    assert readable_reason(lost, names, statements) == "not delivered"


def test_editing_a_base_file_reaches_its_variant(tmp_path):
    """A variant's run and fingerprint follow the file it extends, not only the variant file itself."""
    from .conftest import make_scenarios

    folder = make_scenarios(tmp_path)
    before = data.load_run("alternatives/no_relay", folder=folder)
    stamp = data.fingerprint("alternatives/no_relay", None, folder)
    assert [p for p, _ in data.versions(folder / "alternatives" / "no_relay.yaml")] == [
        str(folder / "alternatives" / "no_relay.yaml"), str((folder / "tiny.yaml").resolve())]
    base = folder / "tiny.yaml"
    base.write_text(base.read_text(encoding="utf-8").replace("title: Tiny relay", "title: Tiny relay, edited"),
                    encoding="utf-8")
    st = base.stat()
    os.utime(base, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    after = data.load_run("alternatives/no_relay", folder=folder)
    assert before.scenario.meta.title == "Tiny relay — No relay"
    assert after.scenario.meta.title == "Tiny relay, edited — No relay"
    assert data.fingerprint("alternatives/no_relay", None, folder) != stamp
    (folder / "loop.yaml").write_text("extends: loop.yaml\n", encoding="utf-8")
    assert len(data.versions(folder / "loop.yaml")) == 1  # a cycle ends the chain; loading it says why


def test_key_moment_marks_share_a_label_when_close():
    """The documented scenario's key moments 2–3 and 5–6 lie a step or two apart in event mode: each pair
    is one bookmark, and the end's date gives way to the last bookmark beside it; no two marks are closer
    than the share of the slider one label needs."""
    from dashboard.bundle import MARK_SHARE, slider_marks
    from dashboard.figures.common import key_moments, steps
    from sim import load_scenario, run

    from .conftest import ROOT

    path = ROOT / "scenarios" / "alexander_release.yaml"
    if not path.exists():
        return
    result = run(load_scenario(path))
    labels = {}
    for mode in ("event", "calendar"):
        times = steps(result, mode)
        marks = slider_marks(result, times)
        at = sorted(marks)
        assert all(b - a >= MARK_SHARE * (len(times) - 1) - 1 for a, b in zip(at, at[1:])), (mode, marks)
        labels[mode] = [marks[k]["label"] if isinstance(marks[k], dict) else marks[k] for k in at]
        moments = [m for m in labels[mode] if m.startswith("◆")]
        numbers = [n for m in moments for n in range(int(m[1]), int(m[-1]) + 1)]
        assert numbers == list(range(1, len(key_moments(result)) + 1))  # every moment, once, in order
    assert labels["event"] == ["2 Mar 22:00", "◆1", "◆2–3", "◆4", "◆5–6", "◆7"]
