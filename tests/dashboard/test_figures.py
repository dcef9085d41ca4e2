"""Figure builders on tiny.yaml: node colours, messages in flight, skipped events, frames."""

from __future__ import annotations

import pytest

from dashboard.figures.common import (KNOW_CODE, KNOW_COLORS, SKIP_COLOR, TAP_COLOR, default_fact, step_at,
                                      steps)
from dashboard.figures.export import export_figure
from dashboard.figures.matrix import matrix_cells, matrix_figure, matrix_spec
from dashboard.figures.network import network_figure, network_frames, positions
from dashboard.figures.timeline import timeline_figure
from sim import load_scenario, run
from sim.timeparse import parse_instant

from .conftest import DATA


def at(text: str) -> float:
    return parse_instant(text).timestamp()


def nodes(fig):
    return next(tr for tr in fig.data if tr.name == "actors")


def colours_by_actor(fig, result):
    return dict(zip(result.compiled.actors, nodes(fig).marker.color))


def test_node_colours_follow_knowledge(tiny_run):
    before = colours_by_actor(network_figure(tiny_run, "offer", at("2025-05-01T09:30+03:00")), tiny_run)
    assert before == {"a": KNOW_COLORS["origin"], "b": KNOW_COLORS["unknown"], "c": KNOW_COLORS["unknown"],
                      "e": KNOW_COLORS["unknown"]}
    after = colours_by_actor(network_figure(tiny_run, "offer", at("2025-05-01T11:00+03:00")), tiny_run)
    assert after == {"a": KNOW_COLORS["origin"], "b": KNOW_COLORS["told"], "c": KNOW_COLORS["told"],
                     "e": KNOW_COLORS["intercepted"]}


def test_message_in_flight_between_send_and_delivery(tiny_run):
    pos = positions(tiny_run)
    fig = network_figure(tiny_run, "offer", at("2025-05-01T10:05+03:00"), pos=pos)
    flight = next(tr for tr in fig.data if tr.name == "message in flight")
    (ax, ay), (bx, by) = pos["a"], pos["b"]
    points = list(zip(flight.x, flight.y))
    assert (pytest.approx((ax + bx) / 2), pytest.approx((ay + by) / 2)) in points  # half of the 10 min latency
    assert TAP_COLOR in flight.marker.color  # the intercepted copy is on its way to E too
    quiet = network_figure(tiny_run, "offer", at("2025-05-01T09:30+03:00"), pos=pos)
    assert len(next(tr for tr in quiet.data if tr.name == "message in flight").x) == 0


def test_positions_are_stable(tiny):
    assert positions(run(tiny)) == positions(run(tiny))
    assert positions(run(tiny)) == positions(run(load_scenario(DATA / "tiny.yaml", "slow_relay")))


def test_knowledge_has_a_shape_as_well_as_a_colour(tiny_run):
    """Pale circle: not known yet; star: originated; green circle: told; diamond: intercepted (readable in
    greyscale: told and not known yet differ in lightness, the others in shape)."""
    from dashboard.figures.common import KNOW_SYMBOLS

    fig = network_figure(tiny_run, "offer", at("2025-05-01T11:00+03:00"))
    assert dict(zip(tiny_run.compiled.actors, nodes(fig).marker.symbol)) == {
        "a": "star", "b": "circle", "c": "circle", "e": "diamond"}
    assert len({KNOW_SYMBOLS[k] for k in ("origin", "told", "intercepted")}) == 3


def test_spread_path_and_recent_trail(tiny_run):
    """The path the fact took so far (A→B, A→E by intercept, B→C) and the latest messages delivered."""
    pos = positions(tiny_run)
    fig = network_figure(tiny_run, "offer", at("2025-05-01T11:00+03:00"), pos=pos)
    path = next(tr for tr in fig.data if tr.name == "how it spread")
    pairs = {(path.x[i], path.y[i], path.x[i + 1], path.y[i + 1]) for i in range(0, len(path.x), 3)}
    assert pairs == {(*pos[a], *pos[b]) for a, b in (("a", "b"), ("a", "e"), ("b", "c"))}
    trail = next(tr for tr in fig.data if tr.name == "latest messages")
    assert trail.x[0::3] == tuple(pos[a][0] for a in ("a", "b", "a"))  # by arrival: to B, B to C, the tap


