"""The event log kept by column: it reads back exactly the records a run made, and nothing else."""

from __future__ import annotations

import pickle

import pytest

from sim import compile_scenario, run
from sim.records import EventLog, EventRecord

from .conftest import ROOT


@pytest.fixture(scope="module")
def documented_runs():
    from sim import load_scenario

    c = compile_scenario(load_scenario(ROOT / "scenarios" / "alexander_release.yaml"))
    return [run(c), *(run(c, "stochastic", seed) for seed in range(3))]


def test_records_read_back_as_appended(documented_runs):
    for r in documented_runs:
        records = list(r.events)
        copy = EventLog(records)
        assert list(copy) == records
        assert [copy[i] for i in range(len(copy))] == records
        assert copy[-1] == records[-1] and copy[2:5] == tuple(records[2:5])
        assert copy == r.events and r.events == tuple(records) and tuple(records) == r.events
        assert all(e.id == i for i, e in enumerate(records))
        sends = {e.id: e for e in records if e.kind == "send"}
        for e in records:
            if e.send is not None:  # a delivery's, intercept's or loss's send time is its send's
                assert e.sent_at == sends[e.send].time and e.message == sends[e.send].message


def test_every_field_survives(tiny_run):
    withheld = EventRecord(0, 5.0, "send", "a", ("b", "c"), "ab", "call", ("x",), ("s1",), "e1", 0, "withheld", ("y",))
    lost = EventRecord(1, 6.5, "lost", "a", ("b",), "ab", "call", ("x",), ("s1",), "e1", 0, "lost", (), 0, 5.0)
    skip = EventRecord(2, 7.0, "skip", "c", (), None, None, ("z",), (), "e2", None, "not_known", ("x", "y"))
    log = EventLog([withheld, lost, skip])
    assert list(log) == [withheld, lost, skip]
    assert log[1].sent_at == 5.0 and log[1].send == 0 and log[2].medium is None and log[0].missing == ("y",)
    assert log != EventLog([withheld, lost]) and log != [withheld, lost, skip._replace(missing=("x",))]


def test_a_record_that_does_not_fit_is_refused():
    send = EventRecord(0, 5.0, "send", "a", ("b",), "ab", "call", ("x",), (), "e1", 0)
    with pytest.raises(ValueError, match="record 1 appended as record 0"):
        EventLog([send._replace(id=1)])
    with pytest.raises(ValueError, match="not the time of its send"):
        EventLog([send, EventRecord(1, 6.0, "deliver", "a", ("b",), "ab", "call", ("x",), (), "e1", 0, "", (), 0, 4.0)])
    with pytest.raises(ValueError, match="has medium 'call'"):
        EventLog([send, send._replace(id=1, medium="text")])


def test_a_finished_runs_log_is_frozen_and_pickles(tiny_run):
    with pytest.raises(TypeError, match="takes no more records"):
        tiny_run.events.add(0.0, 0, "a", (), None, (), (), "e")
    again = pickle.loads(pickle.dumps(tiny_run))
    assert again.events == tiny_run.events and list(again.events) == list(tiny_run.events)
    with pytest.raises(TypeError):
        again.events.add(0.0, 0, "a", (), None, (), (), "e")
    with pytest.raises(IndexError):
        tiny_run.events[len(tiny_run.events)]
