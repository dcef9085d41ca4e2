"""Heavy work off the web worker: sweeps and "what mattered" in child processes at a lowered CPU priority,
holding the server's slots, cached, and the same work asked twice at once done once."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from dashboard import heavy, limits
from dashboard.state import ViewState
from sim import load_scenario
from sim.sweep import sweep

from .conftest import DATA


@pytest.fixture
def locks(tmp_path, monkeypatch) -> Path:
    """Slot locks of this test only, and one slot on the whole server."""
    monkeypatch.setenv(limits.ENV_LOCKS, str(tmp_path))
    monkeypatch.setenv(limits.ENV_SLOTS, "1")
    return tmp_path


def _niceness(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[16])  # field 19 of stat, counted after the command name


def test_a_sweep_runs_in_a_child_at_a_lower_priority(env, locks):
    """While a sweep is computed, the fork helper of this process has a child at ``NICENESS`` below this
    process; the sweep that comes back is the one this process would have computed."""
    from dashboard.editor_forks import helper

    helper_pid = helper(60.0).proc.pid
    done = threading.Event()
    got = {}

    def compute() -> None:
        try:
            got["sweep"] = heavy.load_sweep("tiny", None, 20_000, 7)  # a second or two
        finally:
            done.set()

    t = threading.Thread(target=compute)
    t.start()
    seen: set[int | None] = set()
    while not done.wait(0.01):
        children = Path(f"/proc/{helper_pid}/task/{helper_pid}/children").read_text().split()
        seen |= {_niceness(int(c)) for c in children}
    t.join(60)
    assert min(os.nice(0) + heavy.NICENESS, 19) in seen
    here = sweep(load_scenario(DATA / "tiny.yaml"), 20_000, 7, workers=1)
    sw = got["sweep"]
    assert sw.runs == 20_000 and sw.actors == here.actors
    assert [[sw.p_known(a, f) for f in ("offer", "reply")] for a in sw.actors] == \
        [[here.p_known(a, f) for f in ("offer", "reply")] for a in here.actors]


def test_the_same_sweep_asked_twice_at_once_is_computed_once(env, locks):
    """Two panels of one page ask for the same sweep at once: with one slot, and one client, the second waits
    for the first and gets its result instead of "another sweep of yours is still running"."""
    start = threading.Barrier(2)
    got: list[object] = []

    def ask() -> None:
        start.wait(10)
        got.append(heavy.load_sweep("tiny", None, 5_000, 11))

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(got) == 2 and got[0] is got[1]


def test_the_sweep_panel_is_drawn_in_the_child_and_a_new_fact_reuses_the_sweep(env, locks):
    state = ViewState(scenario="tiny", fact="offer", sweep=300, seed=5)
    panel = heavy.sweep_panel(state)
    assert panel["text"].startswith("**A sweep replays the scenario 300 times")
    assert [tr["name"] for tr in panel["cdf"]["data"]] == ["A", "B", "C", "E"]  # plotly JSON, not figures
    assert heavy.sweep_panel(state) is panel  # cached
    sw = heavy.load_sweep("tiny", None, 300, 5)
    other = heavy.sweep_panel(state.with_(fact="reply"))
    assert "“C answers”" in other["cdf"]["layout"]["title"]["text"]
    assert "“A makes an offer”" in panel["cdf"]["layout"]["title"]["text"]
    assert heavy.load_sweep("tiny", None, 300, 5) is sw  # the sweep was sent to the child, not computed again


def test_what_mattered_says_try_again_when_busy(env, locks):
    from dashboard.whatmattered import panel

    view = {"search": "?scenario=tiny&fact=offer&actor=c&panels=mattered", "run": ""}
    with limits.slot("someone else"):
        (busy,) = panel(view)
    assert busy.children == limits.KINDS["explain"][0]
    found = panel(view)  # the slot is free again
    assert found[0].children.startswith("In this run **C** learns “A makes an offer” by this path")


def test_what_mattered_stopped_at_its_time_limit_says_so(env, locks, scenario_dir):
    with pytest.raises(limits.Busy):  # holding the only slot, nothing else runs
        with limits.slot("someone else"):
            heavy.explanation("tiny", None, "b", "offer")
    from sim import ScenarioError

    with pytest.raises(ScenarioError, match=r"Finding what mattered took longer than 0.001 s, the most this server "
                                            r"gives it$"):
        heavy.explanation("tiny", None, "b", "offer", seconds=0.001)


def test_what_mattered_and_its_compare_view_for_a_saved_scenario(env, locks, tmp_path, monkeypatch):
    """A scenario saved from the editor is explained, and a removal compared, as a file of the folder is."""
    from dashboard.whatmattered import panel, removed_run
    from sim.store import Store

    store = tmp_path / "store.sqlite3"
    monkeypatch.setenv("BACKCHANNEL_STORE", str(store))
    text = (DATA / "tiny.yaml").read_text(encoding="utf-8").replace("  - {id: c, name: C,", "  - {id: c, name: Charlie,")
    row = Store(store).put(text, "Charlie", "tiny")
    found = panel({"search": f"?saved={row.id}&fact=offer&actor=c&panels=mattered", "run": ""})
    assert found[0].children.startswith("In this run **Charlie** learns “A makes an offer” by this path")
    x = heavy.explanation(row.ref, None, "c", "offer")
    assert x.known_at is not None and any(r.status == "necessary" for r in x.rows)
    gone = removed_run(row.ref, None, ("channel:bc",))
    assert gone.scenario.meta.title.startswith("Tiny relay — without ‘")
    assert ("c", "offer") not in gone.first  # the only way to C is gone