def test_hidden_affiliation_is_faint_and_hidden_medium_is_not_drawn(tiny_run):
    fig = network_figure(tiny_run, "offer", at("2025-05-01T11:00+03:00"), hidden=("Green", "medium:call"))
    assert dict(zip(tiny_run.compiled.actors, nodes(fig).marker.opacity))["e"] < 0.5
    assert not any(tr.name == "call" for tr in fig.data)
    assert not any(tr.name == "tap (interception)" for tr in fig.data)  # E is faint: its tap goes


def test_moved_actor_keeps_its_place(tiny_run):
    assert positions(tiny_run, (("b", 1.5, -2.0),))["b"] == (1.5, -2.0)
    assert positions(tiny_run, (("b", 1.5, -2.0),))["a"] == positions(tiny_run)["a"]


def test_focus_rings_show_second_order_knowledge(tiny_run):
    fig = network_figure(tiny_run, "offer", at("2025-05-01T12:00+03:00"), focus="b")
    ring = next(tr for tr in fig.data if tr.name.endswith("knows that they know"))
    pos = positions(tiny_run)
    assert set(zip(ring.x, ring.y)) == {pos["a"], pos["c"]}  # told by A; C confirmed on the call


def test_frames_match_dynamic_traces(tiny_run):
    times = steps(tiny_run, "event")
    fig = network_figure(tiny_run, "offer", times[0])
    frames = network_frames(tiny_run, "offer", times)
    assert len(frames) == len(times)
    assert all(len(f) == len(fig.layout.meta["dynamic"]) for f in frames)
    assert frames[-1][2]["marker"]["color"] == list(nodes(network_figure(tiny_run, "offer", times[-1])).marker.color)


