"""Basis and bounds of a run's records and knowledge, followed along its own causal chain.

``tests/data/certain.yaml``: A decides (reported) within 09:00–11:00 on 1 May (replay 10:00) and
tells B one to three days later (inferred, replay two days); the text channel takes 10–30 min
(uniform, reported); E's tap (reported, 1 h) reveals only that A and B are in touch; an assumed
relay takes 1–4 h (triangular, mode 2 h) to call C, a call whose latency is lognormal (median
1 h, sigma 0.5, no basis: assumed); C reacts 30 min later (reported). Times are +03.
"""

from __future__ import annotations

import csv
import json
import math
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sim import load_scenario, run, write_run
from sim.certainty import (LOGNORMAL_QUANTILES, Certainty, describe_citations, describe_when, independent_sources,
                           spread)

CERTAIN = Path(__file__).parent / "data" / "certain.yaml"
TZ = "Asia/Qatar"


def ts(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(CERTAIN)


@pytest.fixture(scope="module")
def replay(scenario):
    return run(scenario)


def local(t: float) -> str:
    """Day of the month and time in +03."""
    return datetime.fromtimestamp(t, timezone.utc).astimezone(ZoneInfo(TZ)).strftime("%d %H:%M:%S")


def test_lognormal_stands_for_its_1st_to_99th_percentile():
    assert LOGNORMAL_QUANTILES == (0.01, 0.99)
    lo, hi = spread(("lognormal", 3600.0, 0.5))
    assert lo == pytest.approx(3600.0 * math.exp(-2.3263479 * 0.5)) and hi == pytest.approx(3600.0 * math.exp(2.3263479 * 0.5))
    assert spread(("fixed", 60.0)) == (60.0, 60.0)
    assert spread(("uniform", 600.0, 1800.0)) == (600.0, 1800.0)
    assert spread(("triangular", 3600.0, 7200.0, 14400.0)) == (3600.0, 14400.0)


def test_basis_and_bounds_along_the_chain(replay):
    trace = [(e.kind, e.actor, e.to, e.facts, e.sources, local(e.time), c.basis, local(c.earliest), local(c.latest))
             for e in replay.events for c in [replay.record_certainty(e.id)]]
    assert trace == [
        # the decision's window is its bounds; it is reported
        ("originate", "a", None, ("offer", "talks"), ("wire", "paper"), "01 10:00:00", "reported", "01 09:00:00", "01 11:00:00"),
        # 'after' the decision by 1–3 days (replay: 2 days), inferred: the window moves with it
        ("send", "a", "b", ("offer", "talks"), ("wire",), "03 10:00:00", "inferred", "02 09:00:00", "04 11:00:00"),
        # + the text channel's 10–30 min; a reported channel cannot make an inferred send stronger
        ("deliver", "a", "b", ("offer", "talks"), ("wire",), "03 10:20:00", "inferred", "02 09:10:00", "04 11:30:00"),
        # the tap reveals only 'talks', cites its own source (radio) and adds its fixed hour
        ("intercept", "e", "b", ("talks",), ("radio",), "03 11:00:00", "inferred", "02 10:00:00", "04 12:00:00"),
        # the assumed relay: B's learning + 1–4 h; assumed is now the weakest step
        ("send", "b", "c", ("offer",), ("wire",), "03 12:20:00", "assumed", "02 10:10:00", "04 15:30:00"),
        # + the call's lognormal latency, 1st–99th percentile: 18 min 45 s to 3 h 12 min
        ("deliver", "b", "c", ("offer",), ("wire",), "03 13:20:00", "assumed", "02 10:28:44", "04 18:42:00"),
        # C's reported reaction 30 min after learning stays as weak as what triggered it
        ("originate", "c", None, ("reply",), ("radio",), "03 13:50:00", "assumed", "02 10:58:44", "04 19:12:00"),
        # a reported message at an exact time is exact; its delivery carries only the channel's range
        ("send", "a", "b", ("offer",), ("radio",), "05 09:00:00", "reported", "05 09:00:00", "05 09:00:00"),
        ("deliver", "a", "b", ("offer",), ("radio",), "05 09:20:00", "reported", "05 09:10:00", "05 09:30:00"),
    ]


def test_tap_reveals_only_what_it_reveals(replay):
    # the second message carries only the offer, which the tap does not reveal: no interception at all
    assert [(e.id, e.facts) for e in replay.events if e.kind == "intercept"] == [(3, ("talks",))]
    assert not replay.knows("e", "offer") and replay.knows("e", "talks")


def test_knowledge_basis_is_the_weakest_link(replay):
    kc = replay.knowledge_certainty
    assert kc("a", "offer") == Certainty("reported", ts("2025-05-01T09:00+03:00"), ts("2025-05-01T11:00+03:00"))
    assert kc("b", "offer").basis == "inferred"
    assert kc("e", "talks") == Certainty("inferred", ts("2025-05-02T10:00+03:00"), ts("2025-05-04T12:00+03:00"))
    assert kc("c", "offer").basis == "assumed" and kc("e", "offer") is None
    chain = replay.how("c", "offer")
    assert [(k.actor, k.basis) for k in chain] == [("a", "reported"), ("b", "inferred"), ("c", "assumed")]
    assert chain[-1] == replay.first[("c", "offer")]  # a how() row still equals the ledger's record
    assert (chain[1].earliest, chain[1].latest) == (ts("2025-05-02T09:10+03:00"), ts("2025-05-04T11:30+03:00"))


def test_relative_times_keep_their_order_in_every_stochastic_run(scenario):
    for seed in range(300):
        r = run(scenario, mode="stochastic", seed=seed)
        decided = next(e.time for e in r.events if e.cause == "decide")
        told = next(e.time for e in r.events if e.cause == "tell" and e.kind == "send")
        assert 86400.0 <= told - decided <= 3 * 86400.0, seed
        for e in r.events:  # bounds always hold the run's own time
            c = r.record_certainty(e.id)
            assert c.earliest <= e.time <= c.latest, (seed, e)


def test_outputs_carry_basis_and_bounds(replay, tmp_path):
    write_run(replay, tmp_path)
    with (tmp_path / "events.csv").open() as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[-3:] == ["basis", "earliest", "latest"]
    assert (rows[7]["time"], rows[7]["basis"], rows[7]["earliest"], rows[7]["latest"]) == \
        ("2025-05-05T06:00:00+00:00", "reported", "2025-05-05T06:00:00+00:00", "2025-05-05T06:00:00+00:00")
    assert (rows[3]["sources"], rows[3]["basis"], rows[3]["earliest"]) == ("radio", "inferred", "2025-05-02T07:00:00+00:00")
    with (tmp_path / "knowledge.csv").open() as fh:
        k = {(row["actor"], row["fact"]): row for row in csv.DictReader(fh)}
    assert (k[("b", "offer")]["basis"], k[("b", "offer")]["earliest"], k[("b", "offer")]["latest"]) == \
        ("inferred", "2025-05-02T06:10:00+00:00", "2025-05-04T08:30:00+00:00")
    data = json.loads((tmp_path / "run.json").read_text())
    assert all({"basis", "earliest", "latest"} <= set(row) for part in ("events", "knowledge", "knows_that")
               for row in data[part])
    that = next(m for m in data["knows_that"] if (m["knower"], m["subject"]) == ("e", "b"))
    assert (that["basis"], that["earliest"]) == ("inferred", "2025-05-02T07:00:00+00:00")


def test_describe_when_words():
    t = ts("2025-04-26T12:00+03:00")
    assert describe_when(t, Certainty("reported", t, t), TZ) == "Sat 26 Apr 2025 12:00 +03 · reported"
    week = Certainty("assumed", ts("2025-04-23T00:00+03:00"), ts("2025-04-30T23:59+03:00"))
    assert describe_when(t, week, TZ, "relay") == "about Sat 26 Apr 2025 (between 23 and 30 Apr) · assumed relay"
    hours = Certainty("inferred", ts("2025-04-26T09:00+03:00"), ts("2025-04-26T15:30+03:00"))
    assert describe_when(t, hours, TZ, "message") == \
        "about Sat 26 Apr 2025 12:00 +03 (between 09:00 and 15:30) · inferred message"
    night = Certainty("reported", ts("2025-04-26T22:00+03:00"), ts("2025-04-27T02:00+03:00"))
    assert describe_when(ts("2025-04-27T00:00+03:00"), night, TZ) == \
        "about Sun 27 Apr 2025 00:00 +03 (between Sat 26 Apr 22:00 and Sun 27 Apr 02:00) · reported"
    months = Certainty("assumed", ts("2025-04-28T00:00+03:00"), ts("2025-05-03T00:00+03:00"))
    assert describe_when(t, months, TZ) == "about Sat 26 Apr 2025 (between 28 Apr and 3 May) · assumed"


def test_describe_record_in_the_run(replay):
    from sim.certainty import describe_knowledge_when, describe_record_when

    assert describe_record_when(replay, 4, TZ) == "about Sat 03 May 2025 (between 2 and 4 May) · assumed relay"
    assert describe_knowledge_when(replay, "a", "offer", TZ) == \
        "about Thu 01 May 2025 10:00 +03 (between 09:00 and 11:00) · reported"
    assert describe_record_when(replay, 7, TZ) == "Mon 05 May 2025 09:00 +03 · reported"


def test_retellings_count_once(scenario):
    assert independent_sources(scenario, ["wire", "paper"]) == 1
    assert independent_sources(scenario, ["wire", "paper", "radio"]) == 2
    assert describe_citations(scenario, ["wire", "paper"]) == "2 sources, 1 independent"
    assert describe_citations(scenario, ["wire", "radio"]) == "2 sources, both independent"
    assert describe_citations(scenario, ["paper"]) == "1 source"


def test_query_errors(replay):
    from sim import QueryError

    with pytest.raises(QueryError, match="no event record 99"):
        replay.record_certainty(99)
    with pytest.raises(QueryError, match="unknown actor 'x'"):
        replay.knowledge_certainty("x", "offer")
