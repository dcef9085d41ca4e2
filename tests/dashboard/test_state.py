"""View state ↔ URL query string: round trip and graceful fallbacks."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from dashboard.state import GROUPS, MODES, PANELS, ViewState, decode, encode

ids = st.from_regex(r"[A-Za-z_][A-Za-z0-9_-]{0,20}", fullmatch=True)
names = st.lists(st.from_regex(r"[A-Za-z0-9_][A-Za-z0-9_-]{0,12}", fullmatch=True), min_size=1, max_size=3).map("/".join)
states = st.builds(
    ViewState,
    scenario=st.one_of(st.just(""), names),
    alt=st.one_of(st.just(""), ids),
    t=st.one_of(st.none(), st.integers(0, 4_000_000_000).map(float)),
    mode=st.sampled_from(MODES),
    fact=st.one_of(st.just(""), ids),
    actor=st.one_of(st.just(""), ids),
    panels=st.sets(st.sampled_from(PANELS)).map(lambda s: tuple(p for p in PANELS if p in s)),
    group=st.sampled_from(GROUPS),
)


@settings(max_examples=300, deadline=None)
@given(states)
def test_round_trip(state):
    decoded, notices = decode(encode(state))
    assert notices == []
    assert decoded == state


def test_defaults_are_left_out():
    assert encode(ViewState()) == "?mode=event"
    assert decode("") == (ViewState(), [])
    assert decode(None) == (ViewState(), [])


def test_time_with_offset_and_plus_decoded_as_space():
    a, _ = decode("?t=2025-05-11T22:30%2B03:00")
    b, _ = decode("?t=2025-05-11T22:30+03:00")  # a raw '+' arrives as a space
    c, _ = decode("?t=2025-05-11T19:30:00Z")
    assert a.t == b.t == c.t


def test_bad_values_fall_back_with_notices():
    state, notices = decode("?scenario=../../etc/passwd&mode=warp&fact=a b&t=yesterday&panels=foo&group=x&zz=1")
    assert state == ViewState()
    assert len(notices) == 7
    assert any("zz" in n for n in notices)


def test_absolute_and_dotted_scenarios_rejected():
    for bad in ("/etc/passwd", "a/../b", "..", "a\\b", "C:/x"):
        state, notices = decode("?" + "scenario=" + bad)
        assert state.scenario == "" and notices, bad


def test_panels_none_and_subset():
    assert decode("?panels=none")[0].panels == ()
    assert decode("?panels=log,network")[0].panels == ("network", "log")


def test_repeated_parameter_keeps_first():
    state, notices = decode("?fact=a&fact=b")
    assert state.fact == "a" and notices