@pytest.mark.parametrize("mode", ["event", "calendar"])
def test_plain_figure_dicts_are_what_plotly_validates(tiny_run, mode):
    """The dicts the page receives are valid figures and lose nothing in validation (template included)."""
    import json

    import plotly.graph_objects as go
    from plotly.utils import PlotlyJSONEncoder

    from dashboard.figures.matrix import matrix_spec
    from dashboard.figures.network import network_spec
    from dashboard.figures.timeline import timeline_spec

    times = steps(tiny_run, mode)
    t = times[len(times) // 2]
    for spec in (network_spec(tiny_run, "offer", t, "b"), timeline_spec(tiny_run, mode, times, t, "offer", "b", True),
                 matrix_spec(tiny_run, t, "affiliations", "offer")):
        plain = json.loads(json.dumps(spec, cls=PlotlyJSONEncoder))
        assert json.loads(json.dumps(go.Figure(spec).to_plotly_json(), cls=PlotlyJSONEncoder)) == plain
        assert plain["layout"]["template"]["layout"]["yaxis"]["automargin"] is True


def test_skipped_event_is_grey():
    result = run(load_scenario(DATA / "tiny.yaml", "slow_relay"))
    assert result.skipped()
    fig = timeline_figure(result, "calendar", steps(result, "calendar"), at("2025-05-01T12:00+03:00"), "offer")
    skipped = next(tr for tr in fig.data if tr.name.startswith("skipped"))
    assert skipped.marker.color == SKIP_COLOR
    assert len(skipped.x) == len(result.skipped())


def test_timeline_has_arrows_intercepts_windows_and_cursor(tiny_run):
    times = steps(tiny_run, "event")
    t = at("2025-05-01T10:15+03:00")
    fig = timeline_figure(tiny_run, "event", times, t, "offer")
    names = [tr.name for tr in fig.data]
    assert "intercepted copy" in names and "carries the selected fact" in names
    cursor = fig.data[fig.layout.meta["dynamic"][0]]
    assert cursor.name == "t (now)" and cursor.x[0] == step_at(times, t)
    # every uncertain record is a span on its lane, its range and basis on hover (none is reported here)
    spans = next(tr for tr in fig.data if tr.name.startswith("uncertain time"))
    assert spans.hovertext[0] == ("<b>B</b>: A texts the offer to B<br>"
                                  "about Thu 01 May 2025 10:10 +03 (between 09:10 and 11:10) · assumed message")
    from dashboard.figures.timeline import x_mapper

    xm = x_mapper(tiny_run, "event", times)
    assert spans.x[:4] == (xm(at("2025-05-01T09:10+03:00")), xm(at("2025-05-01T10:10+03:00")),
                           xm(at("2025-05-01T11:10+03:00")), None)
    days = steps(tiny_run, "calendar")
    cal = timeline_figure(tiny_run, "calendar", days, t, "offer", cursor_shape=True)
    assert cal.layout.xaxis.type == "date"
    # the axis spans the steps with a little room, not the faded future that reaches 30 days on
    start, end = (at(x + "+03:00") for x in cal.layout.xaxis.range)
    room = 0.02 * (days[-1] - days[0])
    assert (start, end) == (days[0] - room, days[-1] + room)


def test_matrix_states(tiny_run):
    cells = matrix_cells(tiny_run, at("2025-05-01T11:00+03:00"))
    rows = matrix_figure(tiny_run, at("2025-05-01T11:00+03:00")).data[0].y
    z = dict(zip(rows, cells["z"]))
    assert z["A"] == [KNOW_CODE["origin"], KNOW_CODE["unknown"]]
    assert z["E"] == [KNOW_CODE["intercepted"], KNOW_CODE["unknown"]]
    groups = matrix_cells(tiny_run, at("2025-05-01T11:00+03:00"), "affiliations")
    assert ["1/1 ≈", "0/1"] in groups["text"]  # ≈: known through a modelled step (tiny.yaml states no basis)


def test_matrix_hover_has_provenance_chain(tiny_run):
    fig = matrix_figure(tiny_run, at("2025-05-01T11:00+03:00"))
    hover = dict(zip(fig.data[0].y, fig.data[0].customdata))
    assert "A → B → C" in hover["C"][0]


def test_matrix_hover_says_what_is_not_known_yet(tiny_run):
    """Before C learns the offer its cell says so, and when it will; a fact never known says never."""
    from dashboard.figures.matrix import NOT_YET, hover_at, hover_lines

    before = dict(zip(matrix_figure(tiny_run, at("2025-05-01T09:30+03:00")).data[0].y,
                      matrix_figure(tiny_run, at("2025-05-01T09:30+03:00")).data[0].customdata))
    assert before["C"][0].startswith("<b>C</b> · A makes an offer<br>" + NOT_YET
                                     + "first knows it about Thu 01 May 2025 10:15 +03 (between 09:15 and 11:15) ·"
                                     "<br>assumed relay")
    assert NOT_YET not in before["A"][0]  # A originated it at 09:00
    after = hover_at(hover_lines(tiny_run), at("2025-05-01T11:00+03:00"))
    assert [NOT_YET in offer for offer, _reply in after] == [False] * 4  # by 11:00 everybody knows the offer
    assert [NOT_YET in reply for _offer, reply in after] == [False, True, False, True]  # C and A, later
    rows = [r for r in after if r[1].startswith("<b>E</b>")]
    assert rows == [[rows[0][0], "<b>E</b> · C answers<br>never knows it in this run"]]  # no ids: label only
    groups = hover_at(hover_lines(tiny_run, "affiliations"), at("2025-05-01T09:30+03:00"))
    assert any(cell.startswith("<b>Blue</b> · A makes an offer<br>C: " + NOT_YET)
               for row in groups for cell in row)


def test_matrix_hover_lines_stay_narrow(documented):
    """On the documented scenario, no line of a matrix hover is much wider than :data:`HOVER_WIDTH`
    characters (a label stays about 500 px wide at 1280 px), beyond the 'not yet' and member prefixes."""
    import re

    from dashboard.data import load_run
    from dashboard.figures.matrix import HOVER_WIDTH, NOT_YET, hover_at, hover_lines

    result = load_run("alexander_release")
    for group in ("actors", "affiliations"):
        texts = sum(hover_at(hover_lines(result, group), result.events[0].time), [])
        lines = [re.sub("<[^>]+>", "", ln) for text in texts for ln in text.split("<br>")]
        longest = max(len(ln) for ln in lines)
        assert HOVER_WIDTH < longest <= HOVER_WIDTH + len(re.sub("<[^>]+>", "", NOT_YET)) + 40, group


def test_export_has_a_frame_per_step_and_a_slider(tiny_run):
    fig = export_figure(tiny_run, "offer", "event")
    n = len(steps(tiny_run, "event"))
    assert len(fig.frames) == n
    assert len(fig.layout.sliders[0].steps) == n
    assert fig.layout.updatemenus[0].buttons[0].method == "animate"
    assert len(export_figure(tiny_run, "offer", "calendar").frames) == len(steps(tiny_run, "calendar"))


def test_export_html_carries_everything_and_stays_under_5_mb():
    """The documented scenario's export: plotly.js packed inside (the installed plotly's, byte for byte),
    the figure with one frame per step, no address to fetch anything from, under 5 MB."""
    import base64
    import gzip
    import json
    import re

    from plotly.offline import get_plotlyjs

    from dashboard.figures.export import export_html

    from .conftest import ROOT

    result = run(load_scenario(ROOT / "scenarios" / "alexander_release.yaml"))
    page = export_html(result, "hamas_agrees_release")
    assert len(page.encode("utf-8")) <= 5_000_000
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)
    packed = re.search(r'id="backchannel-plotlyjs"[^>]*>([^<]+)</script>', page).group(1)
    assert gzip.decompress(base64.b64decode(packed)).decode("utf-8") == get_plotlyjs()
    figure = json.loads(re.search(r'id="backchannel-figure">(.+?)</script>', page, re.S).group(1))
    assert len(figure["frames"]) == len(steps(result, "event"))
    label = next(f.short_label for f in result.scenario.facts if f.id == "hamas_agrees_release")
    assert f"“{label}”" in figure["layout"]["title"]["text"]  # the fact's label, never its id


