"""Ledger queries: knows, knowers, how (provenance), knows_that (second-order knowledge)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from sim import QueryError


def test_knows_at_times(tiny_run):
    r = tiny_run
    assert not r.knows("b", "offer", "2025-05-01T10:09+03:00")
    assert r.knows("b", "offer", "2025-05-01T10:10+03:00")
    assert r.knows("b", "offer", datetime(2025, 5, 1, 7, 10, tzinfo=timezone.utc))
    assert r.knows("b", "offer")  # by the end
    assert not r.knows("b", "reply")


def test_knowers_in_order(tiny_run):
    assert [k.actor for k in tiny_run.knowers("offer")] == ["a", "b", "c", "e"]
    assert [k.actor for k in tiny_run.knowers("offer", "2025-05-01T10:30+03:00")] == ["a", "b", "c"]
    assert [(k.actor, k.how) for k in tiny_run.knowers("reply")] == [("c", "origin"), ("a", "told")]


def test_provenance_chain(tiny_run):
    chain = tiny_run.how("c", "offer")
    assert [(k.actor, k.how, k.via_event) for k in chain] == [
        ("a", "origin", "decide"), ("b", "told", "send_offer"), ("c", "told", "relay")]
    assert tiny_run.path("e", "offer") == ["a", "e"]
    assert tiny_run.how("b", "reply") == []
    assert chain[0].time.isoformat() == "2025-05-01T09:00:00+03:00"  # an aware datetime in the scenario's zone


def test_second_order_knowledge(tiny_run):
    r = tiny_run
    # receiving F from A means you know A knows F
    assert r.knows_that("b", "a", "offer", "2025-05-01T10:10+03:00")
    assert not r.knows_that("b", "a", "offer", "2025-05-01T10:09+03:00")
    # a text is not synchronous: A does not learn that B knows
    assert not r.knows_that("a", "b", "offer")
    # a call is: B knows C knows once the relay call lands, and C knows B knows
    assert r.knows_that("b", "c", "offer") and r.knows_that("c", "b", "offer")
    # the interceptor knows both parties know; the parties never learn that it knows
    assert r.knows_that("e", "a", "offer") and r.knows_that("e", "b", "offer")
    assert not r.knows_that("a", "e", "offer") and not r.knows_that("b", "e", "offer")
    # knowing it yourself counts
    assert r.knows_that("c", "c", "offer") and not r.knows_that("b", "b", "reply")


def test_beliefs_about(tiny_run):
    got = [(m.subject, m.fact, m.how) for m in tiny_run.beliefs_about("e")]
    assert got == [("a", "offer", "intercepted"), ("b", "offer", "intercepted")]


@pytest.mark.parametrize("call", [
    lambda r: r.knows("zed", "offer"),
    lambda r: r.knows("a", "ofer"),
    lambda r: r.knowers("nope"),
    lambda r: r.knows("a", "offer", "2025-05-01T10:00"),
])
def test_bad_queries(tiny_run, call):
    with pytest.raises(QueryError):
        call(tiny_run)


def test_unknown_actor_suggestion(tiny_run):
    with pytest.raises(QueryError, match="did you mean 'offer'"):
        tiny_run.knows("a", "ofer")


def test_to_dict_contains_everything(tiny_run):
    d = tiny_run.to_dict()
    assert len(d["events"]) == len(tiny_run.events)
    assert {"actor": "b", "fact": "reply"} in d["never_known"]
    row = next(k for k in d["knowledge"] if k["actor"] == "c" and k["fact"] == "offer")
    assert row["path"] == ["a", "b", "c"] and row["known_at"] == "2025-05-01T07:15:00+00:00"
    assert {"knower": "e", "subject": "b", "fact": "offer", "how": "intercepted"}.items() <= \
        next(m for m in d["knows_that"] if m["knower"] == "e" and m["subject"] == "b").items()


@pytest.mark.parametrize("seed", range(20))
def test_provenance_is_causal_in_stochastic_runs(tiny, seed):
    """Whoever told or was intercepted from knew the fact at or before the moment it passed on."""
    from sim import run

    r = run(tiny, "stochastic", seed=seed)
    for k in r.first.values():
        if k.how == "origin":
            assert k.from_actor is None
            continue
        source = r.first[(k.from_actor, k.fact)]
        assert source.time <= k.time
        chain = r.how(k.actor, k.fact)
        assert chain[0].how == "origin" and chain[-1]._replace(time=k.time) == k
        assert abs(chain[-1].time.timestamp() - k.time) < 1e-5  # how() gives datetimes (to the microsecond)
        assert all(a.time <= b.time for a, b in zip(chain, chain[1:]))


def test_records_carry_what_readers_need(tiny_run):
    r = tiny_run
    send = next(e for e in r.events if e.kind == "send" and e.cause == "send_offer")
    deliver, intercept = (next(e for e in r.events if e.kind == k and e.message == send.message)
                          for k in ("deliver", "intercept"))
    assert (deliver.send, deliver.sent_at, deliver.recipients) == (send.id, send.time, ("b",))
    assert (intercept.actor, intercept.recipients, intercept.send) == ("e", ("b",), send.id)
    assert r.sender(intercept) == "a" and r.sender(deliver) == "a"
    assert r.flights() == [e for e in r.events if e.kind in ("deliver", "intercept")]
    # the offer leaves at 07:00 UTC and lands at 07:10; the tapped copy reaches E at 08:00
    assert [e.kind for e in r.in_flight("2025-05-01T07:30Z")] == ["intercept"]
    assert [e.kind for e in r.in_flight("2025-05-01T07:05Z")] == ["deliver", "intercept"]
    (w,) = r.windows()
    assert (w.event, w.actor, w.latest - w.earliest, w.estimate - w.earliest) == ("send_offer", "a", 7200.0, 3600.0)


def test_learned_reach_and_read_only_ledgers(tiny_run):
    r = tiny_run
    assert r.learned("c", "offer") == r.first[("c", "offer")] and r.learned("b", "reply") is None
    assert [k.fact for k in r.learned_by("a")] == ["offer", "reply"]
    assert [k.fact for k in r.learned_by("a", "2025-05-01T08:00Z")] == ["offer"]
    assert (r.reach("offer"), r.reach("offer", "2025-05-01T07:12Z"), r.reach("reply")) == (4, 2, 2)
    with pytest.raises(TypeError):
        r.first[("b", "reply")] = r.first[("a", "offer")]  # type: ignore[index]
    with pytest.raises(TypeError):
        r.meta[("x", "y", "z")] = None  # type: ignore[index]
    import pickle

    again = pickle.loads(pickle.dumps(r))
    assert again == r and dict(again.meta) == dict(r.meta)


def test_skip_reasons_are_codes_and_fact_ids_worded_at_the_edge():
    from sim import load_scenario, run
    from sim.records import reason_text

    r = run(load_scenario("tests/data/tiny.yaml", "slow_relay"))
    skip = r.skipped()[0]
    assert (skip.reason_code, skip.missing) == ("not_known", ("offer",))
    assert reason_text(skip) == skip.reason == "c did not yet know offer"
    assert reason_text(skip, {"c": "C"}, lambda f: f"“{f.upper()}”") == "C did not yet know “OFFER”"
