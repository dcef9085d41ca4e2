"""View state ↔ URL query string: round trip and graceful fallbacks."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from dashboard.state import DEFAULT_PANELS, GROUPS, MAX_RUNS, MAX_SEED, MODES, PANELS, ViewState, decode, encode

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
    compare=st.one_of(st.just(""), names),
    calt=st.one_of(st.just(""), ids),
    sweep=st.one_of(st.just(0), st.integers(1, MAX_RUNS)),
    seed=st.one_of(st.just(0), st.integers(0, MAX_SEED)),
    story=st.booleans(),
    hide=st.lists(st.from_regex(r"(medium:)?[A-Za-z][A-Za-z' -]{0,20}[a-z]", fullmatch=True), max_size=3,
                  unique=True).map(tuple),
    pos=st.lists(st.tuples(ids, st.integers(-99999, 99999).map(lambda n: n / 10000),
                           st.integers(-99999, 99999).map(lambda n: n / 10000)), max_size=3,
                 unique_by=lambda p: p[0]).map(tuple),
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


def test_compare_and_sweep_turn_their_panels_on():
    state, notices = decode("?compare=alternatives/no_intercepts&fact=backchannel_exists")
    assert notices == [] and state.compare == "alternatives/no_intercepts"
    assert state.panels == DEFAULT_PANELS + ("compare",)
    assert decode("?calt=slow_relay")[0].panels == DEFAULT_PANELS + ("compare",)
    state, _ = decode("?sweep=100&seed=7")
    assert (state.sweep, state.seed, state.panels) == (100, 7, DEFAULT_PANELS + ("sweep",))
    assert decode("?sweep=100&panels=network")[0].panels == ("network",)  # an explicit list wins here


def test_compare_and_sweep_encode_readably():
    state = ViewState(compare="alternatives/no_intercepts", calt="x", sweep=500, seed=2,
                      panels=DEFAULT_PANELS + ("compare", "sweep"))
    assert encode(state) == "?mode=event&compare=alternatives/no_intercepts&calt=x&sweep=500&seed=2"
    assert "panels=" in encode(state.with_(panels=DEFAULT_PANELS))


def test_bad_compare_and_sweep_values_fall_back_with_notices():
    for query, field in (("compare=../secret", "compare"), ("compare=/etc/passwd", "compare"), ("calt=a b", "calt"),
                         ("sweep=0", "sweep"), ("sweep=-5", "sweep"), ("sweep=many", "sweep"),
                         (f"sweep={MAX_RUNS + 1}", "sweep"), ("seed=1.5", "seed"), (f"seed={MAX_SEED + 1}", "seed")):
        state, notices = decode("?" + query)
        assert getattr(state, field) == getattr(ViewState(), field) and len(notices) == 1, query
        assert state.panels == DEFAULT_PANELS, query


def test_story_filters_and_moved_nodes_encode_readably():
    state = ViewState(story=True, hide=("Iran", "medium:call"), pos=(("dermer", 1.25, -0.5),))
    q = encode(state)
    assert "story=1" in q and "hide=Iran,medium:call" in q and "pos=dermer:1.25:-0.5" in q
    assert decode(q) == (state, [])


def test_bad_story_filter_and_position_values_fall_back_with_notices():
    state, notices = decode("?story=yes&hide=<b>&pos=dermer:99:0,witkoff:1:2")
    assert not state.story and state.hide == () and state.pos == (("witkoff", 1.0, 2.0),)
    assert len(notices) == 3