def test_steps_include_a_shared_time(tiny_run):
    t = at("2025-05-01T10:07+03:00")
    s = steps(tiny_run, "event", t)
    assert t in s and s == sorted(s)
    assert s[step_at(s, t)] == t


def test_default_fact_is_most_known(tiny_run):
    assert default_fact(tiny_run) == "offer"


@pytest.mark.parametrize("group", ["actors", "affiliations"])
def test_matrix_changes_hold_every_first_knowledge(tiny_run, group):
    """What the page draws the matrix from: per cell, each member's first knowledge (time, how, modelled) in
    time order, and the cell's size; the rows in the heatmap's order."""
    from dashboard.figures.common import KNOW_CODE
    from dashboard.figures.matrix import matrix_changes

    m = matrix_changes(tiny_run, group)
    fig = matrix_spec(tiny_run, tiny_run.events[-1].time, group)
    rows, facts = fig["data"][0]["y"], fig["data"][0]["x"]
    assert len(m["cells"]) == len(rows) and all(len(row) == len(facts) for row in m["cells"])
    entries = [e for row in m["cells"] for cell in row for e in cell[1]]
    assert len(entries) == len(m["times"]) == (len(tiny_run.first) if group == "actors" else len(entries))
    assert m["times"] == sorted(e[0] for e in entries)
    assert all(cell[1] == sorted(cell[1]) for row in m["cells"] for cell in row)
    if group == "actors":
        k = tiny_run.learned("a", "offer")
        cell = m["cells"][rows.index("A")][facts.index("offer")]
        assert cell[0] == 1 and cell[1][0][:2] == [k.time, KNOW_CODE[k.how]]
    else:
        assert sum(cell[0] for cell in m["cells"][0]) == len(facts) * len(
            [a for a in tiny_run.scenario.actors if a.affiliation == rows[0]])
    assert m["counts"] == (group == "affiliations")


def test_matrix_cells_show_their_state_by_shape(tiny_run):
    """Over each cell: ★ originated, ● told, ◆ intercepted, nothing before it is known (a zero-width space: a
    point with no text at all loses its text in plotly's next drawing); ≈ when modelled."""
    import unicodedata

    from dashboard.figures.common import NO_TEXT

    fig = matrix_figure(tiny_run, at("2025-05-01T11:00+03:00"))
    shapes = dict(zip(zip(fig.data[1].y, fig.data[1].x), fig.data[1].text))
    assert shapes[("A", "offer")] == "★ ≈" and shapes[("E", "offer")] == "◆ ≈" and shapes[("C", "reply")] == NO_TEXT
    assert unicodedata.category(NO_TEXT) == "Cf" and NO_TEXT.strip() == NO_TEXT  # invisible, and not stripped
    assert shapes[("B", "offer")] == "● ≈"  # tiny.yaml states no basis: every step is assumed


def test_affiliation_colours_read_on_white():
    """Affiliation names are written in their colour on white: each at a contrast of at least 4.5:1."""
    from dashboard.figures.common import AFFILIATION_PALETTE

    def luminance(hex_colour: str) -> float:
        rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    assert all(1.05 / (luminance(c) + 0.05) >= 4.5 for c in AFFILIATION_PALETTE)
